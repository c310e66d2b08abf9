import { keepsBeforeLastAttempt, rejectedAttemptMs } from './candidate';
import {
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

/** Input of `expectedRejectModeCost`: a placement, the reject mode and how the pool hands out instances. */
export interface RejectModeCostInput extends PlacementCostInput {
  readonly mode: RejectMode;
  /**
   * Share of retries after a hold that the platform serves with the very instance that was just held (it is the
   * most recently used idle one). 1 for a lone call on a platform that reuses the most recent idle instance first
   * (the twin's rule); near 0 in a burst whose other calls take that instance meanwhile. @default 1
   */
  readonly returnShare?: number;
  /**
   * Share of retries on another instance that start a new one (and pay INIT), rather than meet an idle warm one.
   * @default 1
   */
  readonly retryColdShare?: number;
}

/** Beyond this many attempts with an unbounded budget, a call that has still not been accepted never will be. */
const MAX_MODELLED_ATTEMPTS = 100_000;
const NEGLIGIBLE_MASS = 1e-15;

/**
 * Expected attempts, billed time, new instances, cost and added latency of a placement under a reject mode.
 *
 * The memoryless model (`expectedPlacementCost`) assumes every retry meets a fresh draw from the zone's mix. Here a
 * retry after a hold (or after `auto` kept the instance for the last attempt) returns with probability `returnShare`
 * to that instance, whose CPU is one the placement rejects, so it is rejected again (or, on the last attempt, runs
 * there); otherwise the retry is a fresh draw, a new instance with probability `retryColdShare`. An ended instance is
 * never met again. Only `hold` bills `holdMs` per rejected attempt; `end` and `auto` answer at once (1 ms billed).
 * With `mode: 'end'`, both shares 1 and `holdMs: 1` this is exactly the memoryless model. Computed attempt by attempt over the two states (fresh draw,
 * returned to the held instance); an unbounded budget that never accepts gives an infinite expectation.
 *
 * @example
 * expectedRejectModeCost({ shares: [0.7, 0.3], runtimesMs: [1000, 1300], reject: [false, true], holdMs: 150,
 *   maxAttempts: 10, memoryMb: 2048, price, mode: 'hold', returnShare: 1 }).attempts; // 1 + 0.3 × 9 = 3.7
 */
export function expectedRejectModeCost(input: RejectModeCostInput): PlacementExpectation {
  const base = expectedPlacementCost(input);
  const returnShare = input.returnShare ?? 1;
  const retryColdShare = input.retryColdShare ?? 1;
  if (!(returnShare >= 0 && returnShare <= 1))
    throw new CoreInputError('returnShare', returnShare, 'a number in [0, 1]');
  if (!(retryColdShare >= 0 && retryColdShare <= 1)) {
    throw new CoreInputError('retryColdShare', retryColdShare, 'a number in [0, 1]');
  }
  const maxAttempts = input.maxAttempts ?? Number.POSITIVE_INFINITY;
  const { q, acceptedMs, rejectedMs } = rejectSums(input.shares, input.runtimesMs, input.reject);
  const hold = rejectedAttemptMs(holdUnder(input.mode, input.holdMs));
  const init = Math.ceil(input.initBilledMs ?? 0);
  const coldStartShare = input.coldStartShare ?? 1;
  const rejectedMean = q > 0 ? rejectedMs / q : 0;
  const keepsLast =
    input.mode === 'auto' && keepsBeforeLastAttempt(rejectedMean, acceptedMs + rejectedMs, Math.ceil(init));

  let fresh = 1; // probability that attempt j is a fresh draw
  let returned = 0; // probability that attempt j meets the instance held after attempt j − 1
  let attempts = 0;
  let rejections = 0;
  let runtimeMs = 0;
  let newInstances = coldStartShare;
  let exhausted = false;
  for (let j = 1; ; j++) {
    const reach = fresh + returned;
    if (reach <= NEGLIGIBLE_MASS) break;
    if (j > MAX_MODELLED_ATTEMPTS) {
      exhausted = true;
      break;
    }
    attempts += reach;
    if (j >= maxAttempts) {
      // The last attempt runs wherever it lands.
      runtimeMs += fresh * (acceptedMs + rejectedMs) + returned * rejectedMean;
      break;
    }
    runtimeMs += fresh * acceptedMs;
    const rejected = fresh * q + returned;
    rejections += rejected;
    const held = input.mode === 'hold' || (keepsLast && j === maxAttempts - 1);
    const back = held ? rejected * returnShare : 0;
    fresh = rejected - back;
    returned = back;
    newInstances += fresh * retryColdShare;
  }
  if (exhausted || !Number.isFinite(attempts)) {
    return { ...base, attempts: Infinity, billedMs: Infinity, costUsd: Infinity, addedLatencyMs: Infinity };
  }
  const billedMs = runtimeMs + hold * rejections + newInstances * init;
  const holdMs = holdUnder(input.mode, input.holdMs);
  return placementExpectation({ ...input, holdMs }, { attempts, rejectShare: q, billedMs, newInstances, runtimeMs });
}
