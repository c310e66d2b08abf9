import type { Arch, RegionFacts } from '../../lib/core/types';

/**
 * What an attempt costs and emits, from its billed time. Lambda bills the handler's duration
 * rounded up to 1 ms, times the memory in GB, at the region's price per GB-second for the
 * architecture, plus a charge per request (https://aws.amazon.com/lambda/pricing/).
 */
export function billedCostUsd(billedMs: number, memoryMb: number, arch: Arch, facts: RegionFacts): number {
  const gbSeconds = (Math.ceil(billedMs) / 1000) * (memoryMb / 1024);
  return gbSeconds * facts.pricePerGbSecond[arch] + facts.pricePerRequest;
}

/**
 * Operational emissions of billed time, gCO2e, with Cloud Carbon Footprint's AWS coefficients
 * (https://www.cloudcarbonfootprint.org/docs/methodology/): 0.74 W idle to 3.5 W at full load per
 * vCPU (2.12 W at the 50% utilization CCF assumes for serverless), 0.392 W per GB of memory, and a
 * PUE of 1.135. Lambda allots one vCPU per 1,769 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
 */
export function carbonGrams(billedMs: number, memoryMb: number, carbonGPerKwh: number): number {
  const vcpus = memoryMb / 1769;
  const watts = (vcpus * (0.74 + 0.5 * (3.5 - 0.74)) + (memoryMb / 1024) * 0.392) * 1.135;
  const kwh = (watts * (billedMs / 1000)) / 3_600_000;
  return kwh * carbonGPerKwh;
}
