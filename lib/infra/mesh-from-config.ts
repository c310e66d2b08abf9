import { resolveZones, type SkyConfig } from '../config';
import type { SkyMeshProps } from './sky-mesh';

/**
 * The mesh a validated {@link SkyConfig} describes: its regions and zones resolved from the catalog,
 * and every setting the stacks take.
 *
 * @example
 * buildSkyMesh(app, skyMeshPropsFromConfig(skyConfigFromApp(app), process.env.CDK_DEFAULT_ACCOUNT));
 */
export function skyMeshPropsFromConfig(config: SkyConfig, account?: string): SkyMeshProps {
  return {
    mesh: resolveZones(config),
    homeRegion: config.homeRegion,
    memorySizes: config.memorySizes,
    architectures: config.architectures,
    samplersPerZone: config.samplersPerZone,
    samplerMemoryMb: config.samplerMemoryMb,
    samplerSleepMs: config.samplerSleepMs,
    tableName: config.tableName,
    holdMs: config.holdMs,
    logRetentionDays: config.logRetentionDays,
    sampling: {
      pollConcurrency: config.pollConcurrency,
      fanoutBranching: config.fanoutBranching,
      accuracyTarget: config.accuracyTarget,
      saturationFailureRate: config.saturationFailureRate,
      maxPolls: config.maxPolls,
      maxRunCostUsd: config.maxRunCostUsd,
      sampleEveryHours: config.sampleEveryHours,
    },
    account,
  };
}
