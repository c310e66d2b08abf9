import { newMetrics } from '../../lib/core/candidate';
import { explorationHorizon, exploreRejectSet } from '../../lib/core/exploration';
import { ProfileBook } from '../../lib/core/profiles';
import { Router } from '../../lib/core/router';
import { beliefLogSd, carriedLogSd, PRIOR_LOG_SD, runtimeLogSd } from '../../lib/core/runtime-belief';
import type { Placement, PlacementRequest, RoutingView, Target } from '../../lib/core/types';
import { characterization, EPYC, evaluationParams, paperView, profile, X25, X29, X30 } from './fixtures';

// One zone whose EPYC share the disk-bound workload has never run on: the prior says EPYC is 1.35× the 2.5 GHz
// Xeon, so the estimates reject it; the truth here is 0.8×.
const ZONE = 'usw1-az3';
const BASE_MS = 7200;
const request: PlacementRequest = {
  workload: 'disk',
  objective: 'cost',
  strategy: 'optimal',
  limits: { zones: [ZONE], architectures: ['x86_64'], memorySizes: [128] },
};

function view(observations: number): RoutingView {
  const disk = profile('disk', BASE_MS, { [X25]: 1, [X30]: 0.95, [X29]: 1.1 }, 128);
  const entries = disk.entries.map((e) => ({
    ...e,
    stats: { count: observations, meanMs: e.stats.meanMs, m2: (observations * e.stats.m2) / 100 },
  }));
  return paperView({
    zones: [characterization(ZONE, 'us-west-1', { [X25]: 400, [X30]: 300, [X29]: 100, [EPYC]: 200 })],
    deployed: [{ azId: ZONE, region: 'us-west-1' }],
    profiles: { disk: { workload: 'disk', entries } },
  });
}

const exploresEpyc = (p: Placement): boolean => p.notes.some((n) => n.startsWith(`explores ${EPYC}`));

function answered(router: Router, target: Target, cpu: string, relative: number): void {
  router.observe({ workload: 'disk', target, cpu, runtimeMs: BASE_MS * relative, rejected: false, newInstance: true });
}

describe('exploration of CPUs a workload never ran on', () => {
  it('rejects EPYC by its prior without exploration, and accepts it to learn its runtime with it', () => {
    const plain = new Router(view(100), { explore: false }).place(request);
    expect(plain.rejectCpus).toContain(EPYC);
    const placement = new Router(view(100)).place(request);
    expect(placement.rejectCpus).not.toContain(EPYC);
    expect(exploresEpyc(placement)).toBe(true);
    // Exploring costs something now: the expectation says so honestly.
    expect(placement.expected.costUsd).toBeGreaterThan(plain.expected.costUsd);
  });

  it('learns from the explored call: EPYC found fast is accepted as knowledge, found slow is rejected for good', () => {
    const fast = new Router(view(100));
    const first = fast.place(request);
    answered(fast, first.target, EPYC, 0.8);
    const after = fast.place(request);
    expect(after.rejectCpus).not.toContain(EPYC);
    expect(exploresEpyc(after)).toBe(false);
    // Fast enough to be worth rejecting the 2.5 GHz and 2.9 GHz Xeons for.
    expect(after.rejectCpus).toEqual(expect.arrayContaining([X25, X29]));

    const slow = new Router(view(100));
    answered(slow, slow.place(request).target, EPYC, 1.4);
    for (let i = 0; i < 3; i++) {
      const next = slow.place(request);
      expect(next.rejectCpus).toContain(EPYC);
      expect(exploresEpyc(next)).toBe(false);
    }
  });

  it('is bounded by the work to come: a workload seen a few times explores nothing', () => {
    const placement = new Router(view(1)).place(request);
    expect(exploresEpyc(placement)).toBe(false);
    expect(placement.rejectCpus).toContain(EPYC);
  });

  it("counts a batch's calls to come in that work: seen once, it explores for the 100 calls left", () => {
    const router = new Router(view(1));
    expect(exploresEpyc(router.place({ ...request, callsToCome: 1 }))).toBe(false);
    const batch = router.place({ ...request, callsToCome: 100 });
    expect(exploresEpyc(batch)).toBe(true);
    expect(batch.rejectCpus).not.toContain(EPYC);
  });

  it('explores with one call at a time: concurrent calls do not repeat it until the explorer answers', () => {
    const router = new Router(view(100));
    const first = router.place(request);
    expect(exploresEpyc(first)).toBe(true);
    const concurrent = router.place(request);
    expect(exploresEpyc(concurrent)).toBe(false);
    expect(concurrent.rejectCpus).toContain(EPYC);
    // The explorer ran on a 3.0 GHz Xeon: nothing learned of EPYC, so the next call explores again.
    answered(router, first.target, X30, 0.95);
    expect(exploresEpyc(router.place(request))).toBe(true);
  });

  it('counts only the placements calls follow: proposing or pricing one keeps no other call from exploring', () => {
    const router = new Router(view(100));
    // Proposed (for a call that may not be sent): it explores, as a call would, and counts no call
    expect(exploresEpyc(router.propose(request))).toBe(true);
    expect(exploresEpyc(router.propose(request))).toBe(true);
    // Priced (a pacing weighed, a move considered, a report): without exploring, and counting no call
    const priced = router.price(request);
    expect(exploresEpyc(priced)).toBe(false);
    expect(priced.rejectCpus).toContain(EPYC);
    // so the call that is sent explores
    expect(exploresEpyc(router.place(request))).toBe(true);
    // and while it is in flight, a concurrent call does not explore again
    expect(exploresEpyc(router.place(request))).toBe(false);
    expect(exploresEpyc(router.propose(request))).toBe(false);
  });

  it('counts a proposed placement once a call follows it, and forgets it once withdrawn', () => {
    const router = new Router(view(100));
    const proposed = router.propose(request);
    router.follow('disk', proposed);
    // Following one placement twice counts one call.
    router.follow('disk', proposed);
    expect(exploresEpyc(router.propose(request))).toBe(false);
    router.withdrawExploration('disk', proposed);
    expect(exploresEpyc(router.propose(request))).toBe(true);
  });

  it('never explores under the paper strategies', () => {
    const router = new Router(view(100), { baselineZone: ZONE });
    for (const strategy of ['retry-slow', 'focus-fastest', 'hybrid'] as const) {
      expect(exploresEpyc(router.place({ ...request, strategy }))).toBe(false);
    }
  });
});

