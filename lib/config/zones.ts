import { REGION_CODES, requireRegionInfo } from '../catalog';
import type { SkyConfig } from './sky-config';

/** One region of the mesh and the AZ IDs deployed in it. */
export interface ResolvedRegion {
  readonly region: string;
  readonly azIds: readonly string[];
}

/** The region codes a config selects: every catalog region for `'all'`, else the list as given. */
export function resolveRegions(config: Pick<SkyConfig, 'regions'>): readonly string[] {
  return config.regions === 'all' ? REGION_CODES : config.regions;
}

/**
 * The zones a config deploys, grouped by region, from the catalog: every AZ ID of each selected region, or
 * only those listed in `zones` (regions left without a zone are dropped). AZ IDs keep catalog order.
 *
 * @example
 * resolveZones({ regions: ['us-west-1'] }); // [{ region: 'us-west-1', azIds: ['usw1-az1', 'usw1-az3'] }]
 */
export function resolveZones(config: Pick<SkyConfig, 'regions' | 'zones'>): Array<{ region: string; azIds: string[] }> {
  const only = config.zones ? new Set(config.zones) : undefined;
  return resolveRegions(config)
    .map((region) => ({
      region,
      azIds: requireRegionInfo(region).azIds.filter((azId) => only === undefined || only.has(azId)),
    }))
    .filter((entry) => entry.azIds.length > 0);
}
