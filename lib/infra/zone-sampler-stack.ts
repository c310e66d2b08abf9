import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FANOUT_MEMORY_MB, FUNCTION_ENV, SAMPLER_TIMEOUT_SECONDS, SAMPLING_DEFAULTS } from '../contracts';
import { fanoutFunctionName, samplerFunctionName } from '../core/naming';
import type { Arch } from '../core/types';
import { samplerSource } from '../sampling/sampler-source';
import { bundledCode, ZONE_HANDLERS } from './bundling';
import { MeshPropsError } from './errors';
import { ExecutionRole } from './execution-role';
import { lambdaFunctionArn } from './invoke-scope';
import { validateSamplers } from './lambda-limits';
import { assertZoneSamplerWithinLimits } from './limits';
import { acknowledgeWildcardGrants } from './nag';
import { NETWORK_WILDCARD_REASON, SKY_RUNTIME } from './region-mesh-stack';

import { createFanout, createSamplingSteps, type TableLocation } from './sampling-functions';
import { SamplingStateMachine, type SamplingStateMachineProps } from './sampling-state-machine';
import type { ZoneAttachment } from './zonal-network';

export type { TableLocation } from './sampling-functions';

/**
 * Sampling settings of a zone stack (the rest of {@link SamplingStateMachineProps} comes from the stack: its zone,
 * region and samplers, one per memory size from `samplerMemoryMb`, and an architecture per sampled fleet).
 */
export type ZoneSamplingOptions = Omit<
  SamplingStateMachineProps,
  | 'azId'
  | 'region'
  | 'samplerArch'
  | 'fanoutFunction'
  | 'stepsFunction'
  | 'samplersPerZone'
  | 'samplerMemoryMb'
  | 'samplerMemoryStepMb'
  | 'samplerSleepMs'
  | 'fanoutMemoryMb'
  | 'logRetention'
>;

/** Properties of a {@link ZoneSamplerStack}. */
export interface ZoneSamplerStackProps extends StackProps {
  /** Subnet and security group of the zone (from its region's {@link RegionMeshStack}). */
  readonly zone: ZoneAttachment;
  /** The table the sampling steps write to. */
  readonly table: TableLocation;
  /**
   * Number of samplers: distinct endpoints that successive polls rotate through.
   * @default 100
   */
  readonly samplersPerZone?: number;
  /**
   * Memory of sampler 0 in MB; sampler i gets this + i, so every sampler is a distinct function size.
   * @default 10140
   */
  readonly samplerMemoryMb?: number;
  /**
   * How long each sampler request sleeps before answering, so that concurrent requests hold distinct instances.
   * @default 100
   */
  readonly samplerSleepMs?: number;
  /**
   * Retention of the stack's log group.
   * @default logs.RetentionDays.TWO_WEEKS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Code of the fan-out and sampling-steps functions (a bundle with `fanout.js` and `sampling.js`).
   * @default - `lambda/fanout/index.ts` and `lambda/sampling/index.ts` bundled with esbuild
   */
  readonly code?: lambda.Code;
  /**
   * The sampling state machine's settings (stopping rule, poll size, schedule, stagger).
   * @default - the defaults of {@link SamplingStateMachineProps}
   */
  readonly sampling?: ZoneSamplingOptions;
  /**
   * Architectures whose fleets the zone samples: `samplersPerZone` samplers of each (`sky-smp-<azId>-<nn>` on
   * x86_64, `sky-smp-arm64-<azId>-<nn>` on arm64) and a sampling state machine of each, which stores the fleet's
   * own characterization. The fan-out and the sampling steps serve every one.
   * @default ['x86_64']
   */
  readonly architectures?: readonly Arch[];
}

/**
 * The samplers of one zone and what drives them: `samplersPerZone` samplers (`sky-smp-<azId>-<nn>`,
 * inline code, each its own variant and memory size) pinned to the zone's subnet; the fan-out function
 * (`sky-fan-<azId>`, outside the VPC) that sends one poll as a tree of invocations, allowed to invoke
 * only this zone's samplers and itself; and the sampling steps function (`sky-steps-<azId>`) that
 * records polls in the table. The sampling state machine and its schedule are added to this stack by
 * `SamplingStateMachine` from the functions exposed here.
 */
