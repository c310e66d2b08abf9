import { Router } from '../../lib/core/router';
import { measuredRepeat, PACING_REPEAT_PRIOR_RETRIES, PacingReviewer } from '../../lib/routing/pacing';
import type { AttemptRecord } from '../../lib/routing/types';
import { prng, randomInt } from '../../lib/workloads/prng';
import { paperView } from '../core/fixtures';

const X25 = 'intel-xeon-2.50';
const X29 = 'intel-xeon-2.90';
const X30 = 'intel-xeon-3.00';
const EPYC = 'amd-epyc';

describe('measuredRepeat', () => {
  it('is the excess share of replacements on a rejected CPU over the fresh draws, shrunk toward 0 by the prior', () => {
    // Fresh: half rejected; replacements: all rejected. Raw (1 − 0.5)/(1 − 0.5) = 1, over 40 replacements.
    const fresh = ['slow', 'fast'];
    const replacements = Array.from({ length: 40 }, () => 'slow');
    expect(measuredRepeat(['slow'], fresh, replacements)).toBeCloseTo(40 / (40 + PACING_REPEAT_PRIOR_RETRIES), 12);
    // 30 of 40 rejected against a fresh half: (0.75 − 0.5)/0.5 = 0.5 raw.
    const mixed = [...Array.from({ length: 30 }, () => 'slow'), ...Array.from({ length: 10 }, () => 'fast')];
    expect(measuredRepeat(['slow'], fresh, mixed)).toBeCloseTo((40 * 0.5) / (40 + PACING_REPEAT_PRIOR_RETRIES), 12);
  });

  it('is 0 where the replacements meet the rejected CPUs no more often than fresh draws, or nothing can be told', () => {
    expect(measuredRepeat(['slow'], ['slow', 'fast'], ['fast', 'fast', 'slow'])).toBe(0);
    expect(measuredRepeat(['slow'], ['slow', 'slow'], ['slow'])).toBe(0);
    expect(measuredRepeat(['slow'], ['slow', 'fast'], [])).toBe(0);
  });
});

/**
 * The reviewer over the core router (the paper's zones, zipper in usw1-az3, whose optimal placement rejects the slow
 * 2.9 GHz Xeon and the AMD EPYC): a batch paced to 20 calls at a time of 1,000 given, told of attempts as a batch's
 * calls make them. Each call's first attempt is a fresh draw of the zone's mix; a rejected one is replaced by a draw
 * of `replacement` (the mix again, or the rejected CPUs the paced batch is left with).
 */
describe('PacingReviewer', () => {
  const router = new Router(paperView(), { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
  const request = { workload: 'zipper', objective: 'cost' as const, limits: { zones: ['usw1-az3'] } };
  const paced = router.place({ ...request, pool: { usesPerInstance: 50 } });
  const fn = paced.target.functionName;
  // usw1-az3's mix in the fixture: 50% 2.5 GHz, 15% 3.0 GHz, 25% 2.9 GHz, 10% EPYC.
  const MIX = [X25, X25, X25, X25, X25, X25, X25, X25, X25, X25, X30, X30, X30, X29, X29, X29, X29, X29, EPYC, EPYC];
  const attempt = (cpu: string, n: number): AttemptRecord => ({
    functionName: fn,
    azId: 'usw1-az3',
    status: paced.rejectCpus.includes(cpu) ? 'rejected' : 'ok',
    cpu,
    instanceId: `i-${n}`,
    newInstance: true,
    roundTripMs: 10,
    costUsd: 0,
  });
  /** Runs up to `calls` calls through the reviewer; the concurrency it last gave. */
  function meet(reviewer: PacingReviewer, replacement: () => string, calls = 200): number {
    const random = prng(7);
    const draw = (): string => MIX[randomInt(random, MIX.length)];
    let concurrency = 20;
    let n = 0;
    for (let call = 0; call < calls && concurrency === 20; call++) {
      let previous: AttemptRecord | undefined;
      let next = attempt(draw(), n++);
      for (let tries = 0; tries < 10; tries++) {
        reviewer.observe(previous, next);
        concurrency = reviewer.concurrencyFor(20, 1000 - call - 1, call + 1);
        if (next.status !== 'rejected') break;
        previous = next;
        next = attempt(replacement(), n++);
      }
    }
    return concurrency;
  }

  it('reviews a strict reject set of optimal', () => {
    expect(paced.strategy).toBe('optimal');
    expect([...paced.rejectCpus].sort()).toEqual([EPYC, X29]);
  });

  it('widens to the given concurrency once replacements keep meeting the rejected CPUs', () => {
    const reviewer = new PacingReviewer(router, { ...request, pool: { usesPerInstance: 50 } }, paced, 1000);
    expect(meet(reviewer, () => X29)).toBe(1000);
    expect(reviewer.widenedAtCall).toBeGreaterThan(0);
    expect(reviewer.repeat).toBeGreaterThan(0.4);
    // For good: later reviews keep the given concurrency.
    expect(reviewer.concurrencyFor(20, 500, 600)).toBe(1000);
  });

  it('keeps its pacing while replacements meet the mix as fresh draws do', () => {
    const reviewer = new PacingReviewer(router, { ...request, pool: { usesPerInstance: 50 } }, paced, 1000);
    const random = prng(11);
    expect(meet(reviewer, () => MIX[randomInt(random, MIX.length)])).toBe(20);
    expect(reviewer.widenedAtCall).toBeUndefined();
    expect(reviewer.repeat).toBeDefined();
  });
});
