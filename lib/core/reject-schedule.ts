import {
  type Candidate,
  type EvaluationParams,
  type Metrics,
  metricsOfAttempts,
  searchUsesOf,
  sharesSearch,
} from './candidate';
import { attemptBilledMs } from './cost-model';
import { type RenewedCall, renewOverUses } from './pool-renewal';
import { suffixMask } from './reject-set';
import type { CpuKey, Placement } from './types';

/**
 * The best reject policy of a candidate under a finite attempt budget: a reject set per attempt, not one for all.
 *
 * One reject set B for every attempt but the last (`reject-set.ts`) prices a strict B as "strict until the last
 * attempt, then whatever comes": with m attempts and an accepted share of 10%, 39% of calls reach the last attempt
 * and run on a fresh draw, often a CPU slower than the ones B rejects. So a strict B loses to a lax one although the
 * first few attempts are nearly free to spend, and a call re-placed after a few rejects (a batch refines every retry
 * with what the pool showed) relaxes at once. The optimal policy is an optimal stopping rule (backward induction):
 * with V(1) the objective of a fresh draw that runs whatever it meets, and r the objective of one rejected attempt
 * (its hold, the INIT of the instance the retry starts, its request charge and delay),
 *   V(n) = Σ_c p_c · min(a_c, r + V(n − 1)),
 * so with n attempts left a CPU is rejected exactly when a_c > r + V(n − 1). V falls as n grows, so the reject sets
 * narrow as the budget runs down: strict while attempts are plentiful, lax near the end (each a suffix of the CPUs
 * sorted fastest first). It is never worse than the best single reject set, since that is one of the policies the
 * induction ranges over, and with an unbounded budget it is that single set.
 *
 * In a batch (`usesPerInstance` > 1) the instance a call settles on serves the worker's next calls; a call that ends on a
 * CPU the first attempt refuses (accepted at a relaxed stage, or at the last attempt) leaves an instance the next call
 * refuses again, so the expectation is spread over the worker's calls by the same renewal as a single set's
 * (`pool-renewal.ts`), and the router takes whichever of the two is cheaper there.
 *
 * Where a retry's new instance may land on the rejected instance's host (`retryRepeat` ρ, the platform packing a
 * function's cold starts), the state is the attempts left and the CPU the last attempt met: facing CPU c with n
 * attempts left is worth D(n, c) = min(a_c, r + ρ·D(n − 1, c) + (1 − ρ)·V(n − 1)), V(n) = Σ_c p_c·D(n, c). A CPU met
 * again on the next attempt is less worth rejecting, so ρ narrows every stage's reject set.
 *
 * It covers the reject modes in which every retry starts a new instance: `end`, and `auto`, whose keeping an instance
 * for the last attempt never beats accepting it one attempt earlier (that saves the rejected attempt). Under `hold` a
 * retry may return to the held instance (`attemptChain`), so the state is more than the attempts left: the single
 * reject set is kept there.
 */

/** Whether a reject schedule applies to these parameters (see the module comment). */
export function schedulable(p: EvaluationParams): boolean {
  return !p.rejectedStayWarm && Number.isFinite(p.maxAttempts) && p.maxAttempts >= 3;
}

let acceptScratch = new Int32Array(64);
let rejectScratch = new Int32Array(64);
let cpuScratch = new Float64Array(16);

/**
 * Fills `out` with the expected metrics of `c` under its optimal reject schedule for `p.maxAttempts` attempts (module
 * comment), and `accepts[i]` with how many of its fastest CPUs attempt i + 1 accepts (the last attempt accepts all).
 * `p` are the parameters with retries; call only where `schedulable(p)`. Allocation-free once `accepts` is long enough.
 * @example
 * const accepts = new Int32Array(10);
 * evaluateSchedule(candidate, 0, params, newMetrics(), accepts); // accepts: [1, 1, 1, 1, 1, 1, 2, 2, 3, 4]
 */
