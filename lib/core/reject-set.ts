import { type Candidate, type EvaluationParams, evaluateMask, type Metrics } from './candidate';

/**
 * The optimal reject set of one candidate: the set B of its CPUs to reject that minimizes the
 * expected objective (see `evaluateSums` in `candidate.ts` for the model).
 *
 * Let a_c be the objective of an accepted attempt on CPU c, h' the extra objective of a rejected
 * attempt (its hold and the INIT of the instance the retry starts) and R the objective every attempt
 * pays (the request charge). With an unbounded budget, f(B) = (R + h'·q + Σ_{c∉B} p_c a_c)/(1 − q).
 * Moving c out of the accepted set lowers f exactly when a_c > f(B) + h' (cross-multiply the two
 * ratios). So at the optimum every accepted CPU has a_c ≤ f* + h' and every rejected one a_c ≥ f* + h':
 * the optimal B is a threshold on a_c, a suffix of the CPUs sorted fastest first, and scanning the
 * C prefixes finds it.
 *
 * A finite budget breaks the exchange argument: the last attempt accepts anything, so a rare CPU can
 * be worth rejecting where a common one of the same speed is not (the property test against every
 * subset in `test/core/reject-set.test.ts` found such a case). So is a bound on added latency (a
 * bound on P(B)): a cheap-to-keep CPU may be worth rejecting only because a costlier one is too
 * common to reject. The search is therefore exhaustive over all subsets (2^C) up to `EXACT_LIMIT`
 * types (Lambda zones have a handful), under a latency bound up to `EXHAUSTIVE_LIMIT`, and scans
 * prefixes beyond (the unbounded-budget optimum, close to the finite one).
 */

/** Up to this many CPU types every search is exhaustive, so it is exact under any budget. */
export const EXACT_LIMIT = 8;

/** Above this many CPU types a bounded search scans prefixes only (2^16 subsets is the most tried). */
export const EXHAUSTIVE_LIMIT = 16;

/** The best reject set found: `mask` has bit j set when the j-th fastest CPU is rejected; -1 when none is feasible. */
export interface RejectChoice {
  mask: number;
  value: number;
}

/**
 * Finds the reject set of `c` with the least objective (see above), writing it to `out` (allocation-free:
 * this runs for every candidate of every placement). `noRetry` are the parameters of rejecting nothing. Only sets
 * that reject every CPU of `forced` are weighed (the CPUs a call cannot finish on, `unfitMaskOf`), and never all.
 * @example
 * const out = { mask: -1, value: Infinity };
 * optimalRejectSet(candidate, 0, params, noRetryParams, newMetrics(), out); // out.mask: CPUs to reject
 */
export function optimalRejectSet(
  c: Candidate,
  rttMs: number,
  params: EvaluationParams,
  noRetry: EvaluationParams,
  metrics: Metrics,
  out: RejectChoice,
  forced = 0,
): RejectChoice {
  const n = c.cpus.length;
  out.mask = -1;
  out.value = Number.POSITIVE_INFINITY;
  const bounded = params.maxAddedLatencyMs < Number.POSITIVE_INFINITY;
  const all = (1 << n) - 1;
  if (n <= EXACT_LIMIT || (bounded && n <= EXHAUSTIVE_LIMIT)) {
    for (let bits = 0; bits < 1 << n; bits++) {
      if (forced !== 0 && ((bits & forced) !== forced || bits === all)) continue;
      evaluateMask(c, bits, rttMs, bits === 0 ? noRetry : params, metrics);
      if (metrics.feasible && metrics.value < out.value) {
        out.value = metrics.value;
        out.mask = bits;
      }
    }
    return out;
  }
  // The prefixes, each with the forced CPUs rejected too (two prefixes may then reject the same set).
  let previous = -1;
  for (let k = n; k >= 1; k--) {
    const bits = suffixMask(n, k) | forced;
    if (bits === all || bits === previous) continue;
    previous = bits;
    evaluateMask(c, bits, rttMs, bits === 0 ? noRetry : params, metrics);
    if (metrics.feasible && metrics.value < out.value) {
      out.value = metrics.value;
      out.mask = bits;
    }
  }
  return out;
}

/** The share of the mix `shares` that the CPUs in `mask` hold (bit j: the j-th CPU); undefined when the mix is empty. */
export function shareOfMask(shares: ArrayLike<number>, mask: number): number | undefined {
  let total = 0;
  let masked = 0;
  for (let j = 0; j < shares.length; j++) {
    total += shares[j];
    if (mask & (1 << j)) masked += shares[j];
  }
  return total > 0 ? masked / total : undefined;
}

/** Bit mask rejecting the CPUs after the first `accept` (sorted fastest first). */
export function suffixMask(n: number, accept: number): number {
  let mask = 0;
  for (let j = accept; j < n; j++) mask |= 1 << j;
  return mask;
}
