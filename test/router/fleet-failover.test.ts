import type { Invoker } from '../../lib/contracts';
import { fleetOf, Route } from '../../lib/routing/follow';
import type { BatchAnswer, Placer, RoutedCall } from '../../lib/routing/types';
import { ROUTER_SCENARIO, type SkyFixture, startSky } from './sky-fixture';

/**
 * The router scenario plus a zone whose arm64 fleet (the cheapest placement: arm64 bills 0.8× x86_64's price for
 * the same runtime) holds only 8 instances at once beside an x86_64 fleet of 200. The other zones have no arm64
 * hosts at all: every arm64 call there is throttled.
 */
const ARM_SCENARIO = {
  ...ROUTER_SCENARIO,
  name: 'router-arm-fleet',
  cpus: { ...ROUTER_SCENARIO.cpus, graviton2: { model: 'graviton2' } },
  zones: [
    ...ROUTER_SCENARIO.zones,
    {
      azId: 'usw2-az1',
      region: 'us-west-2',
      hosts: 50,
      slotsPerHost: 4,
      mix: [{ xeon25: 1 }],
      arm64: { hosts: 2, mix: [{ graviton2: 1 }] },
    },
  ],
  workloads: {
    zipper: {
      ...ROUTER_SCENARIO.workloads.zipper,
      relative: { ...ROUTER_SCENARIO.workloads.zipper.relative, graviton2: 1 },
    },
  },
};

describe('a burst larger than the arm64 fleet it is placed on', () => {
  let sky: SkyFixture;
  const throttled: string[] = [];

  beforeAll(async () => {
    sky = await startSky({ scenario: ARM_SCENARIO });
    await sky.characterize();
  });

  afterAll(async () => {
    await sky?.close();
  });

  const armRouter = () => {
    const spy: Invoker = {
      async invoke(name, payload, options) {
        const result = await sky.invoker.invoke(name, payload, options);
        if (!result.ok && result.errorType === 'TooManyRequestsException') throttled.push(name);
        return result;
      },
    };
    return sky.router({ invoker: spy, config: { ...sky.config, architectures: ['x86_64', 'arm64'] } });
  };

  beforeEach(() => {
    throttled.length = 0;
  });

  it('fails the calls the full arm64 fleet throttles over to the x86_64 fleet of the same zone', async () => {
    // GIVEN a router for both architectures, limited to the zone with the small arm64 fleet, placing on that fleet
    const handler = armRouter();
    const limits = { zones: ['usw2-az1'] };
    const probe = (await handler({
      workload: 'zipper',
      objective: 'cost',
      limits,
      batch: { count: 1 },
    })) as BatchAnswer;
    expect(probe.placement.target.arch).toBe('arm64');
    // WHEN a burst of 60 at 30 at a time arrives, far beyond the fleet's 8 instances
    const answer = (await handler({
      workload: 'zipper',
      objective: 'cost',
      limits,
      batch: { count: 60, concurrency: 30 },
    })) as BatchAnswer;
    // THEN the arm64 fleet throttled, every call was answered, the rest ran on the zone's x86_64 fleet
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((name) => name.startsWith('sky-usw2-az1-arm64-'))).toBe(true);
    expect(answer.summary.succeeded).toBe(60);
    expect(answer.calls.filter((c) => c.functionName?.startsWith('sky-usw2-az1-arm64-')).length).toBeGreaterThan(0);
    expect(answer.calls.filter((c) => c.functionName?.startsWith('sky-usw2-az1-x86_64-')).length).toBeGreaterThan(0);
  });

  it('answers every call when the other zones have no arm64 hosts at all', async () => {
    // GIVEN every zone allowed: arm64 is the cheapest placement in each, but only usw2-az1 has arm64 hosts
    const handler = armRouter();
    // WHEN a burst of 120 at 40 at a time arrives
    const answer = (await handler({
      workload: 'zipper',
      objective: 'cost',
      batch: { count: 120, concurrency: 40 },
    })) as BatchAnswer;
    // THEN no call failed, and an arm64 fleet that throttled a call of the route takes no more of them
    expect(answer.summary.succeeded).toBe(120);
    // Within the budget of 10 attempts that reach a function: its rejects and the attempt that ran it (a throttled
    // attempt leaves its fleet and counts none of it).
    expect(answer.calls.every((c) => c.rejects + 1 <= 10)).toBe(true);
    for (const c of answer.calls.filter((c) => c.functionName?.includes('-arm64-'))) {
      expect(c.azId).toBe('usw2-az1');
    }
    const x86 = answer.calls.filter((c) => c.functionName?.includes('-x86_64-')).length;
    expect(x86).toBeGreaterThan(0);
  });
});

