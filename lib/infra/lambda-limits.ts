import { MeshPropsError } from './errors';

/**
 * Lambda's memory range.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;

/** Throws unless every size is a whole number of MB within Lambda's range, each given once. */
export function validateMemorySizes(prop: string, sizes: readonly number[]): void {
  if (sizes.length === 0) throw new MeshPropsError(prop, sizes, 'at least one memory size');
  for (const mb of sizes) {
    if (!Number.isInteger(mb) || mb < LAMBDA_MEMORY_MB.min || mb > LAMBDA_MEMORY_MB.max) {
      throw new MeshPropsError(prop, mb, `whole MB from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max}`);
    }
  }
  if (new Set(sizes).size !== sizes.length) throw new MeshPropsError(prop, sizes, 'each memory size once');
}
