/**
 * Lambda allocates CPU in proportion to memory: 1,769 MB is one vCPU, and the maximum of
 * 10,240 MB gets six (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
 * A workload with parallelism P (threads that can run at once; the paper's Table 1 lists 1 to 2)
 * runs at speed min(vCPUs, P), so below 1,769 MB a single-threaded workload slows in proportion
 * to memory and above it gains nothing.
 */

/** Memory that buys one vCPU, MB. */
export const MB_PER_VCPU = 1769;
/** Most vCPUs a Lambda function gets (at 10,240 MB). */
export const MAX_VCPUS = 6;

/** vCPUs a function of this memory gets. */
export function vcpusOf(memoryMb: number): number {
  return Math.min(MAX_VCPUS, memoryMb / MB_PER_VCPU);
}

/** Effective speed of a workload with the given parallelism at a memory size (vCPUs it can use). */
export function effectiveSpeed(memoryMb: number, parallelism = 1): number {
  return Math.min(vcpusOf(memoryMb), Math.max(1e-9, parallelism));
}

/** Factor that turns a runtime measured at `fromMb` into the runtime expected at `toMb`. */
export function memoryRuntimeFactor(fromMb: number, toMb: number, parallelism = 1): number {
  return effectiveSpeed(fromMb, parallelism) / effectiveSpeed(toMb, parallelism);
}
