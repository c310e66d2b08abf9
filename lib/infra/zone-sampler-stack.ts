import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FANOUT_MEMORY_MB, FUNCTION_ENV, SAMPLER_TIMEOUT_SECONDS, SAMPLING_DEFAULTS } from '../contracts';
import { fanoutFunctionName, samplerFunctionName } from '../core/naming';
import { samplerSource } from '../sampling/sampler-source';
import { bundledCode, ZONE_HANDLERS } from './bundling';
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

/** Sampling settings of a zone stack (the rest of {@link SamplingStateMachineProps} comes from the stack). */
export type ZoneSamplingOptions = Omit<
  SamplingStateMachineProps,
  | 'azId'
  | 'fanoutFunction'
  | 'stepsFunction'
  | 'samplersPerZone'
  | 'samplerMemoryMb'
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
  /** Sampler function names in rotation order. */
  readonly samplerNames: readonly string[];
  /** The samplers, as L1 resources (see the constructor). */
  readonly samplers: readonly lambda.CfnFunction[];
  readonly fanout: lambda.Function;
  readonly steps: lambda.Function;
  readonly logGroup: logs.LogGroup;
  readonly samplerRole: ExecutionRole;
  readonly fanoutRole: ExecutionRole;
  readonly stepsRole: ExecutionRole;
  /** The zone's sampling state machine and its schedule. */
  readonly sampling: SamplingStateMachine;

  constructor(scope: Construct, id: string, props: ZoneSamplerStackProps) {
    super(scope, id, props);
    const count = props.samplersPerZone ?? SAMPLING_DEFAULTS.samplersPerZone;
    const baseMemory = props.samplerMemoryMb ?? SAMPLING_DEFAULTS.samplerMemoryMb;
    const sleepMs = props.samplerSleepMs ?? SAMPLING_DEFAULTS.samplerSleepMs;
    this.azId = props.zone.azId;
    this.table = props.table;
    validateSamplers(count, baseMemory);
    const sources = Array.from({ length: count }, (_, index) => samplerSource({ index, azId: this.azId, sleepMs }));
    assertZoneSamplerWithinLimits({
      stackName: this.stackName,
      samplers: count,
      inlineCodeBytes: sources.reduce((sum, source) => sum + JSON.stringify(source).length, 0),
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
    this.samplerNames = sources.map((_, index) => samplerFunctionName(this.azId, index, count));
    // L1 on purpose: samplers need nothing the L2 adds, and across the ~10,600 samplers of the global
    // mesh the L2 costs about a sixth of the whole synth time (bench/synth.bench.ts).
    this.samplers = sources.map(
      (source, index) =>
        new lambda.CfnFunction(this, this.samplerNames[index], {
          functionName: this.samplerNames[index],
          code: { zipFile: source },
          handler: 'index.handler',
          runtime: SKY_RUNTIME.name,
          memorySize: baseMemory + index,
          timeout: SAMPLER_TIMEOUT_SECONDS,
          role: this.samplerRole.role.roleArn,
          loggingConfig: { logGroup: this.logGroup.logGroupName },
          environment: { variables: { [FUNCTION_ENV.azId]: this.azId } },
          vpcConfig: { subnetIds: [props.zone.subnetId], securityGroupIds: [props.zone.securityGroupId] },
        }),
    );

    const code = props.code ?? bundledCode(this, ZONE_HANDLERS);
    const fanoutName = fanoutFunctionName(this.azId);
    // Every sampler name of the zone is this prefix plus its zero-padded number (see samplerFunctionName):
    // one `?` per digit matches those names only, not versions or aliases (`name:qualifier`).
    const samplersArn = this.functionArn(samplerNamePattern(this.azId, count));
    const invokeSamplers = new iam.PolicyStatement({
      sid: 'InvokeZoneSamplersAndSelf',
      actions: ['lambda:InvokeFunction'],
      resources: [samplersArn, this.functionArn(fanoutName)],
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
    this.sampling = new SamplingStateMachine(this, 'Sampling', {
      ...props.sampling,
      azId: this.azId,
      fanoutFunction: this.fanout,
      stepsFunction: this.steps,
      samplersPerZone: count,
      samplerMemoryMb: baseMemory,
      samplerSleepMs: sleepMs,
      fanoutMemoryMb: FANOUT_MEMORY_MB,
      logRetention: props.logRetention,
    });
    acknowledgeWildcardGrants(this.samplerRole, this.samplerRole.networkStatements, NETWORK_WILDCARD_REASON);
    acknowledgeWildcardGrants(
      this.fanoutRole,
      [invokeSamplers],
      `The fan-out invokes this zone's samplers, named ${samplerPrefix(this.azId, count)}<nn>; the pattern matches only those.`,
    );
  }

  /** ARN of a function of this stack's region and account by name (names are deterministic). */
  functionArn(functionName: string): string {
    return lambdaFunctionArn(this, functionName);
  }
}

function samplerPrefix(azId: string, count: number): string {
  return samplerFunctionName(azId, 0, count).replace(/\d+$/, '');
}

function samplerNamePattern(azId: string, count: number): string {
  const prefix = samplerPrefix(azId, count);
  return `${prefix}${'?'.repeat(samplerFunctionName(azId, 0, count).length - prefix.length)}`;
}
