import {
  choosePacing,
  type HeldInstances,
  type PacingChoice,
  pacedShape,
  perCallMs,
  reviewPacing,
  type Sends,
} from '../core/pacing';
import { DRAW_PRIOR_WEIGHT } from '../core/pool-draws';
import type { CallExpectation, CpuKey, Placement, PlacementRequest, Target } from '../core/types';
import { type OffFunctionOptions, priceOf, withUnfit } from './follow';
import { DrawWindow, hostOfAttempt, usesPerInstance } from './pool';
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
 * Share of the router Lambda's time left a paced batch is planned to take at most. A batch's calls can run longer than
 * expected (paced bursts in the twin took up to 122% of the expected duration before INITs were counted, 108% after),
 * and a call the deadline stops is lost; the batch widens when it falls behind (`runBatch`), which needs time left.
 */
export const PACING_DEADLINE_SHARE = 0.8;

/**
 * Paces a batch of `count` calls given at most `concurrency` at a time: `choosePacing` in the core, each concurrency
 * priced by placing the request with the uses per instance it gives (`place`, the routing service's placer), and
 * none chosen that would outlast {@link PACING_DEADLINE_SHARE} of `remainingMs` (the router Lambda's time left). The
 * answer's `pacing` says what was chosen, and how long the batch is expected to take against the unpaced batch.
 */
export function paceBatch(
  place: (request: PlacementRequest) => Placement,
  request: PlacementRequest,
  batch: {
    readonly count: number;
    readonly concurrency: number;
    readonly maxSlowdown: number;
    /** How long a new instance's INIT takes, ms (`PacingRequest.initMs`). @default 0 */
    readonly initMs?: number;
    /** How a resumable batch is sent (`PacingRequest.sends`). @default - one send */
    readonly sends?: Sends;
  },
  remainingMs: number = Number.POSITIVE_INFINITY,
): PacedBatch {
  const choice = choosePacing(
    {
      count: batch.count,
      concurrency: batch.concurrency,
      maxSlowdown: batch.maxSlowdown,
      maxDurationMs: remainingMs * PACING_DEADLINE_SHARE,
      ...(batch.initMs !== undefined ? { initMs: batch.initMs } : {}),
      ...(batch.sends ? { sends: batch.sends } : {}),
      ...(request.objective !== undefined ? { objective: request.objective } : {}),
    },
    (uses) => place(withUses(request, uses)),
  );
  return pacedBatchOf(request, choice, batch);
}

/**
 * A batch at the pacing an earlier send of it chose (`batch.pacedConcurrency`, which `resume` carries): `pacedConcurrency`
 * calls at a time, priced as `paceBatch` prices a pacing, against the caller's `concurrency`. Its `maxSlowdown` is the
 * caller's, or else the one this pacing takes.
 */
export function pacedAt(
  place: (request: PlacementRequest) => Placement,
  request: PlacementRequest,
  batch: {
    readonly count: number;
    readonly concurrency: number;
    readonly pacedConcurrency: number;
    readonly maxSlowdown?: number;
    /** How long a new instance's INIT takes, ms. @default 0 */
    readonly initMs?: number;
    /** How the batch is sent (`PacingRequest.sends`), which the paced batch's duration counts. @default - one send */
    readonly sends?: Sends;
  },
): PacedBatch {
  const shape = (concurrency: number, sends?: Sends) =>
    pacedShape((uses) => place(withUses(request, uses)), {
      count: batch.count,
      concurrency,
      initMs: batch.initMs ?? 0,
      ...(sends ? { sends } : {}),
    });
  const unpaced = shape(batch.concurrency);
  const paced = shape(Math.min(batch.pacedConcurrency, batch.concurrency), batch.sends);
  const choice = { ...paced, unpaced: unpaced.placement, unpacedDurationMs: unpaced.expectedDurationMs };
  const maxSlowdown = batch.maxSlowdown ?? paced.expectedDurationMs / Math.max(1, unpaced.expectedDurationMs);
  return pacedBatchOf(request, choice, { concurrency: batch.concurrency, maxSlowdown });
}

