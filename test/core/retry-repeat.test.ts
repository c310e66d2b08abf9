import { createHash } from 'node:crypto';
import { evaluateMask, keepsBeforeLastAttempt, newMetrics } from '../../lib/core/candidate';
import { expectedRejectModeCost, type RejectMode } from '../../lib/core/reject-mode';
import { evaluateSchedule } from '../../lib/core/reject-schedule';
import { optimalRejectSet, type RejectChoice } from '../../lib/core/reject-set';
import { Router } from '../../lib/core/router';
import { prng } from '../../lib/workloads/prng';
import { candidateOf, evaluationParams, paperView } from './fixtures';
import { poolFigures } from './pool-figures';

/**
 * `PoolContext.retryRepeat` (ρ): after a reject, the retry's new instance lands on the rejected instance's host, and
 * so on its CPU, with probability ρ, and is a fresh draw from the mix otherwise (`attemptChain` in cost-model.ts).
 */

const PRICE = { pricePerGbSecond: 0.0000166667, pricePerRequest: 0.0000002 };

describe('retry repeats: ρ = 0', () => {
  it('gives the figures of the model before it knew repeats, to 12 significant digits (every mode, budget, set, schedule, batch)', () => {
    // `poolFigures()` computed at the commit before retry repeats entered the model: 21,042 numbers, hashed at 12
    // significant digits, not to the last bit: Node.js versions differ there (on Node.js 24, 54 of the figures differ
    // from Node.js 20's and 22's by one or two units in the last place), while a change of the model moves a figure by
    // far more than 1e-12 of it.
    const figures = poolFigures().map((x) => (Number.isFinite(x) ? x.toPrecision(12) : String(x)));
    expect(figures).toHaveLength(21_042);
    expect(createHash('sha256').update(figures.join(',')).digest('hex')).toBe(
      '9a47012349d076c437f7f2c5e499ef4d4bb4367886a5cf5ba6fd6505e8dfe5f8',
    );
  });

  it('places a request with retryRepeat 0 exactly as one without it', () => {
    // No exploration: a placement that explores changes what the next one explores.
    const router = new Router(paperView(), {
      baselineZone: 'usw1-az3',
      init: { billed: true, initMs: 150 },
      explore: false,
    });
    for (const usesPerInstance of [1, 8]) {
      const request = { workload: 'zipper', objective: 'cost' as const, pool: { usesPerInstance } };
      const without = router.place(request);
      const zero = router.place({ ...request, pool: { ...request.pool, retryRepeat: 0 } });
      expect(zero.expected).toEqual(without.expected);
      expect(zero.rejectCpus).toEqual(without.rejectCpus);
      expect(zero.target).toEqual(without.target);
    }
  });
});

/**
 * A direct simulation of lone calls, CPU by CPU: attempt 1 draws from the mix; after a reject the retry returns to the
 * rejected instance (held or kept warm) with the mode's return share, else starts a new instance, which runs the
 * rejected CPU again with probability ρ and a fresh draw otherwise. The last attempt runs whatever it meets.
 */
function simulateCalls(
  shares: readonly number[],
  runtimesMs: readonly number[],
  reject: readonly boolean[],
  maxAttempts: number,
  earlyReturn: number,
  lastReturn: number,
  rho: number,
  calls: number,
  seed: number,
): { attempts: number; retryInstances: number; runtimeMs: number } {
  const random = prng(seed);
  const draw = (): number => {
    let u = random();
    for (let j = 0; j < shares.length - 1; j++) {
      u -= shares[j];
      if (u < 0) return j;
    }
    return shares.length - 1;
  };
  let attempts = 0;
  let retryInstances = 0;
  let runtimeMs = 0;
  for (let call = 0; call < calls; call++) {
    let cpu = draw();
    for (let k = 1; ; k++) {
      attempts++;
      if (k === maxAttempts || !reject[cpu]) {
        runtimeMs += runtimesMs[cpu];
        break;
      }
      if (random() < (k + 1 === maxAttempts ? lastReturn : earlyReturn)) continue;
      retryInstances++;
      if (random() >= rho) cpu = draw();
    }
  }
  return { attempts: attempts / calls, retryInstances: retryInstances / calls, runtimeMs: runtimeMs / calls };
}

