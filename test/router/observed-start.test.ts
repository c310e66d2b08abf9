import type { RankedTarget } from '../../lib/core/router';
import type { Placement, PlacementRequest } from '../../lib/core/types';
import type { MixSource } from '../../lib/core/zone-mix';
import { startOnObservedFleet } from '../../lib/routing/observed-start';
import type { BatchAnswer, Placer, RoutedCall } from '../../lib/routing/types';
import { CPU, ROUTER_SCENARIO, type SkyFixture, startSky } from './sky-fixture';

/**
 * A batch starts on a fleet whose mix was sampled or met, not one priced on other zones' fleets of its architecture
 * (`startOnObservedFleet`): such a fleet may hold no instance at all, and the batch would be paced for it.
 */

/**
 * us-west-2 has no arm64 hosts, so its arm64 fleet is priced on af-south-1's (the only arm64 fleet sampled): the same
 * Graviton2, at the standard price, below af-south-1's and below any x86_64 fleet (arm64 bills 0.8× for the same
 * runtime). The best placement with an observed mix is us-west-2's x86_64 fleet.
 */
const BORROWED_SCENARIO = {
  ...ROUTER_SCENARIO,
  name: 'router-borrowed-mix',
  baselineZone: 'usw2-az1',
  cpus: { ...ROUTER_SCENARIO.cpus, graviton2: { model: 'graviton2' } },
  zones: [
    { azId: 'usw2-az1', region: 'us-west-2', hosts: 50, slotsPerHost: 40, mix: [{ xeon25: 1 }] },
    {
      azId: 'afs1-az1',
      region: 'af-south-1',
      hosts: 50,
      slotsPerHost: 40,
      mix: [{ xeon25: 1 }],
      arm64: { hosts: 20, mix: [{ graviton2: 1 }] },
    },
  ],
  workloads: {
    zipper: {
      ...ROUTER_SCENARIO.workloads.zipper,
      baseMs: 100,
      relative: { ...ROUTER_SCENARIO.workloads.zipper.relative, graviton2: 1 },
    },
  },
};

describe('router handler: where a batch starts', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky({ scenario: BORROWED_SCENARIO, timeScale: 0.2 });
    await sky.characterize();
    await sky.store.putCharacterization({
      azId: 'afs1-az1',
      region: 'af-south-1',
      arch: 'arm64',
      counts: { graviton2: 20 },
      instancesSeen: 200,
      polls: 1,
      failures: 0,
      measuredAt: new Date().toISOString(),
      driftClass: 'stable',
      costUsd: 0.01,
    });
    // 100 ms on both CPUs at 2048 MB, so the arm64 fleets are weighed (a workload never run there is not)
    await sky.observeRuntimes('zipper', { [CPU.xeon25]: 100 }, 0.01);
    await sky.store.addProfileSums(
      'zipper',
      { cpu: 'graviton2', arch: 'arm64', memoryMb: 2048 },
      { count: 50, sum: 5000, sumSquares: 50 * 100 * 100 * (1 + 0.01 * 0.01) },
    );
  });

  afterAll(async () => {
    await sky?.close();
  });

  const handler = () => sky.router({ config: { ...sky.config, architectures: ['x86_64', 'arm64'] } });

  it('places a lone call on the fleet priced best, though its mix is borrowed', async () => {
    // WHEN one call arrives
    const answer = (await handler()({ workload: 'zipper', objective: 'cost' })) as RoutedCall;
    // THEN it was placed on us-west-2's arm64 fleet, which throttled it, and it failed over to a fleet that ran it
    expect(answer.status).toBe('ok');
    expect(answer.attempts[0]).toMatchObject({ status: 'throttled' });
    expect(answer.attempts[0].functionName).toMatch(/^sky-usw2-az1-arm64-/);
    expect(answer.attempts.at(-1)?.functionName).toMatch(/^sky-usw2-az1-x86_64-/);
  });

  it('starts a batch on a fleet whose mix was sampled, and says which it passed over', async () => {
    // WHEN a batch of 20 arrives, 5 at a time
    const answer = (await handler()({
      workload: 'zipper',
      objective: 'cost',
      batch: { count: 20, concurrency: 5 },
    })) as BatchAnswer;
    // THEN it starts on a fleet whose mix was sampled (us-west-2's x86_64, or af-south-1's arm64 once the lone call's
    // runtimes at 1024 MB are learned: both price within 6% of each other), names the arm64 fleet it passed over, and
    // no call was throttled there and failed over
    const { target } = answer.placement;
    expect(['usw2-az1/x86_64', 'afs1-az1/arm64']).toContain(`${target.azId}/${target.arch}`);
    expect(answer.placement.notes).toContain(
      `the batch starts on ${target.functionName}: usw2-az1's arm64 fleet, priced better, was priced on the ` +
        "global average mix of other zones' fleets, with no sampler or call having met it",
    );
    expect(answer.summary.succeeded).toBe(20);
    expect(answer.summary.failovers).toBe(0);
    expect(Object.keys(answer.summary.byFunction).some((name) => name.startsWith('sky-usw2-az1-arm64-'))).toBe(false);
  });
});

