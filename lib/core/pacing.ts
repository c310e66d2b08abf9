import { resolveObjective } from './objectives';
import type { Objective } from './types';

/**
 * How many calls of a batch run at a time, chosen by the pool model. A batch of n calls at concurrency k runs in
 * ceil(n/k) rounds: each worker sends its next call when its last one answers and meets the instance that call left
 * warm, so every instance a call settles on serves about n/k calls (`PoolContext.usesPerInstance`) and the cost of
 * finding it (rejected attempts, INIT) is shared by them. Fewer calls at a time find fewer instances, each used
 * longer: a stricter reject set pays, and the batch costs less but takes longer. The caller grants a time budget,
 * `maxSlowdown` × the expected duration at its own concurrency, and the least expected objective within it wins.
 */

/** What pacing needs of a placement: its expected metrics per call. */
export interface PacedExpectation {
  readonly expected: {
    readonly costUsd: number;
    readonly runtimeMs: number;
    readonly addedLatencyMs: number;
    readonly carbonG: number;
    /** Attempts per call, its share of the searches' retries included. @default 1 */
    readonly attempts?: number;
  };
}

/** A batch to pace. */
export interface PacingRequest {
  /** Calls in the batch (>= 1). */
  readonly count: number;
  /** Most calls the caller lets run at a time (>= 1): the unpaced batch. */
  readonly concurrency: number;
  /** The time budget over the unpaced batch's expected duration (>= 1; 1 keeps the caller's concurrency). */
  readonly maxSlowdown: number;
  /** What the batch minimizes. @default 'cost' */
  readonly objective?: Objective;
  /**
   * Longest the batch may take in all, ms (the router's time left before it must answer): a paced batch that would
   * outlast it is not chosen. @default Infinity
   */
  readonly maxDurationMs?: number;
  /**
   * How long a new instance's INIT takes, ms, billed or not: each worker's first call waits for it, and so does each
   * retry, which starts a new instance (`batchDurationMs`). @default 0
   */
  readonly initMs?: number;
  /**
   * How the batch is sent where the router's deadline stops it and the caller sends the rest again (`Sends`): each
   * send ends with its workers' last calls, which the pacings' durations count. The unpaced batch's duration, which the
   * time budget is weighed on, is priced as one send. @default - one send
   */
  readonly sends?: Sends;
}

/** The pacing chosen, with the placement priced for it. */
export interface PacingChoice<P extends PacedExpectation> {
  /** Calls at a time. */
  readonly concurrency: number;
  /** Rounds the batch runs in: ceil(count / concurrency). */
  readonly rounds: number;
  /** Calls each instance is expected to serve (the pool model's `usesPerInstance`). */
  readonly usesPerInstance: number;
  /** The placement for that many uses per instance. */
  readonly placement: P;
  /** Expected duration of the batch at this concurrency, ms (`batchDurationMs`). */
  readonly expectedDurationMs: number;
  /** Sends the batch is expected to take at this concurrency (`sentClock`): 1 unless `PacingRequest.sends` says how. */
  readonly sends: number;
  /** Expected duration of the batch at the caller's concurrency, ms. */
  readonly unpacedDurationMs: number;
  /** The placement at the caller's concurrency, for comparison. */
  readonly unpaced: P;
  /** Concurrencies priced (the search's size). */
  readonly evaluated: number;
}

/** Most concurrencies priced per batch: beyond it, rounds are tried on a geometric grid. */
export const MAX_PACING_EVALUATIONS = 48;

/**
 * Chooses how many calls of a batch run at a time: among the concurrencies from the caller's down to 1 whose
 * expected duration fits `maxSlowdown` × the unpaced one (and `maxDurationMs`), the one whose placement (`placeFor(uses)`, placed for that
 * many calls per instance) has the least expected objective. The objective weighs cost and carbon per call against
 * the unpaced placement's, and latency as the batch's duration against the unpaced one, so `latency` never paces.
 * Rounds are tried in increasing order; the search stops once even the fastest runtime met so far would not fit
 * the budget.
 * @example
 * const choice = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 10 }, (uses) =>
 *   router.place({ workload: 'disk-writer', pool: { usesPerInstance: uses } }),
 * );
 * choice.concurrency; // e.g. 2: two instances, each found once and used for 10 calls
 */