export function evaluateSchedule(
  c: Candidate,
  rttMs: number,
  p: EvaluationParams,
  out: Metrics,
  accepts: Int32Array = scratchFor(p.maxAttempts),
): Metrics {
  const m = p.maxAttempts;
  const n = c.cpus.length;
  // The objective per billed ms of an accepted attempt, and of one rejected attempt with the retry's new instance,
  // shared by the calls the search serves (`searchUses`); both as `metricsOfAttempts` bills them.
  const perMs = p.wCost * c.usdPerMs + p.wLatency + p.wCarbon * c.gramsPerMs;
  const billedReject = attemptBilledMs(p.holdMs, c.minBilledMs) + p.initBilledMs;
  const reject =
    (p.wCost * (billedReject * c.usdPerMs + c.usdPerRequest) +
      p.wLatency * (p.holdMs + p.retryOverheadMs + rttMs) +
      p.wCarbon * billedReject * c.gramsPerMs) /
    searchUsesOf(p);
  // With repeats (`retryRepeat` ρ) the state is the CPU the last attempt met: after a reject on CPU j the next attempt
  // meets j again with probability ρ and a fresh draw otherwise, so with n attempts left facing CPU j is worth
  // D(n, j) = min(a_j, r + ρ·D(n − 1, j) + (1 − ρ)·V(n − 1)), V(n) = Σ_j p_j·D(n, j). a_j − ρ·D(n − 1, j) grows with
  // a_j, so each stage still rejects a suffix. With ρ = 0 this is the recursion above, to the last bit.
  const rho = p.retryRepeat;
  const face = scratchOf(n);
  let value = 0;
  for (let j = 0; j < n; j++) {
    face[j] = perMs * c.billedMs[j];
    value += c.shares[j] * perMs * c.billedMs[j];
  }
  accepts[m - 1] = n;
  for (let left = 2; left <= m; left++) {
    const common = reject + (1 - rho) * value;
    let accept = 0;
    while (accept < n && perMs * c.billedMs[accept] <= common + rho * face[accept]) accept++;
    // The fastest CPU present is never worth rejecting (value ≥ its objective); guard against rounding.
    if (accept === 0) accept = 1;
    let next = 0;
    for (let j = 0; j < n; j++) {
      face[j] = j < accept ? perMs * c.billedMs[j] : common + rho * face[j];
      next += c.shares[j] * face[j];
    }
    accepts[m - left] = accept;
    value = next;
  }
  const rejects = rejectScratchFor(m);
  for (let i = 0; i < m; i++) rejects[i] = suffixMask(n, accepts[i]);
  return evaluateRejects(c, rttMs, p, out, rejects);
}

/**
 * Fills `out` with the expected metrics of `c` when attempt i + 1 rejects the CPUs of the bit mask `rejects[i]` (over
 * its CPUs sorted fastest first; a schedule of `p.maxAttempts` attempts, the last rejecting none): the forward pass of
 * `evaluateSchedule`, for a schedule chosen by it (each mask a suffix) or set otherwise (a placement whose last
 * attempts must accept every CPU the call can finish on, `fitTailAttempts`, where the unfit CPUs need not be the
 * slowest).
 */
