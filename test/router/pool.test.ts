import { Router } from '../../lib/core/router';
import type { PlacementRequest } from '../../lib/core/types';
import { Route } from '../../lib/routing/follow';
import { DrawWindow, RETRY_REPEAT_PRIOR, RetryRepeats, usesPerInstance } from '../../lib/routing/pool';
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

/** A route of `request` over the paper view, from the core router's placement of it. */
function paperRoute(request: PlacementRequest) {
  const view = paperView();
  const router = new Router(view, { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
  const base = router.place(request);
  return { view, router, base, route: new Route(router, request, base, view.deployed) };
}

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
  it('counts the CPUs of new instances only, the last `size` of them, each its own host when no host is reported', () => {
    const w = new DrawWindow(3);
    w.observe(attempt('a', true));
    w.observe(attempt('b', false));
    w.observe(attempt('b', true));
    w.observe(attempt('c', true));
    w.observe(attempt('c', true));
    expect(w.counts('sky-usw1-az3-x86_64-2048')).toEqual({ b: 1, c: 2 });
  });

  it('counts hosts, not instances: 27 new instances from 3 hosts are 3 draws', () => {
    // GIVEN a burst whose cold starts filled three hosts, nine instances each
    const w = new DrawWindow();
    const hosts = [
      { bootTime: 1_700_000_000, cpu: 'a' },
      { bootTime: 1_700_000_500, cpu: 'a' },
      { bootTime: 1_700_000_000, cpu: 'b' },
    ];
    for (const host of hosts) for (let i = 0; i < 9; i++) w.observe({ ...attempt(host.cpu, true), ...host });
    // THEN the window holds each host once (the same boot time on another CPU is another host)
    expect(w.counts('sky-usw1-az3-x86_64-2048')).toEqual({ a: 2, b: 1 });
  });

  it('keeps the hosts of the last `size` new instances', () => {
    const w = new DrawWindow(2);
    const on = (cpu: string, bootTime: number) => ({ ...attempt(cpu, true), bootTime });
    w.observe(on('a', 1));
    w.observe(on('b', 2));
    w.observe(on('a', 1));
    w.observe(on('c', 3)); // the window: host 1's instance and host 3's
    expect(w.counts('sky-usw1-az3-x86_64-2048')).toEqual({ a: 1, c: 1 });
  });

  it('follows where new instances land once the batch has met every host the function reaches', () => {
    // GIVEN a function that reaches two hosts, one fast and one slow, and met both early on
    const w = new DrawWindow(6);
    const on = (cpu: string, bootTime: number) => ({ ...attempt(cpu, true), bootTime });
    w.observe(on('fast', 1));
    w.observe(on('slow', 2));
    // WHEN the batch holds the fast host's slots, so its new instances all land on the slow one
    for (let i = 0; i < 6; i++) w.observe(on('slow', 2));
    // THEN its draws are the slow host alone (a window of distinct hosts would still hold the fast one)
    expect(w.counts('sky-usw1-az3-x86_64-2048')).toEqual({ slow: 1 });
  });

  it('starts afresh on another function and says nothing of a function it has not seen', () => {
    const w = new DrawWindow();
    w.observe(attempt('a', true));
    w.observe(attempt('b', true, 'sky-usw1-az1-x86_64-2048'));
    expect(w.counts('sky-usw1-az1-x86_64-2048')).toEqual({ b: 1 });
    expect(w.counts('sky-usw1-az3-x86_64-2048')).toBeUndefined();
  });
});