/** `request` priced for `uses` calls per instance (`PoolContext.usesPerInstance`). */
export function withUses(request: PlacementRequest, uses: number): PlacementRequest {
  return { ...request, pool: { ...request.pool, usesPerInstance: uses } };
}

function pacedBatchOf(
  request: PlacementRequest,
  choice: Omit<PacingChoice<Placement>, 'evaluated'>,
  batch: { readonly concurrency: number; readonly maxSlowdown: number },
): PacedBatch {
  return {
    request: withUses(request, choice.usesPerInstance),
    placement: choice.placement,
    concurrency: choice.concurrency,
    pacing: {
      maxSlowdown: batch.maxSlowdown,
      givenConcurrency: batch.concurrency,
      concurrency: choice.concurrency,
      rounds: choice.rounds,
      expectedDurationMs: choice.expectedDurationMs,
      unpacedDurationMs: choice.unpacedDurationMs,
      ...(choice.sends > 1 ? { expectedSends: choice.sends } : {}),
      expectedCostUsd: choice.placement.expected.costUsd,
      unpacedCostUsd: choice.unpaced.expected.costUsd,
    },
  };
}

/**
 * Replacements of rejected instances a paced batch must have met before it weighs its pacing again, and between two
 * weighings; and calls it must have had answered (or its concurrency, if fewer) before the first.
 */
export const PACING_REVIEW_EVIDENCE = 20;

/**
 * Pseudo-count of retries for the prior of the repeat a paced batch measures (independent draws, 0): 20 replacements
 * that all met a rejected CPU where chance gives 80% count as a repeat of 0.5, 100 of them as 0.83, 1,000 as 0.98.
 */
export const PACING_REPEAT_PRIOR_RETRIES = 20;

/** Most recent instances each tally of a `PacingReviewer` keeps. */
const REVIEW_WINDOW = 100;

