import fc from 'fast-check';
import { type Candidate, type EvaluationParams, evaluateMask, newMetrics } from '../../lib/core/candidate';
import { optimalRejectSet, type RejectChoice } from '../../lib/core/reject-set';
import { evaluationParams, normalisedCandidateOf } from './fixtures';

/** A candidate at 2048 MB unless given. */
const candidateOf = (shares: readonly number[], runtimes: readonly number[], memoryMb = 2048): Candidate =>
  normalisedCandidateOf(shares, runtimes, memoryMb);

/** The shared cost-only params with no INIT billed. */
function paramsOf(over: Partial<EvaluationParams> = {}): EvaluationParams {
  return evaluationParams({ initBilledMs: 0, ...over });
}

/** Every subset of the candidate's CPUs, as the router's search must match. */
function bruteForce(c: Candidate, rtt: number, params: EvaluationParams, noRetry: EvaluationParams): RejectChoice {
  const metrics = newMetrics();
  const best: RejectChoice = { mask: -1, value: Number.POSITIVE_INFINITY };
  for (let mask = 0; mask < 1 << c.cpus.length; mask++) {
    evaluateMask(c, mask, rtt, mask === 0 ? noRetry : params, metrics);
    if (metrics.feasible && metrics.value < best.value) {
      best.value = metrics.value;
      best.mask = mask;
    }
  }
  return best;
}

function search(c: Candidate, params: EvaluationParams, rtt = 0): RejectChoice {
  return optimalRejectSet(c, rtt, params, { ...params, maxAttempts: 1 }, newMetrics(), {
    mask: -1,
    value: Number.POSITIVE_INFINITY,
  });
}

describe('optimalRejectSet (the reject-set search on the placement path)', () => {
  it('rejects a slow CPU that is rare, and keeps it when retries cost more than it does', () => {
    // CPUs sorted fastest first: 900 ms, 1000 ms, 1350 ms
    const c = candidateOf([0.3, 0.6, 0.1], [900, 1000, 1350]);
    expect(search(c, paramsOf({ holdMs: 150 })).mask).toBe(0b100);
    expect(search(c, paramsOf({ holdMs: 2000 })).mask).toBe(0);
  });

  it('rejects a common slow CPU when the fast one is much faster', () => {
    const c = candidateOf([0.5, 0.5], [100, 1000]);
    expect(search(c, paramsOf({ holdMs: 0 })).mask).toBe(0b10);
  });

  it('under a bound on added latency, rejects a rarer middle CPU when the slowest is too common to reject', () => {
    // rejecting the slowest (40%) needs more retries than the bound allows; the middle one (10%) does not
    const c = candidateOf([0.5, 0.1, 0.4], [100, 500, 600]);
    const params = paramsOf({ holdMs: 0, retryOverheadMs: 100, maxAddedLatencyMs: 20 });
    expect(search(c, params).mask).toBe(0b010);
  });

  it('finds no feasible set when even one attempt breaks the bound', () => {
    const c = candidateOf([1], [100]);
    expect(search(c, paramsOf({ maxAddedLatencyMs: 5 }), 10).mask).toBe(-1);
  });

  const instance = fc.integer({ min: 1, max: 6 }).chain((n) =>
    fc.record({
      shares: fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      runtimes: fc.array(fc.double({ min: 1, max: 20_000, noNaN: true }), { minLength: n, maxLength: n }),
      memoryMb: fc.constantFrom(128, 1024, 2048, 10240),
      holdMs: fc.oneof(fc.double({ min: 0, max: 2000, noNaN: true }), fc.double({ min: 0, max: 100, noNaN: true })),
      maxAttempts: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 12 })),
      initBilledMs: fc.constantFrom(0, 150, 600),
      coldStartShare: fc.double({ min: 0, max: 1, noNaN: true }),
      wLatency: fc.constantFrom(0, 1e-6, 1e-3),
      maxAddedLatencyMs: fc.oneof(
        fc.constant(Number.POSITIVE_INFINITY),
        fc.double({ min: 0, max: 5000, noNaN: true }),
        // bounds that allow a few retries at most, where the best set need not be a threshold
        fc.double({ min: 0, max: 400, noNaN: true }),
      ),
      rtt: fc.constantFrom(0, 20, 150),
    }),
  );

  it('equals brute force over every subset on random candidates (property)', () => {
    fc.assert(
      fc.property(instance, (x) => {
        const c = candidateOf(x.shares, x.runtimes, x.memoryMb);
        const params = paramsOf({
          holdMs: x.holdMs,
          maxAttempts: x.maxAttempts,
          initBilledMs: x.initBilledMs,
          coldStartShare: x.coldStartShare,
          wLatency: x.wLatency,
          maxAddedLatencyMs: x.maxAddedLatencyMs,
        });
        const noRetry = { ...params, maxAttempts: 1 };
        const found = optimalRejectSet(c, x.rtt, params, noRetry, newMetrics(), { mask: -1, value: 0 });
        const best = bruteForce(c, x.rtt, params, noRetry);
        expect(found.mask < 0).toBe(best.mask < 0);
        if (best.mask >= 0)
          expect(found.value).toBeLessThanOrEqual(best.value + 1e-9 * Math.max(1, Math.abs(best.value)));
      }),
      { numRuns: 2000 },
    );
  });
});