describe('retry repeats: the attempt chain against a direct simulation', () => {
  const shares = [0.15, 0.25, 0.6];
  const runtimesMs = [800, 1000, 1300];
  const reject = [false, true, true];
  it.each<[RejectMode, number, number]>([
    ['end', 0.5, 10],
    ['end', 0.85, 10],
    ['end', 0.5, 3],
    ['auto', 0.6, 6],
    ['hold', 0.4, 8],
  ])(
    'mode %s, ρ %d, %d attempts: attempts, new instances and runtime within 1.5%% of 100,000 calls',
    (mode, rho, m) => {
      const returnShare = mode === 'hold' ? 0.5 : 1;
      const initBilledMs = 400;
      const model = expectedRejectModeCost({
        shares,
        runtimesMs,
        reject,
        holdMs: 150,
        maxAttempts: m,
        memoryMb: 1024,
        price: PRICE,
        initBilledMs,
        coldStartShare: 0,
        mode,
        returnShare,
        retryRepeat: rho,
      });
      const freshMs = shares.reduce((s, p, j) => s + p * runtimesMs[j], 0);
      const keptMs = (0.25 * 1000 + 0.6 * 1300) / 0.85;
      const keeps = mode === 'auto' && keepsBeforeLastAttempt(keptMs, freshMs, initBilledMs, rho);
      if (mode === 'auto') expect(keeps).toBe(true);
      const early = mode === 'hold' ? returnShare : 0;
      const last = mode === 'hold' || keeps ? returnShare : 0;
      const sim = simulateCalls(shares, runtimesMs, reject, m, early, last, rho, 100_000, 7);
      expect(model.attempts).toBeGreaterThan(1.3);
      expect(Math.abs(model.attempts / sim.attempts - 1)).toBeLessThan(0.015);
      expect(Math.abs(model.newInstances / sim.retryInstances - 1)).toBeLessThan(0.015);
      expect(Math.abs(model.runtimeMs / sim.runtimeMs - 1)).toBeLessThan(0.015);
    },
  );

  it('prices more attempts and a slower last attempt the more often a retry repeats its host', () => {
    const at = (rho: number) =>
      expectedRejectModeCost({
        shares,
        runtimesMs,
        reject,
        holdMs: 0,
        maxAttempts: 10,
        memoryMb: 1024,
        price: PRICE,
        initBilledMs: 150,
        mode: 'end',
        retryRepeat: rho,
      });
    const [a, b, c] = [0, 0.5, 0.9].map(at);
    expect(b.attempts).toBeGreaterThan(a.attempts);
    expect(c.attempts).toBeGreaterThan(b.attempts);
    expect(c.runtimeMs).toBeGreaterThan(a.runtimeMs);
    expect(c.costUsd).toBeGreaterThan(b.costUsd);
  });

  it('fails on a retryRepeat outside [0, 1], naming it', () => {
    expect(() =>
      expectedRejectModeCost({
        shares,
        runtimesMs,
        reject,
        holdMs: 0,
        memoryMb: 1024,
        price: PRICE,
        mode: 'end',
        retryRepeat: 1.2,
      }),
    ).toThrow('retryRepeat');
  });
});

/**
 * The exact expectation of a call that accepts the `accepts[i]` fastest CPUs at attempt i + 1 (the last accepts all),
 * ending every rejected instance, with repeats ρ: the chain over the CPU each attempt meets, written out directly.
 */
function scheduleCost(
  shares: readonly number[],
  billedMs: readonly number[],
  accepts: readonly number[],
  rho: number,
  initMs: number,
  usdPerMs: number,
  usdPerRequest: number,
): number {
  let mass = [...shares];
  let attempts = 0;
  let runtimeMs = 0;
  for (let i = 0; i < accepts.length; i++) {
    const rejected = mass.reduce((s, v, j) => (j >= accepts[i] ? s + v : s), 0);
    attempts += mass.reduce((s, v) => s + v, 0);
    for (let j = 0; j < accepts[i]; j++) runtimeMs += mass[j] * billedMs[j];
    mass = mass.map((v, j) => (j >= accepts[i] ? rho * v : 0) + (1 - rho) * shares[j] * rejected);
    if (i === accepts.length - 1) break;
    if (mass.every((v) => v === 0)) break;
  }
  const retries = attempts - 1;
  // As `metricsOfAttempts` bills an `end` call: 1 ms per rejected attempt, an INIT per new instance (the first one's too).
  return (runtimeMs + retries + (1 + retries) * initMs) * usdPerMs + attempts * usdPerRequest;
}

