import { expectedObjective } from './cost-model';
import { CoreInputError } from './errors';

/**
 * The exact optimal reject set.
 *
 * Let a_c be the objective of an accepted attempt on CPU c (its billed cost, runtime or carbon),
 * h' the extra objective of a rejected attempt (its hold) and R the objective every attempt pays
 * (the request charge). With an unbounded budget, f(B) = (R + h'·q + Σ_{c∉B} p_c a_c)/(1 − q).
 * Moving c out of the accepted set lowers f exactly when a_c > f(B) + h' (cross-multiply the two
 * ratios). So at the optimum every accepted CPU has a_c ≤ f* + h' and every rejected one a_c ≥ f* + h':
 * the optimal B is a threshold on a_c (reject everything slower than a cutoff), and scanning the
 * C + 1 prefixes of the CPUs sorted by a_c finds it in O(C log C). With a finite budget m the last
 * attempt accepts anything; the prefix scan still finds the optimum there (property-tested against
 * brute force over all subsets in `test/core/reject-set.test.ts`).
 *
 * A bound on P(B) (from a latency limit) breaks the exchange argument: a cheap-to-keep CPU may be
 * worth rejecting only because a costlier one is too common to reject. Under a bound the search
 * is exhaustive over all subsets (2^C; Lambda zones have at most a handful of CPU types), and falls
 * back to the best feasible prefix beyond `EXHAUSTIVE_LIMIT` types.
 */

/** Above this many CPU types a bounded search scans prefixes only (2^16 subsets is the most tried). */
export const EXHAUSTIVE_LIMIT = 16;

/** Input of `optimalRejectSet`. */
export interface RejectSetInput {
  /** CPU shares (normalized here). */
  readonly shares: readonly number[];
  /** Objective of an accepted attempt on each CPU, aligned with `shares`. */
  readonly values: readonly number[];
  /** Objective every attempt pays (e.g. the request charge). @default 0 */
  readonly perAttempt?: number;
  /** Extra objective of a rejected attempt (e.g. the billed hold). @default 0 */
  readonly perReject?: number;
  /** Attempts including the first. @default Infinity */
  readonly maxAttempts?: number;
  /** Largest P(B) allowed (e.g. from a bound on added latency). @default 1 */
  readonly maxRejectShare?: number;
}

/** The best reject set and its expected objective. */
export interface RejectSetChoice {
  /** Whether each CPU is rejected, aligned with the input. */
  readonly reject: readonly boolean[];
  /** Expected objective per request. */
  readonly value: number;
  /** P(B). */
  readonly rejectShare: number;
  /** Expected attempts. */
  readonly attempts: number;
}

function normalized(input: RejectSetInput): number[] {
  if (input.values.length !== input.shares.length) {
    throw new CoreInputError('values.length', input.values.length, `${input.shares.length}, as shares`);
  }
  let total = 0;
  input.shares.forEach((p, i) => {
    if (!Number.isFinite(p) || p < 0) throw new CoreInputError(`shares[${i}]`, p, 'a finite number >= 0');
    if (!Number.isFinite(input.values[i])) throw new CoreInputError(`values[${i}]`, input.values[i], 'a finite number');
    total += p;
  });
  if (total <= 0) throw new CoreInputError('shares', input.shares, 'at least one share > 0');
  return input.shares.map((p) => p / total);
}

/** Evaluates one reject set given as a boolean array over normalized shares. */
export function evaluateRejectSet(
  shares: readonly number[],
  values: readonly number[],
  reject: readonly boolean[],
  perAttempt: number,
  perReject: number,
  maxAttempts: number,
): { value: number; rejectShare: number } {
  let q = 0;
  let acceptedShare = 0;
  let accepted = 0;
  let rejected = 0;
  for (let i = 0; i < shares.length; i++) {
    if (reject[i]) {
      q += shares[i];
      rejected += shares[i] * values[i];
    } else {
      acceptedShare += shares[i];
      accepted += shares[i] * values[i];
    }
  }
  // Rejecting every CPU present is q = 1 exactly, whatever the rounding of the sum.
  if (q > 1 || acceptedShare === 0) q = 1;
  return { value: expectedObjective(q, accepted, rejected, perAttempt, perReject, maxAttempts), rejectShare: q };
}

/**
 * Finds the reject set with the least expected objective (see above). CPUs with a zero share are never rejected.
 * @example optimalRejectSet({ shares: [0.6, 0.3, 0.1], values: [1.0, 0.9, 1.35], perReject: 0.15 }).reject // [false, false, true]
 */
export function optimalRejectSet(input: RejectSetInput): RejectSetChoice {
  const shares = normalized(input);
  const perAttempt = input.perAttempt ?? 0;
  const perReject = input.perReject ?? 0;
  const maxAttempts = input.maxAttempts ?? Number.POSITIVE_INFINITY;
  const maxRejectShare = input.maxRejectShare ?? 1;
  if (!(maxAttempts >= 1)) throw new CoreInputError('maxAttempts', maxAttempts, 'a number >= 1 or Infinity');
  const present = shares.map((_, i) => i).filter((i) => shares[i] > 0);
  const n = shares.length;
  let best: { reject: boolean[]; value: number; rejectShare: number } | undefined;
  const consider = (reject: boolean[]): void => {
    const result = evaluateRejectSet(shares, input.values, reject, perAttempt, perReject, maxAttempts);
    if (result.rejectShare > maxRejectShare + 1e-12) return;
    if (!best || result.value < best.value - 1e-15 * Math.abs(best.value)) best = { reject, ...result };
  };
  if (maxRejectShare < 1 && present.length <= EXHAUSTIVE_LIMIT) {
    for (let mask = 0; mask < 1 << present.length; mask++) {
      const reject = new Array<boolean>(n).fill(false);
      present.forEach((index, bit) => {
        reject[index] = (mask & (1 << bit)) !== 0;
      });
      consider(reject);
    }
  } else {
    const order = [...present].sort((x, y) => input.values[x] - input.values[y] || x - y);
    for (let accepted = order.length; accepted >= 1; accepted--) {
      const reject = new Array<boolean>(n).fill(false);
      for (let k = accepted; k < order.length; k++) reject[order[k]] = true;
      consider(reject);
    }
  }
  const choice = best ?? { reject: new Array<boolean>(n).fill(false), value: Number.NaN, rejectShare: 0 };
  const q = choice.rejectShare;
  const attempts =
    q <= 0
      ? 1
      : q >= 1
        ? maxAttempts
        : maxAttempts === Number.POSITIVE_INFINITY
          ? 1 / (1 - q)
          : (1 - q ** maxAttempts) / (1 - q);
  return { reject: choice.reject, value: choice.value, rejectShare: q, attempts };
}
