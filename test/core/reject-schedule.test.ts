import fc from 'fast-check';
import {
  type Candidate,
  type EvaluationParams,
  evaluateMask,
  metricsOfAttempts,
  newMetrics,
} from '../../lib/core/candidate';
import { rejectModeParams } from '../../lib/core/reject-mode';
import { evaluateSchedule, rejectCpusAt, schedulable, scheduleBeats } from '../../lib/core/reject-schedule';
import { Router } from '../../lib/core/router';
import type { RoutingView } from '../../lib/core/types';
import { prng } from '../../lib/workloads/prng';
import {
  characterization,
  EPYC,
  evaluationParams,
  facts,
  NOW,
  normalisedCandidateOf,
  profile,
  X25,
  X29,
  X30,
} from './fixtures';

const FACTS = facts('us-east-1', 38.9, -77.0, 380);

/** A candidate at render-long's 3538 MB unless given. */
const scheduleCandidate = (shares: readonly number[], runtimes: readonly number[], memoryMb = 3538): Candidate =>
  normalisedCandidateOf(shares, runtimes, memoryMb);

/** The shared cost-only params under the `auto` reject mode. */
function paramsOf(over: Partial<EvaluationParams> = {}): EvaluationParams {
  return evaluationParams({ ...rejectModeParams('auto', 150), ...over });
}

/** The best single reject set's objective, over every subset (the CPUs are few). */
function bestSingle(c: Candidate, p: EvaluationParams): number {
  const metrics = newMetrics();
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 1 << c.cpus.length; mask++) {
    const params = mask === 0 ? { ...p, maxAttempts: 1 } : p;
    const m = evaluateMask(c, mask, 0, params, metrics);
    if (m.feasible) best = Math.min(best, m.value);
  }
  return best;
}

// render-long of the stress-long-lowconc scenario: 180 s on the 2.5 GHz Xeon at 3538 MB; 0.88x on the 3.0 GHz Xeon
// (10% of the zone), 1.25x on the 2.9 GHz (15%), 1.4x on EPYC (15%). A rejected attempt bills 1 ms and the retry's
// INIT, 150 ms: about $9e-6, against $1.2e-3 saved by the 3.0 GHz Xeon over the 2.5 GHz one.
const RENDER_SHARES = [0.1, 0.6, 0.15, 0.15];
const RENDER_MS = [158_400, 180_000, 225_000, 252_000];

