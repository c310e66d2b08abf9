import fc from 'fast-check';
import { NoPlacementError } from '../../lib/core/errors';
import { Router } from '../../lib/core/router';
import type { Arch, PlacementLimits, PlacementRequest, StrategyName } from '../../lib/core/types';
import { characterization, EPYC, NOW, paperView, X25, X29, X30 } from './fixtures';

const x86At2048: PlacementLimits = { architectures: ['x86_64'], memorySizes: [2048] };

describe('Router strategies', () => {
  // The paper's hold mode: every rejected attempt holds its instance 150 ms, and (as the paper assumed) the hold
  // sends the retry to another instance: no retry returns to the held one, so every retry is a fresh draw.
  const router = new Router(paperView(), { baselineZone: 'usw1-az3', rejectMode: 'hold', returnShare: 0 });
  const place = (strategy: StrategyName, limits: PlacementLimits = x86At2048) =>
    router.place({ workload: 'zipper', strategy, objective: 'cost', limits });

  it.each([
    ['baseline', 'usw1-az3', []],
    ['retry-slow', 'usw1-az3', [EPYC, X29]],
    ['focus-fastest', 'usw1-az3', [EPYC, X25, X29]],
    ['regional', 'eun1-az1', []],
  ] as const)('%s goes to %s rejecting %j', (strategy, azId, rejects) => {
    const placement = place(strategy);
    expect(placement.target.azId).toBe(azId);
    expect(placement.rejectCpus).toEqual(rejects);
    expect(placement.strategy).toBe(strategy);
    expect(placement.maxAttempts).toBe(rejects.length > 0 ? 10 : 1);
  });

  it('retry-slow rejects only the slow CPUs a zone has (keeps its 2.5 GHz majority)', () => {
    const placement = place('retry-slow', { ...x86At2048, zones: ['usw1-az1'] });
    expect(placement.rejectCpus).toEqual([X29]);
  });

  it('hybrid picks the zone that is best with retry-slow', () => {
    const hybrid = place('hybrid');
    const regional = place('regional');
    expect(hybrid.expected.costUsd).toBeLessThanOrEqual(regional.expected.costUsd);
    expect(hybrid.rejectCpus.length).toBeGreaterThan(0);
  });

  it('optimal is never worse than any baseline strategy on its own objective', () => {
    const optimal = place('optimal');
    for (const strategy of ['baseline', 'regional', 'retry-slow', 'focus-fastest', 'hybrid'] as const) {
      expect(optimal.expected.costUsd).toBeLessThanOrEqual(place(strategy).expected.costUsd * (1 + 1e-12));
    }
  });

  it('names the target deterministically and lists fallbacks in other zones', () => {
    const placement = place('optimal');
    const { azId, arch, memoryMb } = placement.target;
    expect(placement.target.functionName).toBe(`sky-${azId}-${arch}-${memoryMb}`);
    expect(placement.fallbacks).toHaveLength(3);
    expect(new Set([azId, ...placement.fallbacks.map((f) => f.azId)]).size).toBe(4);
  });

  it('computes expectations consistent with the cost model', () => {
    const placement = place('retry-slow');
    // usw1-az3: 2.5 GHz 50%, 3.0 15%, 2.9 25% and EPYC 10% rejected; zipper 3000 ms on 2.5 GHz.
    const q = 0.35;
    const attempts = (1 - q ** 10) / (1 - q);
    expect(placement.expected.attempts).toBeCloseTo(attempts, 9);
    expect(placement.expected.addedLatencyMs).toBeCloseTo((attempts - 1) * (150 + 10), 6);
  });
});

