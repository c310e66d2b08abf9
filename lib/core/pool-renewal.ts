/**
 * The pool model's renewal over the calls a batch worker sends. A call that settles on an accepted CPU leaves its
 * instance warm, and the worker's later calls run there: the search that found it is shared by the `uses` calls it
 * serves. A call that runs out of attempts runs on whatever its last attempt met, usually a CPU the reject set
 * refuses; the worker's next call meets that instance warm, refuses it too and searches again. So such an instance
 * serves one call, not `uses`, and the worker searches until one of its calls ends on an accepted CPU: with `f` the
 * chance a call ends on a refused CPU, of `u` calls F(u) = f(1 − f^u)/(1 − f) are expected to, and
 * (1 − f^u)/(1 − f) to search. With one call per instance (u = 1) this is the memoryless model: F = f, one search.
 *
 * A search after the worker's first starts on that warm refused instance: its first attempt is a reject (no INIT),
 * so it is a call whose first attempt was refused, and it ends refused with chance g = f/q (q the chance an attempt is
 * refused), not f. Then of `u` calls F(u) = f + g·L with L = f(1 − g^(u−1))/(1 − g) later searches; g = f is the
 * simpler form above.
 */

/** What a call of a batch is expected to cost per call, with the searches spread over the calls. Mutable scratch. */
export interface RenewedCall {
  /** Expected billed runtime of a call's accepted attempt, ms. */
  runtimeMs: number;
  /** Searches per call: the share of the worker's calls that start one (each pays its rejects and INITs). */
  searchShare: number;
  /** Of `searchShare`, the searches after the worker's first per call (each starts on a warm refused instance). */
  laterShare: number;
}

/**
 * Spreads one call's expectation over the `uses` calls of a worker (see the module comment).
 * @param runtimeMs - a lone call's expected runtime (accepted CPUs, and its last attempt's CPU when it runs out)
 * @param refusedMs - mean runtime over the refused CPUs (what a call that ends on one runs)
 * @param endsRefused - chance a lone call ends on a refused CPU (its last attempt met one)
 * @param endsRefusedAgain - chance a later search, whose first attempt refused the warm instance, ends on one
 * @example renewOverUses(1, 1000, 1500, 0.3, out); // out: { runtimeMs: 1000, searchShare: 1, laterShare: 0 }
 */
export function renewOverUses(
  uses: number,
  runtimeMs: number,
  refusedMs: number,
  endsRefused: number,
  out: RenewedCall,
  endsRefusedAgain: number = endsRefused,
): RenewedCall {
  const f = Math.min(Math.max(endsRefused, 0), 1);
  const g = Math.min(Math.max(endsRefusedAgain, 0), 1);
  if (!(uses > 1) || !(f > 0) || 1 - f < 1e-9) {
    out.runtimeMs = runtimeMs;
    out.searchShare = 1 / Math.max(1, uses);
    out.laterShare = 0;
    if (f > 0 && 1 - f < 1e-9) {
      out.searchShare = 1;
      out.laterShare = 1 - 1 / Math.max(1, uses);
    }
    return out;
  }
  const later = Math.floor(uses) - 1;
  const laterSearches = later <= 0 ? 0 : 1 - g < 1e-12 ? f * later : (f * (1 - g ** later)) / (1 - g);
  const refusedCalls = f + g * laterSearches;
  const settledMs = (runtimeMs - f * refusedMs) / (1 - f);
  out.runtimeMs = ((uses - refusedCalls) * settledMs + refusedCalls * refusedMs) / uses;
  out.searchShare = (1 + laterSearches) / uses;
  out.laterShare = laterSearches / uses;
  return out;
}
