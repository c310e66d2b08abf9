import { Router } from '../../lib/core/router';
import type { PlacementRequest } from '../../lib/core/types';
import { Route } from '../../lib/routing/follow';
import { DrawWindow, usesPerInstance } from '../../lib/routing/pool';
import type { AttemptRecord } from '../../lib/routing/types';
import { EPYC, paperView, X25, X29, X30 } from '../core/fixtures';

const attempt = (cpu: string, newInstance: boolean, functionName = 'sky-usw1-az3-x86_64-2048'): AttemptRecord => ({
  functionName,
  azId: 'usw1-az3',
  status: 'rejected',
  cpu,
  newInstance,
  roundTripMs: 1,
  costUsd: 0,
});

describe('usesPerInstance', () => {
  it.each([
    [1000, 1000, 1],
    [1000, 250, 4],
    [1001, 250, 5],
    [3, 50, 1],
    [0, 10, 1],
  ])('%d calls to come at concurrency %d: each instance serves %d', (remaining, concurrency, uses) => {
    expect(usesPerInstance(remaining, concurrency)).toBe(uses);
  });
});

describe('DrawWindow', () => {
  it('counts the CPUs of new instances only, the last `size` of them', () => {
    const w = new DrawWindow(3);
    w.observe(attempt('a', true));
    w.observe(attempt('b', false));
    w.observe(attempt('b', true));
    w.observe(attempt('c', true));
    w.observe(attempt('c', true));
    expect(w.counts('sky-usw1-az3-x86_64-2048')).toEqual({ b: 1, c: 2 });
  });

  it('starts afresh on another function and says nothing of a function it has not seen', () => {
    const w = new DrawWindow();
    w.observe(attempt('a', true));
    w.observe(attempt('b', true, 'sky-usw1-az1-x86_64-2048'));
    expect(w.counts('sky-usw1-az1-x86_64-2048')).toEqual({ b: 1 });
    expect(w.counts('sky-usw1-az3-x86_64-2048')).toBeUndefined();
  });
});

describe('Route.placementFor a paper strategy', () => {
  const view = paperView();
  const router = new Router(view, { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
  const request: PlacementRequest = {
    workload: 'zipper',
    strategy: 'focus-fastest',
    objective: 'cost',
    limits: { architectures: ['x86_64'], memorySizes: [2048] },
    pool: { usesPerInstance: 5 },
  };
  const base = router.place(request);
  const route = new Route(router, request, base, view.deployed);

  it('keeps its rule (target, reject set, budget) and prices the call by the pool the batch met', () => {
    // The batch kept the fast instances it found: new ones now come mostly from the rejected CPUs.
    const depleted = route.placementFor(base, 5, { [X25]: 60, [X29]: 30, [EPYC]: 10 });
    expect(depleted.target).toEqual(base.target);
    expect(depleted.rejectCpus).toEqual(base.rejectCpus);
    expect(depleted.maxAttempts).toBe(base.maxAttempts);
    expect(depleted.expected.costUsd).toBeGreaterThan(base.expected.costUsd * 1.05);
    expect(depleted.expected.attempts).toBeGreaterThan(base.expected.attempts);
    // draws rich in the fast CPU price it lower
    expect(route.placementFor(base, 5, { [X30]: 100 }).expected.costUsd).toBeLessThan(base.expected.costUsd);
  });

  it('is the route placement itself before the batch met any new instance', () => {
    expect(route.placementFor(base, 3)).toBe(base);
  });
});
