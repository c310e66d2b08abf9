import {
  type Candidate,
  type EvaluationParams,
  evaluateMask,
  keepsBeforeLastAttempt,
  newMetrics,
} from '../../lib/core/candidate';
import { attemptBilledMs } from '../../lib/core/cost-model';
import { drawnChance, withDrawnShares } from '../../lib/core/pool-draws';
import { type RejectMode, rejectModeParams } from '../../lib/core/reject-mode';
import { Router } from '../../lib/core/router';
import type { PlacementRequest } from '../../lib/core/types';
import { candidateOf, evaluationParams, paperView } from './fixtures';

/**
 * The pool model: a call that settles on an instance leaves it warm for the next call of its batch worker, so the
 * cost of finding it (rejected attempts, INITs) is shared by the calls it serves (`usesPerInstance`).
 */
const x86At2048 = { architectures: ['x86_64' as const], memorySizes: [2048] };
const router = new Router(paperView(), { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
const place = (strategy: PlacementRequest['strategy'], uses: number) =>
  router.place({ workload: 'zipper', strategy, objective: 'cost', limits: x86At2048, pool: { usesPerInstance: uses } });

describe('pool model', () => {
  it('shares the search among the calls an instance serves, and runs fewer of them on refused CPUs', () => {
    // focus-fastest rejects by rule, so only the sharing changes with u.
    const [c1, c2, c4] = [1, 2, 4].map((u) => place('focus-fastest', u));
    expect(c1.rejectCpus).toEqual(c4.rejectCpus);
    // A call that runs out of attempts runs refused once; the worker's next call searches again (pool-renewal.ts).
    expect(c2.expected.runtimeMs).toBeLessThan(c1.expected.runtimeMs);
    expect(c4.expected.runtimeMs).toBeLessThan(c2.expected.runtimeMs);
    expect(c2.expected.costUsd).toBeLessThan(c1.expected.costUsd);
    expect(c4.expected.costUsd).toBeLessThan(c2.expected.costUsd);
    // Retries per call fall with u, but by less than 1/u: the calls that ran out of attempts search again.
    expect(c4.expected.attempts - 1).toBeLessThan(c2.expected.attempts - 1);
    expect(c4.expected.attempts - 1).toBeGreaterThan((c1.expected.attempts - 1) / 4);
  });

  it('rejects more as an instance serves more calls, and never less', () => {
    let previous: readonly string[] = [];
    const sets = [1, 2, 4, 16, 64, 256].map((u) => place('optimal', u));
    for (const p of sets) {
      for (const cpu of previous) expect(p.rejectCpus).toContain(cpu);
      previous = p.rejectCpus;
    }
    expect(sets[sets.length - 1].rejectCpus.length).toBeGreaterThan(sets[0].rejectCpus.length);
  });

  it('prices a batch no higher than lone calls, the more so the more calls share an instance', () => {
    const costs = [1, 4, 32].map((u) => place('optimal', u).expected.costUsd);
    expect(costs[1]).toBeLessThan(costs[0]);
    expect(costs[2]).toBeLessThan(costs[1]);
  });

  it("prices a search that workers share (searchUses) cheaper, and a bad one as each worker's own, with a note", () => {
    const shared = (searchUses: number) =>
      router.place({
        workload: 'zipper',
        strategy: 'optimal',
        objective: 'cost',
        limits: x86At2048,
        pool: { usesPerInstance: 4, searchUses },
      });
    expect(shared(64).expected.costUsd).toBeLessThan(place('optimal', 4).expected.costUsd);
    const bad = shared(Number.NaN);
    expect(bad.notes.join(' ')).toMatch(/searchUses NaN is not a number >= 1; using usesPerInstance \(4\)/);
    expect(bad.expected.costUsd).toBeCloseTo(place('optimal', 4).expected.costUsd, 12);
  });

  it('refuses nothing for a bad usesPerInstance: a note, and one call per instance', () => {
    const p = place('optimal', 0.5);
    expect(p.notes.join(' ')).toMatch(/usesPerInstance 0.5/);
    expect(p.expected.costUsd).toBeCloseTo(place('optimal', 1).expected.costUsd, 12);
  });
});

/**
 * A direct simulation of one batch worker sending `uses` calls one after another: each call first meets the instance
 * the worker's last call settled on (warm, no INIT), and draws fresh instances (INIT) after a reject, except where the
 * reject mode leaves the rejected instance warm and the retry comes back to it (`returnShare`). A retry's new instance
 * lands on the rejected one's host, and runs its CPU, with probability `retryRepeat`. The last attempt of a call runs
 * wherever it lands. With `sharers` > 1 the workers start in groups that share one search, as a probed batch's do:
 * the group's first worker searches, and each other one's first instance (an INIT of its own) lands on the host, and
 * so the CPU, that search settled on. Returns the mean cost per call.
 */
function simulateWorker(
  c: Candidate,
  mask: number,
  p: EvaluationParams,
  uses: number,
  workers: number,
  seed: number,
  sharers = 1,
): { costUsd: number; attempts: number; runtimeMs: number } {
  let state = seed >>> 0;
  const random = (): number => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const draw = (): number => {
    let u = random();
    for (let j = 0; j < c.shares.length; j++) {
      u -= c.shares[j];
      if (u < 0) return j;
    }
    return c.shares.length - 1;
  };
  const rejected = (cpu: number): boolean => (mask & (1 << cpu)) !== 0;
  let fresh = 0;
  let billed = 0;
  let attempts = 0;
  let runtime = 0;
  let searched = 0;
  for (let w = 0; w < workers; w++) {
    let warm: number | undefined;
    const shares = w % sharers !== 0;
    for (let call = 0; call < uses; call++) {
      let cpu: number;
      if (warm !== undefined) cpu = warm;
      else {
        cpu = shares && call === 0 ? searched : draw();
        fresh++;
      }
      warm = undefined;
      for (let j = 1; ; j++) {
        attempts++;
        const last = j >= p.maxAttempts;
        if (last || !rejected(cpu)) {
          billed += c.billedMs[cpu];
          runtime += c.billedMs[cpu];
          warm = cpu;
          if (!shares && call === 0) searched = cpu;
          break;
        }
        billed += attemptBilledMs(p.holdMs);
        const nextIsLast = j + 1 >= p.maxAttempts;
        const stays =
          p.rejectedStayWarm ||
          (p.keepBeforeLastAttempt &&
            nextIsLast &&
            keepsBeforeLastAttempt(keptMsOf(c, mask), freshMsOf(c), p.initBilledMs, p.retryRepeat));
        if (stays && random() < p.returnShare) continue; // the same instance again
        fresh++;
        if (p.retryRepeat > 0 && random() < p.retryRepeat) continue; // a new instance on the same host
        cpu = draw();
      }
    }
  }
  billed += fresh * p.initBilledMs;
  const calls = uses * workers;
  return {
    costUsd: (billed * c.usdPerMs + attempts * c.usdPerRequest) / calls,
    attempts: attempts / calls,
    runtimeMs: runtime / calls,
  };
}

function keptMsOf(c: Candidate, mask: number): number {
  let q = 0;
  let ms = 0;
  c.shares.forEach((p, j) => {
    if (mask & (1 << j)) {
      q += p;
      ms += p * c.billedMs[j];
    }
  });
  return q > 0 ? ms / q : 0;
}

function freshMsOf(c: Candidate): number {
  return c.shares.reduce((sum, p, j) => sum + p * c.billedMs[j], 0);
}

describe('a batch worker whose call settles on a refused CPU (its last attempt ran there): the model against a simulation', () => {
  // The fast CPU is 20% of the zone; the two others are rejected.
  const c = candidateOf([0.2, 0.5, 0.3], [800, 1000, 1300], { memoryMb: 2048 });
  const mask = 0b110;

  it.each([
    ['end', 4, 8, 1, 0],
    ['end', 2, 3, 1, 0],
    ['auto', 3, 5, 1, 0],
    ['auto', 2, 6, 1, 0],
    ['hold', 4, 6, 1, 0],
    ['end', 10, 5, 1, 0],
    ['end', 4, 8, 1, 0.6],
    ['end', 10, 5, 1, 0.85],
    ['auto', 3, 5, 1, 0.5],
    ['hold', 4, 6, 0.5, 0.7],
  ] as Array<[RejectMode, number, number, number, number]>)(
    '%s with %d attempts and %d calls per worker (return share %d, retry repeat %d): the model agrees with a direct simulation',
    (mode, maxAttempts, uses, returnShare, retryRepeat) => {
      const p = evaluationParams({
        ...rejectModeParams(mode, 150, returnShare),
        maxAttempts,
        usesPerInstance: uses,
        retryRepeat,
      });
      const model = evaluateMask(c, mask, 0, p, newMetrics());
      const sim = simulateWorker(c, mask, p, uses, 40_000, 11);
      expect(Math.abs(sim.costUsd - model.costUsd) / sim.costUsd).toBeLessThan(0.005);
      expect(Math.abs(sim.attempts - model.attempts) / sim.attempts).toBeLessThan(0.005);
      expect(Math.abs(sim.runtimeMs - model.runtimeMs) / sim.runtimeMs).toBeLessThan(0.005);
    },
  );
});

describe('workers that share one search (a probed batch): the model against a simulation', () => {
  // The fast CPU is half the zone; the two others are rejected. A call rarely runs out of attempts (1 in 1,024), so
  // how the model prices the searches again of those (over the calls of the search) hardly counts.
  const c = candidateOf([0.5, 0.3, 0.2], [800, 1000, 1300], { memoryMb: 2048 });
  const mask = 0b110;

  it.each([
    ['end', 10, 8, 6],
    ['end', 10, 2, 20],
    ['auto', 10, 5, 4],
    ['end', 10, 6, 3],
    ['auto', 10, 4, 10],
  ] as Array<[RejectMode, number, number, number]>)(
    '%s with %d attempts, %d calls per worker and %d workers per search',
    (mode, maxAttempts, uses, sharers) => {
      const params = { ...rejectModeParams(mode, 150, 1), maxAttempts, usesPerInstance: uses };
      const model = (overrides: Partial<EvaluationParams>) =>
        evaluateMask(c, mask, 0, evaluationParams({ ...params, ...overrides }), newMetrics());
      const shared = model({ searchUses: uses * sharers });
      const sim = simulateWorker(c, mask, evaluationParams(params), uses, 40_000, 11, sharers);
      expect(Math.abs(sim.costUsd - shared.costUsd) / sim.costUsd).toBeLessThan(0.005);
      expect(Math.abs(sim.attempts - shared.attempts) / sim.attempts).toBeLessThan(0.005);
      // Each worker searching for itself is dearer; one instance for all the calls of the search, cheaper: each
      // worker's own instance still pays its INIT.
      expect(model({}).costUsd / sim.costUsd).toBeGreaterThan(1.01);
      expect(model({ usesPerInstance: uses * sharers }).costUsd / sim.costUsd).toBeLessThan(0.995);
    },
  );
});

describe('keep or end an instance rejected before the last attempt', () => {
  it.each([
    [1300, 1100, 150, false],
    [1200, 1100, 150, true],
    [1200, 1100, 0, false],
    [1100, 1100, 0, false],
  ])('kept %d ms against fresh %d ms + INIT %d ms: keep %s', (kept, fresh, init, keep) => {
    expect(keepsBeforeLastAttempt(kept, fresh, init)).toBe(keep);
  });

  it('the router keeps it only in auto mode, where INIT makes the slow instance the cheaper one', () => {
    const of = (rejectMode: 'auto' | 'end', initMs: number, billed = true) =>
      new Router(paperView(), { baselineZone: 'usw1-az3', init: { billed, initMs }, rejectMode }).place({
        workload: 'zipper',
        strategy: 'retry-slow',
        limits: x86At2048,
      });
    // zipper's slowest CPUs on usw1-az3 run about 10-25% over the mix's mean: a 3 s INIT outweighs that, no INIT does not.
    expect(of('auto', 3000).keepBeforeLastAttempt).toBe(true);
    expect(of('auto', 3000, false).keepBeforeLastAttempt).toBe(false);
    expect(of('end', 3000).keepBeforeLastAttempt).toBe(false);
    expect(of('auto', 3000).holdMs).toBe(0);
    expect(of('auto', 3000).rejectMode).toBe('auto');
  });
});

describe('draws: the CPUs of the new instances a batch met last', () => {
  const pinned = { zones: ['usw1-az3'], architectures: ['x86_64' as const], memorySizes: [2048] };
  const placeWith = (draws?: Record<string, number>) =>
    router.place({
      workload: 'zipper',
      strategy: 'optimal',
      objective: 'cost',
      limits: pinned,
      pool: { usesPerInstance: 64, ...(draws ? { draws } : {}) },
    });

  it('relax the reject set when new instances come mostly from rejected CPUs (the accepted ones run short)', () => {
    const fresh = placeWith();
    expect(fresh.rejectCpus.length).toBeGreaterThan(0);
    const accepted = ['amd-epyc', 'intel-xeon-2.50', 'intel-xeon-2.90', 'intel-xeon-3.00'].filter(
      (c) => !fresh.rejectCpus.includes(c),
    );
    const slow: Record<string, number> = Object.fromEntries(fresh.rejectCpus.map((c) => [c, 400]));
    const depleted = placeWith(slow);
    expect(depleted.rejectCpus.length).toBeLessThan(fresh.rejectCpus.length);
    // and draws that match the mix change nothing much, while draws rich in accepted CPUs keep rejecting
    const rich = placeWith(Object.fromEntries(accepted.map((c) => [c, 400])));
    for (const cpu of fresh.rejectCpus) expect(rich.rejectCpus).toContain(cpu);
  });

  it('blend as many draws as they count against 50 for the mix, over the CPUs the candidate knows', () => {
    const c = { cpus: ['a', 'b'], shares: [0.8, 0.2] } as unknown as Parameters<typeof withDrawnShares>[0];
    expect(withDrawnShares(c, { b: 50, unknown: 1000 }).shares).toEqual([0.4, 0.6]);
    expect(withDrawnShares(c, {})).toBe(c);
  });

  it("give a CPU's chance as the blend prices it, or its share of the draws without a mix", () => {
    const mix = { cpus: ['a', 'b'], shares: [0.8, 0.2] };
    const c = { ...mix } as unknown as Parameters<typeof withDrawnShares>[0];
    const draws = { b: 50, unknown: 1000 };
    expect(drawnChance(draws, 'b', mix)).toBeCloseTo(withDrawnShares(c, draws).shares[1], 12);
    expect(drawnChance(draws, 'a', mix)).toBeCloseTo(0.4, 12);
    // Three hosts, all of one CPU: alone they make it certain; blended they hardly move the mix.
    expect(drawnChance({ a: 3 }, 'a')).toBe(1);
    expect(drawnChance({ a: 3 }, 'a', mix)).toBeCloseTo((3 + 50 * 0.8) / 53, 12);
    expect(drawnChance({}, 'a', mix)).toBeUndefined();
  });
});
