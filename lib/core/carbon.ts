import { MB_PER_GB } from './cost-model';
import { MB_PER_VCPU } from './memory-scaling';

/**
 * Energy and carbon of a Lambda call, after Cloud Carbon Footprint's methodology
 * (cloudcarbonfootprint.org/docs/methodology): compute energy = vCPU-hours × (min W + utilization ×
 * (max W − min W)) with AWS's average 0.74 W and 3.5 W per vCPU at 50% utilization (2.12 W), plus
 * memory at 0.000392 kWh per GB-hour (0.392 W per GB), times AWS's PUE of 1.135. A Lambda
 * function's vCPU share is memory / 1,769 MB, so its power is proportional to memory:
 * about 1.84 W per GB including PUE.
 */
export const CARBON_MODEL = Object.freeze({
  wattsPerVcpu: 0.74 + 0.5 * (3.5 - 0.74),
  wattsPerGbMemory: 0.392,
  pue: 1.135,
});

/** Average power drawn by a function of this memory size, watts (PUE included). */
export function wattsOf(memoryMb: number): number {
  const vcpus = memoryMb / MB_PER_VCPU;
  const gb = memoryMb / MB_PER_GB;
  return (vcpus * CARBON_MODEL.wattsPerVcpu + gb * CARBON_MODEL.wattsPerGbMemory) * CARBON_MODEL.pue;
}

/** Energy of `durationMs` at a memory size, kWh. */
export function energyKwh(durationMs: number, memoryMb: number): number {
  return (wattsOf(memoryMb) * durationMs) / 3_600_000_000;
}

/** Carbon of `durationMs` at a memory size on a grid of `gPerKwh`, grams CO2e. */
export function carbonGrams(durationMs: number, memoryMb: number, gPerKwh: number): number {
  return energyKwh(durationMs, memoryMb) * gPerKwh;
}
