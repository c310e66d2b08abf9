import { keepsBeforeLastAttempt } from './candidate';
import {
  attemptBilledMs,
  attemptChain,
  expectedPlacementCost,
  type PlacementCostInput,
  type PlacementExpectation,
  placementExpectation,
  rejectSums,
} from './cost-model';
import { CoreInputError } from './errors';

/**
 * What a rejected instance does: one vocabulary for the router, the core cost model and the twin.
 * - `hold`: it holds the call for the hold time and stays warm (the paper). The platform hands the most recently
 *   used idle instance to the next call, so it may take the call's retry right back.
 * - `end`: it answers at once and ends itself so that the platform replaces it (Minos, IC2E '25); the retry meets
 *   another instance, a new one paying INIT where none is idle. No hold: nothing needs to wait for the retry.
 * - `auto` (the router's choice per rejected instance): as `end`, except that an instance rejected just before the
 *   call's last attempt is kept warm, unheld, when running the work there bills less than a new instance (its INIT
 *   and a fresh draw's runtime; see `keepsBeforeLastAttempt`), so the last attempt runs on it.
 */
export const REJECT_MODES = ['hold', 'end', 'auto'] as const;
export type RejectMode = (typeof REJECT_MODES)[number];

/** Whether a value names a reject mode. */
export function isRejectMode(value: unknown): value is RejectMode {
  return typeof value === 'string' && (REJECT_MODES as readonly string[]).includes(value);
}

/**
 * Whether the instance that rejects an attempt ends itself, given the mode, whether the call's next attempt is its
 * last and whether the placement keeps an instance for the last attempt (`Placement.keepBeforeLastAttempt`). The
 * router's follow loop and the twin both ask this, so both follow one rule.
 *
 * @example
 * endsRejectedInstance('auto', false, true); // true: a retry that may still reject should meet a new instance
 * endsRejectedInstance('auto', true, true); // false: the last attempt runs on the kept instance
 */
export function endsRejectedInstance(mode: RejectMode, nextIsLast: boolean, keepBeforeLastAttempt: boolean): boolean {
  if (mode === 'hold') return false;
  return mode === 'end' || !(nextIsLast && keepBeforeLastAttempt);
}

/** How long a rejected instance holds the call under a mode: the hold only in `hold` mode. */
export function holdUnder(mode: RejectMode, holdMs: number): number {
  return mode === 'hold' ? holdMs : 0;
}

/**
 * Share of retries that an instance the call left warm takes back, when nothing says otherwise: all of them. The
 * twin hands a call the most recently used idle instance of the function, and the router sends a retry as soon as
 * the rejection answers, so the instance it just released is the one it meets (AWS does not document which idle
 * instance serves a call; the README's "How the twin emulates Lambda's instances" says what is assumed).
 */
export const DEFAULT_RETURN_SHARE = 1;

/** What a reject mode sets in the cost model's parameters (`EvaluationParams`). */
export interface RejectModeParams {
  /** Billed hold of a rejected attempt before it answers, ms. */
  readonly holdMs: number;
  /** Whether the instance rejected just before the last attempt may be kept for it (`auto`). */
  readonly keepBeforeLastAttempt: boolean;
  /** Whether every rejected instance stays warm (`hold`). */
  readonly rejectedStayWarm: boolean;
  /** Share of retries that an instance left warm takes back. */
  readonly returnShare: number;
}

/**
 * The cost model's parameters of a reject mode: `hold` bills the hold and leaves every rejected instance warm, to
 * take the retry back with probability `returnShare`; `end` bills no hold and leaves none; `auto` as `end`, but it may
 * keep the instance rejected just before the last attempt, which then takes that attempt back with `returnShare`.
 * @example rejectModeParams('hold', 150); // { holdMs: 150, keepBeforeLastAttempt: false, rejectedStayWarm: true, returnShare: 1 }
 */
export function rejectModeParams(
  mode: RejectMode,
  holdMs: number,
  returnShare = DEFAULT_RETURN_SHARE,
): RejectModeParams {
  if (!(returnShare >= 0 && returnShare <= 1))
    throw new CoreInputError('returnShare', returnShare, 'a number in [0, 1]');
  return {
    holdMs: holdUnder(mode, holdMs),
    keepBeforeLastAttempt: mode === 'auto',
    rejectedStayWarm: mode === 'hold',
    returnShare,
  };
}

