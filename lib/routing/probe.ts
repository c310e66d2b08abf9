import type { Placement } from '../core/types';
import { PACING_DEADLINE_SHARE, type PacedBatch } from './pacing';

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
  const onHost = Math.min(1, Math.max(1, hostRoom) / Math.max(1, concurrency));
  return Math.max(1, Math.ceil(remaining * onHost));
}

/**
 * A fresh pacing with room kept for its probe (module comment), or `paced` as it is where the batch will not probe:
 * where `paced` searches on more than one worker, the batch is paced again within its budget less the probe's
 * expected search (`probeSearchMs` of the probe's own placement, `placeProbe(batch, probeUses(…))`), so the
 * wider pacing that may take still meets the budget with the probe; where the placement paced so still rejects CPUs,
 * the batch probes, and its expected duration counts the probe's search. `repace(maxSlowdown, remainingMs)` paces the
 * batch as `paced` was, within that budget and router time left; `placeProbe(batch, uses)` places the batch's first
 * call on its target for `uses` calls per instance, as the batch places it when it runs; `hostRoom(memoryMb)` is how
 * many of a function's instances of that size a host is expected to take (`HostRoom.at`).
 */
export function withProbe(
  paced: PacedBatch,
  repace: (maxSlowdown: number, remainingMs: number) => PacedBatch,
  placeProbe: (batch: PacedBatch, uses: number) => Placement,
  budget: { readonly count: number; readonly maxSlowdown: number; readonly remainingMs: number },
  initMs: number,
  hostRoom: (memoryMb: number) => number,
): ProbedBatch {
  if (paced.concurrency < 2) return paced;
  const uses = paced.request.pool?.usesPerInstance ?? 1;
  const room = hostRoom(paced.placement.target.memoryMb);
  if (probeSavingShare(paced.placement, uses, paced.concurrency, budget.count, initMs, room) < PROBE_MIN_SAVING_SHARE) {
    return paced;
  }
  const probing = probeUses(budget.count, paced.concurrency, room);
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
