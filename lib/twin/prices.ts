import { lambdaPrice, providerRegion, regionFacts } from '../catalog';
import { type LambdaPrice, usdPerBilledMs } from '../core/cost-model';
import type { Arch, RegionFacts } from '../core/types';

/**
 * Where the twin's costs come from: the catalog's real prices per region and architecture (first tier,
 * on-demand), so the twin bills as the provider would: Lambda's for AWS regions; for an IBM Code Engine
 * region its GB-seconds plus the vCPU-seconds that come with each GB (0.25 vCPU per GB), for a
 * DigitalOcean region its GiB-seconds with at least 100 ms billed a call.
 */
export interface PriceBook {
  /**
   * A function's price in the core's terms, which the twin bills every call with (`billedCost`), so the
   * twin applies a provider's vCPU-seconds and minimum billed time exactly as the core's cost model does.
   */
  billing(region: string, arch: Arch): LambdaPrice;
  /** Per GB-second (vCPU-seconds folded in where billed per GB) and per request, for the sampling settings. */
  lambda(region: string, arch: Arch): { readonly perGbSecond: number; readonly perRequest: number };
  facts(region: string): RegionFacts;
}

/** The catalog's prices. */
export const catalogPrices: PriceBook = {
  billing: (region, arch) => {
    if (!providerRegion(region)) {
      const price = lambdaPrice(region, arch);
      return { pricePerGbSecond: price.perGbSecond, pricePerRequest: price.perRequest };
    }
    const facts = regionFacts(region);
    return {
      pricePerGbSecond: facts.pricePerGbSecond[arch],
      pricePerRequest: facts.pricePerRequest,
      ...(facts.pricePerVcpuSecond ? { pricePerVcpuSecond: facts.pricePerVcpuSecond } : {}),
      ...(facts.vcpusPerGb ? { vcpusPerGb: facts.vcpusPerGb } : {}),
      ...(facts.minBilledMs ? { minBilledMs: facts.minBilledMs } : {}),
    };
  },
  lambda: (region, arch) => {
    const price = catalogPrices.billing(region, arch);
    // USD per billed ms of 1 GB, × 1000: the GB-second price with the vCPUs of each GB included.
    return { perGbSecond: usdPerBilledMs(1024, price) * 1000, perRequest: price.pricePerRequest };
  },
  facts: (region) => regionFacts(region),
};
