import type { RegionFacts } from '../core/types';
import { carbonIntensity } from './carbon';
import { UnknownRegionError } from './errors';
import { lambdaPrice } from './prices';
import { providerCarbonIntensity, providerRegion } from './providers';
import { REGIONS, type RegionInfo } from './regions';

const REGION_BY_CODE: ReadonlyMap<string, RegionInfo> = new Map(REGIONS.map((region) => [region.code, region]));

const REGION_BY_AZ_ID: ReadonlyMap<string, string> = new Map(
  REGIONS.flatMap((region) => region.azIds.map((azId) => [azId, region.code] as const)),
);

/** Every region code in the catalog, in catalog order. */
export const REGION_CODES: readonly string[] = REGIONS.map((region) => region.code);

/** Every AZ ID in the catalog. */
export const AZ_IDS: readonly string[] = REGIONS.flatMap((region) => region.azIds);

/**
 * The catalog entry of a region, or `undefined` if the catalog does not list it.
 *
 * @example
 * regionInfo('ca-central-1')?.azIds; // ['cac1-az1', 'cac1-az2', 'cac1-az4']
 */
export function regionInfo(code: string): RegionInfo | undefined {
  return REGION_BY_CODE.get(code);
}

/** The catalog entry of a region; throws `UnknownRegionError` naming the region and the known ones. */
export function requireRegionInfo(code: string): RegionInfo {
  const info = REGION_BY_CODE.get(code);
  if (!info) throw new UnknownRegionError(code, REGION_CODES);
  return info;
}

/**
 * The region an AZ ID belongs to, or `undefined` if the catalog does not list the AZ ID.
 *
 * @example
 * regionOfAzId('usw1-az3'); // 'us-west-1'
 */
export function regionOfAzId(azId: string): string | undefined {
  return REGION_BY_AZ_ID.get(azId);
}

/**
 * A region's facts as the router needs them: location, prices per architecture, carbon intensity. An AWS
 * region gets Lambda's prices; an IBM Code Engine or DigitalOcean Functions region (`us-south`, `tor1`; see
 * `providers.ts`) its provider's price model. Throws `UnknownRegionError` for a region the catalog does not
 * list (its location is unknown).
 *
 * @example
 * regionFacts('sa-east-1').carbonGPerKwh; // 106
 */
export function regionFacts(region: string): RegionFacts {
  const other = providerRegion(region);
  if (other) {
    const { price } = other.provider;
    return {
      region,
      location: other.region.location,
      // The provider's functions are x86_64 only; arm64 carries the same price so a figure never reads 0.
      pricePerGbSecond: { x86_64: price.perGbSecond, arm64: price.perGbSecond },
      pricePerRequest: price.perRequest,
      carbonGPerKwh: providerCarbonIntensity(other.region),
      ...(price.perVcpuSecond > 0 ? { pricePerVcpuSecond: price.perVcpuSecond, vcpusPerGb: price.vcpusPerGb } : {}),
      ...(price.minBilledMs > 0 ? { minBilledMs: price.minBilledMs } : {}),
    };
  }
  const info = requireRegionInfo(region);
  const x86 = lambdaPrice(region, 'x86_64');
  const arm = lambdaPrice(region, 'arm64');
  return {
    region,
    location: info.location,
    pricePerGbSecond: { x86_64: x86.perGbSecond, arm64: arm.perGbSecond },
    // Lambda charges the same per request on both architectures.
    pricePerRequest: x86.perRequest,
    carbonGPerKwh: carbonIntensity(region),
  };
}
