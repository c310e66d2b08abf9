import { DEFAULT_INIT_MS } from '../../lib/core/cost-model';
import { MIN_INIT_REPORTS } from '../../lib/core/init-evidence';
import type { Scenario } from '../../lib/twin/scenario';
import { DEFAULT_EPOCH_MS } from '../../lib/twin/twin';
import { routedTwin, smallScenario, trueMixCharacterizations } from './fixtures';

const ZONE = 'usw1-az3';

/**
 * The router prices INIT from what the dynamic functions' REPORT records said, as a deployed router can: the twin's
 * router is told nothing of the scenario's `initMs` or its billing, and learns both from the calls it routes.
 */
describe('INIT priced from the REPORT records of routed calls', () => {
  async function afterOneBurst(scenario: Scenario) {
    const { clock, routing } = routedTwin(scenario, { memorySizes: [2048] });
    clock.advanceTo(DEFAULT_EPOCH_MS + 3_600_000);
    routing.characterize(trueMixCharacterizations(scenario, 1000));
    const cached = await clock.run(() => routing.service.cache.get());
    // The router object lives on across views: what it priced before is read now.
    const before = { initMs: cached.placer.initMs, view: cached.view };
    const sent = await clock.run(() =>
      routing.burst(
        {
          workload: { name: 'zipper', size: 'small' },
          strategy: 'regional',
          limits: { zones: [ZONE], memoryMb: 2048, arch: 'x86_64', maxAttempts: 1 },
        },
        20,
      ),
    );
    if (!('answer' in sent)) throw new Error(`refused: ${sent.refused}`);
    clock.advanceTo(clock.now() + 120_000);
    const after = await clock.run(() => routing.service.cache.get());
    return { before, after, newInstances: sent.answer.summary.newInstances, init: await routing.store.allInitSums() };
  }

  it('replaces the prior with the reported INIT once new instances reported it', async () => {
    // GIVEN a platform whose new instances take 383 ms to INIT, billed
    const { before, after, newInstances, init } = await afterOneBurst(smallScenario({ initMs: 383 }));
    // THEN before any call the router prices its prior
    expect(before.initMs).toBe(DEFAULT_INIT_MS);
    expect(before.view.initEvidence).toBeUndefined();
    // WHEN a burst started new instances, THEN each one's INIT is stored and placements price 383 ms, billed
    expect(newInstances).toBeGreaterThanOrEqual(MIN_INIT_REPORTS);
    expect(init.reduce((sum, day) => sum + day.count, 0)).toBe(newInstances);
    expect(after.view.initEvidence).toEqual({ count: newInstances, meanMs: 383, billedShare: 1 });
    expect(after.placer.initMs).toBe(383);
  });

  it("learns no INIT from another provider's functions, which write no REPORT record", async () => {
    const scenario = smallScenario({
      initMs: 383,
      baselineZone: 'do-lon1',
      zones: [
        {
          azId: 'do-lon1',
          provider: 'digitalocean',
          region: 'lon1',
          hosts: 10,
          slotsPerHost: 50,
          mix: [{ xeon25: 1 }],
        },
      ],
      workloads: { zipper: { memoryMb: 1024, baseMs: 500, cv: 0.05, relative: {} } },
    });
    const { clock, routing } = routedTwin(scenario, { memorySizes: [1024] });
    clock.advanceTo(DEFAULT_EPOCH_MS + 3_600_000);
    const sent = await clock.run(() =>
      routing.burst(
        { workload: { name: 'zipper', size: 'small' }, limits: { zones: ['do-lon1'], maxAttempts: 1 } },
        20,
      ),
    );
    if (!('answer' in sent)) throw new Error(`refused: ${sent.refused}`);
    expect(sent.answer.summary.newInstances).toBeGreaterThanOrEqual(MIN_INIT_REPORTS);
    expect(await routing.store.allInitSums()).toEqual([]);
  });

  it('tells from the billed durations that INIT was not billed under the 2024 billing', async () => {
    const { after } = await afterOneBurst(smallScenario({ initMs: 383, pricing: { initBilled: false } }));
    expect(after.view.initEvidence?.billedShare).toBe(0);
  });
});

describe("a workload's threads, as its requests say", () => {
  it('scales runtimes across memory sizes by the parallelism the request gives', async () => {
    const scenario = smallScenario();
    const { clock, routing } = routedTwin(scenario, { memorySizes: [1769, 3538] });
    clock.advanceTo(DEFAULT_EPOCH_MS + 3_600_000);
    routing.characterize(trueMixCharacterizations(scenario, 1000));
    const request = (parallelism?: number) => ({
      workload: { name: 'zipper', size: 'small' as const },
      ...(parallelism !== undefined ? { parallelism } : {}),
      limits: { zones: [ZONE], memoryMb: 1769, arch: 'x86_64' as const, maxAttempts: 1 },
    });
    // GIVEN runtimes observed at 1,769 MB only
    await clock.run(() => routing.burst(request(), 10));
    clock.advanceTo(clock.now() + 120_000);
    const { placer } = await clock.run(() => routing.service.cache.get());
    const price = placer.price?.bind(placer);
    if (!price) throw new Error("the twin's placer prices no request");
    const at3538 = (parallelism?: number) =>
      price({
        workload: 'zipper@small',
        ...(parallelism !== undefined ? { parallelism } : {}),
        limits: { zones: [ZONE], memorySizes: [3538], architectures: ['x86_64'], maxAttempts: 1 },
      }).expected.runtimeMs;
    // THEN with no threads said, twice the memory is taken to run as long (one thread)
    const oneThread = at3538();
    // WHEN the workload's next request says two threads, THEN it runs in half the time there, also for a price that
    // does not say
    await clock.run(() => routing.burst(request(2), 2));
    expect(at3538() / oneThread).toBeCloseTo(0.5, 2);
    expect(at3538(2)).toBeCloseTo(at3538(), 6);
  });
});