describe('startOnObservedFleet', () => {
  /** Ranked targets, best first, each with the mix it was priced on and its expected cost. */
  const targets: ReadonlyArray<{ azId: string; arch: 'x86_64' | 'arm64'; mix: MixSource; cost: number }> = [
    { azId: 'a1', arch: 'arm64', mix: 'region-average', cost: 1 },
    { azId: 'b1', arch: 'arm64', mix: 'global-average', cost: 2 },
    { azId: 'a1', arch: 'x86_64', mix: 'measured', cost: 4 },
    { azId: 'b1', arch: 'x86_64', mix: 'passive', cost: 3 },
    { azId: 'c1', arch: 'x86_64', mix: 'measured', cost: 2.5 },
  ];
  const placementOf = (t: (typeof targets)[number], strategy: Placement['strategy'] = 'optimal') =>
    ({
      target: { azId: t.azId, region: 'r', arch: t.arch, memoryMb: 128, functionName: `sky-${t.azId}-${t.arch}-128` },
      strategy,
      rejectCpus: [],
      unfitCpus: [],
      maxAttempts: 1,
      holdMs: 0,
      rejectMode: 'hold',
      keepBeforeLastAttempt: false,
      expected: { costUsd: t.cost, runtimeMs: 100, addedLatencyMs: 0, carbonG: 1, attempts: 1 },
      evidence: { level: 'measured', runtime: 'observed', mix: t.mix },
      notes: [],
    }) as unknown as Placement;
  /**
   * A placer over `targets` that prices a pinned request on its target and records it (`priced`), and records the
   * requests it places as calls (`placed`).
   */
  const placerOf = (listed = targets) => {
    const priced: string[] = [];
    const placed: string[] = [];
    const pinned = (request: PlacementRequest) => {
      const t = listed.find(
        (x) => request.limits?.zones?.[0] === x.azId && request.limits?.architectures?.[0] === x.arch,
      );
      if (!t) throw new Error('not pinned');
      return placementOf(t);
    };
    const placer: Placer = {
      place: (request) => {
        const p = pinned(request);
        placed.push(p.target.functionName);
        return p;
      },
      price: (request) => {
        const p = pinned(request);
        priced.push(p.target.functionName);
        return p;
      },
      rank: () => listed.map((t) => placementOf(t) as unknown as RankedTarget),
    };
    return { placer, priced, placed };
  };
  const request: PlacementRequest = { workload: 'w' };

  it('keeps a placement whose mix was observed, or assumed from the baseline CPU', () => {
    const { placer } = placerOf();
    const measured = placementOf(targets[2]);
    expect(startOnObservedFleet(placer, request, measured)).toBe(measured);
    const baseline = placementOf({ ...targets[0], mix: 'baseline-cpu' });
    expect(startOnObservedFleet(placer, request, baseline)).toBe(baseline);
  });

  it("keeps a paper strategy's placement, which follows its own rule", () => {
    const { placer } = placerOf();
    const regional = placementOf(targets[0], 'regional');
    expect(startOnObservedFleet(placer, request, regional)).toBe(regional);
  });

  it('moves a borrowed placement to the cheapest observed one, pricing its candidates without counting a call', () => {
    const { placer, priced, placed } = placerOf();
    const moved = startOnObservedFleet(placer, request, placementOf(targets[0]));
    // c1 is ranked after a1 and b1 (x86_64) but expected cheaper: every observed candidate is placed and weighed
    expect(moved.target.functionName).toBe('sky-c1-x86_64-128');
    expect(moved.notes).toEqual([
      "the batch starts on sky-c1-x86_64-128: a1's arm64 fleet, priced better, was priced on the region average mix " +
        "of other zones' fleets, with no sampler or call having met it",
    ]);
    // Every observed candidate was priced; none was placed as a call (an exploring one would count as in flight).
    expect(priced.sort()).toEqual(['sky-a1-x86_64-128', 'sky-b1-x86_64-128', 'sky-c1-x86_64-128']);
    expect(placed).toEqual([]);
  });

  it('keeps a borrowed placement where every allowed fleet is borrowed', () => {
    const { placer } = placerOf(targets.slice(0, 2));
    const borrowed = placementOf(targets[0]);
    expect(startOnObservedFleet(placer, request, borrowed)).toBe(borrowed);
  });
});
