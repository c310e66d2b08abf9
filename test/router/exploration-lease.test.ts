import { type LocalSkyStore, startLocalSkyStore } from '../../lib/aws/local-sky-store';
import type { SkyStore } from '../../lib/aws/store';
import { InvalidRecordError } from '../../lib/aws/store-errors';
import { ExplorationLeases, type ExplorationUnit } from '../../lib/routing/exploration-lease';
import { MemoryRouterStore } from '../../lib/routing/memory-store';
import { RoutingService } from '../../lib/routing/service';
import { silentTelemetry } from '../../lib/routing/telemetry';
import type { RoutedCall, RouterStore } from '../../lib/routing/types';
import { CPU, type SkyFixture, startSky } from './sky-fixture';

// Exploration shared across router instances through a lease in the table (lib/routing/exploration-lease.ts).

const UNIT: ExplorationUnit = { workload: 'zipper', functionName: 'sky-usw1-az1-x86_64-2048', cpu: CPU.epyc };

describe.each([
  ['the table (dynalite)', 'dynalite'],
  ["the twin's store in memory", 'memory'],
] as const)('exploration leases in %s', (_, kind) => {
  let local: LocalSkyStore | undefined;
  let store: Pick<SkyStore, 'takeExplorationLease' | 'endExplorationLease'>;
  beforeAll(async () => {
    if (kind === 'dynalite') {
      local = await startLocalSkyStore();
      store = local.store;
    } else {
      store = new MemoryRouterStore();
    }
  });
  afterAll(async () => {
    await local?.close();
  });

  it('lets one holder at a time take a unit, until its lease ends or its holder gives it up', async () => {
    const unit = { ...UNIT, workload: 'lease-basics' };
    expect(await store.takeExplorationLease(unit, 'a', 1_000, 5_000)).toEqual({ taken: true });
    // Another holder loses the race and reads who holds it until when.
    expect(await store.takeExplorationLease(unit, 'b', 2_000, 9_000)).toEqual({
      taken: false,
      holder: 'a',
      leaseUntil: 5_000,
    });
    // The holder may take it again (a retried write).
    expect(await store.takeExplorationLease(unit, 'a', 2_000, 6_000)).toEqual({ taken: true });
    // Another unit of the same workload is free.
    expect(await store.takeExplorationLease({ ...unit, cpu: CPU.xeon30 }, 'b', 2_000, 9_000)).toEqual({
      taken: true,
    });
    // A holder that never ends its lease (a crashed router) frees it when it expires.
    expect(await store.takeExplorationLease(unit, 'b', 6_000, 9_000)).toEqual({ taken: true });
    // The former holder cannot end the lease it lost.
    await store.endExplorationLease(unit, 'a', 0);
    expect(await store.takeExplorationLease(unit, 'c', 7_000, 9_000)).toMatchObject({ taken: false, holder: 'b' });
    // Given up by its holder, it is free at once.
    await store.endExplorationLease(unit, 'b', 7_000);
    expect(await store.takeExplorationLease(unit, 'c', 7_000, 9_000)).toEqual({ taken: true });
  });

  if (kind === 'dynalite') {
    it('fails when a part of the unit is missing, naming it, and stores nothing', async () => {
      const unit = { ...UNIT, workload: 'lease-bad' };
      await expect(store.takeExplorationLease({ ...unit, cpu: '' }, 'a', 0, 1_000)).rejects.toThrow(InvalidRecordError);
      await expect(store.takeExplorationLease({ ...unit, cpu: '' }, 'a', 0, 1_000)).rejects.toThrow(/cpu/);
      await expect(store.takeExplorationLease(unit, 'a', 0, Number.NaN)).rejects.toThrow(/leaseUntil/);
      expect(await store.takeExplorationLease(unit, 'b', 0, 1_000)).toEqual({ taken: true });
    });
  }
});

