import { Duration, type Environment } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { loadSkyConfig, type SkyConfig } from '../config';
import { providerZoneId } from '../core/naming';
import type { RejectMode } from '../core/reject-mode';
import type { Arch } from '../core/types';
import type { ExternalZoneInput } from '../providers/config';
import { ControlStack, type RegionZones } from './control-stack';
import { MeshPropsError } from './errors';
import { ExternalZoneSamplerStack } from './external-zone-sampler-stack';
import { validateArchitectures, validateMemorySizes, validateSamplers } from './lambda-limits';
import {
  assertMeshWithinLimits,
  type MeshSize,
  meshPlanFromConfig,
  meshSize,
  type SkyMeshPlan,
  stackNames,
} from './mesh-plan';
import { RegionMeshStack } from './region-mesh-stack';
import { ZoneSamplerStack } from './zone-sampler-stack';

/**
 * Properties of a {@link SkyMesh}: the keys of the `skymesh` settings of `cdk.json`, validated by the same
 * rules (lists may also be given as comma-separated text, numbers as text).
 */
export interface SkyMeshProps {
  /**
   * Regions to deploy to: `'all'` (every region of the catalog) or a list of region codes.
   * @default 'all'
   */
  readonly regions?: 'all' | readonly string[] | string;
  /**
   * A subset of the AZ IDs of the selected regions.
   * @default - every zone of the selected regions
   */
  readonly zones?: readonly string[] | string;
  /**
   * Memory sizes of the dynamic functions, MB.
   * @default - the paper's 128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
   */
  readonly memorySizes?: readonly number[] | string;
  /**
   * Architectures of the dynamic functions.
   * @default ['x86_64', 'arm64']
   */
  readonly architectures?: readonly Arch[] | string;
  /**
   * Architectures whose fleets each zone samples: `samplersPerZone` samplers and a sampling state machine per
   * architecture and zone, each storing the fleet's own characterization, which the router reads for targets
   * of that architecture. An architecture routed to but not sampled is known only from routed calls. Each
   * must be one of `architectures`.
   * @default - `architectures`
   */
  readonly sampledArchitectures?: readonly Arch[] | string;
  /**
   * Sampler endpoints per zone, each with its own code and memory size.
   * @default 100
   */
  readonly samplersPerZone?: number;
  /**
   * Memory of sampler 0, MB; sampler i gets `samplerMemoryMb + i`.
   * @default 10140
   */
  readonly samplerMemoryMb?: number;
  /**
   * How long a sampler sleeps so that each request holds its own instance, ms.
   * @default 100
   */
  readonly samplerSleepMs?: number;
  /**
   * Concurrent requests per sampling poll.
   * @default 200
   */
  readonly pollConcurrency?: number;
  /**
   * Sampler endpoints one poll spreads its requests over (at most `samplersPerZone` and `pollConcurrency`).
   * @default 10
   */
  readonly samplersPerPoll?: number;
  /**
   * Children per fan-out invocation.
   * @default 10
   */
  readonly fanoutBranching?: number;
  /**
   * Accuracy (1 - APE/100) at which progressive sampling stops.
   * @default 0.95
   */
  readonly accuracyTarget?: number;
  /**
   * A poll whose failure rate exceeds this marks the zone saturated.
   * @default 0.5
   */
  readonly saturationFailureRate?: number;
  /**
   * Cap on polls per sampling run.
   * @default 30
   */
  readonly maxPolls?: number;
  /**
   * Cap on the estimated cost of one zone's sampling run, USD.
   * @default 0.2
   */
  readonly maxRunCostUsd?: number;
  /**
   * Hours between sampling runs of a zone (the paper: 22, so that the time of day shifts).
   * @default 22
   */
  readonly sampleEveryHours?: number;
  /**
   * Region of the control stack (table, router, dashboard).
   * @default 'us-west-2'
   */
  readonly homeRegion?: string;
  /**
   * How long a rejected attempt holds its instance before returning, ms: a whole number from 0 to 10,000.
   * @default 150
   */
  readonly holdMs?: number;
  /**
   * What a rejected instance does, for the router: `hold` (held, stays warm), `end` (ends itself at once, so Lambda
   * replaces it, as Minos does) or `auto` (ends itself, unless keeping it for the call's last attempt bills less than
   * a new instance).
   * @default 'auto'
   */
  readonly rejectMode?: RejectMode;
  /**
   * Attempts a routed request may make when it sets none (`limits.maxAttempts`): a whole number from 1 to 50.
   * @default 10
   */
  readonly maxAttempts?: number;
  /**
   * Timeout of every dynamic function, seconds: the longest one call may run. The router holds each placement to
   * it: a CPU on which the work is not expected to finish within it is rejected at every attempt, and a target
   * where too few CPUs fit is not placed on. Lambda allows 1 to 900 (15 minutes).
   * @default 300
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
   */
  readonly functionTimeoutSeconds?: number;
  /**
   * DynamoDB table name.
   * @default 'skymesh'
   */
  readonly tableName?: string;
  /**
   * CloudWatch Logs retention of every function, days.
   * @default 14
   */
  readonly logRetentionDays?: number;
  /**
   * Zones on other providers (IBM Code Engine, DigitalOcean Functions, HTTPS endpoints) the router may route
   * to; each that lists sampler URLs is also sampled, from the home region. Secrets are named (Secrets
   * Manager ID or environment variable), never given.
   * @default - none
   */
  readonly endpoints?: readonly ExternalZoneInput[] | string;
  /**
   * Account to deploy to.
   * @default - environment-agnostic account (`AWS::AccountId`), region-bound stacks
   */
  readonly account?: string;
}

