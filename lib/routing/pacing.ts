import { choosePacing } from '../core/pacing';
import type { Placement, PlacementRequest } from '../core/types';
import type { BatchPacing } from './types';

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