export function choosePacing<P extends PacedExpectation>(
  request: PacingRequest,
  placeFor: (usesPerInstance: number) => P,
): PacingChoice<P> {
  const count = Math.max(1, Math.floor(request.count));
  const k0 = Math.max(1, Math.min(count, Math.floor(request.concurrency)));
  const rounds0 = Math.ceil(count / k0);
  const initMs = request.initMs ?? 0;
  const unpacedShape = pacedShape(placeFor, { count, concurrency: k0, rounds: rounds0, initMs });
  const sends = request.sends;
  const unpaced = unpacedShape.placement;
  const unpacedDurationMs = unpacedShape.expectedDurationMs;
  // The unpaced batch as the caller would send it: in its sends, where the budget weighs it as one.
  const sentUnpaced = sends ? timedBatch(unpaced, { count, concurrency: k0, initMs, sends }) : undefined;
  const first: PacingChoice<P> = {
    ...unpacedShape,
    ...(sentUnpaced ? { expectedDurationMs: sentUnpaced.durationMs, sends: sentUnpaced.sends } : {}),
    unpacedDurationMs,
    unpaced,
    evaluated: 1,
  };
  const slowdown = Number.isFinite(request.maxSlowdown) ? request.maxSlowdown : 1;
  if (!(slowdown > 1) || k0 === 1) return first;
  const budgetMs = Math.min(slowdown * unpacedDurationMs, request.maxDurationMs ?? Number.POSITIVE_INFINITY);
  const base = pacedMetrics(unpaced, unpacedDurationMs);
  const score = (p: P, durationMs: number): number => pacingScore(request.objective, pacedMetrics(p, durationMs), base);
  let best = first;
  let bestScore = score(unpaced, first.expectedDurationMs);
  let fastestMs = unpaced.expected.runtimeMs;
  let evaluated = 1;
  for (const rounds of roundsToTry(count, k0, rounds0)) {
    const concurrency = Math.ceil(count / rounds);
    // The least time this pacing and every slower one can take, at the fastest call priced so far.
    if (callsOnTheClock(count, concurrency) * fastestMs > budgetMs) break;
    const shape = pacedShape(placeFor, { count, concurrency, rounds, initMs, ...(sends ? { sends } : {}) });
    evaluated++;
    fastestMs = Math.min(fastestMs, shape.placement.expected.runtimeMs);
    if (shape.expectedDurationMs > budgetMs) continue;
    const s = score(shape.placement, shape.expectedDurationMs);
    if (s < bestScore) {
      bestScore = s;
      best = { ...shape, unpacedDurationMs, unpaced, evaluated: 0 };
    }
  }
  return { ...best, evaluated };
}

/** One pacing priced: what `PacingChoice` says of it, without the unpaced batch it is weighed against. */
export type PacedShape<P extends PacedExpectation> = Pick<
  PacingChoice<P>,
  'concurrency' | 'rounds' | 'usesPerInstance' | 'placement' | 'expectedDurationMs' | 'sends'
>;

/**
 * Prices `concurrency` calls at a time over `rounds` rounds (ceil(count / concurrency) unless the caller's grid says
 * otherwise): the placement for that many uses per instance, and the batch's expected duration. `choosePacing` prices
 * every pacing it weighs with it, and so does a batch resumed at the pacing an earlier send chose.
 */
export function pacedShape<P extends PacedExpectation>(
  placeFor: (usesPerInstance: number) => P,
  batch: {
    readonly count: number;
    readonly concurrency: number;
    readonly rounds?: number;
    readonly initMs?: number;
    readonly sends?: Sends;
  },
): PacedShape<P> {
  const count = Math.max(1, batch.count);
  const concurrency = Math.max(1, Math.min(count, batch.concurrency));
  const rounds = batch.rounds ?? Math.ceil(count / concurrency);
  const placement = placeFor(rounds);
  const timed = timedBatch(placement, { count, concurrency, initMs: batch.initMs ?? 0, sends: batch.sends });
  return {
    concurrency,
    rounds,
    usesPerInstance: rounds,
    placement,
    expectedDurationMs: timed.durationMs,
    sends: timed.sends,
  };
}

