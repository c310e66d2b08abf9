import type { Invoker } from '../../lib/contracts';
import type { BatchAnswer } from '../../lib/routing/types';
import { CPU, CPU_MODELS, ROUTER_SCENARIO, type SkyFixture, startSky } from './sky-fixture';

/** The router scenario plus a zone of only the fastest CPU that can hold just 8 instances at once. */
const THROTTLE_SCENARIO = {
  ...ROUTER_SCENARIO,
  name: 'router-throttle',
  cpus: { ...ROUTER_SCENARIO.cpus, xeon30: { model: CPU_MODELS.xeon30 } },
  zones: [
    ...ROUTER_SCENARIO.zones,
    { azId: 'usw2-az1', region: 'us-west-2', hosts: 2, slotsPerHost: 4, mix: [{ xeon30: 1 }] },
  ],
};

describe('a zone that throttles mid-burst', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky({ scenario: THROTTLE_SCENARIO });
    await sky.characterize();
  });

  afterAll(async () => {
    await sky?.close();
  });

  it('fails the throttled calls over to the next-best zone and answers every call', async () => {
    // GIVEN the small all-fast zone is the best placement
    const throttled: string[] = [];
    const spy: Invoker = {
      async invoke(name, payload, options) {
        const result = await sky.invoker.invoke(name, payload, options);
        if (!result.ok && result.errorType === 'TooManyRequestsException') throttled.push(name);
        return result;
      },
    };
    const handler = sky.router({ invoker: spy });
    const probe = (await handler({ workload: 'zipper', objective: 'cost', batch: { count: 1 } })) as BatchAnswer;
    expect(probe.placement.target.azId).toBe('usw2-az1');
    // WHEN a burst of 120 at 40 at a time arrives, far beyond its 8 slots
    const answer = (await handler({
      workload: 'zipper',
      objective: 'cost',
      batch: { count: 120, concurrency: 40 },
    })) as BatchAnswer;
    // THEN the zone throttled, the burst moved on, and nothing was lost
    expect(throttled.length).toBeGreaterThan(0);
    expect(throttled.every((name) => name.startsWith('sky-usw2-az1-'))).toBe(true);
    expect(answer.calls).toHaveLength(120);
    expect(answer.summary.succeeded).toBe(120);
    expect(answer.summary.failovers).toBeGreaterThan(0);
    const zones = new Set(answer.calls.map((c) => c.azId));
    expect(zones.size).toBeGreaterThan(1);
    // Calls that ran in the small zone ran on its only CPU.
    for (const c of answer.calls.filter((c) => c.azId === 'usw2-az1')) expect(c.cpu).toBe(CPU.xeon30);
    expect(answer.calls.every((c) => c.attempts <= 10)).toBe(true);
  });
});
