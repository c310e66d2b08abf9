import { RoutingService } from '../../lib/routing/service';
import { silentTelemetry } from '../../lib/routing/telemetry';
import { CPU, type SkyFixture, startSky } from './sky-fixture';

/**
 * A request's `parallelism` is stored with its profile, so every router instance over the table scales the profile's
 * runtimes across memory sizes by it, not only the one that was told.
 */
describe("a profile's threads, stored for every router instance", () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
    await sky.observeRuntimes('threads', { [CPU.xeon25]: 1000, [CPU.xeon30]: 880, [CPU.epyc]: 1350 }, 0.01);
  });

  afterAll(async () => {
    await sky?.close();
  });

  const instance = () =>
    new RoutingService({ store: sky.store, invoker: sky.invoker, config: sky.config, telemetry: silentTelemetry });
  const request = { workload: 'zipper', profile: 'threads', limits: { zones: ['usw1-az1'], arch: 'x86_64' } };
  /** What `service` expects a call at 1,024 MB to run, from runtimes observed at 2,048 MB only. */
  const at1024 = async (service: RoutingService): Promise<number> =>
    (await service.plan({ ...request, limits: { ...request.limits, memorySizes: [1024] } })).placement.expected
      .runtimeMs;

  it('scales another instance by the threads one instance was told, once that instance reads the table again', async () => {
    // GIVEN two router instances over one table, neither told the profile's threads: one thread
    const told = instance();
    const other = instance();
    const oneThread = await at1024(other);
    // WHEN one instance routes a request that says two threads
    const answer = await told.route({ ...request, parallelism: 2, limits: { ...request.limits, memorySizes: [2048] } });
    expect(answer.status).toBe('ok');
    expect(await sky.store.allParallelism()).toEqual({ threads: 2 });
    // THEN the other, at its next read of the table, takes two threads too: at 1,024 MB the work gets 0.58 vCPU, so it
    // runs 1.16 / 0.58 = 2 times as long as at 2,048 MB, whose 1.16 vCPUs two threads use, not 1 / 0.58 = 1.73 times
    other.cache.invalidate();
    expect((await at1024(other)) / oneThread).toBeCloseTo(2048 / 1769, 2);
  });
});