/** A batch as its expected duration sees it (`batchDurationMs`). */
export interface BatchShape {
  /** Calls to run (>= 1). */
  readonly count: number;
  /** Calls at a time (>= 1). */
  readonly concurrency: number;
  /** How long a new instance's INIT takes, ms. @default 0 */
  readonly initMs?: number;
  /** Whether the workers start on new instances, so that they first wait for an INIT. @default true */
  readonly coldStart?: boolean;
  /** How the batch is sent where the router's deadline stops it (`Sends`). @default - one send */
  readonly sends?: Sends | undefined;
}

/**
 * How a resumable batch is sent: the router answers within `spanMs` of its own time (its Lambda's time left), and
 * stops starting calls once less than `reserveCalls` calls' time is left, so that the calls it started are answered;
 * the caller sends the calls left again at once, and the batch goes on where its instances are warm.
 */
export interface Sends {
  /** The router's time for one send, ms. */
  readonly spanMs: number;
  /** Calls' time before the end of a send from which it starts no call (>= 0). */
  readonly reserveCalls: number;
  /** The time left of the send under way, ms, where the batch is part-way through one. @default spanMs */
  readonly firstSpanMs?: number;
  /** The time the send under way keeps at its end, ms, where it is known. @default reserveCalls calls' time */
  readonly firstReserveMs?: number;
}

/**
 * Expected wall time of a batch, ms: `callsOnTheClock` calls one after another, each its runtime, the latency its
 * retries and distance add (`perCallMs`) and the INIT each retry waits for (every retry counted on a new instance: a
 * retry the rejected instance takes back waits for none, so this errs long); and once, the INIT of each worker's first
 * instance, which the workers wait for together. Without the INITs a paced batch of short calls outlasted its budget
 * (generated seed 17's short-gemm-2: 2,104 calls of 77 ms, 73 at a time, 122% of its budget, a 331 ms INIT each).
 * @example batchDurationMs({ expected: { runtimeMs: 77, addedLatencyMs: 0, costUsd: 0, carbonG: 0 } }, { count: 2104, concurrency: 73, initMs: 331 }); // 2625
 */
export function batchDurationMs(p: PacedExpectation, batch: BatchShape): number {
  return timedBatch(p, batch).durationMs;
}

/** `batchDurationMs`, with the sends the batch takes (`sentClock`). */
function timedBatch(p: PacedExpectation, batch: BatchShape): { readonly durationMs: number; readonly sends: number } {
  const initMs = Math.max(0, batch.initMs ?? 0);
  const firstInitMs = batch.coldStart === false ? 0 : initMs;
  const callMs = clockedCallMs(p, initMs);
  const clock = sentClock(batch.count, batch.concurrency, callMs, batch.sends);
  return { durationMs: clock.calls * callMs + firstInitMs, sends: clock.sends };
}

/** The time a call holds its worker in a batch's duration, ms: `perCallMs` and the INIT each of its retries waits for. */
function clockedCallMs(p: PacedExpectation, initMs: number): number {
  const retries = Math.max(0, (p.expected.attempts ?? 1) - 1);
  return perCallMs(p) + retries * Math.max(0, initMs);
}

/** How a batch's calls are timed in the sends it takes (`sentClock`). */
export interface SentClock {
  /** Sends the calls take (1 where the batch is not sent in parts). */
  readonly sends: number;
  /** Calls' time they last, each part timed as `callsOnTheClock` times a batch. */
  readonly calls: number;
}

