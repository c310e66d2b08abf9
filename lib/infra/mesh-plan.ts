import { resolveZones, type SkyConfig } from '../config';
import type { RejectMode } from '../core/reject-mode';
import type { Arch } from '../core/types';
import type { ExternalZoneInput } from '../providers/config';
import { samplerSource } from '../sampling/sampler-source';
import type { RegionZones } from './control-stack';
import { MeshPropsError } from './errors';
import { assertRegionMeshWithinLimits, assertZoneSamplerWithinLimits } from './limits';
import type { ZoneSamplingOptions } from './zone-sampler-stack';

/** A validated sky configuration resolved against the catalog: every stack of the mesh is built from it. */
export interface SkyMeshPlan {
  /** Regions and their zones (AZ IDs). */
  readonly mesh: readonly RegionZones[];
  /** Region of the control stack (table, router, dashboard). */
  readonly homeRegion: string;
  readonly memorySizes: readonly number[];
  readonly architectures: readonly Arch[];
  /** Architectures whose fleets every AWS zone samples: samplers and a state machine per architecture. */
  readonly sampledArchitectures: readonly Arch[];
  readonly samplersPerZone: number;
  readonly samplerMemoryMb: number;
  readonly samplerSleepMs: number;
  readonly tableName: string;
  readonly holdMs: number;
  readonly rejectMode: RejectMode;
  readonly maxAttempts: number;
  /** Timeout of every dynamic function, seconds (1..900). */
  readonly functionTimeoutSeconds: number;
  /** One of CloudWatch Logs' retention periods in days (1, 3, 5, 7, 14, 30, …). */
  readonly logRetentionDays: number;
  /** Sampling state machine settings for every zone (each zone's stagger index is its position in its region). */
  readonly sampling: Omit<ZoneSamplingOptions, 'zoneIndex'>;
  /** Account to deploy to; absent: environment-agnostic account, region-bound stacks. */
  readonly account?: string;
  /** Zones on other providers that list sampler URLs: each gets a sampler stack in the home region. */
  readonly sampledExternalZones: readonly ExternalZoneInput[];
}

/** Stack names (also their construct ids). */
export const stackNames = {
  control: 'Sky-Control',
  region: (region: string) => `Sky-Mesh-${region}`,
  /** A zone's sampler stack: `Sky-Samplers-usw1-az1`, or for a zone on another provider `Sky-Samplers-ibm-eu-gb`. */
  zone: (azId: string) => `Sky-Samplers-${azId}`,
} as const;

/**
 * The mesh a validated {@link SkyConfig} describes: its regions and zones resolved from the catalog,
 * and every setting the stacks take.
 *
 * @example
 * meshPlanFromConfig(loadSkyConfig({ regions: 'us-west-1' })).mesh; // [{ region: 'us-west-1', azIds: [...] }]
 */
export function meshPlanFromConfig(config: SkyConfig, account?: string): SkyMeshPlan {
  return {
    mesh: resolveZones(config),
    homeRegion: config.homeRegion,
    memorySizes: config.memorySizes,
    architectures: config.architectures,
    sampledArchitectures: config.sampledArchitectures ?? config.architectures,
    samplersPerZone: config.samplersPerZone,
    samplerMemoryMb: config.samplerMemoryMb,
    samplerSleepMs: config.samplerSleepMs,
    tableName: config.tableName,
    holdMs: config.holdMs,
    rejectMode: config.rejectMode,
    maxAttempts: config.maxAttempts,
    functionTimeoutSeconds: config.functionTimeoutSeconds,
    logRetentionDays: config.logRetentionDays,
    sampling: {
      pollConcurrency: config.pollConcurrency,
      samplersPerPoll: config.samplersPerPoll,
      fanoutBranching: config.fanoutBranching,
      accuracyTarget: config.accuracyTarget,
      saturationFailureRate: config.saturationFailureRate,
      maxPolls: config.maxPolls,
      maxRunCostUsd: config.maxRunCostUsd,
      sampleEveryHours: config.sampleEveryHours,
    },
    ...(account === undefined ? {} : { account }),
    sampledExternalZones: config.endpoints.filter((zone) => (zone.samplers?.length ?? 0) > 0),
  };
}

/** What a plan deploys, counted before anything is built: `cdk synth` prints it first. */
export interface MeshSize {
  readonly regions: number;
  readonly zones: number;
  /** Zones on other providers sampled from the home region. */
  readonly externalZones: number;
  readonly stacks: number;
  /** Dynamic functions (zone × memory × architecture). */
  readonly dynamicFunctions: number;
  /** Samplers, fan-out and sampling-step functions of every zone (fan-out and steps of each external zone). */
  readonly samplingFunctions: number;
  /** Every Lambda function of the mesh, the router included. */
  readonly functions: number;
}

/** Lambda functions of a zone sampler stack besides its samplers: the fan-out and the sampling steps. */
const ZONE_HELPER_FUNCTIONS = 2;
/** Lambda functions of the control stack: the router. */
const CONTROL_FUNCTIONS = 1;

/** The size of the mesh a plan builds. */
export function meshSize(plan: SkyMeshPlan): MeshSize {
  const zones = plan.mesh.reduce((sum, r) => sum + r.azIds.length, 0);
  const dynamicFunctions = zones * plan.memorySizes.length * plan.architectures.length;
  const externalZones = plan.sampledExternalZones.length;
  const samplingFunctions =
    zones * (plan.samplersPerZone * plan.sampledArchitectures.length + ZONE_HELPER_FUNCTIONS) +
    externalZones * ZONE_HELPER_FUNCTIONS;
  return {
    regions: plan.mesh.length,
    zones,
    externalZones,
    stacks: plan.mesh.length + zones + externalZones + 1,
    dynamicFunctions,
    samplingFunctions,
    functions: dynamicFunctions + samplingFunctions + CONTROL_FUNCTIONS,
  };
}

/** Checks every stack of the mesh against CloudFormation's limits without building any. */
export function assertMeshWithinLimits(plan: SkyMeshPlan): void {
  for (const { region, azIds } of plan.mesh) {
    assertRegionMeshWithinLimits({
      stackName: stackNames.region(region),
      zones: azIds.length,
      memorySizes: plan.memorySizes.length,
      architectures: plan.architectures.length,
    });
  }
  // Sampler sources differ per zone only in the AZ ID's text, so one zone of the longest ID bounds them all.
  const azIds = plan.mesh.flatMap((r) => r.azIds);
  if (azIds.length === 0) throw new MeshPropsError('mesh', plan.mesh, 'at least one region with at least one zone');
  const longest = azIds.reduce((a, b) => (b.length > a.length ? b : a));
  let inlineCodeBytes = 0;
  for (const arch of plan.sampledArchitectures) {
    for (let index = 0; index < plan.samplersPerZone; index++) {
      const source = samplerSource({ index, azId: longest, sleepMs: plan.samplerSleepMs, arch });
      inlineCodeBytes += JSON.stringify(source).length;
    }
  }
  assertZoneSamplerWithinLimits({
    stackName: stackNames.zone(longest),
    samplers: plan.samplersPerZone * plan.sampledArchitectures.length,
    stateMachines: plan.sampledArchitectures.length,
    inlineCodeBytes,
  });
}