describe('Route', () => {
  /** A placer whose best target is the cheapest allowed of a fixed list (the core router's order, in miniature). */
  const targets = [
    { azId: 'a1', region: 'r', arch: 'arm64', memoryMb: 128, cost: 1 },
    { azId: 'b1', region: 'r', arch: 'arm64', memoryMb: 128, cost: 2 },
    { azId: 'a1', region: 'r', arch: 'x86_64', memoryMb: 128, cost: 3 },
    { azId: 'b1', region: 'r', arch: 'x86_64', memoryMb: 128, cost: 4 },
  ] as const;
  const placementOf = (t: (typeof targets)[number]) =>
    ({
      target: { ...t, functionName: `sky-${t.azId}-${t.arch}-${t.memoryMb}` },
      strategy: 'optimal',
      rejectCpus: [],
      holdMs: 0,
      rejectMode: 'end',
      keepBeforeLastAttempt: false,
      maxAttempts: 1,
      expected: { costUsd: t.cost, runtimeMs: 1, attempts: 1, addedLatencyMs: 0, carbonG: 0 },
      evidence: 'measured',
      fallbacks: [],
      notes: [],
    }) as unknown as ReturnType<Placer['place']>;
  const allowed = (limits: { zones?: readonly string[]; architectures?: readonly string[] } = {}) =>
    targets.filter(
      (t) =>
        (!limits.zones || limits.zones.includes(t.azId)) &&
        (!limits.architectures || limits.architectures.includes(t.arch)),
    );
  const placer: Placer = {
    place(request) {
      const best = allowed(request.limits)[0];
      if (!best) throw new Error('no target');
      return placementOf(best);
    },
    rank(request) {
      return allowed(request.limits).map((t) => ({ ...placementOf(t), score: t.cost }));
    },
  };
  const deployed = [
    { azId: 'a1', region: 'r' },
    { azId: 'b1', region: 'r' },
  ];

  it('keeps a zone whose arm64 fleet is full for its x86_64 fleet, and ranks fleets across zones', () => {
    // GIVEN a route on a1's arm64 fleet
    const route = new Route(placer, { workload: 'w' }, placementOf(targets[0]), deployed);
    // WHEN a1's arm64 fleet throttles a call
    const avoid = new Set([fleetOf({ azId: 'a1', arch: 'arm64' })]);
    // THEN the call goes to the next-best fleet, b1's arm64; b1's arm64 throttling too, a1's x86_64 (not b1's)
    expect(route.placementOn(avoid)?.target.functionName).toBe('sky-b1-arm64-128');
    avoid.add(fleetOf({ azId: 'b1', arch: 'arm64' }));
    expect(route.placementOn(avoid)?.target.functionName).toBe('sky-a1-x86_64-128');
    // A placer that cannot rank still finds a fleet with room.
    const { rank: _rank, ...plain } = placer;
    const unranked = new Route(plain, { workload: 'w' }, placementOf(targets[0]), deployed);
    expect(unranked.placementOn(avoid)?.target.functionName).toBe('sky-a1-x86_64-128');
  });

  it('sends no more calls to a fleet than it held when it throttled', () => {
    // GIVEN two calls running on a1's arm64 fleet, and a third throttled there
    const route = new Route(placer, { workload: 'w' }, placementOf(targets[0]), deployed);
    const arm = fleetOf({ azId: 'a1', arch: 'arm64' });
    route.enter(arm);
    route.enter(arm);
    route.enter(arm);
    route.throttled(arm);
    route.leave(arm);
    // THEN the fleet is full for every call of the route, and a1's x86_64 fleet is not
    expect(route.isFull(arm)).toBe(true);
    expect(route.isFull(fleetOf({ azId: 'a1', arch: 'x86_64' }))).toBe(false);
    expect(route.placementOn()?.target.functionName).toBe('sky-b1-arm64-128');
    // WHEN one of the two leaves, the fleet has room again
    route.leave(arm);
    expect(route.placementOn()?.target.functionName).toBe('sky-a1-arm64-128');
  });
});