/**
 * How a batch of `count` calls at `concurrency` at a time is timed where each call holds its worker `callMs` and the
 * router's deadline sends it in parts (`sends`; one part without). Each worker starts calls until the send's reserve
 * is all that is left of its span, the last of them on average half a call before that, so a send runs about
 * (span − reserve) / callMs + 1/2 calls a worker (at least one), a send under way (`firstSpanMs`) those its time left
 * allows, and the last send what is left. Each part ends with its last worker's last call, and the next starts every
 * worker at once: it is timed as a batch of its own (`callsOnTheClock`). A few calls left to a last send take a whole
 * call's time (generated seed 274's long-io-1 in 2–4 zones, 274 calls of about 140 s 31 to 34 at a time, was sent a
 * third time for its last 20 calls, and took 112% of the duration priced as one send).
 * @example sentClock(274, 35, 150_000, { spanMs: 899_500, reserveCalls: 2.5 }); // { sends: 2, calls: 9.32 }, against 8.70 in one send
 */
export function sentClock(count: number, concurrency: number, callMs: number, sends: Sends | undefined): SentClock {
  const n = Math.max(1, count);
  const k = Math.max(1, Math.min(n, concurrency));
  if (!sends || !Number.isFinite(sends.spanMs) || !(callMs > 0)) return { sends: 1, calls: callsOnTheClock(n, k) };
  const reserveMs = Math.max(0, sends.reserveCalls) * callMs;
  const callsIn = (spanMs: number, keptMs: number): number => Math.max(0, (spanMs - keptMs) / callMs + 0.5);
  const perSend = Math.max(1, callsIn(sends.spanMs, reserveMs)) * k;
  // A send under way may have no time left to start a call; a new one starts one a worker at least.
  const first =
    sends.firstSpanMs === undefined
      ? perSend
      : callsIn(Math.min(sends.spanMs, sends.firstSpanMs), sends.firstReserveMs ?? reserveMs) * k;
  if (n <= first) return { sends: 1, calls: callsOnTheClock(n, k) };
  const rest = n - first;
  const full = Math.floor(rest / perSend);
  const last = rest - full * perSend;
  const parts =
    (first > 0 ? callsOnTheClock(first, k) : 0) +
    full * callsOnTheClock(perSend, k) +
    (last > 0 ? callsOnTheClock(last, k) : 0);
  // A part of one round is timed as one call, the slowest of its workers' taken for the mean: sent in parts, a batch
  // is never timed shorter than in one.
  return { sends: 1 + full + (last > 0 ? 1 : 0), calls: Math.max(parts, callsOnTheClock(n, k)) };
}

/**
 * How many calls' time a batch of `count` calls lasts at `concurrency` at a time: r + 1 − 1/r for r =
 * count/concurrency (1 when they all run at once). Each worker takes the next call as soon as its last one answers,
 * so the calls are spread over the workers about evenly, and the batch ends with the last worker's last call: in a
 * long batch, whose workers have fallen out of step, about one call after the average worker's share. ceil(r) rounds,
 * as if the workers kept in step, is short: in the twin, paced bursts of `optimal` over 6 to 20 rounds took their
 * share plus 0.3 to 1.5 calls (generated seed 15's long-cpu-1: 195 calls, 20 at a time, about 10.8 calls' time, not
 * 10), and outlasted their budgets by up to 8% while timed by rounds. A batch of one or two rounds has had little time
 * to fall out of step, hence the − 1/r.
 * @example callsOnTheClock(195, 20); // 10.65
 */
export function callsOnTheClock(count: number, concurrency: number): number {
  const n = Math.max(1, count);
  const r = n / Math.max(1, Math.min(n, concurrency));
  return r + 1 - 1 / r;
}

/** Expected wall time one call holds its worker, ms: its runtime and the latency its retries and distance add. */
export function perCallMs(p: PacedExpectation): number {
  return Math.max(0, p.expected.runtimeMs) + Math.max(0, p.expected.addedLatencyMs);
}

/** What a pacing is weighed on (`pacingScore`): cost and carbon per call, and the batch's expected duration. */
export interface PacedMetrics {
  readonly costUsd: number;
  readonly carbonG: number;
  readonly durationMs: number;
}