/**
 * Weighs a paced batch's pacing again as its calls meet the pool (`keepsPacing` in the core), and widens it to the
 * caller's concurrency once it no longer pays. Fewer calls at a time keep a function on fewer hosts: once the batch
 * holds the accepted instances there, a rejected instance's replacement comes from the slots the rejects freed, so
 * a strict reject set meets the rejected CPUs again and again, while its price assumed fresh draws of the mix.
 *
 * The reviewer tallies, on the route's function, the hosts of the new instances met by a call's first attempt (fresh
 * draws: the pool as the batch found it, each host once as the core counts draws) and the CPUs of those that
 * replaced a rejected instance (what the paced batch meets now). From them it measures the repeat
 * (`PoolContext.retryRepeat`, `measuredRepeat`): the excess chance that a replacement meets a CPU the placement
 * rejects, against the chance the fresh draws blended into the placement's mix give. The mix counts because a paced
 * batch's first instances can all be rejected ones (71 of them on 17 hosts of the 2.5 GHz Xeon, on stress-packed-pace
 * at seed 14): measured against those alone, replacements that never met an accepted CPU would show no repeat.
 *
 * It prices a worker that has yet to find its instance at the batch's pacing with that repeat, and at the caller's
 * concurrency with the part of it the hosts the batch met would bring back (`widenedRepeat`), both on the fresh draws
 * blended into the mix. A function's cold starts fill the hosts it runs on (one account's instances fill a host's
 * memory before the next: Wang et al., USENIX ATC 2018; the twin's placement in `lib/twin/zone.ts`), so the widened
 * batch's instances that those hosts hold come back to them and repeat as the paced batch's did; only those beyond them
 * land on hosts it has not met. A host holds as many as the most accepted instances the batch's workers hold on one
 * host at once (a rejected instance is ended, so it says nothing of the room; nor does an accepted one a worker has
 * since left, or the room would grow with every instance a long batch met there). Priced without repeat, generated seed
 * 1303's long-gemm-3 widened from 101 to 1,000 at a time on 2–4 zones where its replacements had repeated the rejected
 * CPUs (0.95); widened, they went on repeating, and its day cost 32% more.
 *
 * The workers that found an accepted instance keep it either way (`PacingReview.held`): their share is the share of the
 * batch's workers whose latest answered call ran on an accepted CPU, taken one standard error high so that a batch is
 * not widened on a few unlucky answers, and each of their calls is priced as the router prices a warm call on its CPU
 * (`Router.callOn`). Workers, not the latest calls: a worker whose calls are short answers more of them (once
 * stress-few-fast's long-zipper moved its searchers from 128 to 512 MB, their calls answered about four times as often,
 * and its held 76% of the workers looked like 17% of the latest calls, which widened the batch). So a batch whose
 * pacing lets many workers hold fast instances keeps it although its replacements repeat (generated seed 19: 49% of the
 * calls on the AMD EPYC, paced 68 at a time), and one whose workers mostly search in vain widens. The first review
 * waits for `PACING_REVIEW_EVIDENCE` answers (or a round, if shorter): before any call is answered, the replacements of
 * a first round all searching at once repeat because they compete, not because the pacing confines them.
 *
 * At each review it also prices the best placement off the batch's function at the batch's pacing (another fleet, or
 * another memory size of its own fleet, a function of its own: `Route.placementOff`):
 * where a worker still searching would do better there than here, paced or widened (`reviewPacing` in the core), the
 * workers that hold no accepted instance move there and the batch keeps its pacing (`moved`); the batch then reviews
 * its new placement afresh (`afterMove`, with the workers that kept an accepted instance counted among those that hold
 * one), which may widen but not move again. Widening is for good: the calls left run at the caller's concurrency.
 * Only `optimal` batches are reviewed (the strategy that chooses by price); the paper strategies keep their pacing.
 *
 * The batch's own repeat estimate (`RetryRepeats` in pool.ts) answers another question and so is not reused here: it
 * measures each retry against the CPU it rejected, with chance taken from the hosts the batch met lately (blended
 * into the mix), which already hold the pool's drift; priced with those draws, a call's retries are right. The review
 * compares the paced pool with the pool as the batch found it, so its chance is the first attempts' draws and the mix,
 * and its repeat counts any rejected CPU: the drift itself, which pacing causes and widening undoes on the hosts it has
 * not met.
 */
export class PacingReviewer {
  private readonly replacements: CpuKey[] = [];
  /** Hosts of the new instances calls' first attempts met: the pool as the batch found it. */
  private readonly fresh = new DrawWindow(REVIEW_WINDOW);
  /** Each worker's latest call answered on the batch's function (or on the one it moved from). */
  private readonly latestByWorker = new Map<number, AnsweredCall>();
  /** CPUs the placement rejects: its reject set and the CPUs on which a call would not finish in time. */
  private readonly rejected: ReadonlySet<CpuKey>;
  /** CPUs the placement the batch moved from rejects (none before it moved). */
  private readonly rejectedWhereMovedFrom: ReadonlySet<CpuKey>;
  private replacementsSeen = 0;
  private sinceReview = 0;
  /** Hosts the function's new instances landed on. */
  private readonly hostsMet = new Set<string>();
  /**
   * Calls answered on the placement's own function: the evidence a review waits for (those answered where the batch
   * moved from count among the held, not here: a first round searching on the new function repeats by competing).
   */
  private answeredHere = 0;
  /** The call index from which the batch ran at the caller's concurrency, once it widened. */
  widenedAtCall: number | undefined;
  /** The repeat measured at the last review (for the answer). */
  repeat: number | undefined;
  /** Where the review moved the batch's searching workers, once it did (`concurrencyFor`). */
  moved: PacingMove | undefined;