export class ZoneSamplerStack extends Stack {
  readonly azId: string;
  readonly table: TableLocation;
  /** Sampler function names of the first sampled architecture (x86_64 unless only arm64 is), in rotation order. */
  readonly samplerNames: readonly string[];
  /** Sampler function names per sampled architecture, in rotation order. */
  readonly samplerNamesByArch: ReadonlyMap<Arch, readonly string[]>;
  /** The samplers of every sampled architecture, as L1 resources (see the constructor). */
  readonly samplers: readonly lambda.CfnFunction[];
  /** Architectures whose fleets the zone samples. */
  readonly architectures: readonly Arch[];
  readonly fanout: lambda.Function;
  readonly steps: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly samplerRole: ExecutionRole;
  readonly fanoutRole: ExecutionRole;
  readonly stepsRole: ExecutionRole;
  /** The zone's sampling state machine and its schedule (of the first sampled architecture). */
  readonly sampling: SamplingStateMachine;
  /** The sampling state machine of each sampled architecture. */
  readonly samplingByArch: ReadonlyMap<Arch, SamplingStateMachine>;

  constructor(scope: Construct, id: string, props: ZoneSamplerStackProps) {
    super(scope, id, props);
    const count = props.samplersPerZone ?? SAMPLING_DEFAULTS.samplersPerZone;
    const baseMemory = props.samplerMemoryMb ?? SAMPLING_DEFAULTS.samplerMemoryMb;
    const sleepMs = props.samplerSleepMs ?? SAMPLING_DEFAULTS.samplerSleepMs;
    this.azId = props.zone.azId;
    this.table = props.table;
    validateSamplers(count, baseMemory);
    this.architectures = validArchitectures(this, props.architectures ?? ['x86_64']);
    const sources = new Map(
      this.architectures.map((arch) => [
        arch,
        Array.from({ length: count }, (_, index) => samplerSource({ index, azId: this.azId, sleepMs, arch })),
      ]),
    );
    const allSources = [...sources.values()].flat();
    assertZoneSamplerWithinLimits({
      stackName: this.stackName,
      samplers: allSources.length,
      stateMachines: this.architectures.length,
      inlineCodeBytes: allSources.reduce((sum, source) => sum + JSON.stringify(source).length, 0),
    });

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.samplerRole = new ExecutionRole(this, 'SamplerRole', {
      logGroup: this.logGroup,
      attachments: [props.zone],
      description: `skymesh samplers of ${this.azId}: logs and zone network interfaces only`,
    });
    const namesByArch = new Map<Arch, string[]>();
    const samplers: lambda.CfnFunction[] = [];
    for (const [arch, archSources] of sources) {
      const names = archSources.map((_, index) => samplerFunctionName(this.azId, index, count, arch));
      namesByArch.set(arch, names);
      // L1 on purpose: samplers need nothing the L2 adds, and across the ~10,600 samplers of the global
      // mesh the L2 costs about a sixth of the whole synth time (bench/synth.bench.ts).
      for (const [index, source] of archSources.entries()) {
        samplers.push(
          new lambda.CfnFunction(this, names[index], {
            functionName: names[index],
            code: { zipFile: source },
            handler: 'index.handler',
            runtime: SKY_RUNTIME.name,
            // x86_64 is Lambda's default: left out, so x86_64 samplers synthesize as before
            ...(arch === 'x86_64' ? {} : { architectures: [arch] }),
            memorySize: baseMemory + index,
            timeout: SAMPLER_TIMEOUT_SECONDS,
            role: this.samplerRole.role.roleArn,
            loggingConfig: { logGroup: this.logGroup.logGroupName },
            environment: { variables: { [FUNCTION_ENV.azId]: this.azId } },
            vpcConfig: { subnetIds: [props.zone.subnetId], securityGroupIds: [props.zone.securityGroupId] },
          }),
        );
      }
    }
    this.samplerNamesByArch = namesByArch;
    this.samplerNames = namesByArch.get(this.architectures[0]) ?? [];
    this.samplers = samplers;

    const code = props.code ?? bundledCode(this, ZONE_HANDLERS);
    const fanoutName = fanoutFunctionName(this.azId);
    // Every sampler name of the zone is its architecture's prefix plus its zero-padded number (see
    // samplerFunctionName): one `?` per digit matches those names only, not versions or aliases (`name:qualifier`).
    const samplersArns = this.architectures.map((arch) => this.functionArn(samplerNamePattern(this.azId, count, arch)));
    const invokeSamplers = new iam.PolicyStatement({
      sid: 'InvokeZoneSamplersAndSelf',
      actions: ['lambda:InvokeFunction'],
      resources: [...samplersArns, this.functionArn(fanoutName)],
    });
    const fanout = createFanout(this, {
      azId: this.azId,
      code,
      logGroup: this.logGroup,
      description: `skymesh fan-out of ${this.azId}: invoke this zone's samplers and itself`,
      statements: [invokeSamplers],
    });
    this.fanoutRole = fanout.role;
    this.fanout = fanout.fn;
    const steps = createSamplingSteps(this, { azId: this.azId, code, logGroup: this.logGroup, table: props.table });
    this.stepsRole = steps.role;
    this.steps = steps.fn;
    const machines = new Map<Arch, SamplingStateMachine>();
    for (const arch of this.architectures) {
      // The x86_64 machine keeps the id it had before arm64 fleets were sampled, so updating a stack keeps it.
      const machine = new SamplingStateMachine(this, arch === 'x86_64' ? 'Sampling' : 'SamplingArm64', {
        ...props.sampling,
        azId: this.azId,
        region: this.region,
        samplerArch: arch,
        fanoutFunction: this.fanout,
        stepsFunction: this.steps,
        samplersPerZone: count,
        samplerMemoryMb: baseMemory,
        // Sampler i is deployed at baseMemory + i MB.
        samplerMemoryStepMb: 1,
        samplerSleepMs: sleepMs,
        fanoutMemoryMb: FANOUT_MEMORY_MB,
        logRetention: props.logRetention,
      });
      machines.set(arch, machine);
    }
    this.samplingByArch = machines;
    this.sampling = machines.get(this.architectures[0]) as SamplingStateMachine;
    acknowledgeWildcardGrants(this.samplerRole, this.samplerRole.networkStatements, NETWORK_WILDCARD_REASON);
    acknowledgeWildcardGrants(
      this.fanoutRole,
      [invokeSamplers],
      `The fan-out invokes this zone's samplers, named ${this.architectures.map((arch) => `${samplerPrefix(this.azId, count, arch)}<nn>`).join(' and ')}; the pattern matches only those.`,
    );
  }