/** A placement's metrics for a batch expected to last `durationMs`. */
export function pacedMetrics(p: PacedExpectation, durationMs: number): PacedMetrics {
  return { costUsd: p.expected.costUsd, carbonG: p.expected.carbonG, durationMs };
}

/**
 * How a pacing weighs on `objective` against `base`: cost and carbon per call and the batch's duration, each as its
 * ratio to the base's, weighted. Lower is better; `base` scores the sum of the weights.
 */
export function pacingScore(objective: Objective | undefined, paced: PacedMetrics, base: PacedMetrics): number {
  const { weights } = resolveObjective(objective);
  return (
    weights.cost * ratio(paced.costUsd, base.costUsd) +
    weights.latency * ratio(paced.durationMs, base.durationMs) +
    weights.carbon * ratio(paced.carbonG, base.carbonG)
  );
}

function ratio(x: number, base: number): number {
  return base > 0 ? x / base : x;
}

/**
 * The round counts worth pricing after `rounds0`, increasing, each giving a distinct concurrency below `k0`: every
 * one while there are few, else a geometric grid of them (with the last, one call at a time).
 */
function roundsToTry(count: number, k0: number, rounds0: number): number[] {
  const all: number[] = [];
  let last = k0;
  for (let k = k0 - 1; k >= 1; k--) {
    const rounds = Math.ceil(count / k);
    if (rounds === rounds0 || Math.ceil(count / rounds) === last) continue;
    last = Math.ceil(count / rounds);
    all.push(rounds);
  }
  const distinct = [...new Set(all)].sort((a, b) => a - b);
  if (distinct.length <= MAX_PACING_EVALUATIONS) return distinct;
  const grid: number[] = [];
  const step = (count / rounds0) ** (1 / MAX_PACING_EVALUATIONS);
  let target = rounds0;
  for (const rounds of distinct) {
    if (rounds >= target * step || rounds === distinct.at(-1)) {
      grid.push(rounds);
      target = rounds;
    }
  }
  return grid;
}

/**
 * Least share of the paced batch's score that widening must save for `keepsPacing` to leave a pacing. Both prices
 * come from the pool model, which does not know how many accepted instances a function can hold (README, "What the
 * pool model does not know"): a wider batch starts more instances at once and meets fewer fast ones than it prices.
 * In the twin a widening priced to save 0.06% (generated seed 20's second day) cost 2% more; the widenings that paid
 * (generated 18, stress-packed-pace's first day) were priced to save 1.4% and more.
 */
export const PACING_WIDEN_MIN_SAVING = 0.01;

/** A paced batch part-way through, as `keepsPacing` weighs it. */
export interface PacingReview {
  /** Calls not yet started (>= 1). */
  readonly remaining: number;
  /** Calls the batch runs at a time now (its pacing). */
  readonly concurrency: number;
  /** Most calls the caller lets run at a time: the unpaced batch (>= `concurrency`). */
  readonly givenConcurrency: number;
  /** What the batch minimizes. @default 'cost' */
  readonly objective?: Objective;
  /**
   * The accepted instances the batch holds: the share of its workers whose calls run on one, and what such a call is
   * expected to cost. @default - none counted (every worker priced by the placement)
   */
  readonly held?: HeldInstances;
  /**
   * How long a new instance's INIT takes, ms: the calls left wait for it on each retry, and a widened or moved batch's
   * new workers once more (`batchDurationMs`). @default 0
   */
  readonly initMs?: number;
}

/** Accepted instances a paced batch holds, each kept by the worker whose calls run on it. */
export interface HeldInstances {
  /** Share of the batch's workers (0..1) whose calls run on an accepted instance they keep. */
  readonly share: number;
  /** What one call on such an instance is expected to take: no retry, no new instance. */
  readonly expected: PacedExpectation['expected'];
}