export function evaluateRejects(
  c: Candidate,
  rttMs: number,
  p: EvaluationParams,
  out: Metrics,
  rejects: Int32Array,
): Metrics {
  const m = p.maxAttempts;
  const n = c.cpus.length;
  const rho = p.retryRepeat;
  // Forward: the chance of reaching each attempt, and of ending on a CPU the first attempt refuses (a relaxed stage's
  // or the last attempt's), which the worker's next call in a batch meets warm, refuses and searches past again. The
  // mass of an attempt on CPU j is reach·p_j (fresh draws) plus again[j] (the rejected instance's host, repeated).
  const again = scratchOf(n);
  again.fill(0, 0, n);
  const strict = rejects[0];
  let reach = 1;
  let attempts = 0;
  let runtimeMs = 0;
  let endsRefused = 0;
  let refusedMs = 0;
  for (let i = 0; i < m; i++) {
    let acceptedMs = 0;
    let rejectedShare = 0;
    let repeatedMs = 0;
    let repeated = 0;
    let repeatedRejected = 0;
    for (let j = 0; j < n; j++) {
      const mass = reach * c.shares[j] + again[j];
      repeated += again[j];
      const bit = 1 << j;
      if ((rejects[i] & bit) === 0) {
        acceptedMs += c.shares[j] * c.billedMs[j];
        repeatedMs += again[j] * c.billedMs[j];
        again[j] = 0;
      } else {
        rejectedShare += c.shares[j];
        repeatedRejected += again[j];
        again[j] = rho * mass;
      }
      if ((strict & bit) !== 0 && (rejects[i] & bit) === 0) {
        endsRefused += mass;
        refusedMs += mass * c.billedMs[j];
      }
    }
    attempts += reach + repeated;
    runtimeMs += reach * acceptedMs + repeatedMs;
    reach = (1 - rho) * (reach * Math.min(1, rejectedShare) + repeatedRejected);
  }
  if (sharesSearch(p)) return metricsOfAttempts(c, attempts, runtimeMs, 0, rttMs, p, out);
  const renewed = renewOverUses(
    p.usesPerInstance,
    runtimeMs,
    // What a call that ends on a refused CPU runs: mostly the CPUs a relaxed stage accepts, not the mean refused one.
    endsRefused > 0 ? refusedMs / endsRefused : 0,
    endsRefused,
    RENEWED,
  );
  return metricsOfAttempts(c, attempts, renewed.runtimeMs, 0, rttMs, p, out, renewed.searchShare);
}

const RENEWED: RenewedCall = { runtimeMs: 0, searchShare: 1, laterShare: 0 };

/** Whether the schedule in `accepts` (for `attempts` attempts) rejects differently at different attempts before the last. */
function varies(accepts: Int32Array, attempts: number): boolean {
  for (let i = 1; i < attempts - 1; i++) if (accepts[i] !== accepts[0]) return true;
  return false;
}

/** A shared scratch of at least `n` CPUs' figures (the scan evaluates one candidate at a time). */
function scratchOf(n: number): Float64Array {
  if (cpuScratch.length < n) cpuScratch = new Float64Array(Math.max(n, cpuScratch.length * 2));
  return cpuScratch;
}

/** A shared scratch of at least `attempts` entries (the scan evaluates one candidate at a time). */
function scratchFor(attempts: number): Int32Array {
  if (acceptScratch.length < attempts) acceptScratch = new Int32Array(Math.max(attempts, acceptScratch.length * 2));
  return acceptScratch;
}

/** The scratch of `evaluateSchedule`'s reject masks, apart from the accept counts it returns. */
function rejectScratchFor(attempts: number): Int32Array {
  if (rejectScratch.length < attempts) rejectScratch = new Int32Array(Math.max(attempts, rejectScratch.length * 2));
  return rejectScratch;
}

/**
 * The objective of `c` under its reject schedule when that is feasible and beats `single`, the best single reject
 * set's; undefined otherwise (or where no schedule applies). Ties keep the single set, which is simpler to follow.
 */
export function scheduleBeats(
  c: Candidate,
  rttMs: number,
  params: EvaluationParams,
  single: number,
  metrics: Metrics,
): number | undefined {
  if (!schedulable(params)) return undefined;
  const accepts = scratchFor(params.maxAttempts);
  evaluateSchedule(c, rttMs, params, metrics, accepts);
  if (!metrics.feasible || !varies(accepts, params.maxAttempts)) return undefined;
  return metrics.value < single * (1 - SCHEDULE_MARGIN) ? metrics.value : undefined;
}

/** Relative margin by which a schedule must beat the single reject set (rounding, not economics). */
const SCHEDULE_MARGIN = 1e-9;

/**
 * The CPUs a placement rejects at its `attempt`-th attempt (1-based) before the last: its `rejectCpus`, narrowed by
 * the last relaxation that has begun.
 * @example rejectCpusAt({ rejectCpus: ['a', 'b'], relaxations: [{ fromAttempt: 4, rejectCpus: ['b'] }] }, 5); // ['b']
 */
export function rejectCpusAt(
  placement: Pick<Placement, 'rejectCpus' | 'relaxations'>,
  attempt: number,
): readonly CpuKey[] {
  let cpus = placement.rejectCpus;
  for (const stage of placement.relaxations ?? []) if (stage.fromAttempt <= attempt) cpus = stage.rejectCpus;
  return cpus;
}