describe('Router.callOn and Router.mixFor', () => {
  const router = new Router(paperView(), { baselineZone: 'usw1-az3' });
  const target = router.place({ workload: 'zipper', limits: { ...x86At2048, zones: ['usw1-az3'] } }).target;

  it("prices one warm call on a CPU with the cost model: that CPU's billed runtime and the request charge", () => {
    // zipper: 3000 ms on the 2.5 GHz Xeon, 0.88 of it on the 3.0 GHz; 2048 MB at $0.0000166667 per GB-s + $0.20 per 1M.
    const x25 = router.callOn('zipper', target, X25)!;
    const x30 = router.callOn('zipper', target, X30)!;
    expect(x25.runtimeMs).toBeCloseTo(3000, 0);
    expect(x30.runtimeMs / x25.runtimeMs).toBeCloseTo(0.88, 3);
    expect(x25.costUsd).toBeCloseTo(x25.runtimeMs * 2 * 0.0000166667e-3 + 0.2e-6, 9);
    expect(x30.carbonG / x25.carbonG).toBeCloseTo(x30.runtimeMs / x25.runtimeMs, 9);
    expect(router.callOn('zipper', target, 'graviton2')).toBeUndefined();
    expect(router.callOn('zipper', { functionName: 'sky-nowhere-x86_64-2048' }, X25)).toBeUndefined();
  });

  it("gives the mix placements on a target are priced with: its zone's, for a function that showed no hosts", () => {
    const mix = router.mixFor(target)!;
    const share = (cpu: string) => mix.shares[mix.cpus.indexOf(cpu)];
    expect(share(X25)).toBeCloseTo(0.5, 2);
    expect(share(EPYC)).toBeCloseTo(0.1, 2);
    expect(router.mixFor({ ...target, azId: 'nowhere' })).toBeUndefined();
  });
});

describe('Router with INIT billed', () => {
  const strategies: StrategyName[] = ['baseline', 'regional', 'retry-slow', 'focus-fastest', 'hybrid', 'optimal'];
  const placeWith = (init: { billed: boolean; initMs: number }, strategy: StrategyName) =>
    new Router(paperView(), { baselineZone: 'usw1-az3', init, rejectMode: 'hold', returnShare: 0 }).place({
      workload: 'zipper',
      strategy,
      objective: 'cost',
      limits: x86At2048,
    });

  it.each(strategies)('%s expects to cost more when INIT is billed', (strategy) => {
    const today = placeWith({ billed: true, initMs: 200 }, strategy);
    const before = placeWith({ billed: false, initMs: 200 }, strategy);
    expect(today.expected.costUsd).toBeGreaterThan(before.expected.costUsd);
  });

  it('prices one INIT per new instance: the first attempt and every retry', () => {
    const today = placeWith({ billed: true, initMs: 200 }, 'focus-fastest');
    const before = placeWith({ billed: false, initMs: 200 }, 'focus-fastest');
    // Cold share 1: the first attempt and each of the (A − 1) retries start a new instance.
    const extraMs = today.expected.attempts * 200;
    expect(today.expected.attempts).toBeCloseTo(before.expected.attempts, 12);
    expect(today.expected.runtimeMs).toBeCloseTo(before.expected.runtimeMs, 9);
    const delta = today.expected.costUsd - before.expected.costUsd;
    expect(delta).toBeCloseTo((extraMs * 2 * 0.0000166667) / 1000, 12);
  });

  it('retries less when every retry pays an INIT', () => {
    const cheapInit = placeWith({ billed: true, initMs: 0 }, 'optimal');
    const dearInit = placeWith({ billed: true, initMs: 5000 }, 'optimal');
    expect(dearInit.expected.attempts).toBeLessThan(cheapInit.expected.attempts);
  });
});