/**
 * Whether a paced batch should go on at its pacing, rather than run the calls it has left at the caller's
 * concurrency. Pacing was chosen before any call ran, on the zone's mix; running fewer calls at a time also keeps a
 * function on fewer hosts, where the accepted instances the batch keeps leave mostly rejected CPUs to the
 * replacements of the instances it rejects. So `paced` is the placement at the batch's pacing priced with what those
 * replacements met, and `unpaced` the placement for the caller's concurrency priced without it (nothing was met at
 * that concurrency, which spreads a function over more hosts). Both price a worker that has yet to find its instance;
 * the workers that hold one (`held`) keep it either way, so they weigh `held.share` of the paced batch's calls and
 * `held.share` × concurrency / given concurrency of the unpaced batch's. The batch keeps its pacing while the paced
 * mix scores no worse than the unpaced one by the objective (cost and carbon per call, latency as the duration of the
 * calls left), or better by less than `PACING_WIDEN_MIN_SAVING`.
 * @example keepsPacing({ remaining: 1400, concurrency: 83, givenConcurrency: 1000 }, pacedNow, unpaced); // false
 */
export function keepsPacing(review: PacingReview, paced: PacedExpectation, unpaced: PacedExpectation): boolean {
  const batch = reviewedBatch(review);
  if (batch.given === batch.k) return true;
  const pacedMix = withHeld(paced, review.held, batch.share);
  const unpacedMix = withHeld(unpaced, review.held, (batch.share * batch.k) / batch.given);
  const pacedMs = durationLeftMs(pacedMix, batch, batch.k, false);
  const unpacedMs = durationLeftMs(unpacedMix, batch, batch.given, true);
  return (
    scoreAgainst(batch.weights, pacedMix, pacedMs, unpacedMix, unpacedMs) <=
    (1 + PACING_WIDEN_MIN_SAVING) * weightSum(batch.weights)
  );
}

/** What the review of a paced batch decides: go on at its pacing, widen it where it runs, or move it. */
export type PacingDecision = 'keep' | 'widen' | 'move';

/**
 * What a paced batch should do with the calls it has left. `elsewhere` is the best placement off the batch's function
 * (another fleet, or another memory size of its fleet) at the batch's pacing, priced for a pool the batch has not met
 * there (no repeat). Moving sends there the workers that hold no accepted instance, at the same pacing; those that hold
 * one keep it, whether the batch keeps its pacing, widens or moves. So a move is weighed for a worker still searching:
 * `elsewhere` for the calls left at the batch's pacing, against `paced` (here at the batch's pacing, priced with what
 * its replacements met) and against `unpaced` (here at the caller's concurrency). The batch moves when `elsewhere`
 * scores better than both by at least `PACING_WIDEN_MIN_SAVING` (it is the model's most hopeful price, for a pool not
 * yet met), and when a call there is not expected to take longer than one here at the batch's pacing (so the batch is
 * not expected to outlast the pacing chosen within the caller's time budget). Otherwise it keeps its pacing where
 * `keepsPacing` says so, and widens where it does not. A batch may move while it would keep its pacing: the workers
 * that hold a fast instance make the pacing pay, while the others search in vain.
 * @example reviewPacing({ remaining: 500, concurrency: 59, givenConcurrency: 590 }, pacedNow, unpaced, offFunction); // 'move'
 */
export function reviewPacing(
  review: PacingReview,
  paced: PacedExpectation,
  unpaced: PacedExpectation,
  elsewhere?: PacedExpectation,
): PacingDecision {
  const stay = keepsPacing(review, paced, unpaced) ? 'keep' : 'widen';
  if (!elsewhere || perCallMs(elsewhere) > perCallMs(paced)) return stay;
  const batch = reviewedBatch(review);
  const pacedMs = durationLeftMs(paced, batch, batch.k, false);
  const movedMs = durationLeftMs(elsewhere, batch, batch.k, true);
  const unpacedMs = durationLeftMs(unpaced, batch, batch.given, true);
  const least = (1 - PACING_WIDEN_MIN_SAVING) * weightSum(batch.weights);
  const betterThanPaced = scoreAgainst(batch.weights, elsewhere, movedMs, paced, pacedMs) <= least;
  const betterThanUnpaced = scoreAgainst(batch.weights, elsewhere, movedMs, unpaced, unpacedMs) <= least;
  return betterThanPaced && betterThanUnpaced ? 'move' : stay;
}