describe('exploreRejectSet', () => {
  const router = new Router(view(100));
  it('explores nothing where every rejected CPU is known', () => {
    const placement = router.place(request);
    expect(exploresEpyc(placement)).toBe(true);
    // The same choice with EPYC as sure as the others: no value in learning it.
    const c = {
      index: 0,
      zone: 0,
      region: 0,
      arch: 'x86_64' as const,
      memoryMb: 128,
      target: placement.target,
      cpus: [X30, X25, X29, EPYC],
      shares: [0.3, 0.4, 0.1, 0.2],
      billedMs: [6840, 7200, 7920, 9720],
      usdPerMs: 2.1e-9,
      usdPerRequest: 2e-7,
      minBilledMs: 0,
      gramsPerMs: 0,
      slowTail: 2,
      confidence: 1,
      mixConfidence: 1,
      scoreFactor: 1,
    };
    // The auto reject mode: a rejected instance ends (the fixture's default), so a retry meets a new one.
    const params = evaluationParams({ wCost: 1e5, holdMs: 1, keepBeforeLastAttempt: true });
    const mask = 0b1100; // reject the 2.9 GHz Xeon and EPYC
    const known = exploreRejectSet(
      c,
      mask,
      { logSd: [0.01, 0.01, 0.01, 0.01], cv: 0.05 },
      1000,
      0,
      params,
      params,
      newMetrics(),
    );
    expect(known.cpu).toBeUndefined();
    expect(known.mask).toBe(mask);
    const unsure = exploreRejectSet(
      c,
      mask,
      { logSd: [0.01, 0.01, 0.01, PRIOR_LOG_SD], cv: 0.05 },
      1000,
      0,
      params,
      params,
      newMetrics(),
    );
    expect(unsure.cpu).toBe(EPYC);
    expect(unsure.mask).toBe(0b0100);
    expect(unsure.value).toBeGreaterThan(unsure.cost);
    // No calls to come, nothing worth learning.
    const none = exploreRejectSet(
      c,
      mask,
      { logSd: [0.01, 0.01, 0.01, PRIOR_LOG_SD], cv: 0.05 },
      0,
      0,
      params,
      params,
      newMetrics(),
    );
    expect(none.cpu).toBeUndefined();
  });
});

describe('runtime beliefs', () => {
  it('narrows with observations and widens when carried across memory sizes', () => {
    expect(beliefLogSd(0, 0.05)).toBeCloseTo(PRIOR_LOG_SD, 12);
    expect(beliefLogSd(1, 0.05)).toBeLessThan(0.05);
    expect(carriedLogSd(0.01, 1024, 1024)).toBeCloseTo(0.01, 12);
    // One doubling adds 0.12; three would add 0.36, more than knowing nothing: capped at the prior's spread.
    expect(carriedLogSd(0.01, 1024, 512)).toBeCloseTo(Math.hypot(0.01, 0.12), 12);
    expect(carriedLogSd(0.01, 1024, 128)).toBe(PRIOR_LOG_SD);
    expect(explorationHorizon(60, 10)).toBe(60);
    expect(explorationHorizon(5, 40)).toBe(40);
  });

  it('reads a CPU the workload never ran on as the prior, and one it ran on as known', () => {
    const book = new ProfileBook(view(100).profiles);
    expect(runtimeLogSd(book, 'disk', EPYC, 'x86_64', 128, 0.03)).toBe(PRIOR_LOG_SD);
    expect(runtimeLogSd(book, 'disk', X25, 'x86_64', 128, 0.03)).toBeLessThan(0.01);
    expect(runtimeLogSd(book, 'disk', X25, 'x86_64', 256, 0.03)).toBeCloseTo(0.12, 2);
  });

  it('one runtime of a steady workload outweighs the relative-speed prior (the blend is the belief’s mean)', () => {
    const book = new ProfileBook(view(100).profiles);
    const target = { azId: ZONE, region: 'us-west-1', arch: 'x86_64' as const, memoryMb: 128, functionName: 'f' };
    book.observe({ workload: 'disk', target, cpu: EPYC, runtimeMs: BASE_MS * 0.8, rejected: false });
    const estimate = book.runtime('disk', EPYC, 'x86_64', 128);
    expect(estimate.source).toBe('observed');
    expect(Math.abs(estimate.meanMs / (BASE_MS * 0.8) - 1)).toBeLessThan(0.01);
  });
});
