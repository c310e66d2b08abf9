import type { App, Environment } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Arch } from '../core/types';
import { samplerSource } from '../sampling/sampler-source';
import { ControlStack, type RegionZones } from './control-stack';
import { MeshPropsError } from './errors';
import { validateArchitectures, validateMemorySizes, validateSamplers } from './lambda-limits';
import { assertRegionMeshWithinLimits, assertZoneSamplerWithinLimits } from './limits';
import { RegionMeshStack } from './region-mesh-stack';
import { ZoneSamplerStack, type ZoneSamplingOptions } from './zone-sampler-stack';

/** Everything the mesh's stacks are built from: a resolved sky configuration. */
export interface SkyMeshProps {
  /** Regions and their zones (AZ IDs). */
  readonly mesh: readonly RegionZones[];
  /** Region of the control stack (table, router, dashboard). */
  readonly homeRegion: string;
  readonly memorySizes: readonly number[];
  readonly architectures: readonly Arch[];
  readonly samplersPerZone: number;
  readonly samplerMemoryMb: number;
  readonly samplerSleepMs: number;
  readonly tableName: string;
  readonly holdMs: number;
  /** One of CloudWatch Logs' retention periods in days (1, 3, 5, 7, 14, 30, …). */
  readonly logRetentionDays: number;
  /**
   * Sampling state machine settings for every zone (each zone's stagger index is its position in its region).
   * @default - the defaults of `SamplingStateMachineProps`
   */
  readonly sampling?: Omit<ZoneSamplingOptions, 'zoneIndex'>;
  /**
   * Account to deploy to.
   * @default - environment-agnostic account (`AWS::AccountId`), region-bound stacks
   */
  readonly account?: string;
}

/** The stacks of a sky mesh. */
export interface SkyMesh {
  readonly control: ControlStack;
  /** By region. */
  readonly regions: ReadonlyMap<string, RegionMeshStack>;
  /** By AZ ID. */
  readonly zones: ReadonlyMap<string, ZoneSamplerStack>;
}

/** Stack names (also their construct ids and cloud assembly artifact ids). */
export const stackNames = {
  control: 'Sky-Control',
  region: (region: string) => `Sky-Mesh-${region}`,
  zone: (azId: string) => `Sky-Samplers-${azId}`,
} as const;

/**
 * Adds the whole mesh to `app`: a {@link RegionMeshStack} per region, a {@link ZoneSamplerStack} per
 * zone and the {@link ControlStack} in the home region. Every stack's limits are checked before the
 * first construct is created, so a configuration that cannot deploy fails fast with a clear message.
 *
 * @example
 * const app = new App({ stackTraces: false });
 * buildSkyMesh(app, skyMeshPropsFromConfig(skyConfigFromApp(app)));
 */
export function buildSkyMesh(app: App, props: SkyMeshProps): SkyMesh {
  const logRetention = retentionOf(props.logRetentionDays);
  validateMemorySizes('memorySizes', props.memorySizes);
  validateArchitectures(props.architectures);
  validateSamplers(props.samplersPerZone, props.samplerMemoryMb);
  assertMeshWithinLimits(props);

  const env = (region: string): Environment => ({ region, account: props.account });
  const regions = new Map<string, RegionMeshStack>();
  const zones = new Map<string, ZoneSamplerStack>();
  for (const { region, azIds } of props.mesh) {
    const regionStack = new RegionMeshStack(app, stackNames.region(region), {
      env: env(region),
      description: `skymesh dynamic functions of ${region}: ${azIds.length} zones × ${props.memorySizes.length} memory sizes × ${props.architectures.length} architectures`,
      azIds,
      memorySizes: props.memorySizes,
      architectures: props.architectures,
      logRetention,
    });
    regions.set(region, regionStack);
    for (const [zoneIndex, azId] of azIds.entries()) {
      const zoneStack = new ZoneSamplerStack(app, stackNames.zone(azId), {
        env: env(region),
        description: `skymesh samplers, fan-out and sampling of ${azId} (${region})`,
        zone: regionStack.attachment(azId),
        table: { tableName: props.tableName, region: props.homeRegion },
        samplersPerZone: props.samplersPerZone,
        samplerMemoryMb: props.samplerMemoryMb,
        samplerSleepMs: props.samplerSleepMs,
        logRetention,
        sampling: { ...props.sampling, zoneIndex },
      });
      zones.set(azId, zoneStack);
    }
  }
  const control = new ControlStack(app, stackNames.control, {
    env: env(props.homeRegion),
    description: 'skymesh control plane: table, router with IAM-authenticated URL, dashboard',
    mesh: props.mesh,
    memorySizes: props.memorySizes,
    architectures: props.architectures,
    tableName: props.tableName,
    holdMs: props.holdMs,
    logRetention,
  });
  return { control, regions, zones };
}

/** Checks every stack of the mesh against CloudFormation's limits without building any. */
export function assertMeshWithinLimits(props: SkyMeshProps): void {
  for (const { region, azIds } of props.mesh) {
    assertRegionMeshWithinLimits({
      stackName: stackNames.region(region),
      zones: azIds.length,
      memorySizes: props.memorySizes.length,
      architectures: props.architectures.length,
    });
  }
  // Sampler sources differ per zone only in the AZ ID's text, so one zone of the longest ID bounds them all.
  const azIds = props.mesh.flatMap((r) => r.azIds);
  if (azIds.length === 0) throw new MeshPropsError('mesh', props.mesh, 'at least one region with at least one zone');
  const longest = azIds.reduce((a, b) => (b.length > a.length ? b : a));
  let inlineCodeBytes = 0;
  for (let index = 0; index < props.samplersPerZone; index++) {
    inlineCodeBytes += JSON.stringify(samplerSource({ index, azId: longest, sleepMs: props.samplerSleepMs })).length;
  }
  assertZoneSamplerWithinLimits({
    stackName: stackNames.zone(longest),
    samplers: props.samplersPerZone,
    inlineCodeBytes,
  });
}

const RETENTION_DAYS = new Set<number>(
  Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number' && v > 0),
);

function retentionOf(days: number): logs.RetentionDays {
  if (!RETENTION_DAYS.has(days)) {
    throw new MeshPropsError('logRetentionDays', days, [...RETENTION_DAYS].sort((a, b) => a - b).join(', '));
  }
  return days as logs.RetentionDays;
}