/**
 * `a`'s expected objective per call relative to `b`'s (1: as good; below 1: better): cost and carbon per call, latency
 * as runtime and added latency per call, weighed as the objective weighs them.
 * @example relativeObjective(elsewhere, here, 'cost'); // 0.9: a call elsewhere is expected to cost 10% less
 */
export function relativeObjective(a: PacedExpectation, b: PacedExpectation, objective?: Objective): number {
  const { weights } = resolveObjective(objective);
  return scoreAgainst(weights, a, perCallMs(a), b, perCallMs(b)) / weightSum(weights);
}

/**
 * Whether a call of a batch that is still searching for an instance should go on elsewhere: `elsewhere` (the best
 * placement off its function, priced for a pool not met there) scores better than `here` (its function, priced on
 * what the batch met there) by at least `PACING_WIDEN_MIN_SAVING` on the objective (`relativeObjective`). The margin
 * is the same as a paced batch's move: `elsewhere` is the model's most hopeful price.
 * @example searchesElsewhere(hereOnDraws, offFunction, 'cost'); // true where new instances here seldom run a fast CPU
 */
export function searchesElsewhere(here: PacedExpectation, elsewhere: PacedExpectation, objective?: Objective): boolean {
  return relativeObjective(elsewhere, here, objective) <= 1 - PACING_WIDEN_MIN_SAVING;
}

type Weights = ReturnType<typeof resolveObjective>['weights'];

/** A reviewed batch's calls left, calls at a time as paced (k) and as given, held share, objective weights, INIT. */
interface ReviewedBatch {
  readonly remaining: number;
  readonly k: number;
  readonly given: number;
  readonly share: number;
  readonly weights: Weights;
  readonly initMs: number;
}

function reviewedBatch(review: PacingReview): ReviewedBatch {
  const remaining = Math.max(1, Math.floor(review.remaining));
  const k = Math.max(1, Math.min(remaining, Math.floor(review.concurrency)));
  const given = Math.max(k, Math.min(remaining, Math.floor(review.givenConcurrency)));
  const share = Math.min(1, Math.max(0, review.held?.share ?? 0));
  const initMs = Math.max(0, review.initMs ?? 0);
  return { remaining, k, given, share, weights: resolveObjective(review.objective).weights, initMs };
}

/** `a`'s score with `b` as the unit: cost and carbon per call, latency as the duration of the calls left. */
function scoreAgainst(w: Weights, a: PacedExpectation, aMs: number, b: PacedExpectation, bMs: number): number {
  return (
    w.cost * ratio(a.expected.costUsd, b.expected.costUsd) +
    w.latency * ratio(aMs, bMs) +
    w.carbon * ratio(a.expected.carbonG, b.expected.carbonG)
  );
}

function weightSum(w: Weights): number {
  return w.cost + w.latency + w.carbon;
}

/** The expectation of a call when `share` of the calls run on held instances and the rest as `p` prices them. */
function withHeld(p: PacedExpectation, held: HeldInstances | undefined, share: number): PacedExpectation {
  if (!held) return p;
  const mix = (a: number, b: number): number => share * a + (1 - share) * b;
  return {
    expected: {
      costUsd: mix(held.expected.costUsd, p.expected.costUsd),
      runtimeMs: mix(held.expected.runtimeMs, p.expected.runtimeMs),
      addedLatencyMs: mix(held.expected.addedLatencyMs, p.expected.addedLatencyMs),
      carbonG: mix(held.expected.carbonG, p.expected.carbonG),
    },
  };
}

/**
 * Expected wall time of a reviewed batch's calls left at `concurrency` at a time (`batchDurationMs`): `newWorkers` where
 * the calls start on instances not yet found (a widened batch's added workers, a moved batch's), which wait for an
 * INIT first; the paced batch's workers run on.
 */
function durationLeftMs(p: PacedExpectation, batch: ReviewedBatch, concurrency: number, newWorkers: boolean): number {
  return batchDurationMs(p, { count: batch.remaining, concurrency, initMs: batch.initMs, coldStart: newWorkers });
}
