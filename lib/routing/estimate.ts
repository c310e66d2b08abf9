import { carbonGrams as coreCarbonGrams } from '../core/carbon';
import { billedCost } from '../core/cost-model';
import type { Arch, RegionFacts } from '../core/types';

/**
 * What an attempt costs, with the core cost model (so answers and placements agree): the billed
 * duration rounded up to 1 ms (and to the provider's shortest billed duration) × memory GB × the
 * region's price per GB-second for the architecture (plus vCPU-seconds where the provider bills them),
 * plus the request charge.
 */
export function billedCostUsd(billedMs: number, memoryMb: number, arch: Arch, facts: RegionFacts): number {
  return billedCost(billedMs, memoryMb, { ...facts, pricePerGbSecond: facts.pricePerGbSecond[arch] });
}

/** Operational emissions of billed time, gCO2e, with the core's Cloud Carbon Footprint model. */
export function carbonGrams(billedMs: number, memoryMb: number, carbonGPerKwh: number): number {
  return coreCarbonGrams(billedMs, memoryMb, carbonGPerKwh);
}
