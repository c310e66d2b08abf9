import { LAMBDA_MEMORY_MB } from '../core/lambda-limits';
import { pacedMetrics, pacingScore } from '../core/pacing';
import type { EvidenceLevel, Objective, Placement, PlacementRequest } from '../core/types';
import { PACING_DEADLINE_SHARE, type PacedBatch } from './pacing';
import { usesPerInstance } from './pool';

/**
 * A paced batch whose placement rejects CPUs first searches with one call alone (the probe), and starts its other
 * workers once the probe holds an accepted instance.
 *
 * Lambda was seen to fill one worker with an account's instances before the next (Wang et al., USENIX ATC 2018), and
 * the twin packs a function's cold starts onto the host the last one started on (`zone.ts`). Workers that start
 * together therefore meet the same host, and where its CPU is rejected every one of them pays a rejected attempt (its INIT, billed since
 * August 2025) to learn what one could have: each round of the search costs `concurrency` attempts instead of one.
 * Started after the probe found an accepted host, their cold starts fill that host, as many of them as it takes
 * (`HostRoom`, learned from the batches that filled one). Where the platform does not
 * pack, the probe costs no money (each worker's search is its own either way), only the time the probe searched
 * alone, so a paced batch keeps room in its time budget for it (`withProbe`).
 *
 * The router learns a CPU when an attempt answers, which for an accepted one is when its work ends. But a rejected
 * attempt answers within its INIT and hold: an attempt that has run for longer than that was accepted. So the other
 * workers start once the probe's attempt in flight has gone unanswered for `acceptedAfterMs`, or once its call ends.
 */

/** Room over a rejected attempt's INIT and hold before an unanswered attempt counts as accepted, ms (round trip, queueing). */
export const PROBE_ANSWER_MARGIN_MS = 250;

/**
 * How a batch probes: how long the probe's attempt in flight must go unanswered to count as accepted, and how many of
 * the function's instances its host is expected to take (`HostRoom`), which its reject set is priced for (`probeUses`).
 */
export interface ProbePlan {
  readonly acceptedAfterMs: number;
  readonly hostRoom: number;
}

/** A paced batch, with its probe where it probes. */
export type ProbedBatch = PacedBatch & { readonly probe?: ProbePlan };

/**
 * Least share of a batch's billed time a probe must be expected to save before a batch probes. A probe changes how
 * the pool fills (later workers pack onto one host) and adds its search to the batch's duration; where the rejected
 * attempts it saves are a sliver of the bill (long calls, whose INIT is small beside them), that is not worth it.
 */
export const PROBE_MIN_SAVING_SHARE = 0.01;

/**
 * The share of a batch's billed time a probe is expected to save: the rejected attempts (INIT and hold each) that the
 * other workers the probe's host takes (`hostRoom` in all, the probe's instance included) would each have made on the
 * host the probe searched past, against `count` calls of the placement's billed runtime. Where the platform does not
 * pack, it saves nothing; the router cannot tell before the batch, and a probe costs no money there.
 */
export function probeSavingShare(
  placement: ProbedPlacement & { readonly expected: Pick<Placement['expected'], 'runtimeMs'> },
  usesPerInstance: number,
  concurrency: number,
  count: number,
  initMs: number,
  hostRoom: number,
): number {
  if (placement.rejectCpus.length === 0) return 0;
  const savedMs =
    Math.max(0, Math.min(concurrency, hostRoom) - 1) *
    rejectedAlone(placement, usesPerInstance) *
    rejectedAnswerMs(placement.holdMs, initMs);
  const billedMs = Math.max(1, count) * Math.max(1, placement.expected.runtimeMs);
  return savedMs / billedMs;
}

/** How long an attempt is given to answer a rejection before it counts as accepted, ms. */
export function acceptedAfterMsOf(holdMs: number, initMs: number): number {
  return 2 * rejectedAnswerMs(holdMs, initMs) + PROBE_ANSWER_MARGIN_MS;
}

/** How long a rejected attempt takes to answer at most, ms, round trip aside: its instance's INIT and its hold. */
function rejectedAnswerMs(holdMs: number, initMs: number): number {
  return Math.max(0, initMs) + Math.max(0, holdMs);
}

/** What the probe's timing reads of a placement. */
type ProbedPlacement = Pick<Placement, 'rejectCpus' | 'holdMs' | 'maxAttempts'> & {
  readonly expected: Pick<Placement['expected'], 'attempts'>;
};

/**
 * The attempts one call of `placement` is expected to reject on its own: a batch placement's `expected.attempts`
 * spreads a search over the `usesPerInstance` calls the instance found serves (and over the searches again of the
 * instances those calls end), and one call makes at most its attempt budget.
 */
function rejectedAlone(placement: ProbedPlacement, uses: number): number {
  const spread = Math.max(0, placement.expected.attempts - 1) * Math.max(1, uses);
  return Math.min(spread, Math.max(0, placement.maxAttempts - 1));
}