describe('RetryRepeats', () => {
  const FN = 'sky-usw1-az3-x86_64-2048';
  const on = (status: AttemptRecord['status'], cpu: string, instanceId: string, bootTime?: number): AttemptRecord => ({
    ...attempt(cpu, true),
    status,
    instanceId,
    ...(bootTime !== undefined ? { bootTime } : {}),
  });
  const noChance = () => undefined;
  const { trials } = RETRY_REPEAT_PRIOR;

  it('is the prior (independent draws) before any retry', () => {
    expect(new RetryRepeats().estimate(FN)).toBe(RETRY_REPEAT_PRIOR.rho);
    expect(RETRY_REPEAT_PRIOR.rho).toBe(0);
  });

  it('counts CPU repeats beyond what a fresh draw gives by chance', () => {
    // GIVEN a function whose draws are 25% CPU a
    const r = new RetryRepeats();
    const chance = (_fn: string, cpu: string) => (cpu === 'a' ? 0.25 : undefined);
    // WHEN 10 of 20 retries after a rejected `a` met `a` again (no host reported)
    for (let i = 0; i < 20; i++) r.observe(on('rejected', 'a', `i${i}`), on('ok', i < 10 ? 'a' : 'b', `j${i}`), chance);
    // THEN ρ̂ = (10 − 20·0.25) / (20·0.75 + prior): a rate of 0.5 is 1/3 beyond chance
    expect(r.estimate(FN)).toBeCloseTo((10 - 5) / (15 + trials), 12);
    expect(r.summary()[FN]).toEqual({
      retries: 20,
      sameCpu: 10,
      hostRetries: 0,
      sameHost: 0,
      estimate: r.estimate(FN),
    });
    // and repeats at the chance rate alone say the draws are independent
    const chanceOnly = new RetryRepeats();
    for (let i = 0; i < 20; i++) {
      chanceOnly.observe(on('rejected', 'a', `i${i}`), on('ok', i < 5 ? 'a' : 'b', `j${i}`), chance);
    }
    expect(chanceOnly.estimate(FN)).toBe(0);
  });

  it('starts its estimates afresh on restart, keeping the counts the answer reports', () => {
    const r = new RetryRepeats();
    const chance = (_fn: string, cpu: string) => (cpu === 'a' ? 0.25 : undefined);
    for (let i = 0; i < 20; i++) r.observe(on('rejected', 'a', `i${i}`), on('ok', 'a', `j${i}`), chance);
    expect(r.estimate(FN)).toBeGreaterThan(0.7);
    r.restart();
    expect(r.estimate(FN)).toBe(RETRY_REPEAT_PRIOR.rho);
    expect(r.summary()[FN]).toMatchObject({ retries: 20, sameCpu: 20, estimate: RETRY_REPEAT_PRIOR.rho });
    // retries after the restart count alone: half of them beyond chance
    for (let i = 0; i < 20; i++) r.observe(on('rejected', 'a', `k${i}`), on('ok', i < 10 ? 'a' : 'b', `l${i}`), chance);
    expect(r.estimate(FN)).toBeCloseTo((10 - 5) / (15 + trials), 12);
    expect(r.summary()[FN]).toMatchObject({ retries: 40, sameCpu: 30 });
  });

  it('counts a repeat on another host of the rejected CPU: the model prices CPUs, not hosts', () => {
    // GIVEN retries that each met the rejected CPU again, on another host, where a fresh draw is `a` one time in 5
    const r = new RetryRepeats();
    for (let i = 0; i < 12; i++)
      r.observe(on('rejected', 'a', `i${i}`, 100), on('ok', 'a', `j${i}`, 200 + i), () => 0.2);
    // THEN the estimate is the CPU repeat's, and the host count says none met the same host
    expect(r.estimate(FN)).toBeCloseTo((12 * 0.8) / (12 * 0.8 + trials), 12);
    expect(r.summary()[FN]).toMatchObject({ retries: 12, sameCpu: 12, hostRetries: 12, sameHost: 0 });
  });

  it('falls back to the same host where there are no draws yet, and counts nothing where every host met runs the CPU', () => {
    const r = new RetryRepeats();
    // 6 retries with no draws to tell chance: 4 on the rejected instance's host, 2 on another host of the same CPU
    for (let i = 0; i < 6; i++)
      r.observe(on('rejected', 'a', `i${i}`, 100), on('ok', 'a', `j${i}`, i < 4 ? 100 : 200), noChance);
    expect(r.estimate(FN)).toBeCloseTo(4 / (6 + trials), 12);
    expect(r.summary()[FN]).toEqual({
      retries: 6,
      sameCpu: 6,
      hostRetries: 6,
      sameHost: 4,
      estimate: 4 / (6 + trials),
    });
    // every host met runs `a`: a fresh draw meets it too, so even the same host is no evidence beyond chance
    const allA = new RetryRepeats();
    for (let i = 0; i < 6; i++) allA.observe(on('rejected', 'a', `i${i}`, 100), on('ok', 'a', `j${i}`, 100), () => 1);
    expect(allA.estimate(FN)).toBe(0);
    // without hosts either, such a retry is counted but weighs nothing
    const blind = new RetryRepeats();
    blind.observe(on('rejected', 'a', 'i'), on('ok', 'a', 'j'), noChance);
    expect(blind.estimate(FN)).toBe(0);
  });

  it('counts only retries: after a reject, on the same function, on another instance', () => {
    const r = new RetryRepeats();
    r.observe(undefined, on('ok', 'a', 'i0', 100), noChance); // a first attempt
    r.observe(on('ok', 'a', 'i0', 100), on('ok', 'a', 'i1', 100), noChance); // not after a reject
    r.observe(on('rejected', 'a', 'i0', 100), on('ok', 'a', 'i0', 100), noChance); // the kept instance itself
    r.observe(on('rejected', 'a', 'i0', 100), { ...on('ok', 'a', 'i1', 100), functionName: 'other' }, noChance);
    expect(r.summary()).toEqual({});
    expect(r.estimate(FN)).toBe(0);
  });

  it('stays within [0, 1]', () => {
    const r = new RetryRepeats();
    const chance = () => 0.5;
    for (let i = 0; i < 10; i++) r.observe(on('rejected', 'a', `i${i}`), on('ok', 'b', `j${i}`), chance);
    expect(r.estimate(FN)).toBe(0);
    const all = new RetryRepeats();
    for (let i = 0; i < 1000; i++) all.observe(on('rejected', 'a', `i${i}`, 1), on('ok', 'a', `j${i}`, 1), chance);
    expect(all.estimate(FN)).toBeLessThanOrEqual(1);
    expect(all.estimate(FN)).toBeGreaterThan(0.99);
  });
});

