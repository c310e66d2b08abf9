import fc from 'fast-check';
import { evaluateMask, newMetrics } from '../../lib/core/candidate';
import {
  type AttemptChain,
  attemptChain,
  expectedAttempts,
  expectedPlacementCost,
  type LambdaPrice,
} from '../../lib/core/cost-model';
import {
  endsRejectedInstance,
  expectedRejectModeCost,
  isRejectMode,
  REJECT_MODES,
  type RejectMode,
  type RejectModeCostInput,
  rejectModeParams,
} from '../../lib/core/reject-mode';
import { Router } from '../../lib/core/router';
import type { PlacementLimits } from '../../lib/core/types';
import { candidateOf, evaluationParams, paperView, CANDIDATE_REGION as region } from './fixtures';

const PRICE: LambdaPrice = { pricePerGbSecond: 0.0000166667, pricePerRequest: 0.0000002 };

const placement = (over: Partial<RejectModeCostInput> = {}): RejectModeCostInput => ({
  shares: [0.55, 0.3, 0.15],
  runtimesMs: [1000, 880, 1220],
  reject: [true, false, true],
  holdMs: 150,
  maxAttempts: 10,
  memoryMb: 2048,
  price: PRICE,
  initBilledMs: 150,
  coldStartShare: 1,
  mode: 'end',
  ...over,
});

/** The keep rule spelled out: the rejected CPUs' mean runtime against a new instance's INIT and mean runtime. */
function keepsLast(input: RejectModeCostInput): boolean {
  const total = input.shares.reduce((s, p) => s + p, 0);
  let q = 0;
  let rejected = 0;
  let all = 0;
  input.shares.forEach((p, i) => {
    all += (p / total) * Math.ceil(input.runtimesMs[i]);
    if (input.reject[i]) {
      q += p / total;
      rejected += (p / total) * Math.ceil(input.runtimesMs[i]);
    }
  });
  return q > 0 && rejected / q < all + (input.initBilledMs ?? 0);
}

/** A direct simulation of one call under the mode's rules, to check the model against. */
function simulate(input: RejectModeCostInput, calls: number, seed: number) {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const total = input.shares.reduce((s, p) => s + p, 0);
  const draw = (): number => {
    let u = random() * total;
    for (let i = 0; i < input.shares.length; i++) {
      u -= input.shares[i];
      if (u < 0) return i;
    }
    return input.shares.length - 1;
  };
  let attempts = 0;
  let newInstances = 0;
  let billed = 0;
  for (let n = 0; n < calls; n++) {
    let cpu = draw();
    newInstances += input.coldStartShare ?? 1;
    for (let j = 1; ; j++) {
      attempts++;
      const last = j >= (input.maxAttempts ?? Number.POSITIVE_INFINITY);
      if (last || !input.reject[cpu]) {
        billed += Math.ceil(input.runtimesMs[cpu]);
        break;
      }
      billed += input.mode === 'hold' ? input.holdMs : 1;
      const held =
        input.mode === 'hold' || (input.mode === 'auto' && keepsLast(input) && j === (input.maxAttempts ?? 0) - 1);
      if (held && random() < (input.returnShare ?? 1)) continue; // the same instance again
      cpu = draw();
      if (random() < (input.retryColdShare ?? 1)) newInstances++;
    }
  }
  billed += newInstances * (input.initBilledMs ?? 0);
  return { attempts: attempts / calls, newInstances: newInstances / calls, billedMs: billed / calls };
}

describe('reject modes', () => {
  it('one vocabulary: hold, end, auto', () => {
    expect(REJECT_MODES).toEqual(['hold', 'end', 'auto']);
    expect(REJECT_MODES.every(isRejectMode)).toBe(true);
    for (const bad of ['stay-warm', 'end-instance', 'HOLD', '', undefined, 1]) expect(isRejectMode(bad)).toBe(false);
  });

  it.each([
    ['hold', false, false, false],
    ['hold', true, true, false],
    ['end', false, false, true],
    ['end', true, true, true],
    ['auto', false, true, true],
    ['auto', true, false, true],
    ['auto', true, true, false],
  ] as Array<[RejectMode, boolean, boolean, boolean]>)(
    '%s, next attempt last %s, placement keeps for it %s: ends the instance %s',
    (mode, nextIsLast, keep, ends) => {
      expect(endsRejectedInstance(mode, nextIsLast, keep)).toBe(ends);
    },
  );
});

