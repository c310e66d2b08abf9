import type { Placement, PlacementRequest } from '../core/types';
import { isBorrowedMix } from '../core/zone-mix';
import { bestPinnedOf, SEARCH_ELSEWHERE_CANDIDATES } from './follow';
import type { Placer } from './types';

/**
 * Where a batch of `workload` starts, given `placement`, the best for `request`: that placement unless its fleet's mix
 * was borrowed from other zones' fleets of its architecture (`isBorrowedMix`), else the best placement on a fleet whose
 * mix was not (of the `SEARCH_ELSEWHERE_CANDIDATES` best-ranked, as a batch's move weighs them), with a note naming the
 * fleet it was priced better than. Every zone samples its fleet of each sampled architecture (the mesh's
 * `sampledArchitectures`), and a run that saturates before it meets enough instances stores nothing, so a fleet priced
 * on its neighbours' mix beside sampled fleets of its architecture may hold no instance at all. A lone call placed
 * there fails over at the cost of a throttled attempt; a batch is paced for the fleet it starts on, and failing over,
 * its calls run paced for the wrong one (generated seed 258's second day: long-io-1 started on ap-southeast-1 az1's
 * arm64 fleet, which the scenario does not have, ran 1,000 at a time as priced there, and `optimal` closed 69% of the
 * oracle's gap over the two days instead of 92%). A fleet priced on its architecture's baseline CPU, where no fleet of
 * it was sampled, is a start like any. Only `optimal` placements, which choose by price, are moved; where every allowed
 * fleet's mix is borrowed, `placement` stands.
 */
export function startOnObservedFleet(placer: Placer, request: PlacementRequest, placement: Placement): Placement {
  if (placement.strategy !== 'optimal' || !isBorrowedMix(placement.evidence.mix) || !placer.rank) return placement;
  let ranked: ReturnType<NonNullable<Placer['rank']>>;
  try {
    ranked = placer.rank(request, Number.MAX_SAFE_INTEGER);
  } catch {
    return placement;
  }
  const best = bestPinnedOf(placer, request, ranked, {
    allowed: (r) => !isBorrowedMix(r.evidence.mix),
    candidates: SEARCH_ELSEWHERE_CANDIDATES,
  });
  if (!best) return placement;
  const { azId, arch } = placement.target;
  return {
    ...best,
    notes: [
      ...best.notes,
      `the batch starts on ${best.target.functionName}: ${azId}'s ${arch} fleet, priced better, was priced on the ` +
        `${placement.evidence.mix.replace('-', ' ')} mix of other zones' fleets, with no sampler or call having met it`,
    ],
  };
}
