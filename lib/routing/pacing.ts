import { choosePacing, keepsPacing } from '../core/pacing';
import type { CpuKey, Placement, PlacementRequest } from '../core/types';
import { usesPerInstance } from './pool';
import type { AttemptRecord, BatchPacing, Placer } from './types';

/** A batch's pacing as the routing service follows it. */
export interface PacedBatch {
  /** The placement request with the pool model's uses per instance for the chosen concurrency. */
  readonly request: PlacementRequest;
  /** The placement the batch starts from, priced for that pacing. */
  readonly placement: Placement;
  /** Calls at a time. */
  readonly concurrency: number;
  /** What the answer says about it. */
  readonly pacing: BatchPacing;
}

/**
 * Paces a batch of `count` calls given at most `concurrency` at a time: `choosePacing` in the core, each concurrency
 * priced by placing the request with the uses per instance it gives (`place`, the routing service's placer), and
 * none chosen that would outlast `remainingMs` (the router Lambda's time left). The answer's `pacing` says what was
 * chosen, and how long the batch is expected to take against the unpaced batch.
 */
export function paceBatch(
  place: (request: PlacementRequest) => Placement,
  request: PlacementRequest,
  batch: { readonly count: number; readonly concurrency: number; readonly maxSlowdown: number },
  remainingMs: number = Number.POSITIVE_INFINITY,
): PacedBatch {
  const requestFor = (uses: number): PlacementRequest => ({
    ...request,
    pool: { ...request.pool, usesPerInstance: uses },
  });
  const choice = choosePacing(
    {
      count: batch.count,
      concurrency: batch.concurrency,
      maxSlowdown: batch.maxSlowdown,
      maxDurationMs: remainingMs,
      ...(request.objective !== undefined ? { objective: request.objective } : {}),
    },
    (uses) => place(requestFor(uses)),
  );
  return {
    request: requestFor(choice.usesPerInstance),
    placement: choice.placement,
    concurrency: choice.concurrency,
    pacing: {
      maxSlowdown: batch.maxSlowdown,
      givenConcurrency: batch.concurrency,
      concurrency: choice.concurrency,
      rounds: choice.rounds,
      expectedDurationMs: choice.expectedDurationMs,
      unpacedDurationMs: choice.unpacedDurationMs,
      expectedCostUsd: choice.placement.expected.costUsd,
      unpacedCostUsd: choice.unpaced.expected.costUsd,
    },
  };
}

/** Replacements of rejected instances a paced batch must have met before it weighs its pacing again, and between two weighings. */
export const PACING_REVIEW_EVIDENCE = 20;

/**
 * Pseudo-count of retries for the prior of the repeat a paced batch measures (independent draws, 0): 20 replacements
 * that all met a rejected CPU where the mix gives 80% count as a repeat of 0.5, 100 of them as 0.83.
 */
export const PACING_REPEAT_PRIOR_RETRIES = 20;

/** Most recent instances each tally of a `PacingReviewer` keeps. */
const REVIEW_WINDOW = 100;

/**
 * Weighs a paced batch's pacing again as its calls meet the pool (`keepsPacing` in the core), and widens it to the
 * caller's concurrency once it no longer pays. Fewer calls at a time keep a function on fewer hosts: once the batch
 * holds the accepted instances there, a rejected instance's replacement comes from the slots the rejects freed, so
 * a strict reject set meets the rejected CPUs again and again, while its price assumed fresh draws of the mix. The
 * reviewer tallies, on the route's function, the CPUs of the new instances met by a call's first attempt (fresh
 * draws: the pool as the batch found it) and of those that replaced a rejected instance (what the paced batch meets
 * now). From them it measures the repeat (`PoolContext.retryRepeat`): the excess chance that a replacement meets a
 * CPU the placement rejects, ρ = (r − q)/(1 − q) for r that share among the replacements and q among the fresh
 * draws, with a prior of independent draws (`PACING_REPEAT_PRIOR_RETRIES`). It prices the placement at the batch's
 * pacing with that repeat, and at the caller's concurrency without it (nothing was met there, and more calls at a
 * time spread a function over more hosts), both on the fresh draws blended into the mix as the core blends a
 * batch's draws (`PoolContext.draws`). Widening is for good: the calls left run at the caller's concurrency. Only
 * `optimal` batches are reviewed (the strategy that chooses by price); the paper strategies keep their pacing.
 *
 * The batch's own repeat estimate (`RetryRepeats` in pool.ts) answers another question and so is not reused here: it
 * measures each retry against the CPU it rejected, with chance taken from the hosts the batch met lately, which
 * already hold the pool's drift; priced with those draws, a call's retries are right. The review compares the paced
 * pool with the pool as the batch found it, so its chance is the first attempts' draws and its repeat counts any
 * rejected CPU: the drift itself, which is what pacing causes and what widening undoes.
 */