describe('ExplorationLeases', () => {
  it('marks a unit another instance holds as taken until its lease ends or one view TTL passes, then tries again', async () => {
    const store = new MemoryRouterStore();
    let now = 0;
    const clock = () => now;
    const a = new ExplorationLeases({ store, clock, settleMs: 60_000, holder: 'a' });
    const b = new ExplorationLeases({ store, clock, settleMs: 60_000, holder: 'b' });
    expect(await a.claim(UNIT, 600_000)).toBe('leased');
    const before = b.version;
    expect(await b.claim(UNIT, 600_000)).toBe('held-elsewhere');
    expect(b.version).not.toBe(before);
    expect(b.mayExplore(UNIT.workload, UNIT.functionName, UNIT.cpu)).toBe(false);
    expect(b.mayExplore(UNIT.workload, UNIT.functionName, CPU.xeon30)).toBe(true);
    // The holder's call ran elsewhere and taught nothing: it gives the lease up at once.
    await a.end(UNIT, false);
    now = 59_999;
    expect(b.mayExplore(UNIT.workload, UNIT.functionName, UNIT.cpu)).toBe(false);
    // One view TTL after the lost race, b tries again, and takes it.
    now = 60_000;
    const expired = b.version;
    expect(b.mayExplore(UNIT.workload, UNIT.functionName, UNIT.cpu)).toBe(true);
    expect(b.version).toBe(expired);
    expect(await b.claim(UNIT, 1_000)).toBe('leased');
    // Its call ran on the explored CPU: the lease stays one view TTL more, and a loses the race meanwhile.
    now = 61_000;
    await b.end(UNIT, true);
    now = 120_000;
    expect(await a.claim(UNIT, 1_000)).toBe('held-elsewhere');
    now = 121_000;
    expect(await new ExplorationLeases({ store, clock, settleMs: 60_000 }).claim(UNIT, 1_000)).toBe('leased');
  });

  it('explores on its own, without a lease, over a store without leases', async () => {
    const leases = new ExplorationLeases({ clock: () => 0, settleMs: 60_000 });
    expect(await leases.claim(UNIT, 1_000)).toBe('unshared');
    expect(leases.stats).toEqual({ leased: 0, lost: 0, errors: 0 });
  });
});

