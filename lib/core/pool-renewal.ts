/**
 * The pool model's renewal over the calls a batch worker sends. A call that settles on an accepted CPU leaves its
 * instance warm, and the worker's later calls run there: the search that found it is shared by the `uses` calls it
 * serves. A call that runs out of attempts runs on whatever its last attempt met, usually a CPU the reject set
 * refuses; the worker's next call meets that instance warm, refuses it too and searches again. So such an instance
 * serves one call, not `uses`, and the worker searches until one of its calls ends on an accepted CPU: with `f` the
 * chance a call ends on a refused CPU, of `u` calls F(u) = f(1 − f^u)/(1 − f) are expected to, and
 * (1 − f^u)/(1 − f) to search. With one call per instance (u = 1) this is the memoryless model: F = f, one search.
 */

/** What a call of a batch is expected to cost per call, with the searches spread over the calls. Mutable scratch. */
export interface RenewedCall {
  /** Expected billed runtime of a call's accepted attempt, ms. */
  runtimeMs: number;
  /** Searches per call: the share of the worker's calls that start one (each pays its rejects and INITs). */
  searchShare: number;
}

/**
 * Spreads one call's expectation over the `uses` calls of a worker (see the module comment).
 * @param runtimeMs - a lone call's expected runtime (accepted CPUs, and its last attempt's CPU when it runs out)
 * @param refusedMs - mean runtime over the refused CPUs (what a call that ends on one runs)
 * @param endsRefused - chance a lone call ends on a refused CPU (its last attempt met one)
 * @example renewOverUses(1, 1000, 1500, 0.3, out); // out: { runtimeMs: 1000, searchShare: 1 }
 */
export function renewOverUses(
  uses: number,
  runtimeMs: number,
  refusedMs: number,
  endsRefused: number,
  out: RenewedCall,
): RenewedCall {
  const f = Math.min(Math.max(endsRefused, 0), 1);
  if (!(uses > 1) || !(f > 0) || 1 - f < 1e-9) {
    out.runtimeMs = runtimeMs;
    out.searchShare = 1 / Math.max(1, uses);
    if (f > 0 && 1 - f < 1e-9) out.searchShare = 1;
    return out;
  }
  const searches = (1 - f ** uses) / (1 - f);
  const refusedCalls = f * searches;
  const settledMs = (runtimeMs - f * refusedMs) / (1 - f);
  out.runtimeMs = ((uses - refusedCalls) * settledMs + refusedCalls * refusedMs) / uses;
  out.searchShare = searches / uses;
  return out;
}
