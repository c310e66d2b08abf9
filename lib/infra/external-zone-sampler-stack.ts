import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { lambdaPrice } from '../catalog/prices';
import { FANOUT_MEMORY_MB, FUNCTION_ENV, SAMPLING_DEFAULTS } from '../contracts';
import { fanoutFunctionName } from '../core/naming';
import { type ExternalZone, type ExternalZoneInput, parseExternalZones } from '../providers/config';
import { bundledCode, ZONE_HANDLERS } from './bundling';
import { endpointSecretsStatement, SECRET_SUFFIX_REASON } from './endpoint-secrets';
import { MeshPropsError } from './errors';
import type { ExecutionRole } from './execution-role';
import { lambdaFunctionArn } from './invoke-scope';
import { acknowledgeWildcardGrants } from './nag';
import { createFanout, createSamplingSteps, type TableLocation } from './sampling-functions';
import { SamplingStateMachine } from './sampling-state-machine';
import type { ZoneSamplingOptions } from './zone-sampler-stack';

/** Properties of an {@link ExternalZoneSamplerStack}. */
export interface ExternalZoneSamplerStackProps extends StackProps {
  /**
   * The zone as the `endpoints` setting lists it (validated here as the router reads it); it must list at
   * least one sampler URL.
   */
  readonly zone: ExternalZoneInput;
  /** The table the sampling steps write to (in the home region, where this stack is). */
  readonly table: TableLocation;
  /**
   * How long each sampler request sleeps, ms, as the samplers were deployed (`SKY_SAMPLER_SLEEP_MS`).
   * @default 100 (`SAMPLING_DEFAULTS.samplerSleepMs`)
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
   * The sampling state machine's settings (stopping rule, poll size, schedule); its samplers, prices and region come
   * from the zone. A poll never sends more requests at once than the provider runs (DigitalOcean: 120 per namespace).
   * @default - the defaults of {@link SamplingStateMachineProps}
   */
  readonly sampling?: Omit<
    ZoneSamplingOptions,
    'zoneIndex' | 'pricePerGbSecond' | 'pricePerRequest' | 'fanoutPricePerGbSecond' | 'fanoutPricePerRequest'
  >;
}

/**
 * Sampling of a zone on another provider (IBM Code Engine, DigitalOcean Functions, an HTTPS endpoint), in
 * the home region: the fan-out `sky-fan-<zone>` polls the zone's sampler URLs over HTTPS with the zone's
 * authentication (its settings in `SKY_ENDPOINTS`, this zone's only, and `secretsmanager:GetSecretValue` on
 * exactly the secrets it names), the sampling steps `sky-steps-<zone>` write polls and characterizations to
 * the same table under `ZONE#<zone>` (`ibm-<region>`, `do-<region>`), and the zone's state machine and
 * schedule drive them. Both functions run outside any VPC because both need the network: the fan-out
 * reaches the provider and Secrets Manager, the steps reach DynamoDB. The fan-out may invoke only itself.
 *
 * Costs are estimated at the provider's prices: samplers at its one sampler size (vCPU-seconds included
 * on Code Engine), the fan-out at Lambda's price in this region.
 *
 * @example
 * new ExternalZoneSamplerStack(app, 'Sky-Samplers-ibm-eu-gb', { env: { region: 'us-west-2' },
 *   zone: config.endpoints[0], table: { tableName: 'skymesh', region: 'us-west-2' } });
 */
export class ExternalZoneSamplerStack extends Stack {
  /** The zone's ID (`ibm-eu-gb`). */
  readonly azId: string;
  /** The validated zone. */
  readonly zone: ExternalZone;
  readonly table: TableLocation;
  readonly logGroup: logs.LogGroup;
  readonly fanout: lambda.Function;
  readonly fanoutRole: ExecutionRole;
  readonly steps: lambda.Function;
  readonly stepsRole: ExecutionRole;
  /** The zone's sampling state machine and its schedule. */
  readonly sampling: SamplingStateMachine;

  constructor(scope: Construct, id: string, props: ExternalZoneSamplerStackProps) {
    super(scope, id, props);
    const [zone] = parseExternalZones([props.zone], `${id}.zone`);
    this.zone = zone;
    this.azId = zone.azId;
    this.table = props.table;
    if (zone.samplers.length === 0) {
      throw new MeshPropsError(`${id}.zone.samplers`, zone.samplers, 'at least one sampler URL to sample the zone');
    }
    const sleepMs = props.samplerSleepMs ?? SAMPLING_DEFAULTS.samplerSleepMs;
    const minBilledMs = zone.facts.minBilledMs ?? 0;
    if (sleepMs < minBilledMs) {
      // Below the provider's minimum the estimate would bill less than the provider does.
      throw new MeshPropsError(
        'samplerSleepMs',
        sleepMs,
        `at least ${minBilledMs} ms for ${zone.azId}, ${zone.provider}'s minimum billed time per call`,
      );
    }
    const sampling = { ...props.sampling };
    const pollConcurrency = sampling.pollConcurrency ?? SAMPLING_DEFAULTS.pollConcurrency;
    const maxConcurrency = zone.sampling.maxPollConcurrency ?? Number.POSITIVE_INFINITY;

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const code = props.code ?? bundledCode(this, ZONE_HANDLERS);
    const fanoutName = fanoutFunctionName(this.azId);
    const invokeSelf = new iam.PolicyStatement({
      sid: 'InvokeSelf',
      actions: ['lambda:InvokeFunction'],
      resources: [this.functionArn(fanoutName)],
    });
    const secrets = endpointSecretsStatement(this, [props.zone]);
    const fanout = createFanout(this, {
      azId: this.azId,
      code,
      logGroup: this.logGroup,
      description: `skymesh fan-out of ${this.azId}: invoke itself, read the secrets of ${this.azId}`,
      statements: [invokeSelf, ...(secrets ? [secrets] : [])],
      // This zone only: the fan-out learns no other zone's URLs or secret names.
      environment: { [FUNCTION_ENV.endpoints]: JSON.stringify([props.zone]) },
    });
    this.fanoutRole = fanout.role;
    if (secrets) acknowledgeWildcardGrants(fanout.role, [secrets], SECRET_SUFFIX_REASON);
    this.fanout = fanout.fn;
    const steps = createSamplingSteps(this, { azId: this.azId, code, logGroup: this.logGroup, table: props.table });
    this.stepsRole = steps.role;
    this.steps = steps.fn;

    const fanoutPrice = lambdaPrice(this.region, 'x86_64');
    this.sampling = new SamplingStateMachine(this, 'Sampling', {
      ...sampling,
      azId: this.azId,
      region: zone.region,
      fanoutFunction: this.fanout,
      stepsFunction: this.steps,
      samplersPerZone: zone.samplers.length,
      samplerMemoryMb: zone.sampling.samplerMemoryMb,
      samplerMemoryStepMb: zone.sampling.samplerMemoryStepMb,
      samplerSleepMs: sleepMs,
      fanoutMemoryMb: FANOUT_MEMORY_MB,
      pollConcurrency: Math.min(pollConcurrency, maxConcurrency),
      pricePerGbSecond: zone.sampling.pricePerGbSecond,
      pricePerRequest: zone.sampling.pricePerRequest,
      fanoutPricePerGbSecond: fanoutPrice.perGbSecond,
      fanoutPricePerRequest: fanoutPrice.perRequest,
      logRetention: props.logRetention,
    });
  }

  /** ARN of a function of this stack's region and account by name. */
  functionArn(functionName: string): string {
    return lambdaFunctionArn(this, functionName);
  }
}
