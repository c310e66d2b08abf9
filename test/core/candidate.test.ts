import fc from 'fast-check';
import { evaluateMask, evaluatePrefix, newMetrics } from '../../lib/core/candidate';
import { expectedPlacementCost } from '../../lib/core/cost-model';
import { candidateOf, evaluationParams, CANDIDATE_REGION as region } from './fixtures';

describe('candidate evaluation', () => {
  it('agrees with the cost model for every reject set (property)', () => {
    const instance = fc.integer({ min: 1, max: 5 }).chain((n) =>
      fc.record({
        shares: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
        runtimes: fc.array(fc.double({ min: 1, max: 10_000, noNaN: true }), { minLength: n, maxLength: n }),
        mask: fc.integer({ min: 0, max: (1 << n) - 1 }),
        maxAttempts: fc.integer({ min: 1, max: 10 }),
        rtt: fc.double({ min: 0, max: 200, noNaN: true }),
        initMs: fc.integer({ min: 0, max: 2000 }),
        coldStartShare: fc.double({ min: 0, max: 1, noNaN: true }),
      }),
    );
    fc.assert(
      fc.property(instance, (x) => {
        const total = x.shares.reduce((s, p) => s + p, 0);
        const shares = x.shares.map((p) => p / total);
        const c = candidateOf(shares, x.runtimes);
        const params = evaluationParams({
          maxAttempts: x.maxAttempts,
          initBilledMs: x.initMs,
          coldStartShare: x.coldStartShare,
        });
        const got = evaluateMask(c, x.mask, x.rtt, params, newMetrics());
        const reject = c.cpus.map((_, j) => (x.mask & (1 << j)) !== 0);
        const want = expectedPlacementCost({
          shares: Array.from(c.shares),
          runtimesMs: Array.from(c.billedMs),
          reject,
          holdMs: 150,
          maxAttempts: x.maxAttempts,
          memoryMb: 1024,
          price: { pricePerGbSecond: region.pricePerGbSecond.x86_64, pricePerRequest: region.pricePerRequest },
          retryOverheadMs: 10 + x.rtt,
          networkMs: x.rtt,
          initBilledMs: x.initMs,
          coldStartShare: x.coldStartShare,
        });
        expect(got.costUsd).toBeCloseTo(want.costUsd, 12);
        expect(got.attempts).toBeCloseTo(want.attempts, 9);
        expect(got.addedLatencyMs).toBeCloseTo(want.addedLatencyMs, 6);
        expect(got.runtimeMs).toBeCloseTo(want.runtimeMs, 6);
      }),
    );
  });

  it('sorts CPUs fastest first and evaluates prefixes as suffix masks', () => {
    const c = candidateOf([0.2, 0.3, 0.5], [1300, 900, 1000], {
      memoryMb: 2048,
      cpus: ['slow', 'fast', 'mid'],
      confidences: [1, 1, 0.5],
      slowest: ['slow'],
      uncertaintyPenalty: 0.2,
    });
    expect(c.cpus).toEqual(['fast', 'mid', 'slow']);
    expect(c.slowTail).toBe(1);
    expect(c.confidence).toBe(0.5);
    // 1 + 0.2 × the unsure part of the expected runtime: 0.5 × 1000 × (1 − 0.5) of 260 + 270 + 500 ms
    expect(c.scoreFactor).toBeCloseTo(1 + (0.2 * 250) / 1030, 12);
    const params = evaluationParams({ maxAddedLatencyMs: 1000 });
    expect(evaluatePrefix(c, 2, 0, params, newMetrics())).toEqual(evaluateMask(c, 0b100, 0, params, newMetrics()));
  });
});