describe('Router objectives and limits', () => {
  // The paper's hold mode: every rejected attempt holds its instance 150 ms, and (as the paper assumed) the hold
  // sends the retry to another instance: no retry returns to the held one, so every retry is a fresh draw.
  const router = new Router(paperView(), { baselineZone: 'usw1-az3', rejectMode: 'hold', returnShare: 0 });

  it('places by carbon on the cleanest grid', () => {
    const placement = router.place({ workload: 'zipper', objective: 'carbon', limits: x86At2048 });
    expect(placement.target.region).toBe('eu-north-1');
  });

  it('places by latency near the client', () => {
    const seattle = { lat: 47.6, lon: -122.3 };
    const placement = router.place({
      workload: 'zipper',
      objective: 'latency',
      limits: { ...x86At2048, clientLocation: seattle },
    });
    expect(placement.target.region).toBe('us-west-1');
    expect(placement.expected.addedLatencyMs).toBeGreaterThan(5);
  });

  it('keeps expected added latency under maxAddedLatencyMs, dropping retries if it must', () => {
    const placement = router.place({
      workload: 'zipper',
      strategy: 'focus-fastest',
      limits: { ...x86At2048, maxAddedLatencyMs: 100 },
    });
    expect(placement.expected.addedLatencyMs).toBeLessThanOrEqual(100);
    expect(placement.rejectCpus).toEqual([]);
    expect(placement.notes.join(' ')).toMatch(/retries dropped/);
  });

  it('respects an attempt budget of 1 (no rejects pay off)', () => {
    const placement = router.place({ workload: 'zipper', limits: { ...x86At2048, maxAttempts: 1 } });
    expect(placement.expected.attempts).toBe(1);
  });

  it('uses minMemoryMb for the memory of the paper strategies', () => {
    const placement = router.place({ workload: 'zipper', strategy: 'regional', minMemoryMb: 3000 });
    expect(placement.target.memoryMb).toBe(4096);
  });

  it.each([
    [{ regions: ['xx-east-9'] }, /no deployed zone matches regions/],
    [{ zones: ['use1-az9'] }, /no deployed zone matches/],
    [{ memorySizes: [100] }, /no deployed memory size/],
    [{ maxAddedLatencyMs: -1 }, /maxAddedLatencyMs -1/],
  ] as const)('fails with NoPlacementError when limits exclude everything (%j)', (limits, message) => {
    const attempt = () => router.place({ workload: 'zipper', limits: limits as PlacementLimits });
    expect(attempt).toThrow(NoPlacementError);
    expect(attempt).toThrow(message);
  });

  it('fails with NoPlacementError naming the architecture when none is deployed', () => {
    const armless = new Router(paperView({ architectures: ['x86_64'] }));
    expect(() => armless.place({ workload: 'zipper', limits: { architectures: ['arm64'] } })).toThrow(
      /no allowed architecture/,
    );
  });

  it('never returns a target outside the limits (property)', () => {
    const zones = ['usw1-az1', 'usw1-az3', 'sae1-az1', 'eun1-az1', 'cac1-az1'];
    const regions = ['us-west-1', 'sa-east-1', 'eu-north-1', 'ca-central-1'];
    const limits = fc.record(
      {
        regions: fc.subarray(regions),
        zones: fc.subarray(zones),
        architectures: fc.subarray(['x86_64', 'arm64'] as Arch[]),
        memorySizes: fc.subarray([128, 512, 2048, 4096, 10240]),
        maxAttempts: fc.integer({ min: 1, max: 12 }),
        maxAddedLatencyMs: fc.double({ min: 0, max: 2000, noNaN: true }),
        clientLocation: fc.record({
          lat: fc.double({ min: -90, max: 90, noNaN: true }),
          lon: fc.double({ min: -180, max: 180, noNaN: true }),
        }),
      },
      { requiredKeys: [] },
    );
    const request = fc.record({
      workload: fc.constantFrom('zipper', 'unknown'),
      strategy: fc.constantFrom<StrategyName>(
        'baseline',
        'regional',
        'retry-slow',
        'focus-fastest',
        'hybrid',
        'optimal',
      ),
      objective: fc.constantFrom('cost', 'latency', 'carbon', { cost: 1, latency: 1, carbon: 1 }),
      limits,
    });
    fc.assert(
      fc.property(request, (req) => {
        let placement: ReturnType<Router['place']>;
        try {
          placement = router.place(req as PlacementRequest);
        } catch (error) {
          expect(error).toBeInstanceOf(NoPlacementError);
          return;
        }
        const l = req.limits;
        for (const target of [placement.target, ...placement.fallbacks]) {
          if (l.regions) expect(l.regions).toContain(target.region);
          if (l.zones) expect(l.zones).toContain(target.azId);
          if (l.architectures) expect(l.architectures).toContain(target.arch);
          if (l.memorySizes) expect(l.memorySizes).toContain(target.memoryMb);
        }
        if (l.maxAddedLatencyMs !== undefined)
          expect(placement.expected.addedLatencyMs).toBeLessThanOrEqual(l.maxAddedLatencyMs + 1e-9);
        if (l.maxAttempts !== undefined) expect(placement.maxAttempts).toBeLessThanOrEqual(l.maxAttempts);
      }),
      { numRuns: 300 },
    );
  });
});

