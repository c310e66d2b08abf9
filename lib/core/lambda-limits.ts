/**
 * Lambda's limits and the paper's defaults that the router library itself needs. Defined here, in
 * the core, because the core imports nothing outside itself; `lib/contracts` re-exports them for
 * every other layer, so each value has exactly one definition.
 */

/**
 * Lambda's memory range, MB, settable in 1 MB steps.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10_240 } as const;

/** The paper's nine memory sizes of the dynamic functions, MB. */
export const PAPER_MEMORY_SIZES: readonly number[] = Object.freeze([
  128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10_240,
]);

/** How long a rejected attempt holds its instance before answering, ms (the paper's 150, §4.6). */
export const DEFAULT_HOLD_MS = 150;

/**
 * Longest hold the router accepts, ms: a hold bills the rejected instance's time and delays the call's retry, so one
 * past a few seconds costs more than any warm instance it keeps could save.
 */
export const MAX_HOLD_MS = 10_000;

/** Attempt budget of a routed call when the request sets none. */
export const DEFAULT_MAX_ATTEMPTS = 10;

/** Highest attempt budget a request, or the router's own default, may ask for. */
export const MAX_ATTEMPTS_LIMIT = 50;

/**
 * Longest timeout a Lambda function can have, ms (15 minutes): no call runs longer, whatever it asks.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
 */
export const LAMBDA_MAX_TIMEOUT_MS = 900_000;

/** True when `mb` is a whole number of MB that Lambda accepts as a function's memory. */
export function isLambdaMemorySize(mb: number): boolean {
  return Number.isInteger(mb) && mb >= LAMBDA_MEMORY_MB.min && mb <= LAMBDA_MEMORY_MB.max;
}