describe('retry repeats: reject schedules', () => {
  // A slow tail worth rejecting even when retries meet it again: the schedules differ at every ρ below.
  const runtimes = [900, 1600, 2600, 4500];
  const shares = [0.25, 0.25, 0.25, 0.25];
  const c = candidateOf(shares, runtimes, { memoryMb: 1024 });
  const m = 4;

  /** Every schedule of `m` attempts (the last accepts all): 4^3 of them. */
  function* schedules(): Generator<number[]> {
    for (let a = 1; a <= 4; a++) for (let b = 1; b <= 4; b++) for (let d = 1; d <= 4; d++) yield [a, b, d, 4];
  }

  it.each([0, 0.3, 0.6, 0.9])(
    'ρ %d: the backward induction finds the cheapest of all 64 schedules, priced exactly',
    (rho) => {
      const params = evaluationParams({ maxAttempts: m, holdMs: 0, retryOverheadMs: 0, retryRepeat: rho });
      const accepts = new Int32Array(m);
      const metrics = evaluateSchedule(c, 0, params, newMetrics(), accepts);
      const price = (s: readonly number[]) =>
        scheduleCost(c.shares, c.billedMs, s, rho, params.initBilledMs, c.usdPerMs, c.usdPerRequest);
      expect(metrics.costUsd).toBeCloseTo(price([...accepts]), 14);
      let best = Number.POSITIVE_INFINITY;
      for (const s of schedules()) best = Math.min(best, price(s));
      expect(metrics.costUsd).toBeLessThanOrEqual(best * (1 + 1e-12));
    },
  );

  it('narrows the strict stage as repeats grow: a CPU met again is less worth rejecting', () => {
    const strict = [0, 0.5, 0.95].map((rho) => {
      const accepts = new Int32Array(10);
      evaluateSchedule(c, 0, evaluationParams({ holdMs: 0, retryRepeat: rho }), newMetrics(), accepts);
      return accepts[0];
    });
    expect(strict[1]).toBeGreaterThanOrEqual(strict[0]);
    expect(strict[2]).toBeGreaterThan(strict[0]);
  });
});

describe('retry repeats: the reject set and the router', () => {
  it('rejects fewer CPUs under strong repeats', () => {
    const c = candidateOf([0.3, 0.7], [700, 1000], { memoryMb: 1024 });
    const chosen = (rho: number): RejectChoice => {
      const params = evaluationParams({ holdMs: 0, initBilledMs: 20, retryRepeat: rho });
      return optimalRejectSet(c, 0, params, { ...params, maxAttempts: 1 }, newMetrics(), {
        mask: -1,
        value: Infinity,
      });
    };
    expect(chosen(0).mask).toBe(0b10);
    expect(chosen(0.9).mask).toBe(0);
    // Rejecting still prices higher with repeats than without.
    const rejectAt = (rho: number) =>
      evaluateMask(c, 0b10, 0, evaluationParams({ holdMs: 0, initBilledMs: 20, retryRepeat: rho }), newMetrics()).value;
    expect(rejectAt(0.9)).toBeGreaterThan(rejectAt(0));
  });

  it('places a batch with strong repeats apart from one without, and notes a bad value', () => {
    const router = new Router(paperView(), { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
    const request = {
      workload: 'zipper',
      objective: 'cost' as const,
      limits: { architectures: ['x86_64' as const], memorySizes: [2048], zones: ['usw1-az3'] },
    };
    const free = router.place({ ...request, pool: { usesPerInstance: 30 } });
    const packed = router.place({ ...request, pool: { usesPerInstance: 30, retryRepeat: 0.9 } });
    expect(free.rejectCpus.length).toBeGreaterThan(0);
    expect(packed.rejectCpus.length).toBeLessThan(free.rejectCpus.length);
    expect(router.place({ ...request, pool: { usesPerInstance: 30 } })).toEqual(free);
    const bad = router.place({ ...request, pool: { usesPerInstance: 30, retryRepeat: -1 } });
    expect(bad.notes.join(' ')).toMatch(/retryRepeat -1 is not a number in \[0, 1\]/);
    expect(bad.expected).toEqual(free.expected);
  });
});
