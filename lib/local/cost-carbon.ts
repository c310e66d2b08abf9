import { regionFacts } from '../catalog';
import { costCarbonFront } from '../core/cost-carbon-front';
import { Router } from '../core/router';
import type { Arch, Characterization, DeployedZone, RegionFacts, WorkloadProfile } from '../core/types';
import type { CostCarbonRow } from '../report/types';
import type { LocalWorkload } from './routing';

/** What the trade-off reads from the table: what the router handler reads. */
export interface CostCarbonStore {
  latestCharacterizations(): Promise<Characterization[]>;
  profiles(): Promise<Record<string, WorkloadProfile>>;
}

/** The deployment the router may place on. */
export interface CostCarbonScope {
  /** Each zone with the sizes and architectures it has where those differ (zones on other providers). */
  readonly deployed: ReadonlyArray<DeployedZone>;
  readonly architectures: readonly Arch[];
  readonly memorySizes: readonly number[];
  /** Each workload with the least memory it runs in and the sizes it may be placed at. */
  readonly workloads: Readonly<Record<string, Pick<LocalWorkload, 'minMemoryMb' | 'memorySizes'>>>;
}

/**
 * The weighted objective's cost-versus-carbon trade-off of each workload, placed by the core router from what
 * the table holds (the characterizations sampled and the profiles learned), as the router handler would.
 */
export async function costCarbonRows(
  store: CostCarbonStore,
  scope: CostCarbonScope,
  now: number = Date.now(),
): Promise<CostCarbonRow[]> {
  const [zones, profiles] = await Promise.all([store.latestCharacterizations(), store.profiles()]);
  const deployedIds = new Set(scope.deployed.map((z) => z.azId));
  const regions: Record<string, RegionFacts> = {};
  for (const z of scope.deployed) regions[z.region] ??= regionFacts(z.region);
  const router = new Router({
    zones: zones.filter((z) => deployedIds.has(z.azId)),
    deployed: scope.deployed,
    architectures: scope.architectures,
    memorySizes: scope.memorySizes,
    profiles,
    regions,
    now,
  });
  return Object.entries(scope.workloads).flatMap(([workload, { minMemoryMb, memorySizes }]) =>
    costCarbonFront(router, { workload, minMemoryMb, limits: { memorySizes } }).map(
      (point): CostCarbonRow => ({
        workload,
        carbonWeight: point.carbonWeight,
        azId: point.target.azId,
        region: point.target.region,
        memoryMb: point.target.memoryMb,
        arch: point.target.arch,
        costUsdPer1000: point.costUsd * 1000,
        carbonGPer1000: point.carbonG * 1000,
      }),
    ),
  );
}
