import { lambdaPrice, providerRegion, regionFacts } from '../catalog';
import type { Arch, RegionFacts } from '../core/types';

/**
 * Where the twin's costs come from: the catalog's real prices per region and architecture (first tier,
 * on-demand), so the twin bills as the provider would: Lambda's for AWS regions; for an IBM Code Engine
 * region its GB-seconds plus the vCPU-seconds that come with each GB (1 vCPU per 4 GB), for a
 * DigitalOcean region its GiB-seconds.
 */
export interface PriceBook {
  lambda(region: string, arch: Arch): { readonly perGbSecond: number; readonly perRequest: number };
  facts(region: string): RegionFacts;
}

/** The catalog's prices. */
export const catalogPrices: PriceBook = {
  lambda: (region, arch) => {
    if (!providerRegion(region)) return lambdaPrice(region, arch);
    const facts = regionFacts(region);
    return {
      perGbSecond: facts.pricePerGbSecond[arch] + (facts.vcpusPerGb ?? 0) * (facts.pricePerVcpuSecond ?? 0),
      perRequest: facts.pricePerRequest,
    };
  },
  facts: (region) => regionFacts(region),
};