/**
 * How long a probe is expected to search alone, ms: the attempts one call of `placement` is expected to make on its
 * own (a batch placement's `expected.attempts` spreads a search over the `usesPerInstance` calls the instance found
 * serves), each rejected within its INIT and hold, and the wait that shows the last one accepted. 0 where the
 * placement rejects nothing.
 * @example probeSearchMs({ rejectCpus: ['intel-xeon-2.50'], holdMs: 0, maxAttempts: 10, expected: { attempts: 1.2 } }, 20, 300) // 2350
 */
export function probeSearchMs(placement: ProbedPlacement, usesPerInstance: number, initMs: number): number {
  if (placement.rejectCpus.length === 0) return 0;
  const attempts = 1 + rejectedAlone(placement, usesPerInstance);
  return attempts * rejectedAnswerMs(placement.holdMs, initMs) + acceptedAfterMsOf(placement.holdMs, initMs);
}

/**
 * Calls the instance a probe settles on is expected to serve, with the instances its host starts for the other
 * workers: the calls still to start (`remaining`) of the workers whose instances that host takes (`hostRoom` of the
 * `concurrency` workers, the probe's included; `HostRoom`). The other workers start once the probe holds its
 * instance and the platform packs their cold starts onto its host, where each worker's later calls reuse the instance
 * its first one started (module comment). So what the probe rejects is paid for once for all of them, not by one
 * worker's share of the calls (`usesPerInstance`), and its reject set is priced for that: it may hold out for a CPU
 * that searching for on every worker would not pay for.
 * @example probeUses(240, 20, 96); // 240, where each of 20 workers' instances serves usesPerInstance(240, 20) = 12
 * @example probeUses(240, 20, 6); // 72: the host takes 6 of the 20 workers
 */
export function probeUses(remaining: number, concurrency: number, hostRoom: number): number {
  return Math.max(1, Math.ceil(remaining * onHostShare(concurrency, hostRoom)));
}

/** Share of a batch's `concurrency` workers whose instances the probe's host takes (`hostRoom` of them, at most all). */
function onHostShare(concurrency: number, hostRoom: number): number {
  return Math.min(1, Math.max(1, hostRoom) / Math.max(1, concurrency));
}

/** What pacing a batch again for its probe takes. */
export interface ProbePacing {
  /** Paces the batch as it was paced, within `maxSlowdown` and the router's `remainingMs`. */
  readonly repace: (maxSlowdown: number, remainingMs: number) => PacedBatch;
  /** Places the batch's first call on its target for a search that serves `uses` calls, as the batch places it. */
  readonly placeProbe: (batch: PacedBatch, uses: number) => Placement;
  /** The batch's calls, its time budget and the router's time left. */
  readonly budget: { readonly count: number; readonly maxSlowdown: number; readonly remainingMs: number };
  /** How long a new instance's INIT takes, ms. */
  readonly initMs: number;
  /** How many of a function's instances of `memoryMb` a host is expected to take (`HostRoom.at`). */
  readonly hostRoom: (memoryMb: number) => number;
}

/**
 * A fresh pacing with room kept for its probe (module comment), or `paced` as it is where the batch will not probe:
 * where `paced` searches on more than one worker and the probe is expected to save enough (`probeSavingShare`), the
 * batch is paced again (`reservingProbe`).
 */
export function withProbe(paced: PacedBatch, pacing: ProbePacing): ProbedBatch {
  if (paced.concurrency < 2) return paced;
  const uses = paced.request.pool?.usesPerInstance ?? 1;
  const room = pacing.hostRoom(paced.placement.target.memoryMb);
  const { count } = pacing.budget;
  if (probeSavingShare(paced.placement, uses, paced.concurrency, count, pacing.initMs, room) < PROBE_MIN_SAVING_SHARE) {
    return paced;
  }
  return reservingProbe(paced, pacing);
}

/**
 * `paced` paced again (`repace`) within its budget less the probe's expected search (`probeSearchMs` of the probe's
 * own placement, `placeProbe(batch, probeUses(…))`), so the wider pacing that may take still meets the budget with the
 * probe; where the placement paced so still rejects CPUs on more than one worker, the batch probes, and its expected
 * duration counts the probe's search. Else `paced` as it is.
 */
function reservingProbe(paced: PacedBatch, { repace, placeProbe, budget, initMs, hostRoom }: ProbePacing): ProbedBatch {
  const probing = probeUses(budget.count, paced.concurrency, hostRoom(paced.placement.target.memoryMb));
  const reserveMs = probeSearchMs(placeProbe(paced, probing), probing, initMs);
  const slowdownLeft = budget.maxSlowdown - reserveMs / Math.max(1, paced.pacing.unpacedDurationMs);
  if (reserveMs === 0 || slowdownLeft <= 1) return paced;
  const reserved = repace(slowdownLeft, budget.remainingMs - reserveMs / PACING_DEADLINE_SHARE);
  if (reserved.concurrency < 2 || reserved.placement.rejectCpus.length === 0) return paced;
  const reservedRoom = hostRoom(reserved.placement.target.memoryMb);
  const reservedUses = probeUses(budget.count, reserved.concurrency, reservedRoom);
  const probePlacement = placeProbe(reserved, reservedUses);
  const searchMs = probeSearchMs(probePlacement, reservedUses, initMs);
  const probe = { acceptedAfterMs: acceptedAfterMsOf(probePlacement.holdMs, initMs), hostRoom: reservedRoom };
  const expectedDurationMs = reserved.pacing.expectedDurationMs + searchMs;
  return {
    ...reserved,
    pacing: { ...reserved.pacing, maxSlowdown: budget.maxSlowdown, expectedDurationMs, probeSearchMs: searchMs },
    probe,
  };
}

