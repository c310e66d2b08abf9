import type { PoolContext } from '../../lib/core/types';
import { corePlacerFactory } from '../../lib/routing/placer';
import type { BatchAnswer, RoutedCall } from '../../lib/routing/types';
import { recordingPlacer } from './recording-placer';
import { CPU, ROUTER_SCENARIO, type SkyFixture, startSky } from './sky-fixture';

/**
 * The router knows hosts, not only instances: every attempt carries its host's boot time as the instance reported it,
 * a batch's draws count each host once, and a batch measures how often a rejected instance's replacement met the
 * same host, passing that to its placements as `PoolContext.retryRepeat`. In the twin an ended instance's
 * replacement is placed afresh on one of the function's preferred hosts (`placementSpread` of the zone's hosts; see
 * `lib/twin/zone.ts`): with one preferred host it meets the same host every time, with all 20 seldom.
 */

/**
 * Two zones of 20 hosts, all 2.5 GHz Xeons, characterized (wrongly, on purpose) as 30% 3.0 GHz, believed twice as
 * fast, so that the router rejects the 2.5 GHz Xeon on many attempts. A function prefers one host of use1-az1, and
 * every host of use1-az2.
 */
const SCENARIO = {
  name: 'router-host-packing',
  seed: 5,
  days: 1,
  baselineZone: 'use1-az1',
  cpus: ROUTER_SCENARIO.cpus,
  zones: [
    { azId: 'use1-az1', region: 'us-east-1', hosts: 20, slotsPerHost: 40, placementSpread: 0.05, mix: [{ xeon25: 1 }] },
    { azId: 'use1-az2', region: 'us-east-1', hosts: 20, slotsPerHost: 40, placementSpread: 1, mix: [{ xeon25: 1 }] },
  ],
  workloads: { zipper: { memoryMb: 2048, baseMs: 1000, cv: 0, relative: { xeon25: 1, xeon30: 0.88, epyc: 1.4 } } },
  holdMs: 150,
};

const PACKED = 'use1-az1';
const SPREAD = 'use1-az2';
const functionIn = (azId: string): string => `sky-${azId}-x86_64-2048`;

describe('hosts in the router (twin)', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky({ scenario: SCENARIO });
    for (const azId of [PACKED, SPREAD]) {
      await sky.characterizeAs(azId, { [CPU.xeon30]: 300, [CPU.xeon25]: 500, [CPU.epyc]: 200 });
    }
    await sky.observeRuntimes('zipper', { [CPU.xeon25]: 1000, [CPU.xeon30]: 500, [CPU.epyc]: 1400 }, 0.01);
  });

  afterAll(async () => {
    await sky?.close();
  });

  const core = corePlacerFactory({ holdMs: 150, init: { billed: false }, explore: false });

  /** A batch of `count` calls in one zone (rejected instances ended), with the pool context of every placement. */
  async function batch(azId: string, count: number): Promise<{ answer: BatchAnswer; pools: PoolContext[] }> {
    const pools: PoolContext[] = [];
    const recording = recordingPlacer(core, (request) => {
      if (request.pool) pools.push(request.pool);
    });
    const answer = (await sky.router({ config: { ...sky.config, rejectMode: 'end' }, placerFactory: recording })({
      workload: 'zipper',
      objective: 'cost',
      limits: { zones: [azId], memoryMb: 2048 },
      batch: { count, concurrency: 2 },
    })) as BatchAnswer;
    expect(answer.status).toBe('batch');
    expect(answer.summary.failed).toBe(0);
    return { answer, pools };
  }

  it("carries each attempt's host boot time, the same on every instance of one host", async () => {
    // WHEN a lone call is rejected on 2.5 GHz Xeons where its function prefers one host
    const call = (await sky.router({ config: { ...sky.config, rejectMode: 'end' }, placerFactory: core })({
      workload: 'zipper',
      objective: 'cost',
      limits: { zones: [PACKED], memoryMb: 2048 },
    })) as RoutedCall;
    expect(call.status === 'error' ? call.error : 'ok').toBe('ok');
    expect(call.attempts.length).toBeGreaterThan(2);
    // THEN every attempt names its host's boot time, as the twin's /proc/stat gives it
    for (const attempt of call.attempts) expect(Number.isInteger(attempt.bootTime)).toBe(true);
    // and each attempt met a new instance, all on the one host the function prefers
    const instances = new Set(call.attempts.map((a) => a.instanceId));
    const hosts = new Set(call.attempts.map((a) => a.bootTime));
    expect(instances.size).toBe(call.attempts.length);
    expect(hosts.size).toBe(1);
  });

  it("blends a batch's draws by host: many new instances on few hosts are few draws", async () => {
    const { answer, pools } = await batch(PACKED, 12);
    const drawn = pools.map((p) => Object.values(p.draws ?? {}).reduce((sum, n) => sum + n, 0));
    // the batch started many instances, all on the one host its function prefers: one draw of the mix
    expect(answer.summary.newInstances).toBeGreaterThan(12);
    expect(Math.max(...drawn)).toBe(1);
  });

  it("counts the retries that met the rejected instance's host again, and reads them against the chance placements price", async () => {
    const { answer, pools } = await batch(PACKED, 12);
    const measured = answer.summary.retryRepeats?.[functionIn(PACKED)];
    expect(measured?.retries).toBeGreaterThan(5);
    expect(measured?.hostRetries).toBe(measured?.retries);
    expect(measured?.sameCpu).toBe(measured?.retries);
    expect((measured?.sameHost ?? 0) / (measured?.retries ?? 1)).toBeGreaterThan(0.6);
    // every host the batch met runs the 2.5 GHz Xeon, but its one host hardly moves the mix its placements are
    // priced with (half the hosts on other CPUs): against that chance, meeting the 2.5 GHz Xeon again and again is a
    // repeat, and the placements are told so (measured against the hosts met alone, it would read as chance: 0)
    expect(measured?.estimate).toBeGreaterThan(0.5);
    expect(Math.max(...pools.map((p) => p.retryRepeat ?? 0))).toBeGreaterThan(0.5);
  });

  it("measures that a replacement placed on any of 20 hosts seldom meets the rejected instance's host", async () => {
    const { answer } = await batch(SPREAD, 12);
    const measured = answer.summary.retryRepeats?.[functionIn(SPREAD)];
    expect(measured?.retries).toBeGreaterThan(5);
    expect((measured?.sameHost ?? 0) / (measured?.retries ?? 1)).toBeLessThan(0.3);
  });
});
