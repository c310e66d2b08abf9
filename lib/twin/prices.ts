import { lambdaPrice, regionFacts } from '../catalog';
import type { Arch, RegionFacts } from '../core/types';

/**
 * Where the twin's costs come from: the catalog's real Lambda prices per region and architecture
 * (first tier, on-demand), so the twin bills as AWS would.
 */
export interface PriceBook {
  lambda(region: string, arch: Arch): { readonly perGbSecond: number; readonly perRequest: number };
  facts(region: string): RegionFacts;
}

/** The catalog's prices. */
export const catalogPrices: PriceBook = {
  lambda: (region, arch) => lambdaPrice(region, arch),
  facts: (region) => regionFacts(region),
};
