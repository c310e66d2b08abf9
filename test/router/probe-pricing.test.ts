import type { EvidenceLevel, Placement, PlacementRequest } from '../../lib/core/types';
import type { PacedBatch } from '../../lib/routing/pacing';
import { type ProbePacing, withProbePricing } from '../../lib/routing/probe';

/** A placement at `memoryMb` in usw1-az3, expected to cost `costUsd` a call, rejecting `rejectCpus`, on `level` evidence. */
function placementOf(
  memoryMb: number,
  costUsd: number,
  rejectCpus: readonly string[],
  level: EvidenceLevel = 'measured',
): Placement {
  return {
    target: {
      azId: 'usw1-az3',
      region: 'us-west-1',
      arch: 'x86_64',
      memoryMb,
      functionName: `sky-usw1-az3-x86_64-${memoryMb}`,
    },
    strategy: 'optimal',
    rejectCpus,
    holdMs: 0,
    rejectMode: 'auto',
    keepBeforeLastAttempt: true,
    maxAttempts: 10,
    expected: { costUsd, runtimeMs: 400, attempts: rejectCpus.length > 0 ? 1.05 : 1, addedLatencyMs: 0, carbonG: 0 },
    evidence: { level, runtime: level === 'measured' ? 'observed' : 'memory-scaled', mix: 'measured' },
    fallbacks: [],
    notes: [],
  };
}

const REQUEST: PlacementRequest = { workload: 'work', pool: { usesPerInstance: 6 } };

/** 120 calls, 20 at a time, each worker's instance serving 6 calls: the pacing `placement` was priced for. */
function pacedOn(placement: Placement): PacedBatch {
  return {
    request: REQUEST,
    placement,
    concurrency: 20,
    pacing: {
      maxSlowdown: 6,
      givenConcurrency: 20,
      concurrency: 20,
      rounds: 6,
      expectedDurationMs: 2_400,
      unpacedDurationMs: 2_400,
      expectedCostUsd: placement.expected.costUsd,
      unpacedCostUsd: placement.expected.costUsd,
    },
  };
}

/** Pacing again priced for the probe lands on `placement`, whose host takes every worker. */
function probePricedOn(placement: Placement): ProbePacing {
  return {
    repace: () => pacedOn(placement),
    placeProbe: () => placement,
    budget: { count: 120, maxSlowdown: 6, remainingMs: 900_000 },
    initMs: 300,
    hostRoom: () => 20,
  };
}

describe('a batch paced as priced for its probe', () => {
  const chosen = pacedOn(placementOf(128, 1e-6, []));

  it('is taken where it probes and is expected to cost at least 1% less on evidence as strong', () => {
    const probed = withProbePricing(chosen, probePricedOn(placementOf(128, 0.9e-6, ['intel-xeon-2.50'])));
    expect(probed.probe).toBeDefined();
    expect(probed.placement.rejectCpus).toEqual(['intel-xeon-2.50']);
  });

  it('is not taken where it is expected to save less than 1%', () => {
    const probed = withProbePricing(chosen, probePricedOn(placementOf(128, 0.995e-6, ['intel-xeon-2.50'])));
    expect(probed).toBe(chosen);
  });

  it("is not taken where its runtimes are only estimated and the batch's own pacing stands on measured ones", () => {
    // A runtime carried over from 128 MB to 2048 MB can be wrong by far more than the margin it wins by.
    const estimated = placementOf(2048, 0.7e-6, ['intel-xeon-2.50'], 'estimated');
    expect(withProbePricing(chosen, probePricedOn(estimated))).toBe(chosen);
    const chosenEstimated = pacedOn(placementOf(128, 1e-6, [], 'estimated'));
    expect(withProbePricing(chosenEstimated, probePricedOn(estimated)).placement).toBe(estimated);
  });
});