  /**
   * `movedFrom`: the placement the batch moved from (`afterMove`), where the workers that hold an accepted instance
   * keep it: their calls count among the answered calls that say how many workers hold one.
   */
  constructor(
    private readonly placer: Placer,
    private readonly request: PlacementRequest,
    private readonly placement: Placement,
    private readonly givenConcurrency: number,
    private readonly movedFrom?: Placement,
  ) {
    this.rejected = rejectedBy(placement);
    this.rejectedWhereMovedFrom = movedFrom ? rejectedBy(movedFrom) : new Set();
  }

  /**
   * Tells an attempt of a call of the batch (`previous`: the call's attempt before it, if any) that `worker` (the
   * batch's worker that made the call, 0-based) is making.
   */
  observe(previous: AttemptRecord | undefined, attempt: AttemptRecord, worker: number): void {
    if (attempt.cpu === undefined) return;
    if (attempt.functionName === this.movedFrom?.target.functionName) {
      if (attempt.status === 'ok')
        this.answer(worker, attempt.cpu, attempt, this.movedFrom.target, this.rejectedWhereMovedFrom);
      return;
    }
    if (attempt.functionName !== this.placement.target.functionName) return;
    if (attempt.status === 'ok') {
      this.answer(worker, attempt.cpu, attempt, this.placement.target, this.rejected);
      this.answeredHere++;
    }
    if (attempt.newInstance !== true) return;
    const host = hostOfAttempt(attempt);
    if (host !== undefined) this.hostsMet.add(host);
    if (previous === undefined) {
      this.fresh.observe(attempt);
    } else if (previous.status === 'rejected' && previous.functionName === attempt.functionName) {
      keepRecent(this.replacements, attempt.cpu);
      this.replacementsSeen++;
      this.sinceReview++;
    }
  }

  /**
   * The calls to run at a time from now on, for a batch running `concurrency` at a time with `remaining` calls not
   * started (the next of which is call `nextCall`): `concurrency`, or the caller's once the pacing no longer pays.
   * `elsewhere(uses, options)` is the best placement off the batch's function for `uses` calls per instance
   * (`Route.placementOff`), for a call not expected to take longer than one here at the batch's pacing: where the
   * workers that hold no accepted instance would do better there than here, paced or widened (`reviewPacing`), the
   * review moves them (`moved`) and keeps the pacing. The function's siblings in its fleet (its other memory sizes)
   * are weighed only once `PACING_REVIEW_EVIDENCE` calls have been answered: a sibling differs only by the hosts its
   * cold starts prefer, and a few calls' draws cannot tell the function's hosts from the fleet's mix (a 20-call batch
   * of stress-mix-shift's disk-writer, paced 2 at a time, moved at call 4 to a sibling where its calls met no AMD
   * EPYC). Only targets whose runtimes were all observed there are weighed: generated seed 298's long-gemm-3 in its
   * fixed zone alone moved at call 110 to 2,048 MB, where the AMD EPYC was carried over from the other CPUs' runtimes
   * at 103 s and ran 180 s, and its day cost 23% more than the fixed zone's. A batch moves once: leave `elsewhere` out
   * after that.
   */
  concurrencyFor(
    concurrency: number,
    remaining: number,
    nextCall: number,
    elsewhere?: (uses: number, options: OffFunctionOptions) => Placement | undefined,
  ): number {
    if (this.widenedAtCall !== undefined) return Math.max(concurrency, this.givenConcurrency);
    if (this.moved !== undefined) return concurrency;
    if (concurrency >= this.givenConcurrency || remaining <= concurrency) return concurrency;
    if (this.sinceReview < PACING_REVIEW_EVIDENCE || this.placement.strategy !== 'optimal') return concurrency;
    if (this.placement.rejectCpus.length === 0) return concurrency;
    if (this.answeredHere < Math.min(concurrency, PACING_REVIEW_EVIDENCE)) return concurrency;
    const draws = this.fresh.counts(this.placement.target.functionName);
    if (!draws) return concurrency;
    this.sinceReview = 0;
    const rho = measuredRepeat({
      rejectCpus: [...this.rejected],
      fresh: Object.entries(draws).flatMap(([cpu, n]) => Array.from({ length: n }, () => cpu)),
      replacements: this.replacements,
      replacementsSeen: this.replacementsSeen,
      ...this.mixRejectedShare(),
    });
    this.repeat = rho;
    if (!(rho > 0)) return concurrency;
    const uses = usesPerInstance(remaining, concurrency);
    const paced = this.priced(uses, rho, draws);
    const unpaced = this.priced(
      usesPerInstance(remaining, this.givenConcurrency),
      this.widenedRepeat(rho, remaining),
      draws,
    );
    if (!paced || !unpaced) return concurrency;
    const now = this.priced(uses, 0, draws);
    const held = this.held(now ? rejectedBy(now) : this.rejected);
    const review = {
      remaining,
      concurrency,
      givenConcurrency: this.givenConcurrency,
      ...(this.request.objective !== undefined ? { objective: this.request.objective } : {}),
      ...(held ? { held } : {}),
      initMs: this.placer.initMs ?? 0,
    };
    const offFunction = elsewhere?.(uses, {
      maxCallMs: perCallMs(paced),
      siblings: this.answeredHere >= PACING_REVIEW_EVIDENCE,
      observedRuntimes: true,
    });
    const decision = reviewPacing(review, paced, unpaced, offFunction);
    if (decision === 'keep') return concurrency;
    if (decision === 'move' && offFunction) {
      this.moved = { atCall: nextCall, placement: offFunction, retryRepeat: rho };
      return concurrency;
    }
    this.widenedAtCall = nextCall;
    return this.givenConcurrency;
  }