describe('two routers racing to explore one unit', () => {
  let sky: SkyFixture;
  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
  });
  afterAll(async () => {
    await sky.close();
  });

  const request = {
    workload: 'zipper',
    objective: 'cost',
    strategy: 'optimal',
    limits: { zones: ['usw1-az1'], memorySizes: [2048] },
  };
  const explores = (answer: unknown): boolean =>
    (answer as RoutedCall).placement?.notes.some((n) => n.startsWith(`explores ${CPU.epyc}`)) ?? false;
  const options = (store: RouterStore = sky.store) => ({
    store,
    invoker: sky.invoker,
    config: sky.config,
    telemetry: silentTelemetry,
  });
  const service = (store: RouterStore = sky.store) => new RoutingService(options(store));
  /**
   * The table's store, whose lease writes wait until `n` have arrived: they reach the table together, whatever the
   * machine's load (no router's call has ended before another's write). The winner's lease ends only once the other
   * `n − 1` routers have answered (`answered` counts answers): an exploring call that missed the explored CPU ends its
   * lease at once, and on a loaded machine a loser still placing would then take the lease and explore as well.
   */
  const racingStore = (n: number): { store: RouterStore; answered: () => void } => {
    let arrived = 0;
    let release: () => void = () => {};
    const allThere = new Promise<void>((resolve) => {
      release = resolve;
    });
    let answers = 0;
    let othersDone: () => void = () => {};
    const othersAnswered = new Promise<void>((resolve) => {
      othersDone = resolve;
    });
    return {
      store: {
        ...delegating(sky.store),
        takeExplorationLease: async (...args) => {
          if (++arrived === n) release();
          await allThere;
          return sky.store.takeExplorationLease(...args);
        },
        endExplorationLease: async (...args) => {
          await othersAnswered;
          return sky.store.endExplorationLease(...args);
        },
      },
      answered: () => {
        if (++answers === n - 1) othersDone();
      },
    };
  };
  /**
   * Each router reads the table before any of them routes: all place from the profile without EPYC's runtime, however
   * long a loaded machine takes between their calls (a router that read the table after another's call taught it
   * would have no reason to explore).
   */
  const viewsRead = (routers: readonly RoutingService[]) => Promise.all(routers.map((r) => r.cache.get()));
  /** The table's store, method by method (for a test to replace some). */
  const delegating = (store: SkyStore): RouterStore => ({
    latestCharacterizations: () => store.latestCharacterizations(),
    profiles: () => store.profiles(),
    addProfileSums: (...args) => store.addProfileSums(...args),
    addPassiveCpu: (...args) => store.addPassiveCpu(...args),
    allPassiveCounts: () => store.allPassiveCounts(),
    addFunctionHosts: (...args) => store.addFunctionHosts(...args),
    allFunctionHosts: () => store.allFunctionHosts(),
    takeExplorationLease: (...args) => store.takeExplorationLease(...args),
    endExplorationLease: (...args) => store.endExplorationLease(...args),
  });

  /** Stores a profile of zipper that ran on both Xeons of usw1-az1 at 2048 MB and never on its EPYC. */
  async function profiled(profile: string): Promise<Record<string, unknown>> {
    await sky.observeRuntimes(profile, { [CPU.xeon25]: 1000, [CPU.xeon30]: 880 }, 0.02, 100);
    return { ...request, profile };
  }

  it('lets only one explore; the other places as if it were taken, and both answer', async () => {
    const body = await profiled('race');
    const racing = racingStore(2);
    const [a, b] = [service(racing.store), service(racing.store)];
    await viewsRead([a, b]);
    const answers = await Promise.all([a, b].map((r) => r.route(body).finally(racing.answered)));
    expect(answers.map((answer) => answer.status)).toEqual(['ok', 'ok']);
    expect(answers.filter(explores)).toHaveLength(1);
    const [winner, loser] = explores(answers[0]) ? [a, b] : [b, a];
    expect(winner.exploration.stats).toEqual({ leased: 1, lost: 0, errors: 0 });
    expect(loser.exploration.stats).toEqual({ leased: 0, lost: 1, errors: 0 });
    const lost = answers[explores(answers[0]) ? 1 : 0] as RoutedCall;
    expect(lost.placement?.notes).toContain(
      `exploring ${CPU.epyc} on ${UNIT.functionName} is left to another router instance, which holds its lease`,
    );
    // While the lease holds, the loser's later calls leave the unit to the winner too.
    const again = await loser.route(body);
    expect(again.status).toBe('ok');
    expect(explores(again)).toBe(false);
  });

  it('keeps exploring to one call however many routers race: four routers explore the unit once', async () => {
    const body = await profiled('race-four');
    const racing = racingStore(4);
    const routers = [0, 1, 2, 3].map(() => service(racing.store));
    await viewsRead(routers);
    const answers = await Promise.all(routers.map((r) => r.route(body).finally(racing.answered)));
    expect(answers.map((answer) => answer.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(answers.filter(explores)).toHaveLength(1);
    expect(routers.map((r) => r.exploration.stats.leased).sort()).toEqual([0, 0, 0, 1]);
    expect(routers.map((r) => r.exploration.stats.lost).sort()).toEqual([0, 1, 1, 1]);
    // Without leases (a store that has none) each router explores on its own: four calls where one teaches it.
    const { takeExplorationLease: _take, endExplorationLease: _end, ...unleased } = delegating(sky.store);
    const alone = await profiled('race-four-unleased');
    const alone4 = [0, 1, 2, 3].map(() => service(unleased));
    await viewsRead(alone4);
    const each = await Promise.all(alone4.map((r) => r.route(alone)));
    expect(each.filter(explores)).toHaveLength(4);
  });

  it('frees the lease of a router that crashed mid-call when it expires', async () => {
    const body = await profiled('crashed');
    let now = Date.now();
    const clock = () => now;
    const crashed = new RoutingService({ ...options(), clock });
    // The crashed router took the lease for a call of at most 30 s, and never ended it.
    await crashed.cache.get();
    const unit = { ...UNIT, workload: 'crashed' };
    expect(await crashed.exploration.claim(unit, 30_000)).toBe('leased');
    const next = new RoutingService({ ...options(), clock });
    // While the lease runs, the unit is the crashed router's. (No call is routed meanwhile: a call that rejects EPYC
    // may still run there on its last attempt, and then nothing would be left to explore.)
    expect(await next.exploration.claim(unit, 1_000)).toBe('held-elsewhere');
    expect(next.exploration.mayExplore(unit.workload, unit.functionName, unit.cpu)).toBe(false);
    now += 61_000;
    const after = await next.route(body);
    expect(after.status).toBe('ok');
    expect(explores(after)).toBe(true);
    expect(next.exploration.stats).toEqual({ leased: 1, lost: 1, errors: 0 });
  });

  it('never fails a request on a store error: the router explores on its own and reports the error', async () => {
    const body = await profiled('store-error');
    const errors: string[] = [];
    const failing: RouterStore = {
      ...delegating(sky.store),
      takeExplorationLease: async () => {
        throw new Error('ProvisionedThroughputExceededException');
      },
      endExplorationLease: async () => {},
    };
    const router = new RoutingService({
      ...options(failing),
      telemetry: { ...silentTelemetry, error: (message, error) => errors.push(`${message}: ${String(error)}`) },
    });
    const answer = await router.route(body);
    expect(answer.status).toBe('ok');
    expect(explores(answer)).toBe(true);
    expect(router.exploration.stats).toEqual({ leased: 0, lost: 0, errors: 1 });
    expect(errors).toEqual([expect.stringMatching(/exploration lease.*ProvisionedThroughputExceededException/)]);
  });
});