export class PacingReviewer {
  private readonly replacements: CpuKey[] = [];
  private readonly fresh: CpuKey[] = [];
  private sinceReview = 0;
  /** The call index from which the batch ran at the caller's concurrency, once it widened. */
  widenedAtCall: number | undefined;
  /** The repeat measured at the last review (for the answer). */
  repeat: number | undefined;

  constructor(
    private readonly placer: Placer,
    private readonly request: PlacementRequest,
    private readonly placement: Placement,
    private readonly givenConcurrency: number,
  ) {}

  /** Tells an attempt of a call of the batch (`previous`: the call's attempt before it, if any). */
  observe(previous: AttemptRecord | undefined, attempt: AttemptRecord): void {
    if (attempt.newInstance !== true || attempt.cpu === undefined) return;
    if (attempt.functionName !== this.placement.target.functionName) return;
    if (previous === undefined) {
      keepRecent(this.fresh, attempt.cpu);
    } else if (previous.status === 'rejected' && previous.functionName === attempt.functionName) {
      keepRecent(this.replacements, attempt.cpu);
      this.sinceReview++;
    }
  }

  /**
   * The calls to run at a time from now on, for a batch running `concurrency` at a time with `remaining` calls not
   * started (the next of which is call `nextCall`): `concurrency`, or the caller's once the pacing no longer pays.
   */
  concurrencyFor(concurrency: number, remaining: number, nextCall: number): number {
    if (this.widenedAtCall !== undefined) return Math.max(concurrency, this.givenConcurrency);
    if (concurrency >= this.givenConcurrency || remaining <= concurrency) return concurrency;
    if (this.sinceReview < PACING_REVIEW_EVIDENCE || this.placement.strategy !== 'optimal') return concurrency;
    if (this.fresh.length === 0 || this.placement.rejectCpus.length === 0) return concurrency;
    this.sinceReview = 0;
    const rho = measuredRepeat(this.placement.rejectCpus, this.fresh, this.replacements);
    this.repeat = rho;
    if (!(rho > 0)) return concurrency;
    const paced = this.priced(usesPerInstance(remaining, concurrency), rho);
    const unpaced = this.priced(usesPerInstance(remaining, this.givenConcurrency), 0);
    if (!paced || !unpaced) return concurrency;
    const review = {
      remaining,
      concurrency,
      givenConcurrency: this.givenConcurrency,
      ...(this.request.objective !== undefined ? { objective: this.request.objective } : {}),
    };
    if (keepsPacing(review, paced, unpaced)) return concurrency;
    this.widenedAtCall = nextCall;
    return this.givenConcurrency;
  }

  /** The placement on the batch's target for `uses` calls per instance and repeat `rho`, on the fresh draws. */
  private priced(uses: number, rho: number): Placement | undefined {
    const { azId, arch, memoryMb, functionName } = this.placement.target;
    const draws: Record<CpuKey, number> = {};
    for (const cpu of this.fresh) draws[cpu] = (draws[cpu] ?? 0) + 1;
    try {
      const placed = this.placer.place({
        ...this.request,
        pool: { ...this.request.pool, usesPerInstance: uses, draws, retryRepeat: rho },
        limits: { ...this.request.limits, zones: [azId], architectures: [arch], memorySizes: [memoryMb] },
      });
      return placed.target.functionName === functionName ? placed : undefined;
    } catch {
      return undefined;
    }
  }
}

/**
 * The repeat a batch's replacements show against its fresh draws, for the reject set `rejectCpus`: the share r of
 * replacements on a rejected CPU beyond the share q of fresh draws there, ρ = (r − q)/(1 − q), shrunk toward 0 by
 * `PACING_REPEAT_PRIOR_RETRIES`; 0 when the fresh draws are all rejected CPUs (no excess can be told).
 * @example measuredRepeat(['slow'], ['slow', 'fast'], ['slow', 'slow', 'slow', 'slow']); // (1 − 0.5)/(1 − 0.5) shrunk: 4/24
 */
export function measuredRepeat(
  rejectCpus: readonly CpuKey[],
  fresh: readonly CpuKey[],
  replacements: readonly CpuKey[],
): number {
  const rejected = new Set(rejectCpus);
  const shareOf = (cpus: readonly CpuKey[]): number =>
    cpus.length > 0 ? cpus.filter((cpu) => rejected.has(cpu)).length / cpus.length : 0;
  const q = shareOf(fresh);
  const n = replacements.length;
  if (!(q < 1) || n === 0) return 0;
  const raw = Math.max(0, (shareOf(replacements) - q) / (1 - q));
  return Math.min(1, (n * raw) / (n + PACING_REPEAT_PRIOR_RETRIES));
}

function keepRecent(window: CpuKey[], cpu: CpuKey): void {
  window.push(cpu);
  if (window.length > REVIEW_WINDOW) window.shift();
}