  /**
   * A review of the batch once moved (`moved`): of its new placement, at the same pacing, counting the workers that
   * kept an accepted instance here among those that hold one (a review of the moved workers alone would widen the
   * whole batch because they search, while most workers may hold a fast instance here); it does not move again. It
   * starts from each worker's latest answered call here, so that a worker holding an instance here counts before its
   * next call answers.
   */
  afterMove(): PacingReviewer {
    if (!this.moved) throw new Error('the batch has not moved');
    const next = new PacingReviewer(
      this.placer,
      this.request,
      this.moved.placement,
      this.givenConcurrency,
      this.placement,
    );
    for (const [worker, call] of this.latestByWorker) next.latestByWorker.set(worker, call);
    return next;
  }

  /** Records `worker`'s call answered on `target`, on `cpu`, where the placement followed there rejects `rejected`. */
  private answer(
    worker: number,
    cpu: CpuKey,
    attempt: AttemptRecord,
    target: Target,
    rejected: ReadonlySet<CpuKey>,
  ): void {
    this.latestByWorker.set(worker, {
      cpu,
      target,
      accepted: !rejected.has(cpu),
      costUsd: attempt.costUsd,
      billedMs: attempt.billedMs ?? 0,
      host: hostOfAttempt(attempt),
      instanceId: attempt.instanceId,
    });
  }

  /**
   * The repeat the batch would meet at the caller's concurrency (or its `remaining` calls, if fewer), measured `rho` at
   * its pacing: its instances that the hosts met so far hold (each as many as `hostRoom`) come back to them and repeat
   * as measured; the others land on hosts not met yet, fresh draws. Where no answer told its host (a handler that
   * reports no boot time), none is met and the widened batch repeats nothing.
   */
  private widenedRepeat(rho: number, remaining: number): number {
    const held = this.hostsMet.size * this.hostRoom();
    return rho * Math.min(1, held / Math.min(this.givenConcurrency, remaining));
  }

