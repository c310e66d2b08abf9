import fc from 'fast-check';
import {
  billedCost,
  DEFAULT_INIT_MS,
  expectedAttempts,
  expectedPlacementCost,
  initBilledMs,
  type LambdaPrice,
} from '../../lib/core/cost-model';
import { CoreInputError } from '../../lib/core/errors';
import { seededRandom } from './helpers';

const price: LambdaPrice = { pricePerGbSecond: 0.0000166667, pricePerRequest: 0.0000002 };

describe('billedCost', () => {
  it.each([
    [1000, 1024, 0.0000166667 + 0.0000002],
    [999.01, 1024, 0.0000166667 + 0.0000002],
    [0, 2048, 0.0000002],
    [1, 10240, (10 * 0.0000166667) / 1000 + 0.0000002],
  ])('bills %p ms at %p MB as %p USD', (ms, mb, usd) => {
    expect(billedCost(ms, mb, price)).toBeCloseTo(usd, 15);
  });
  it.each([
    [-1, 128, 'durationMs'],
    [10, 0, 'memoryMb'],
  ])('fails when duration is %p or memory %p', (ms, mb, field) => {
    expect(() => billedCost(ms, mb, price)).toThrow(field);
  });
});

describe('expectedAttempts', () => {
  it.each([
    [0, Number.POSITIVE_INFINITY, 1],
    [0.5, Number.POSITIVE_INFINITY, 2],
    [0.5, 2, 1.5],
    [0.5, 1, 1],
    [1, 5, 5],
  ])('q = %p, budget %p -> %p attempts', (q, m, attempts) => {
    expect(expectedAttempts(q, m)).toBeCloseTo(attempts, 12);
  });
});

