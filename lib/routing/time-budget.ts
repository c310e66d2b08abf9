import { callsOnTheClock, type Sends, sentClock } from '../core/pacing';
import type { BatchPacing } from './types';

/**
 * Fewest answered calls whose mean time a budget check projects the calls left with: with fewer calls at a time than
 * this, the mean of a round alone would swing with each worker's luck.
 */
export const TIME_BUDGET_WINDOW_CALLS = 20;

/**
 * Share of a batch's calls started before its budget is weighed. Early calls find the instances later ones run on,
 * and a batch's review moves its searching workers to search afresh, so the calls of a batch's first part run longer
 * than its mean: weighed from its first rounds, generated seed 287's long-gemm-1 (2,032 calls, 82 at a time, 2–4
 * zones) widened at call 245 with 87% of its budget left, the wider batch's replacements repeated and its review
 * widened it to 1,000, and its first day saved 21% against the fixed zone instead of 44%; unwidened, it took 102% of
 * its budget.
 */
export const TIME_BUDGET_FROM_SHARE = 0.5;

/**
 * The time a call holds its worker in a paced batch's plan, ms: the batch's expected duration less its probe's search
 * and its workers' first INIT, over the calls on the clock (as `batchDurationMs` prices them, in the sends its plan
 * priced: `sends`) of its `count` calls. With sends, the calls on the clock grow with the call's time, so the call
 * time whose batch lasts the plan's duration is found by bisection.
 */
export function plannedCallMs(
  pacing: Pick<BatchPacing, 'expectedDurationMs' | 'concurrency' | 'probeSearchMs'>,
  count: number,
  initMs: number,
  sends?: Sends,
): number {
  const callsMs = Math.max(0, pacing.expectedDurationMs - (pacing.probeSearchMs ?? 0) - initMs);
  if (!sends) return callsMs / callsOnTheClock(count, pacing.concurrency);
  const lastedMs = (callMs: number): number => sentClock(count, pacing.concurrency, callMs, sends).calls * callMs;
  // A batch lasts at least its workers' share of the calls, so the call time is at most the duration over it.
  let low = 0;
  let high = callsMs / (Math.max(1, count) / Math.max(1, Math.min(count, pacing.concurrency)));
  for (let i = 0; i < PLANNED_CALL_BISECTIONS; i++) {
    const mid = (low + high) / 2;
    if (lastedMs(mid) > callsMs) high = mid;
    else low = mid;
  }
  return low;
}

/** Bisections that find a planned call time with sends: 2^-40 of the batch's share of a worker's time. */
const PLANNED_CALL_BISECTIONS = 40;

/** A paced batch as its time budget sees it when a call is answered. */
export interface BudgetedBatch {
  /** Calls at a time now. */
  readonly concurrency: number;
  /** Calls at a time the caller allowed: the widest the batch may run. */
  readonly givenConcurrency: number;
  /** Calls of the whole batch: this send's and those its earlier sends started. */
  readonly count: number;
  /** Calls not started yet. */
  readonly callsLeft: number;
  /** How long a new instance's INIT takes, ms: a worker added now waits for it before its first call. */
  readonly initMs: number;
  /**
   * Whether the batch runs where its plan placed it. Its review may move its searching workers to a placement the plan
   * did not price, whose calls the plan's call time does not project (seed 239's short-gemm-1, moved at call 13 of
   * 242 with a third of its budget spent by its first round's search, would have widened from 6 to 8 at a time and
   * cost 13% more that day, and ended within its budget without). @default true
   */
  readonly onPlan?: boolean;
  /**
   * How a resumable batch's calls left are sent, with the router's time left in this send (`Sends.firstSpanMs`): each
   * send to come ends with its workers' last calls. @default - in this send
   */
  readonly sends?: Sends;
}

/**
 * A paced batch's time budget, held while its calls run. The pacing is chosen on expected call times; calls that run
 * longer (retries that met more slow CPUs than priced, replacements that wait for INITs) took 106 of 506 paced
 * bursts of `npm run bench twin` past their budget, up to 155% of it (generated seed 381's short-gemm-1 in 2–4 zones,
 * 3.8 s against 2.5 s). The batch tells each answered call's time here (`observe`) but a worker's first, which waited
 * for its instance's INIT (a batch's duration counts that once, apart). From the middle of the batch on
 * (`TIME_BUDGET_FROM_SHARE`), `concurrencyFor` projects the calls left at the mean of the latest calls (those of a
 * round, at least `TIME_BUDGET_WINDOW_CALLS`) as a batch's duration is priced (`sentClock`: in a resumable batch, in
 * the sends they will take), and says how many calls at a time end them within what is left of the budget: the
 * fewest that do, so that the pacing's saving is kept where it can be, or, when none does, the widest that ends them
 * sooner. Before the middle it projects them at the plan's own call time (`plannedCallMs`), so that a batch already
 * behind its plan (a probe that searched longer than expected: seed 381's short-gemm-1 had spent its budget at its
 * middle and took 118% of it) widens as soon as that plan no longer ends in time, while one whose early calls merely
 * search longer than the mean keeps its pacing.
 */