describe('Router fallbacks', () => {
  it('places an unknown workload from relative speeds, with a note', () => {
    const placement = new Router(paperView()).place({ workload: 'never-seen', limits: x86At2048 });
    expect(placement.notes.join(' ')).toMatch(/no profile for workload "never-seen"/);
    expect(placement.expected.runtimeMs).toBeGreaterThan(0);
  });

  it('uses the regional average for a zone without characterization, with a note', () => {
    const view = paperView({
      deployed: [
        { azId: 'usw1-az1', region: 'us-west-1' },
        { azId: 'usw1-az2', region: 'us-west-1' },
      ],
    });
    const placement = new Router(view).place({
      workload: 'zipper',
      strategy: 'baseline',
      limits: { ...x86At2048, zones: ['usw1-az2'] },
    });
    expect(placement.target.azId).toBe('usw1-az2');
    expect(placement.notes.join(' ')).toMatch(/usw1-az2 has no x86_64 characterization: using the region average mix/);
  });

  it('blends a stale characterization toward the prior, with a note', () => {
    const stale = characterization('usw1-az1', 'us-west-1', { [X30]: 1000 }, 96);
    const fresh = characterization('usw1-az3', 'us-west-1', { [X25]: 1000 });
    const view = paperView({ zones: [stale, fresh], deployed: [] });
    const router = new Router(view, { staleAfterMs: 48 * 3_600_000 });
    const placement = router.place({
      workload: 'zipper',
      strategy: 'focus-fastest',
      limits: { ...x86At2048, zones: ['usw1-az1'] },
    });
    expect(placement.notes.join(' ')).toMatch(/usw1-az1 was characterized 96\.0 h ago .* weighted 50%/);
    // Half the stale 3.0 GHz mix, half the region's 2.5 GHz: focus-fastest rejects the 2.5 GHz half.
    expect(placement.rejectCpus).toEqual([X25]);
    expect(placement.expected.attempts).toBeCloseTo((1 - 0.5 ** 10) / 0.5, 9);
  });

  it('falls back to the first allowed zone when the baseline zone is excluded, with a note', () => {
    // The paper's hold mode: every rejected attempt holds its instance 150 ms.
    const router = new Router(paperView(), { baselineZone: 'usw1-az3', rejectMode: 'hold' });
    const placement = router.place({
      workload: 'zipper',
      strategy: 'baseline',
      limits: { ...x86At2048, regions: ['sa-east-1'] },
    });
    expect(placement.target.azId).toBe('sae1-az1');
    expect(placement.notes.join(' ')).toMatch(/baseline zone usw1-az3 is not deployed, allowed or within the limits/);
  });

  it.each([
    [{ cost: -1, latency: 0, carbon: 0 }, /placed by cost/],
    ['speed', /unknown objective "speed"/],
  ])('places a bad objective (%j) by cost with a note', (objective, note) => {
    const placement = new Router(paperView()).place({ workload: 'zipper', objective: objective as 'cost' });
    expect(placement.notes.join(' ')).toMatch(note);
  });
});