describe('expectedRejectModeCost', () => {
  it('with end (and every retry on a new instance) is the memoryless model', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.double({ min: 1, max: 20_000, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 1, max: 12 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.constantFrom(0, 100),
        (shares, runtimes, reject, maxAttempts, coldStartShare, minBilledMs) => {
          const input = placement({
            shares,
            runtimesMs: runtimes.slice(0, shares.length),
            reject: reject.slice(0, shares.length),
            maxAttempts,
            coldStartShare,
            holdMs: 1,
            price: { ...PRICE, minBilledMs },
          });
          const memoryless = expectedPlacementCost(input);
          const modelled = expectedRejectModeCost(input);
          for (const key of ['attempts', 'billedMs', 'newInstances', 'runtimeMs', 'costUsd'] as const) {
            expect(modelled[key]).toBeCloseTo(memoryless[key], 6);
          }
        },
      ),
    );
  });

  it("bills a rejected attempt the provider's minimum per call: DigitalOcean's 100 ms, Lambda's 1 ms", () => {
    // GIVEN a call that rejects 70% of the mix and ends each rejected instance at once
    const lambda = expectedRejectModeCost(placement({ mode: 'end' }));
    const digitalOcean = expectedRejectModeCost(placement({ mode: 'end', price: { ...PRICE, minBilledMs: 100 } }));
    // THEN each rejection bills 1 ms on Lambda and 100 ms on DigitalOcean, and nothing else changes
    expect(digitalOcean.attempts).toBeCloseTo(lambda.attempts, 12);
    expect(digitalOcean.billedMs - lambda.billedMs).toBeCloseTo((lambda.attempts - 1) * 99, 6);
  });

  it("bills a run shorter than the provider's minimum at the minimum, in every mode and in the memoryless model", () => {
    // GIVEN a mix whose accepted CPU runs a call in 40 ms and whose rejected one in 60 ms, rejected at once (no
    // hold), on DigitalOcean (100 ms a call at least) and on Lambda
    const short = { shares: [0.6, 0.4], runtimesMs: [40, 60], reject: [false, true], initBilledMs: 0, holdMs: 0 };
    const digitalOcean = { ...PRICE, minBilledMs: 100 };
    for (const mode of REJECT_MODES) {
      const lambda = expectedRejectModeCost(placement({ ...short, mode }));
      const onDo = expectedRejectModeCost(placement({ ...short, mode, price: digitalOcean }));
      // THEN every call that ran, and every rejected attempt, bills 100 ms there: the same attempts, each 100 ms
      expect(onDo.attempts).toBeCloseTo(lambda.attempts, 12);
      expect(onDo.runtimeMs).toBeCloseTo(100, 9);
      expect(onDo.billedMs).toBeCloseTo(100 * onDo.attempts, 9);
      expect(lambda.runtimeMs).toBeLessThanOrEqual(60);
    }
    const memoryless = expectedPlacementCost(placement({ ...short, price: digitalOcean }));
    expect(memoryless.runtimeMs).toBeCloseTo(100, 9);
    expect(memoryless.billedMs).toBeCloseTo(100 * memoryless.attempts, 9);
  });

  it('with hold and no return to the held instance is end without ending (at the same billed hold)', () => {
    const end = expectedRejectModeCost(placement({ mode: 'end' }));
    const hold = expectedRejectModeCost(placement({ mode: 'hold', returnShare: 0, holdMs: 1 }));
    expect(hold.costUsd).toBeCloseTo(end.costUsd, 12);
  });

  it('with hold on a lone call: every retry meets the held instance, so a rejected call uses its whole budget', () => {
    const e = expectedRejectModeCost(placement({ mode: 'hold', returnShare: 1 }));
    const q = 0.7;
    expect(e.attempts).toBeCloseTo(1 + q * 9, 9);
    expect(e.newInstances).toBeCloseTo(1, 9);
    // Accepted work: the fast CPU when the first draw is accepted, else whatever rejected CPU the call held.
    expect(e.runtimeMs).toBeCloseTo(0.55 * 1000 + 0.3 * 880 + 0.15 * 1220, 6);
    expect(e.billedMs).toBeCloseTo(e.runtimeMs + 150 * q * 9 + 150, 6);
  });

  it('is infinite when a lone call holds with an unbounded budget', () => {
    const e = expectedRejectModeCost(placement({ mode: 'hold', returnShare: 1, maxAttempts: Infinity }));
    expect(e.costUsd).toBe(Infinity);
  });

  it.each([
    ['hold', 1, 1],
    ['hold', 0.4, 0.5],
    ['auto', 1, 1],
    ['auto', 0.6, 0.3],
    ['end', 1, 0.2],
  ] as Array<[RejectMode, number, number]>)(
    '%s (return %d, new instance %d) agrees with a direct simulation of calls',
    (mode, returnShare, retryColdShare) => {
      const input = placement({ mode, returnShare, retryColdShare });
      const model = expectedRejectModeCost(input);
      const sim = simulate(input, 200_000, 7);
      expect(sim.attempts).toBeCloseTo(model.attempts, 1);
      expect(sim.newInstances).toBeCloseTo(model.newInstances, 1);
      expect(Math.abs(sim.billedMs - model.billedMs) / model.billedMs).toBeLessThan(0.01);
    },
  );

  it('ranks the modes for a lone call: auto (keeps the instance for the last attempt here) < end < hold', () => {
    const cost = (mode: RejectMode) => expectedRejectModeCost(placement({ mode })).costUsd;
    expect(keepsLast(placement())).toBe(true);
    expect(cost('auto')).toBeLessThan(cost('end'));
    expect(cost('end')).toBeLessThan(cost('hold'));
  });

  it('auto counts INIT: with INIT unbilled a slow rejected instance is not worth keeping, and auto is end', () => {
    const input = placement({ initBilledMs: 0 });
    expect(keepsLast(input)).toBe(false);
    expect(expectedRejectModeCost({ ...input, mode: 'auto' }).costUsd).toBeCloseTo(
      expectedRejectModeCost({ ...input, mode: 'end' }).costUsd,
      12,
    );
  });

  it('auto never costs a lone call more than end', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 2, maxLength: 4 }),
        fc.array(fc.double({ min: 1, max: 5_000, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 2, max: 10 }),
        fc.integer({ min: 0, max: 1000 }),
        (shares, runtimes, reject, maxAttempts, initBilledMs) => {
          const input = placement({
            shares,
            runtimesMs: runtimes.slice(0, shares.length),
            reject: reject.slice(0, shares.length),
            maxAttempts,
            initBilledMs,
          });
          const auto = expectedRejectModeCost({ ...input, mode: 'auto' }).costUsd;
          expect(auto).toBeLessThanOrEqual(expectedRejectModeCost({ ...input, mode: 'end' }).costUsd * (1 + 1e-12));
        },
      ),
    );
  });

  it.each([
    [{ returnShare: 1.5 }, 'returnShare'],
    [{ retryColdShare: -0.1 }, 'retryColdShare'],
  ])('fails on %j, naming the field', (over, field) => {
    expect(() => expectedRejectModeCost(placement(over))).toThrow(field);
  });
});