/**
 * A placer that prices each pacing for its probe: the request of a pacing (`usesPerInstance` its rounds) placed for
 * as many calls per search as the probe's host shares its search with at that pacing (`probedSearchUses`), at the
 * room of the memory size the placement lands on (`hostRoom`, first at the smallest size, whose room is the widest,
 * then again pinned to the target where its own room is narrower). `withProbe` probes where a pacing priced per
 * worker already rejects CPUs; a reject set that pays only once its search is shared by the workers the probe's host
 * takes (short calls of a small size, whose accepted CPU is rare in the pool) is found only by a pacing priced so.
 */
export function probePricedPlacer(
  place: (request: PlacementRequest) => Placement,
  placeOn: (request: PlacementRequest, target: Placement['target']) => Placement,
  count: number,
  hostRoom: (memoryMb: number) => number,
): (request: PlacementRequest) => Placement {
  const widestRoom = hostRoom(LAMBDA_MEMORY_MB.min);
  return (request) => {
    const concurrency = Math.ceil(count / Math.max(1, request.pool?.usesPerInstance ?? 1));
    const widestUses = probedSearchUses(count, concurrency, widestRoom);
    const placed = place(withSearchUses(request, widestUses));
    const uses = probedSearchUses(count, concurrency, hostRoom(placed.target.memoryMb));
    return uses === widestUses ? placed : placeOn(withSearchUses(request, uses), placed.target);
  };
}

/**
 * Calls per search over a probed batch of `count` calls at `concurrency` at a time: the calls of the workers the
 * probe's host takes (`hostRoom` of them) share the probe's search (`probeUses`), and each other worker searches for
 * its own calls (`usesPerInstance`), as a batch that does not probe does.
 * @example probedSearchUses(240, 20, 96); // 240: the host takes every worker
 * @example probedSearchUses(240, 20, 5); // 15: 5 workers share one search, 15 each search for their own 12 calls
 */
export function probedSearchUses(count: number, concurrency: number, hostRoom: number): number {
  const onHost = onHostShare(concurrency, hostRoom);
  const shared = onHost / probeUses(count, concurrency, hostRoom);
  const own = (1 - onHost) / usesPerInstance(count, concurrency);
  return 1 / (shared + own);
}

/** `request` priced for a search that serves `searchUses` calls (`PoolContext.searchUses`): a probe's. */
export function withSearchUses(request: PlacementRequest, searchUses: number): PlacementRequest {
  return { ...request, pool: { ...request.pool, searchUses } };
}

const EVIDENCE_STRENGTH: Readonly<Record<EvidenceLevel, number>> = { assumed: 0, estimated: 1, measured: 2 };

/**
 * `chosen`, the batch as `withProbe` paces it, or the batch paced as priced for its probe (`pricedForProbe.repace`,
 * with a placer from `probePricedPlacer`) with room kept for the probe's search, where that one probes and scores at
 * least `PROBE_MIN_SAVING_SHARE` better on the request's objective (`pacingScore`: each batch's expected cost and
 * carbon per call and its expected duration), on evidence at least as strong as `chosen`'s. A placement priced for a
 * probe that does not run would be paid per worker; a pacing that only ties on the model changes how the pool fills
 * for nothing it can count on; and a margin of 1% does not cover the error of a runtime carried over from another
 * memory size or architecture, where the pacing per worker stands on runtimes observed there.
 */
export function withProbePricing(chosen: ProbedBatch, pricedForProbe: ProbePacing, objective?: Objective): ProbedBatch {
  const { budget } = pricedForProbe;
  const paced = pricedForProbe.repace(budget.maxSlowdown, budget.remainingMs);
  if (paced.concurrency < 2 || paced.placement.rejectCpus.length === 0) return chosen;
  const probed = reservingProbe(paced, pricedForProbe);
  if (!probed.probe) return chosen;
  if (EVIDENCE_STRENGTH[probed.placement.evidence.level] < EVIDENCE_STRENGTH[chosen.placement.evidence.level]) {
    return chosen;
  }
  const metricsOf = (batch: ProbedBatch) => pacedMetrics(batch.placement, batch.pacing.expectedDurationMs);
  const base = metricsOf(chosen);
  const needed = (1 - PROBE_MIN_SAVING_SHARE) * pacingScore(objective, base, base);
  return pacingScore(objective, metricsOf(probed), base) < needed ? probed : chosen;
}