describe('expectedPlacementCost', () => {
  it("matches the paper's formula with an unbounded budget", () => {
    const shares = [0.6, 0.3, 0.1];
    const runtimesMs = [1000, 900, 1350];
    const result = expectedPlacementCost({
      shares,
      runtimesMs,
      reject: [false, false, true],
      holdMs: 150,
      memoryMb: 2048,
      price,
    });
    const q = 0.1;
    const billedMs = (150 * q + 0.6 * 1000 + 0.3 * 900) / (1 - q);
    expect(result.attempts).toBeCloseTo(1 / (1 - q), 12);
    expect(result.billedMs).toBeCloseTo(billedMs, 9);
    expect(result.costUsd).toBeCloseTo(
      ((billedMs * 2) / 1000) * price.pricePerGbSecond + price.pricePerRequest / (1 - q),
      15,
    );
    expect(result.addedLatencyMs).toBeCloseTo((150 * q) / (1 - q), 9);
  });

  it("bills the INIT of the first attempt's new instance (by its cold share) and of every retry", () => {
    const base = {
      shares: [0.6, 0.4],
      runtimesMs: [1000, 1300],
      reject: [false, true],
      holdMs: 150,
      memoryMb: 2048,
      price,
    };
    const free = expectedPlacementCost(base);
    const billed = expectedPlacementCost({ ...base, initBilledMs: 180, coldStartShare: 0.5 });
    const attempts = 1 / 0.6;
    expect(billed.newInstances).toBeCloseTo(0.5 + attempts - 1, 12);
    expect(billed.billedMs - free.billedMs).toBeCloseTo((0.5 + attempts - 1) * 180, 9);
    expect(billed.costUsd - free.costUsd).toBeCloseTo(
      ((0.5 + attempts - 1) * 180 * 2 * price.pricePerGbSecond) / 1000,
      15,
    );
    expect(billed.attempts).toBe(free.attempts);
  });

  it('takes the INIT billing of 2024 and of today', () => {
    expect(initBilledMs()).toBe(DEFAULT_INIT_MS);
    expect(initBilledMs({ initMs: 212.4 })).toBe(213);
    expect(initBilledMs({ billed: false, initMs: 900 })).toBe(0);
    expect(() => initBilledMs({ initMs: -1 })).toThrow('initMs');
  });

  it('adds retry overhead and network latency', () => {
    const result = expectedPlacementCost({
      shares: [0.5, 0.5],
      runtimesMs: [100, 200],
      reject: [false, true],
      holdMs: 150,
      memoryMb: 128,
      price,
      retryOverheadMs: 50,
      networkMs: 30,
    });
    expect(result.addedLatencyMs).toBeCloseTo(200 + 30, 9);
  });

  it('fails when the attempt budget is not an integer', () => {
    expect(() =>
      expectedPlacementCost({
        shares: [1],
        runtimesMs: [1],
        reject: [false],
        holdMs: 1,
        memoryMb: 128,
        price,
        maxAttempts: 1.5,
      }),
    ).toThrow(CoreInputError);
  });

  /** A placement as `simulate` plays it and `exactSpread` describes it. */
  interface PlayedPlacement {
    readonly shares: number[];
    readonly runtimesMs: number[];
    readonly reject: boolean[];
    readonly holdMs: number;
    readonly maxAttempts: number;
    readonly memoryMb: number;
  }

  /** Plays a placement: attempts land by share; rejected ones are billed the hold; the last accepts anything. */
  function simulate(
    { shares, runtimesMs, reject, holdMs, maxAttempts, memoryMb }: PlayedPlacement,
    requests: number,
    random: () => number,
  ): { cost: number; attempts: number } {
    const total = shares.reduce((s, p) => s + p, 0);
    let cost = 0;
    let attempts = 0;
    for (let r = 0; r < requests; r++) {
      let requestCost = 0;
      let attempt = 1;
      for (; ; attempt++) {
        let u = random() * total;
        let cpu = shares.length - 1;
        for (let c = 0; c < shares.length; c++) {
          if (u < shares[c]) {
            cpu = c;
            break;
          }
          u -= shares[c];
        }
        if (reject[cpu] && attempt < maxAttempts) {
          requestCost += billedCost(holdMs, memoryMb, price);
          continue;
        }
        requestCost += billedCost(runtimesMs[cpu], memoryMb, price);
        break;
      }
      cost += requestCost;
      attempts += attempt;
    }
    return { cost: cost / requests, attempts: attempts / requests };
  }

  /**
   * The standard deviation of one played request's cost and attempt count (`simulate`'s process), from its exact
   * distribution: a request makes k attempts with probability q^(k−1)(1 − q) below the last, q^(m−1) at the last
   * (q: the rejected CPUs' share), pays k − 1 holds, and runs on a CPU drawn from the accepted ones, or from all at
   * the last attempt. The simulation's own sample spread misses a rare costly outcome it never drew (a slow CPU
   * taken at the last attempt), and then understates its error.
   */
  function exactSpread({ shares, runtimesMs, reject, holdMs, maxAttempts, memoryMb }: PlayedPlacement): {
    costSd: number;
    attemptsSd: number;
  } {
    const total = shares.reduce((s, p) => s + p, 0);
    const q = shares.reduce((s, p, c) => s + (reject[c] ? p : 0), 0) / total;
    const hold = billedCost(holdMs, memoryMb, price);
    const moments = { cost: 0, costSq: 0, attempts: 0, attemptsSq: 0 };
    for (let k = 1; k <= maxAttempts; k++) {
      const last = k === maxAttempts;
      const reach = q ** (k - 1);
      shares.forEach((share, c) => {
        if (!last && reject[c]) return;
        const p = (reach * share) / total;
        const cost = (k - 1) * hold + billedCost(runtimesMs[c], memoryMb, price);
        moments.cost += p * cost;
        moments.costSq += p * cost * cost;
        moments.attempts += p * k;
        moments.attemptsSq += p * k * k;
      });
    }
    return {
      costSd: Math.sqrt(Math.max(0, moments.costSq - moments.cost ** 2)),
      attemptsSd: Math.sqrt(Math.max(0, moments.attemptsSq - moments.attempts ** 2)),
    };
  }

  it('matches a seeded Monte Carlo estimate (property)', () => {
    const instance = fc.integer({ min: 2, max: 5 }).chain((n) =>
      fc.record({
        shares: fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
        runtimesMs: fc.array(fc.double({ min: 1, max: 5000, noNaN: true }), { minLength: n, maxLength: n }),
        reject: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
        holdMs: fc.integer({ min: 0, max: 300 }),
        maxAttempts: fc.integer({ min: 1, max: 10 }),
        memoryMb: fc.constantFrom(128, 1024, 2048, 10240),
        seed: fc.integer({ min: 1, max: 1_000_000 }),
      }),
    );
    fc.assert(
      fc.property(instance, (x) => {
        const expected = expectedPlacementCost({ ...x, price });
        const requests = 10_000;
        const observed = simulate(x, requests, seededRandom(x.seed));
        const spread = exactSpread(x);
        // Within 5 standard errors of the simulated mean (a 1-in-3.5-million miss for a fixed seed).
        const costSe = spread.costSd / Math.sqrt(requests);
        const attemptsSe = spread.attemptsSd / Math.sqrt(requests);
        expect(Math.abs(observed.cost - expected.costUsd)).toBeLessThanOrEqual(5 * costSe + 1e-15);
        expect(Math.abs(observed.attempts - expected.attempts)).toBeLessThanOrEqual(5 * attemptsSe + 1e-12);
      }),
      { numRuns: 30 },
    );
  });
});