describe('Route.placementFor a paper strategy', () => {
  const request: PlacementRequest = {
    workload: 'zipper',
    strategy: 'focus-fastest',
    objective: 'cost',
    limits: { architectures: ['x86_64'], memorySizes: [2048] },
    pool: { usesPerInstance: 5 },
  };
  const { view, router, base, route } = paperRoute(request);

  it('keeps its rule (target, reject set, budget) and prices the call by the pool the batch met', () => {
    // The batch kept the fast instances it found: new ones now come mostly from the rejected CPUs.
    const depleted = route.placementFor(base, { uses: 5, draws: { [X25]: 60, [X29]: 30, [EPYC]: 10 } });
    expect(depleted.target).toEqual(base.target);
    expect(depleted.rejectCpus).toEqual(base.rejectCpus);
    expect(depleted.maxAttempts).toBe(base.maxAttempts);
    expect(depleted.expected.costUsd).toBeGreaterThan(base.expected.costUsd * 1.05);
    expect(depleted.expected.attempts).toBeGreaterThan(base.expected.attempts);
    // draws rich in the fast CPU price it lower
    expect(route.placementFor(base, { uses: 5, draws: { [X30]: 100 } }).expected.costUsd).toBeLessThan(
      base.expected.costUsd,
    );
  });

  it('is the route placement itself before the batch met any new instance', () => {
    expect(route.placementFor(base, { uses: 3 })).toBe(base);
  });

  it('is the route placement itself for a strategy that rejects nothing: its later calls reuse what it met first', () => {
    const regionalRequest: PlacementRequest = { ...request, strategy: 'regional' };
    const regional = router.place(regionalRequest);
    expect(regional.rejectCpus).toEqual([]);
    const regionalRoute = new Route(router, regionalRequest, regional, view.deployed);
    expect(regionalRoute.placementFor(regional, { uses: 5, draws: { [X25]: 60, [X29]: 30, [EPYC]: 10 } })).toBe(
      regional,
    );
  });
});