/**
 * The whole sky mesh: a {@link RegionMeshStack} of dynamic functions per region, a
 * {@link ZoneSamplerStack} of samplers and the sampling state machine per zone, the
 * {@link ControlStack} (table, router, dashboard) in the home region, and for each zone on another
 * provider that lists sampler URLs in `endpoints` an {@link ExternalZoneSamplerStack} in the home region.
 *
 * The props are validated first, by the same rules as `cdk.json`'s `skymesh` settings, and every
 * stack is checked against CloudFormation's limits before the first one is created, so a mesh that
 * cannot deploy fails at once with a message naming the setting and the fix. Stacks keep the names
 * `Sky-Mesh-<region>`, `Sky-Samplers-<azId>` and `Sky-Control` wherever the construct sits.
 *
 * @example
 * import { App } from 'aws-cdk-lib';
 * import { SkyMesh } from 'skymesh/infra';
 *
 * const app = new App();
 * new SkyMesh(app, 'Sky', { regions: ['us-west-1', 'sa-east-1'], samplersPerZone: 20 });
 */
export class SkyMesh extends Construct {
  /** The validated settings, defaults filled in. */
  readonly config: SkyConfig;
  /** The regions and zones (AZ IDs) the mesh covers. */
  readonly mesh: readonly RegionZones[];
  /** Stacks, zones and functions of the mesh. */
  readonly size: MeshSize;
  /** The control stack: table, router, dashboard. */
  readonly control: ControlStack;
  /** The dynamic functions' stack of each region, by region. */
  readonly regions: ReadonlyMap<string, RegionMeshStack>;
  /** The sampler stack of each zone, by AZ ID. */
  readonly zones: ReadonlyMap<string, ZoneSamplerStack>;
  /** The sampler stack of each zone on another provider that lists samplers, by zone ID (`ibm-eu-gb`). */
  readonly externalZones: ReadonlyMap<string, ExternalZoneSamplerStack>;