  /**
   * Instances of the batch's function a host holds, as the batch has seen it: the most accepted instances its workers
   * hold on one host at once (each worker's latest answered call there, which its next call reuses), at least one.
   */
  private hostRoom(): number {
    const here = this.placement.target.functionName;
    const heldOn = new Map<string, Set<string>>();
    for (const call of this.latestByWorker.values()) {
      if (!call.accepted || call.target.functionName !== here || !call.host || !call.instanceId) continue;
      const instances = heldOn.get(call.host) ?? new Set<string>();
      instances.add(call.instanceId);
      heldOn.set(call.host, instances);
    }
    let room = 1;
    for (const instances of heldOn.values()) room = Math.max(room, instances.size);
    return room;
  }

  /** The rejected CPUs' share of the mix the batch's target is priced with, where the placer tells it. */
  private mixRejectedShare(): { mixRejectedShare?: number } {
    const mix = this.placer.mixFor?.(this.placement.target);
    if (!mix) return {};
    let share = 0;
    mix.cpus.forEach((cpu, j) => {
      if (this.rejected.has(cpu)) share += mix.shares[j];
    });
    return { mixRejectedShare: share };
  }

  /**
   * The accepted instances the batch's workers hold (see the class comment): of the workers' latest answered calls,
   * the share on an accepted CPU, one standard error high, and what a call of theirs is expected
   * to take on the CPUs they ran on; undefined while none ran on one. A CPU of the batch's function counts as accepted
   * only while the placement, priced again with what the router knows now (`rejectedNow`), still accepts it: a worker's
   * next call is placed afresh, so an instance whose CPU the router has since learned is slow is searched away, not
   * held (generated seed 57: a batch moved to a function where its placement accepted a 3.0 GHz Xeon the estimates
   * made fast; counted as held at $9.58e-6 a call, more than a search there at either pacing, those instances widened
   * the batch to 1,000 at a time).
   */
  private held(rejectedNow: ReadonlySet<CpuKey>): HeldInstances | undefined {
    const latest = [...this.latestByWorker.values()];
    const here = this.placement.target.functionName;
    const accepted = latest.filter(
      (call) => call.accepted && (call.target.functionName !== here || !rejectedNow.has(call.cpu)),
    );
    if (accepted.length === 0) return undefined;
    const n = latest.length;
    const share = accepted.length / n;
    const sum = { costUsd: 0, runtimeMs: 0, carbonG: 0 };
    for (const call of accepted) {
      const expected = this.expectedOn(call);
      sum.costUsd += expected.costUsd;
      sum.runtimeMs += expected.runtimeMs;
      sum.carbonG += expected.carbonG;
    }
    return {
      share: Math.min(1, share + Math.sqrt((share * (1 - share)) / n)),
      expected: {
        costUsd: sum.costUsd / accepted.length,
        runtimeMs: sum.runtimeMs / accepted.length,
        addedLatencyMs: 0,
        carbonG: sum.carbonG / accepted.length,
      },
    };
  }

  /**
   * What a call on a held instance is expected to take: as the placer prices a call on its CPU, so that it weighs
   * against the placements' prices on one scale (its realised cost would bring in the model's error on those CPUs
   * alone); where the placer cannot tell, the call's realised cost and billed time, and its carbon as the placement's
   * carbon per dollar.
   */
  private expectedOn(call: AnsweredCall): CallExpectation {
    const priced = this.placer.callOn?.(this.request.workload, call.target, call.cpu);
    if (priced) return priced;
    const { expected } = this.placement;
    const carbonPerUsd = expected.costUsd > 0 ? expected.carbonG / expected.costUsd : 0;
    return { costUsd: call.costUsd, runtimeMs: call.billedMs, carbonG: call.costUsd * carbonPerUsd };
  }