describe('evaluateSchedule', () => {
  it('rejects all but the fastest CPU while attempts are plentiful and relaxes as the budget runs down', () => {
    // GIVEN render-long's zone and a budget of 10 attempts
    const c = scheduleCandidate(RENDER_SHARES, RENDER_MS);
    const accepts = new Int32Array(10);
    // WHEN the schedule is computed
    evaluateSchedule(c, 0, paramsOf(), newMetrics(), accepts);
    // THEN only the 3.0 GHz Xeon is accepted on the first six attempts, the 2.5 GHz one joins it with three left
    // (a_2.5 = 180 s is below r + V(2) = 182.6 s), and the last attempt takes anything
    expect([...accepts]).toEqual([1, 1, 1, 1, 1, 1, 1, 2, 2, 4]);
  });

  it('beats the best single reject set where the budget binds, and both agree where it does not', () => {
    const c = scheduleCandidate(RENDER_SHARES, RENDER_MS);
    const scheduled = evaluateSchedule(c, 0, paramsOf(), newMetrics()).value;
    const single = bestSingle(c, paramsOf());
    // 10 attempts: the schedule saves about 2% of the call's cost (finding the 3.0 GHz Xeon more often).
    expect(scheduled).toBeLessThan(single * 0.99);
    // 200 attempts: reaching the last one is so unlikely that the best single set is as good.
    const long = paramsOf({ maxAttempts: 200 });
    expect(evaluateSchedule(c, 0, long, newMetrics()).value / bestSingle(c, long)).toBeCloseTo(1, 9);
  });

  // With one call per instance. In a batch (usesPerInstance > 1) a single reject set is priced by the renewal over the
  // worker's calls (pool-renewal.ts), which the induction does not model, and the router takes the cheaper of the two.
  it('is never worse than any single reject set for a lone call (end and auto modes, any mix and budget)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }),
        fc.array(fc.double({ min: 1, max: 10_000, noNaN: true }), { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 3, max: 30 }),
        fc.constantFrom('end' as const, 'auto' as const),
        fc.constant(1),
        fc.double({ min: 0, max: 2_000, noNaN: true }),
        (shares, raw, maxAttempts, mode, usesPerInstance, initBilledMs) => {
          const runtimes = raw.slice(0, shares.length).sort((a, b) => a - b);
          const c = scheduleCandidate(shares, runtimes, 2048);
          const p = paramsOf({ ...rejectModeParams(mode, 150), maxAttempts, usesPerInstance, initBilledMs });
          const scheduled = evaluateSchedule(c, 0, p, newMetrics()).value;
          expect(scheduled).toBeLessThanOrEqual(bestSingle(c, p) * (1 + 1e-12));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("reports the schedule's expected cost and attempts: a simulation of the same policy agrees", () => {
    // GIVEN render-long's schedule and its expectation
    const c = scheduleCandidate(RENDER_SHARES, RENDER_MS);
    const p = paramsOf();
    const accepts = new Int32Array(10);
    const expected = { ...evaluateSchedule(c, 0, p, newMetrics(), accepts) };
    // WHEN 50,000 calls follow it, each attempt a fresh draw from the mix
    const random = prng(7);
    let cost = 0;
    let attempts = 0;
    const calls = 50_000;
    for (let call = 0; call < calls; call++) {
      // The first attempt starts a new instance (cold share 1); every rejected one bills 1 ms and its retry's INIT.
      cost += p.initBilledMs * c.usdPerMs;
      for (let i = 0; i < 10; i++) {
        attempts++;
        cost += c.usdPerRequest;
        let u = random();
        let cpu = 0;
        while (cpu < c.shares.length - 1 && u >= c.shares[cpu]) u -= c.shares[cpu++];
        if (cpu < accepts[i]) {
          cost += c.billedMs[cpu] * c.usdPerMs;
          break;
        }
        cost += (1 + p.initBilledMs) * c.usdPerMs;
      }
    }
    // THEN the mean cost and attempts match the expectation (standard error about 0.05% of the cost)
    expect(cost / calls / expected.costUsd).toBeCloseTo(1, 2);
    expect(attempts / calls / expected.attempts).toBeCloseTo(1, 1);
  });

  it("in a batch, counts the searches of the worker's calls that follow a call ended on a refused CPU", () => {
    // GIVEN render-long's schedule in a batch whose instances serve 8 calls each
    const c = scheduleCandidate(RENDER_SHARES, RENDER_MS);
    const p = paramsOf({ usesPerInstance: 8 });
    const accepts = new Int32Array(10);
    const batch = { ...evaluateSchedule(c, 0, p, newMetrics(), accepts) };
    // WHEN it is compared with one search shared by all 8 calls
    const lone = evaluateSchedule(c, 0, paramsOf(), newMetrics());
    const naive = metricsOfAttempts(c, lone.attempts, lone.runtimeMs, 0, 0, p, newMetrics(), 1 / 8);
    // THEN a call that settled on a 2.5 GHz Xeon at a relaxed stage makes the next call search again (more attempts
    // per call than one search in 8), and fewer calls run on the refused CPUs than a lone call does
    expect(batch.attempts).toBeGreaterThan(naive.attempts * 1.05);
    expect(batch.runtimeMs).toBeLessThan(lone.runtimeMs);
  });

  it('applies only where every retry is a fresh draw and the budget is finite with room to relax', () => {
    expect(schedulable(paramsOf())).toBe(true);
    expect(schedulable(paramsOf(rejectModeParams('end', 150)))).toBe(true);
    expect(schedulable(paramsOf(rejectModeParams('hold', 150)))).toBe(false);
    expect(schedulable(paramsOf({ maxAttempts: Number.POSITIVE_INFINITY }))).toBe(false);
    expect(schedulable(paramsOf({ maxAttempts: 2 }))).toBe(false);
    // A schedule that rejects the same set at every attempt is that set: nothing to gain, so none is reported.
    const even = scheduleCandidate([0.5, 0.5], [1000, 1001]);
    expect(scheduleBeats(even, 0, paramsOf(), Number.POSITIVE_INFINITY, newMetrics())).toBeUndefined();
  });
});

describe('rejectCpusAt', () => {
  it('narrows the reject set at each relaxation that has begun', () => {
    const placement = {
      rejectCpus: [EPYC, X25, X29],
      relaxations: [
        { fromAttempt: 8, rejectCpus: [EPYC, X29] },
        { fromAttempt: 9, rejectCpus: [EPYC] },
      ],
    };
    expect([1, 7, 8, 9, 10].map((attempt) => rejectCpusAt(placement, attempt))).toEqual([
      [EPYC, X25, X29],
      [EPYC, X25, X29],
      [EPYC, X29],
      [EPYC],
      [EPYC],
    ]);
    expect(rejectCpusAt({ rejectCpus: [EPYC] }, 5)).toEqual([EPYC]);
  });
});

describe('a call re-placed part-way through its attempts (stress-long-lowconc, render-long)', () => {
  /** One zone with render-long's mix and its runtimes at 3538 MB, well measured. */
  function renderView(): RoutingView {
    const zone = characterization('use1-az1', 'us-east-1', { [X30]: 100, [X25]: 600, [X29]: 150, [EPYC]: 150 });
    return {
      zones: [zone],
      deployed: [{ azId: zone.azId, region: zone.region }],
      architectures: ['x86_64'],
      memorySizes: [3538],
      profiles: {
        'render-long': profile('render-long', 180_000, { [X25]: 1, [X30]: 0.88, [X29]: 1.25, [EPYC]: 1.4 }, 3538),
      },
      regions: { 'us-east-1': FACTS },
      now: NOW,
    };
  }

  it('keeps rejecting the 2.5 GHz Xeon after three rejects, with seven attempts left', () => {
    // GIVEN a router billing INIT, ending rejected instances, and a batch's call that met three slow new instances
    const router = new Router(renderView(), { rejectMode: 'auto', init: { initMs: 150 }, explore: false });
    // WHEN the call is placed again for the seven attempts it has left (as a batch refines every retry)
    const placement = router.place({
      workload: 'render-long',
      objective: 'cost',
      limits: { maxAttempts: 7 },
      pool: { usesPerInstance: 1, draws: { [X25]: 2, [X29]: 1 } },
    });
    // THEN it still accepts only the 3.0 GHz Xeon now (a reject costs ~$9e-6, the next draw is worth ~$1.2e-4),
    // and takes the 2.5 GHz Xeon only for the last attempts
    expect([...placement.rejectCpus].sort()).toEqual([EPYC, X25, X29].sort());
    expect(placement.relaxations).toEqual([{ fromAttempt: 5, rejectCpus: [EPYC, X29] }]);
    // and a lone call gets the same policy from its first attempt, ending every rejected instance
    const lone = router.place({ workload: 'render-long', objective: 'cost' });
    expect([...lone.rejectCpus].sort()).toEqual([EPYC, X25, X29].sort());
    expect(lone.relaxations).toEqual([{ fromAttempt: 8, rejectCpus: [EPYC, X29] }]);
    expect(lone.keepBeforeLastAttempt).toBe(false);
  });

  it("prices the schedule it places: the expected cost is the schedule's, below the best single reject set's", () => {
    const router = new Router(renderView(), { rejectMode: 'auto', init: { initMs: 150 }, explore: false });
    const lone = router.place({ workload: 'render-long', objective: 'cost' });
    const c = scheduleCandidate(RENDER_SHARES, RENDER_MS);
    const single = bestSingle(c, paramsOf({ retryOverheadMs: 10 }));
    // The candidate above bills as the router's does (same price, memory, INIT); ±1% for the profile's spread.
    expect(lone.expected.costUsd).toBeLessThan(single * 0.995);
  });
});