describe('Route.placementFor passes the retry repeats it is given', () => {
  const view = paperView();
  const router = new Router(view, { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
  const request: PlacementRequest = {
    workload: 'zipper',
    strategy: 'optimal',
    objective: 'cost',
    limits: { architectures: ['x86_64'], memorySizes: [2048] },
  };
  const asked: PlacementRequest[] = [];
  const recording = {
    place: (r: PlacementRequest) => {
      asked.push(r);
      return router.place(r);
    },
  };
  const base = router.place(request);
  const route = new Route(recording, request, base, view.deployed);

  it('as PoolContext.retryRepeat when above 0, and leaves out a repeat rate of 0 (the model default)', () => {
    route.placementFor(base, { uses: 4, draws: { [X25]: 3 }, retryRepeat: 0.6 });
    route.placementFor(base, { uses: 4, draws: { [X25]: 3 }, retryRepeat: 0 });
    expect(asked.map((r) => r.pool?.retryRepeat)).toEqual([0.6, undefined]);
    expect(asked.every((r) => r.pool?.usesPerInstance === 4)).toBe(true);
  });
});

describe('Route.placementOff', () => {
  const view = paperView();
  const router = new Router(view, { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
  /** Zipper at 1024 or 2048 MB on x86_64 in `zones`, from its best placement there (usw1-az1 at 1024 MB). */
  const routeIn = (zones: readonly string[]): Route => {
    const request: PlacementRequest = {
      workload: 'zipper',
      strategy: 'optimal',
      objective: 'cost',
      limits: { zones: [...zones], architectures: ['x86_64'], memorySizes: [1024, 2048] },
    };
    const base = router.place(request);
    expect(base.target.functionName).toBe('sky-usw1-az1-x86_64-1024');
    return new Route(router, request, base, view.deployed);
  };
  const functionOff = (route: Route, options?: Parameters<Route['placementOff']>[1]) =>
    route.placementOff(10, options)?.target.functionName;

  it('weighs only fleets whose mix was observed: cac1-az1 has no characterization, so its mix is assumed', () => {
    // Off usw1-az1's fleet (siblings aside) the only fleet left is cac1-az1's, whose mix is assumed.
    expect(
      router.place({ workload: 'zipper', limits: { zones: ['cac1-az1'], memorySizes: [1024] } }).evidence.mix,
    ).toBe('global-average');
    expect(functionOff(routeIn(['usw1-az1', 'cac1-az1']), { siblings: false })).toBeUndefined();
    expect(functionOff(routeIn(['usw1-az1', 'usw1-az3', 'cac1-az1']), { siblings: false })).toBe(
      'sky-usw1-az3-x86_64-1024',
    );
  });

  it("weighs the function's siblings in its own fleet (its other memory sizes) unless told not to", () => {
    const route = routeIn(['usw1-az1']);
    expect(functionOff(route)).toBe('sky-usw1-az1-x86_64-2048');
    expect(functionOff(route, { siblings: false })).toBeUndefined();
  });

  it('leaves out targets whose call is expected to take longer than maxCallMs', () => {
    const route = routeIn(['usw1-az1', 'usw1-az3']);
    expect(functionOff(route)).toBe('sky-usw1-az3-x86_64-1024');
    // Zipper takes about 4.6 s a call at 1024 MB and 2.6 s at 2048 MB.
    expect(functionOff(route, { maxCallMs: 3000 })).toBe('sky-usw1-az1-x86_64-2048');
    expect(functionOff(route, { maxCallMs: 1000 })).toBeUndefined();
  });

  it('ranks the targets once per calls-per-instance value, and filters that ranking by the fleets found since', () => {
    const request: PlacementRequest = {
      workload: 'zipper',
      strategy: 'optimal',
      objective: 'cost',
      limits: { zones: ['usw1-az1', 'usw1-az3'], architectures: ['x86_64'], memorySizes: [1024, 2048] },
    };
    let ranks = 0;
    const counting = {
      place: (r: PlacementRequest) => router.place(r),
      rank: (r: PlacementRequest, count?: number) => {
        ranks++;
        return router.rank(r, count);
      },
    };
    const route = new Route(counting, request, router.place(request), view.deployed);
    expect(route.placementOff(10, { siblings: false })?.target.functionName).toBe('sky-usw1-az3-x86_64-1024');
    route.failFleet('usw1-az3 x86_64');
    expect(route.placementOff(10, { siblings: false })).toBeUndefined();
    expect(ranks).toBe(1);
    route.placementOff(20);
    expect(ranks).toBe(2);
  });

  it("weighs the targets off the function it is told (`from`), the route's own among them", () => {
    const route = routeIn(['usw1-az1', 'usw1-az3']);
    const from = { azId: 'usw1-az3', arch: 'x86_64', functionName: 'sky-usw1-az3-x86_64-1024' } as const;
    expect(functionOff(route, { from })).toBe('sky-usw1-az1-x86_64-1024');
  });

  it('places for the attempts the call has left (`maxAttempts`)', () => {
    const route = routeIn(['usw1-az1', 'usw1-az3']);
    expect(route.placementOff(10)?.maxAttempts).toBe(10);
    expect(route.placementOff(10, { maxAttempts: 2 })?.maxAttempts).toBe(2);
  });

  it('weighs only targets where the call finishes on every CPU when told (`fitting`)', () => {
    // Within 4.2 s, zipper finishes nowhere at 1024 MB, and not on the AMD EPYC at 2048 MB in usw1-az3 (4.05 s, 4.63 s
    // with headroom for its 3% spread; the 2.9 GHz Xeon 3.66 s, 4.18 s).
    const request: PlacementRequest = {
      workload: 'zipper',
      strategy: 'optimal',
      objective: 'cost',
      limits: {
        zones: ['usw1-az1', 'usw1-az3'],
        architectures: ['x86_64'],
        memorySizes: [1024, 2048],
        timeoutMs: 4200,
      },
    };
    const route = new Route(router, request, router.place(request), view.deployed);
    const off = route.placementOff(10);
    expect(off?.target.functionName).toBe('sky-usw1-az3-x86_64-2048');
    expect(off?.unfitCpus).toEqual([EPYC]);
    expect(route.placementOff(10, { fitting: true })).toBeUndefined();
  });

  it('places the best-ranked `candidates` for the attempts left and takes the best of them', () => {
    const request: PlacementRequest = {
      workload: 'zipper',
      strategy: 'optimal',
      objective: 'cost',
      limits: { architectures: ['x86_64'], memorySizes: [1024, 2048] },
    };
    const fresh = new Router(view, { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
    const route = new Route(fresh, request, fresh.place(request), view.deployed);
    // Ranked for the whole budget, usw1-az3 comes first; with one attempt left, eun1-az1 runs the call for less.
    const first = route.placementOff(10, { maxAttempts: 1 });
    const best = route.placementOff(10, { maxAttempts: 1, candidates: 4 });
    expect(first?.target.functionName).toBe('sky-usw1-az3-x86_64-1024');
    expect(best?.target.functionName).toBe('sky-eun1-az1-x86_64-1024');
    expect(best!.expected.costUsd).toBeLessThan(first!.expected.costUsd);
  });

  it('weighs only targets at or above `minMemoryMb`', () => {
    // Zipper was measured at 2048 MB only: its runtimes at 512 and 1024 MB are scaled from there.
    const request: PlacementRequest = {
      workload: 'zipper',
      strategy: 'optimal',
      objective: 'cost',
      limits: { zones: ['usw1-az1', 'usw1-az3'], architectures: ['x86_64'], memorySizes: [512, 1024, 2048] },
    };
    const route = new Route(router, request, router.place(request), view.deployed);
    expect(route.placement.target.functionName).toBe('sky-usw1-az1-x86_64-512');
    expect(functionOff(route)).toBe('sky-usw1-az1-x86_64-1024');
    expect(functionOff(route, { minMemoryMb: 2048 })).toBe('sky-usw1-az1-x86_64-2048');
  });

  it('weighs only targets whose every runtime was observed there when told (`observedRuntimes`)', () => {
    // Zipper was measured at 2048 MB only: at 1024 MB its runtimes are scaled from there.
    const route = routeIn(['usw1-az1', 'usw1-az3']);
    expect(route.placementOff(10)?.evidence.runtime).toBe('memory-scaled');
    expect(functionOff(route)).toBe('sky-usw1-az3-x86_64-1024');
    const observed = route.placementOff(10, { observedRuntimes: true });
    expect(observed?.target.memoryMb).toBe(2048);
    expect(observed?.evidence.runtime).toBe('observed');
  });

  it('leaves out fleets the route found failing', () => {
    const route = routeIn(['usw1-az1', 'usw1-az3']);
    route.failFleet('usw1-az3 x86_64');
    expect(functionOff(route, { siblings: false })).toBeUndefined();
  });
});

describe('Route.searchElsewhere', () => {
  const request: PlacementRequest = {
    workload: 'zipper',
    strategy: 'optimal',
    objective: 'cost',
    limits: { zones: ['usw1-az1', 'usw1-az3'], architectures: ['x86_64'], memorySizes: [2048] },
  };
  const { view, router, base, route } = paperRoute(request);

  it("goes on in another zone where the batch's new instances here run the CPU the call rejects", () => {
    expect(base.target.functionName).toBe('sky-usw1-az1-x86_64-2048');
    expect(base.rejectCpus).toEqual([X29]);
    // With 5 attempts left and every new instance on a 2.9 GHz Xeon, the rest of the call costs 5.5% more here than
    // in usw1-az3.
    const here = route.placementFor(base, { uses: 10, draws: { [X29]: 100 }, attemptsLeft: 5 });
    const elsewhere = route.searchElsewhere(base, here, 10, 5);
    expect(elsewhere?.target.functionName).toBe('sky-usw1-az3-x86_64-2048');
    expect(elsewhere?.maxAttempts).toBeLessThanOrEqual(5);
    expect(elsewhere!.expected.costUsd).toBeLessThan(here.expected.costUsd * 0.99);
  });

  it('goes on only where the call can finish on every CPU within its timeout (the fit check)', () => {
    // At 4.2 s the AMD EPYC in usw1-az3's mix is unfit for zipper with its runtime's headroom; usw1-az1 has none.
    const tight = { ...request, limits: { ...request.limits, timeoutMs: 4_200 } };
    const tightRoute = paperRoute(tight);
    expect(tightRoute.base.target.functionName).toBe('sky-usw1-az1-x86_64-2048');
    expect(router.place({ ...tight, limits: { ...tight.limits, zones: ['usw1-az3'] } }).unfitCpus).toEqual([EPYC]);
    const here = tightRoute.route.placementFor(tightRoute.base, { uses: 10, draws: { [X29]: 100 }, attemptsLeft: 5 });
    expect(tightRoute.route.searchElsewhere(tightRoute.base, here, 10, 5)).toBeUndefined();
  });

  it('stays where the new instances run the CPUs it accepts', () => {
    const here = route.placementFor(base, { uses: 10, draws: { [X30]: 50, [EPYC]: 50 }, attemptsLeft: 5 });
    expect(route.searchElsewhere(base, here, 10, 5)).toBeUndefined();
  });

  it('leaves a paper strategy, and a retry that rejects nothing, where they are', () => {
    const paper = router.place({ ...request, strategy: 'retry-slow' });
    const paperRoute = new Route(router, { ...request, strategy: 'retry-slow' }, paper, view.deployed);
    expect(
      paperRoute.searchElsewhere(
        paper,
        paperRoute.placementFor(paper, { uses: 10, draws: { [X29]: 100 }, attemptsLeft: 5 }),
        10,
        5,
      ),
    ).toBeUndefined();
    expect(
      route.searchElsewhere(
        base,
        { ...route.placementFor(base, { uses: 10, draws: { [X29]: 100 }, attemptsLeft: 5 }), rejectCpus: [] },
        10,
        5,
      ),
    ).toBeUndefined();
  });
});