  /** The placement on the batch's target for `uses` calls per instance and repeat `rho`, on the fresh draws. */
  private priced(uses: number, rho: number, draws: Record<CpuKey, number>): Placement | undefined {
    const { azId, arch, memoryMb, functionName } = this.placement.target;
    try {
      const placed = priceOf(this.placer, {
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

/** Where a paced batch's review sent the workers that held no accepted instance. */
export interface PacingMove {
  /** The first call (0-based) that could start there. */
  readonly atCall: number;
  /** The placement they follow: another function's, priced at the batch's pacing. */
  readonly placement: Placement;
  /** The repeat the batch's retries met where it was (`PoolContext.retryRepeat`). */
  readonly retryRepeat: number;
}

/** CPUs a placement rejects: its reject set and the CPUs on which a call would not finish in time. */
function rejectedBy(placement: Placement): ReadonlySet<CpuKey> {
  return new Set(withUnfit(placement.rejectCpus, placement.unfitCpus));
}

/** A call of a paced batch that ran on the batch's function (or, once moved, on the function it moved from). */
interface AnsweredCall {
  readonly cpu: CpuKey;
  /** Where it ran. */
  readonly target: Target;
  /** Whether its CPU is one the placement accepts. */
  readonly accepted: boolean;
  readonly costUsd: number;
  readonly billedMs: number;
  /** The host it ran on, where the answer told it (`hostOfAttempt`). */
  readonly host?: string;
  readonly instanceId?: string;
}

/** What `measuredRepeat` measures a batch's repeat from. */
export interface RepeatEvidence {
  /** CPUs the placement rejects. */
  readonly rejectCpus: readonly CpuKey[];
  /** CPUs of the hosts the batch's calls' first attempts met new instances on, one entry per host. */
  readonly fresh: readonly CpuKey[];
  /** CPUs of the latest new instances that replaced a rejected one. */
  readonly replacements: readonly CpuKey[];
  /** Replacements met in all: the prior weighs against these. @default replacements.length */
  readonly replacementsSeen?: number;
  /**
   * The rejected CPUs' share of the placement's mix: the prior of chance, weighed as `DRAW_PRIOR_WEIGHT` hosts against
   * the fresh draws, as the core blends a batch's draws into the mix. @default - chance from the fresh draws alone
   */
  readonly mixRejectedShare?: number;
}

/**
 * The repeat a batch's replacements show: the share r of replacements on a rejected CPU beyond chance q,
 * ρ = (r − q)/(1 − q), shrunk toward 0 by `PACING_REPEAT_PRIOR_RETRIES` against all replacements met. q is the
 * rejected share of the fresh draws blended into the mix (n hosts against `DRAW_PRIOR_WEIGHT`), or of the fresh
 * draws alone without a mix; 0 when q is 1 (no excess can be told) or nothing was replaced.
 * @example measuredRepeat({ rejectCpus: ['slow'], fresh: ['slow', 'fast'], replacements: ['slow', 'slow', 'slow', 'slow'] }); // (1 − 0.5)/(1 − 0.5) shrunk: 4/24
 */
export function measuredRepeat(evidence: RepeatEvidence): number {
  const rejected = new Set(evidence.rejectCpus);
  const rejectedIn = (cpus: readonly CpuKey[]): number => cpus.filter((cpu) => rejected.has(cpu)).length;
  const { fresh, replacements, mixRejectedShare } = evidence;
  const q =
    mixRejectedShare === undefined
      ? fresh.length > 0
        ? rejectedIn(fresh) / fresh.length
        : 0
      : (rejectedIn(fresh) + DRAW_PRIOR_WEIGHT * mixRejectedShare) / (fresh.length + DRAW_PRIOR_WEIGHT);
  const n = replacements.length;
  if (!(q < 1) || n === 0) return 0;
  const raw = Math.max(0, (rejectedIn(replacements) / n - q) / (1 - q));
  const seen = Math.max(n, evidence.replacementsSeen ?? n);
  return Math.min(1, (seen * raw) / (seen + PACING_REPEAT_PRIOR_RETRIES));
}

function keepRecent(window: CpuKey[], cpu: CpuKey): void {
  window.push(cpu);
  if (window.length > REVIEW_WINDOW) window.shift();
}