/** Input of `expectedRejectModeCost`: a placement, the reject mode and how the pool hands out instances. */
export interface RejectModeCostInput extends PlacementCostInput {
  readonly mode: RejectMode;
  /**
   * Share of retries that an instance the call left warm (held, or kept for the last attempt) takes back: it is the
   * most recently used idle one. 1 on a platform that hands a call the most recently used idle instance first (the
   * twin's rule); lower where other calls take that instance meanwhile. @default DEFAULT_RETURN_SHARE
   */
  readonly returnShare?: number;
  /**
   * Share of retries on another instance that start a new one (and pay INIT), rather than meet an idle warm one.
   * @default 1
   */
  readonly retryColdShare?: number;
  /**
   * Chance that a retry's new instance lands on the rejected instance's host and runs its CPU again
   * (`PoolContext.retryRepeat`). @default 0 (a fresh draw from the mix)
   */
  readonly retryRepeat?: number;
}

/**
 * Expected attempts, billed time, new instances, cost and added latency of a placement under a reject mode: the
 * model the router prices every placement by (`evaluateSums` in candidate.ts goes through the same `attemptChain`).
 *
 * The memoryless model (`expectedPlacementCost`) assumes every retry meets a fresh draw from the zone's mix. Here a
 * retry after a hold (or after `auto` kept the instance for the last attempt) returns with probability `returnShare`
 * to that instance, whose CPU is one the placement rejects, so it is rejected again (or, on the last attempt, runs
 * there); otherwise the retry starts another instance, on the rejected one's host (its CPU again) with probability
 * `retryRepeat` and a fresh draw otherwise, a new instance with probability `retryColdShare`. An ended instance is
 * never met again. Only `hold` bills `holdMs` per rejected attempt; `end` and `auto` answer at once (billed 1 ms, or the provider's
 * minimum per call: DigitalOcean's 100 ms).
 * With `mode: 'end'`, `retryColdShare` 1 and `holdMs: 1` this is exactly the memoryless model. An unbounded budget
 * under which a rejected call never leaves its instance gives an infinite expectation.
 *
 * @example
 * expectedRejectModeCost({ shares: [0.7, 0.3], runtimesMs: [1000, 1300], reject: [false, true], holdMs: 150,
 *   maxAttempts: 10, memoryMb: 2048, price, mode: 'hold', returnShare: 1 }).attempts; // 1 + 0.3 × 9 = 3.7
 */
export function expectedRejectModeCost(input: RejectModeCostInput): PlacementExpectation {
  const base = expectedPlacementCost(input);
  const retryColdShare = input.retryColdShare ?? 1;
  if (!(retryColdShare >= 0 && retryColdShare <= 1)) {
    throw new CoreInputError('retryColdShare', retryColdShare, 'a number in [0, 1]');
  }
  const params = rejectModeParams(input.mode, input.holdMs, input.returnShare);
  const maxAttempts = input.maxAttempts ?? Number.POSITIVE_INFINITY;
  const { q, acceptedMs, rejectedMs } = rejectSums(
    input.shares,
    input.runtimesMs,
    input.reject,
    input.price.minBilledMs,
  );
  const init = Math.ceil(input.initBilledMs ?? 0);
  const freshMs = acceptedMs + rejectedMs;
  const keptMs = q > 0 ? rejectedMs / q : 0;
  const earlyReturn = params.rejectedStayWarm ? params.returnShare : 0;
  const repeat = input.retryRepeat ?? 0;
  if (!(repeat >= 0 && repeat <= 1)) throw new CoreInputError('retryRepeat', repeat, 'a number in [0, 1]');
  const keepsLast = params.keepBeforeLastAttempt && keepsBeforeLastAttempt(keptMs, freshMs, init, repeat);
  const lastReturn = params.rejectedStayWarm || keepsLast ? params.returnShare : 0;
  const chain = attemptChain(
    q,
    maxAttempts,
    earlyReturn,
    lastReturn,
    { attempts: 1, freshBeforeLast: 1, lastReach: 0, returnedRetries: 0, lastKept: 0 },
    repeat,
  );
  if (!Number.isFinite(chain.attempts)) {
    return { ...base, attempts: Infinity, billedMs: Infinity, costUsd: Infinity, addedLatencyMs: Infinity };
  }
  const lastMs = maxAttempts <= 1 ? freshMs : (1 - chain.lastKept) * freshMs + chain.lastKept * keptMs;
  const runtimeMs = acceptedMs * chain.freshBeforeLast + chain.lastReach * lastMs;
  const rejections = chain.attempts - 1;
  const newInstances = (input.coldStartShare ?? 1) + (rejections - chain.returnedRetries) * retryColdShare;
  const billedMs =
    runtimeMs + attemptBilledMs(params.holdMs, input.price.minBilledMs) * rejections + newInstances * init;
  return placementExpectation(
    { ...input, holdMs: params.holdMs },
    { attempts: chain.attempts, rejectShare: q, billedMs, newInstances, runtimeMs },
  );
}