  constructor(scope: Construct, id: string, props: SkyMeshProps = {}) {
    super(scope, id);
    const { account, ...settings } = props;
    this.config = loadSkyConfig(settings as Record<string, unknown>);
    const plan = meshPlanFromConfig(this.config, account);
    validatePlan(plan);
    this.mesh = plan.mesh;
    this.size = meshSize(plan);

    const logRetention = plan.logRetentionDays as logs.RetentionDays;
    const env = (region: string): Environment => ({ region, account: plan.account });
    const regions = new Map<string, RegionMeshStack>();
    const zones = new Map<string, ZoneSamplerStack>();
    for (const { region, azIds } of plan.mesh) {
      const regionStackName = stackNames.region(region);
      const regionStack = new RegionMeshStack(this, regionStackName, {
        stackName: regionStackName,
        env: env(region),
        description: `skymesh dynamic functions of ${region}: ${azIds.length} zones × ${plan.memorySizes.length} memory sizes × ${plan.architectures.length} architectures`,
        azIds,
        memorySizes: plan.memorySizes,
        architectures: plan.architectures,
        logRetention,
        timeout: Duration.seconds(plan.functionTimeoutSeconds),
      });
      regions.set(region, regionStack);
      for (const [zoneIndex, azId] of azIds.entries()) {
        const zoneStackName = stackNames.zone(azId);
        const zoneStack = new ZoneSamplerStack(this, zoneStackName, {
          stackName: zoneStackName,
          env: env(region),
          description: `skymesh samplers, fan-out and sampling of ${azId} (${region})`,
          zone: regionStack.attachment(azId),
          table: { tableName: plan.tableName, region: plan.homeRegion },
          samplersPerZone: plan.samplersPerZone,
          samplerMemoryMb: plan.samplerMemoryMb,
          samplerSleepMs: plan.samplerSleepMs,
          architectures: plan.sampledArchitectures,
          logRetention,
          sampling: { ...plan.sampling, zoneIndex },
        });
        zones.set(azId, zoneStack);
      }
    }
    this.control = new ControlStack(this, stackNames.control, {
      stackName: stackNames.control,
      env: env(plan.homeRegion),
      description: 'skymesh control plane: table, router with IAM-authenticated URL, dashboard',
      mesh: plan.mesh,
      memorySizes: plan.memorySizes,
      architectures: plan.architectures,
      tableName: plan.tableName,
      holdMs: plan.holdMs,
      rejectMode: plan.rejectMode,
      maxAttempts: plan.maxAttempts,
      functionTimeout: Duration.seconds(plan.functionTimeoutSeconds),
      logRetention,
      endpoints: this.config.endpoints,
    });
    const externalZones = new Map<string, ExternalZoneSamplerStack>();
    for (const zone of plan.sampledExternalZones) {
      const azId = providerZoneId(zone.provider, zone.region);
      const stackName = stackNames.zone(azId);
      externalZones.set(
        azId,
        new ExternalZoneSamplerStack(this, stackName, {
          stackName,
          env: env(plan.homeRegion),
          description: `skymesh fan-out and sampling of ${azId} (${zone.provider} ${zone.region}), from ${plan.homeRegion}`,
          zone,
          table: { tableName: plan.tableName, region: plan.homeRegion },
          samplerSleepMs: plan.samplerSleepMs,
          logRetention,
          sampling: plan.sampling,
        }),
      );
    }
    this.regions = regions;
    this.zones = zones;
    this.externalZones = externalZones;
  }
}

const RETENTION_DAYS = new Set<number>(
  Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0),
);

/** Lambda's and CloudFormation's limits, checked on the whole plan before any stack is created. */
function validatePlan(plan: SkyMeshPlan): void {
  if (!RETENTION_DAYS.has(plan.logRetentionDays)) {
    throw new MeshPropsError(
      'logRetentionDays',
      plan.logRetentionDays,
      [...RETENTION_DAYS].sort((a, b) => a - b).join(', '),
    );
  }
  validateMemorySizes('memorySizes', plan.memorySizes);
  validateArchitectures(plan.architectures);
  validateSamplers(plan.samplersPerZone, plan.samplerMemoryMb);
  assertMeshWithinLimits(plan);
}