describe('attemptChain', () => {
  const chain = (q: number, m: number, early: number, last: number): AttemptChain =>
    attemptChain(q, m, early, last, {
      attempts: 0,
      freshBeforeLast: 0,
      lastReach: 0,
      returnedRetries: 0,
      lastKept: 0,
    });

  it('with no return is the memoryless chain: A = (1 − q^m)/(1 − q), the last attempt reached with q^(m−1)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.oneof(fc.integer({ min: 1, max: 30 }), fc.constant(Number.POSITIVE_INFINITY)),
        (q, m) => {
          const c = chain(q, m, 0, 0);
          expect(c.attempts).toBeCloseTo(expectedAttempts(q, m), 9);
          expect(c.lastReach).toBeCloseTo(m === Number.POSITIVE_INFINITY ? 0 : q ** (m - 1), 12);
          expect(c.returnedRetries).toBe(0);
        },
      ),
    );
  });

  it('a held instance that always takes the retry back: rejected calls use the whole budget', () => {
    const c = chain(0.4, 10, 1, 1);
    expect(c.attempts).toBeCloseTo(1 + 0.4 * 9, 12);
    expect(c.freshBeforeLast).toBeCloseTo(1, 12);
    expect(c.lastReach).toBeCloseTo(0.4, 12);
    expect(c.returnedRetries).toBeCloseTo(0.4 * 9, 12);
    expect(chain(0.4, Number.POSITIVE_INFINITY, 1, 1).attempts).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('the router prices each reject mode by its model', () => {
  const price: LambdaPrice = {
    pricePerGbSecond: region.pricePerGbSecond.x86_64,
    pricePerRequest: region.pricePerRequest,
  };

  it('evaluateMask agrees with expectedRejectModeCost for every mode, return share and reject set (property)', () => {
    const instance = fc.integer({ min: 1, max: 5 }).chain((n) =>
      fc.record({
        shares: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
        runtimes: fc.array(fc.double({ min: 1, max: 10_000, noNaN: true }), { minLength: n, maxLength: n }),
        mask: fc.integer({ min: 1, max: (1 << n) - 1 }),
        maxAttempts: fc.integer({ min: 1, max: 12 }),
        initMs: fc.integer({ min: 0, max: 3000 }),
        coldStartShare: fc.double({ min: 0, max: 1, noNaN: true }),
        mode: fc.constantFrom(...REJECT_MODES),
        returnShare: fc.double({ min: 0, max: 1, noNaN: true }),
        // Lambda's, and DigitalOcean's 100 ms minimum billed per call.
        minBilledMs: fc.constantFrom(0, 100),
      }),
    );
    fc.assert(
      fc.property(instance, (x) => {
        const total = x.shares.reduce((s, p) => s + p, 0);
        const shares = x.shares.map((p) => p / total);
        const c = candidateOf(shares, x.runtimes, { facts: { ...region, minBilledMs: x.minBilledMs } });
        const params = evaluationParams({
          ...rejectModeParams(x.mode, 150, x.returnShare),
          maxAttempts: x.maxAttempts,
          initBilledMs: x.initMs,
          coldStartShare: x.coldStartShare,
        });
        const got = evaluateMask(c, x.mask, 0, params, newMetrics());
        const want = expectedRejectModeCost({
          shares: Array.from(c.shares),
          runtimesMs: Array.from(c.billedMs),
          reject: c.cpus.map((_, j) => (x.mask & (1 << j)) !== 0),
          holdMs: 150,
          maxAttempts: x.maxAttempts,
          memoryMb: 1024,
          price: { ...price, minBilledMs: x.minBilledMs },
          retryOverheadMs: 10,
          initBilledMs: x.initMs,
          coldStartShare: x.coldStartShare,
          mode: x.mode,
          returnShare: x.returnShare,
        });
        expect(got.attempts).toBeCloseTo(want.attempts, 9);
        expect(got.runtimeMs).toBeCloseTo(want.runtimeMs, 6);
        expect(got.billedMs).toBeCloseTo(want.billedMs, 6);
        expect(got.costUsd).toBeCloseTo(want.costUsd, 12);
        expect(got.addedLatencyMs).toBeCloseTo(want.addedLatencyMs, 6);
      }),
    );
  });

  const x86At2048: PlacementLimits = { architectures: ['x86_64'], memorySizes: [2048], zones: ['usw1-az3'] };
  const place = (strategy: 'retry-slow' | 'optimal', returnShare?: number) =>
    new Router(paperView(), { baselineZone: 'usw1-az3', rejectMode: 'hold', returnShare }).place({
      workload: 'zipper',
      strategy,
      objective: 'cost',
      limits: x86At2048,
    });

  it('hold, where the held instance takes the retry back (the default): a rejected call uses its whole budget', () => {
    // usw1-az3: retry-slow rejects the 2.9 GHz Xeon (25%) and EPYC (10%).
    const p = place('retry-slow');
    expect(p.rejectCpus.length).toBe(2);
    expect(p.expected.attempts).toBeCloseTo(1 + 0.35 * 9, 9);
    expect(p.expected.addedLatencyMs).toBeCloseTo(0.35 * 9 * (150 + 10), 6);
  });

  it('hold: optimal rejects nothing, since no retry can move off the held instance', () => {
    const p = place('optimal');
    expect(p.rejectCpus).toEqual([]);
    expect(p.expected.attempts).toBe(1);
    // Where retries do move (returnShare 0), rejecting the slow CPUs pays on the same zone.
    expect(place('optimal', 0).rejectCpus.length).toBeGreaterThan(0);
  });

  it('refuses a return share outside [0, 1], naming it', () => {
    expect(() => new Router(paperView(), { returnShare: 1.2 })).toThrow(/returnShare/);
    expect(() => rejectModeParams('hold', 150, -0.1)).toThrow(/returnShare/);
  });
});