export class TimeBudget {
  /** Sums of the answered calls' times, ms: `sums[n]` is the first n calls' total. */
  private readonly sums: number[] = [0];

  /**
   * `budgetMs`: the time the batch may take from `startedAt`, both on the clock `concurrencyFor` is given.
   * `plannedCallMs`: the time a call holds its worker in the batch's pacing plan, by which the calls left are
   * projected before the middle of the batch. @default - not projected before the middle
   */
  constructor(
    private readonly budgetMs: number,
    private readonly startedAt: number,
    private readonly plannedCallMs?: number,
  ) {
    if (!(budgetMs >= 0)) throw new RangeError(`a time budget must be at least 0 ms, got ${budgetMs}`);
    if (plannedCallMs !== undefined && !(plannedCallMs >= 0))
      throw new RangeError(`a planned call must take at least 0 ms, got ${plannedCallMs}`);
  }

  /** A call answered after `callMs`, from its start to its answer. */
  observe(callMs: number): void {
    this.sums.push(this.sums[this.sums.length - 1] + Math.max(0, callMs));
  }

  /** What is left of the budget at `now`, ms (0 once spent). */
  leftMs(now: number): number {
    return Math.max(0, this.budgetMs - (now - this.startedAt));
  }

  /**
   * Calls at a time from now on: `batch.concurrency` while the calls left end within the budget at that pace, else the
   * fewest up to the caller's that do (a worker added waits for its instance's INIT first), else as many as end them
   * soonest (no more than the calls left) where that is sooner than at `batch.concurrency`. Until
   * `TIME_BUDGET_FROM_SHARE` of the calls have been started and a round of them answered, the calls left are projected
   * at the planned call time, where there is one and the batch runs on its plan; else the concurrency is kept.
   */
  concurrencyFor(batch: BudgetedBatch, now: number): number {
    const { concurrency, givenConcurrency, callsLeft, initMs } = batch;
    if (concurrency >= givenConcurrency || callsLeft <= 0) return concurrency;
    const callMs = this.projectedCallMs(batch);
    if (callMs === undefined) return concurrency;
    const leftMs = this.budgetMs - (now - this.startedAt);
    const endMs = (k: number): number =>
      sentClock(callsLeft, k, callMs, batch.sends).calls * callMs + (k > concurrency ? initMs : 0);
    if (endMs(concurrency) <= leftMs) return concurrency;
    // A worker beyond the calls left would start none.
    const widest = Math.min(givenConcurrency, Math.max(concurrency, callsLeft));
    // Where none ends them in time, the widest ends them soonest, unless its workers' INIT outweighs what it gains (the
    // last calls of a batch, already one to a worker: generated seed 293's long-cpu-1 widened from 102 to 1,000 for
    // its last 9 calls, which new instances then took cold).
    if (endMs(widest) > leftMs) return endMs(widest) < endMs(concurrency) ? widest : concurrency;
    // More calls at a time never take longer, so the fewest that fit is found by bisection.
    let low = concurrency;
    let high = widest;
    while (high - low > 1) {
      const mid = Math.floor((low + high) / 2);
      if (endMs(mid) <= leftMs) high = mid;
      else low = mid;
    }
    return high;
  }

  /**
   * The time each call left is projected to take, ms: from the middle of the batch, the mean of its latest answered
   * calls; before it, the plan's, while the batch runs where its plan placed it (its calls still search, and run longer
   * than the mean, so only a batch its own plan no longer ends in time is widened); else none, and it keeps its pacing.
   */
  private projectedCallMs(batch: BudgetedBatch): number | undefined {
    const answered = this.sums.length - 1;
    const started = batch.count - batch.callsLeft;
    if (answered >= batch.concurrency && started >= TIME_BUDGET_FROM_SHARE * batch.count) {
      const window = Math.min(answered, Math.max(batch.concurrency, TIME_BUDGET_WINDOW_CALLS));
      return (this.sums[answered] - this.sums[answered - window]) / window;
    }
    return batch.onPlan === false ? undefined : this.plannedCallMs;
  }
}
