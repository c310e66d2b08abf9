/**
 * Named errors of the core router library. Each names what was wrong, the value, and what is allowed.
 */

/**
 * A bad argument to a core function (negative count, share outside [0, 1], ...).
 * @example
 * try { new Router(view, { holdMs: -1 }); } catch (e) { if (e instanceof CoreInputError) console.log(e.field); } // 'holdMs'
 */
export class CoreInputError extends Error {
  readonly code = 'CoreInputError';
  constructor(
    /** The parameter or field that was wrong, e.g. `counts["amd-epyc"]`. */
    readonly field: string,
    /** The value received. */
    readonly value: unknown,
    /** What would have been accepted. */
    readonly allowed: string,
  ) {
    super(`${field} is ${formatValue(value)}; allowed: ${allowed}`);
    this.name = 'CoreInputError';
  }
}

/**
 * No deployed target satisfies the request's limits. The only error `Router.place` throws.
 * @example
 * try { router.place({ workload: 'zipper', limits: { regions: ['xx-east-9'] } }); } catch (e) { if (e instanceof NoPlacementError) console.log(e.reason); }
 */
export class NoPlacementError extends Error {
  readonly code = 'NoPlacementError';
  constructor(
    /** The workload that could not be placed. */
    readonly workload: string,
    /** The limits that excluded every target, as given in the request. */
    readonly limits: Readonly<Record<string, unknown>>,
    /** Why, in words (e.g. `no deployed zone in regions [xx-east-9]`). */
    readonly reason: string,
  ) {
    super(`cannot place workload "${workload}": ${reason}; limits: ${formatValue(limits)}`);
    this.name = 'NoPlacementError';
  }
}

function formatValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