/**
 * Attempts a function never started (throttles) run nothing and bill nothing: they leave their fleet for the rest of
 * the call but do not use its attempt budget, which counts the attempts that reached a function. The twin throttles
 * only where a fleet is full, which a test cannot time to a call's last attempts; the invoker here throttles given
 * fleets' invocations, the fault the test is about, and passes every other to the local sky.
 */
describe('attempts that never started a function', () => {
  let sky: SkyFixture;
  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
  });
  afterAll(async () => {
    await sky?.close();
  });

  /** An invoker that throttles every invocation of a function in `full`'s zones, recording each function invoked. */
  const throttling = (full: readonly string[], invoked: string[]): Invoker => ({
    async invoke(name, payload, options) {
      invoked.push(name);
      if (full.some((azId) => name.startsWith(`sky-${azId}-`))) {
        return {
          ok: false,
          errorType: 'TooManyRequestsException',
          message: 'Rate Exceeded.',
          retryable: true,
          durationMs: 3,
        };
      }
      return sky.invoker.invoke(name, payload, options);
    },
  });
  const request = { workload: 'zipper', objective: 'cost', limits: { maxAttempts: 2 } };

  it('runs a call throttled in two fleets in a third, with a budget of two attempts', async () => {
    // GIVEN the two zones of us-west-1 full, and sa-east-1's with room
    const invoked: string[] = [];
    const route = sky.router({ invoker: throttling(['usw1-az1', 'usw1-az3'], invoked) });
    // WHEN a call with a budget of 2 attempts is routed
    const answer = (await route(request)) as RoutedCall;
    // THEN it was throttled in both and ran in sa-east-1: the throttles used none of its budget
    expect(answer.status).toBe('ok');
    expect(
      answer.attempts
        .filter((a) => a.status === 'throttled')
        .map((a) => a.azId)
        .sort(),
    ).toEqual(['usw1-az1', 'usw1-az3']);
    expect(answer.attempts.at(-1)?.azId).toBe('sae1-az1');
    expect(answer.attempts.filter((a) => a.status !== 'throttled').length).toBeLessThanOrEqual(2);
  });

  it('fails with NoCapacity, naming the fleets, once every allowed fleet throttled it: one invocation each', async () => {
    const invoked: string[] = [];
    const route = sky.router({ invoker: throttling(['usw1-az1', 'usw1-az3', 'sae1-az1'], invoked) });
    const answer = (await route(request)) as { status: string; error?: { type: string; message: string } };
    expect(answer.status).toBe('error');
    expect(answer.error?.type).toBe('NoCapacity');
    expect(answer.error?.message).toMatch(/no allowed fleet .* is left to fail over to/);
    for (const azId of ['usw1-az1', 'usw1-az3', 'sae1-az1']) expect(answer.error?.message).toContain(`${azId} x86_64`);
    expect(invoked).toHaveLength(3);
    expect(new Set(invoked).size).toBe(3);
  });
});