describe('Router cache and learning', () => {
  // Exploring placements are computed afresh for every call (exploration.test.ts): these check the plain model.
  it('answers equal requests with the same frozen placement', () => {
    const router = new Router(paperView(), { explore: false });
    const a = router.place({ workload: 'zipper', limits: { regions: ['us-west-1'] } });
    const b = router.place({ workload: 'zipper', limits: { regions: ['us-west-1'] } });
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(router.place({ workload: 'zipper', limits: { regions: ['sa-east-1'] } })).not.toBe(a);
  });

  it('places the same whether or not the ranking fast path is taken', () => {
    const router = new Router(paperView(), { explore: false });
    for (const objective of ['cost', 'latency', 'carbon'] as const) {
      const fast = router.place({ workload: 'zipper', objective });
      const slow = router.rank({ workload: 'zipper', objective }, 1)[0];
      expect(fast.target).toEqual(slow.target);
      expect(fast.rejectCpus).toEqual(slow.rejectCpus);
    }
  });

  it('learns from outcomes: a CPU observed slow gets rejected', () => {
    const view = paperView({ profiles: {} });
    const router = new Router(view, { baselineZone: 'usw1-az1' });
    const request = { workload: 'w', strategy: 'optimal' as const, limits: { ...x86At2048, zones: ['usw1-az1'] } };
    const before = router.place(request);
    expect(before.notes.join(' ')).toMatch(/no profile/);
    const target = before.target;
    for (let i = 0; i < 50; i++) {
      router.observe({ workload: 'w', target, cpu: X25, runtimeMs: 9000, rejected: false });
      router.observe({ workload: 'w', target, cpu: X30, runtimeMs: 1000, rejected: false });
      router.observe({ workload: 'w', target, cpu: X29, runtimeMs: 1200, rejected: false });
    }
    const after = router.place(request);
    expect(after).not.toBe(before);
    expect(after.rejectCpus).toEqual([X25]);
    expect(after.notes.join(' ')).not.toMatch(/no profile/);
  });

  it('switches to a new view passed to place', () => {
    const router = new Router(paperView());
    const first = router.place({ workload: 'zipper', objective: 'carbon', limits: x86At2048 });
    const next = paperView({
      now: NOW + 1,
      regions: { ...paperView().regions, 'eu-north-1': { ...paperView().regions['eu-north-1'], carbonGPerKwh: 900 } },
    });
    const second = router.place({ workload: 'zipper', objective: 'carbon', limits: x86At2048 }, next);
    expect(first.target.region).toBe('eu-north-1');
    expect(second.target.region).not.toBe('eu-north-1');
    expect(router.view).toBe(next);
  });

  it.each([
    [{ holdMs: -1 }, 'options.holdMs'],
    [{ maxAttempts: 0 }, 'options.maxAttempts'],
    [{ defaultStrategy: 'fastest' as StrategyName }, 'options.defaultStrategy'],
  ])('fails when an option is out of range (%j)', (options, field) => {
    expect(() => new Router(paperView(), options)).toThrow(field);
  });
});

describe('Router passive learning', () => {
  const twoZones = () =>
    paperView({
      zones: [
        characterization('usw1-az1', 'us-west-1', { [X25]: 100 }),
        characterization('usw1-az3', 'us-west-1', { [X25]: 90, [X30]: 10 }),
      ],
      deployed: [],
    });
  const request = { workload: 'zipper', strategy: 'regional' as const, limits: x86At2048 };

  it('merges passive counts from the view like one more poll', () => {
    const before = new Router(twoZones()).place(request);
    expect(before.target.azId).toBe('usw1-az3');
    const after = new Router({ ...twoZones(), passive: { 'usw1-az1': { [X30]: 30 } } }).place(request);
    expect(after.target.azId).toBe('usw1-az1');
  });

  it('learns zone mixes from new instances of observed calls, in steps', () => {
    const router = new Router(twoZones());
    const first = router.place(request);
    const target = { ...first.target, azId: 'usw1-az1', functionName: 'sky-usw1-az1-x86_64-2048' };
    for (let i = 0; i < 19; i++)
      router.observe({ workload: 'zipper', target, cpu: X30, rejected: true, newInstance: true });
    expect(router.place(request)).toBe(first);
    router.observe({ workload: 'zipper', target, cpu: X30, rejected: true, newInstance: true });
    const learned = router.place(request);
    expect(learned.target.azId).toBe('usw1-az1');
    // Warm instances (no newInstance) do not count, as a poll counts each instance once.
    const warm = new Router(twoZones());
    for (let i = 0; i < 40; i++) warm.observe({ workload: 'zipper', target, cpu: X30, rejected: true });
    expect(warm.place(request).target.azId).toBe('usw1-az3');
  });

  it('drops passive counts learned here when a new view arrives', () => {
    const router = new Router(twoZones());
    const target = { ...router.place(request).target, azId: 'usw1-az1' };
    for (let i = 0; i < 20; i++)
      router.observe({ workload: 'zipper', target, cpu: X30, rejected: true, newInstance: true });
    router.setView(twoZones());
    expect(router.place(request).target.azId).toBe('usw1-az3');
  });
});