  /** ARN of a function of this stack's region and account by name (names are deterministic). */
  functionArn(functionName: string): string {
    return lambdaFunctionArn(this, functionName);
  }
}

function samplerPrefix(azId: string, count: number, arch: Arch = 'x86_64'): string {
  return samplerFunctionName(azId, 0, count, arch).replace(/\d+$/, '');
}

function samplerNamePattern(azId: string, count: number, arch: Arch = 'x86_64'): string {
  const prefix = samplerPrefix(azId, count, arch);
  return `${prefix}${'?'.repeat(samplerFunctionName(azId, 0, count, arch).length - prefix.length)}`;
}

/** A non-empty list of distinct architectures Lambda offers, or a {@link MeshPropsError} naming the bad one. */
function validArchitectures(stack: Stack, architectures: readonly Arch[]): readonly Arch[] {
  const allowed = 'a non-empty list of distinct architectures from x86_64, arm64';
  if (architectures.length === 0 || new Set(architectures).size !== architectures.length) {
    throw new MeshPropsError(`${stack.node.path}.architectures`, architectures, allowed);
  }
  for (const arch of architectures) {
    if (arch !== 'x86_64' && arch !== 'arm64')
      throw new MeshPropsError(`${stack.node.path}.architectures`, arch, allowed);
  }
  return architectures;
}
