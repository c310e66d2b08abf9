import { formatAnswer } from '../../lib/cli/invoke-command';
import type { BatchAnswer } from '../../lib/routing/types';
import { characterizationOf, profiledBatch, routedTwin, smallScenario } from './fixtures';

/**
 * A zone of 16 hosts, `fastHosts` of them the 3.0 GHz Xeon and the rest the 2.5 GHz Xeon, whose function's cold starts
 * prefer about 9 of them. With 2 fast hosts, a batch of 80 calls at a time fills the function's few slots there, and
 * its later searches meet the 2.5 GHz Xeon again and again, each new instance billed its INIT.
 */
function zoneWith(fastHosts: number) {
  return {
    azId: 'usw1-az3',
    region: 'us-west-1',
    hosts: 16,
    slotsPerHost: 120,
    placementSpread: 0.55,
    mix: [{ xeon25: 1 - fastHosts / 16, xeon30: fastHosts / 16 }],
  };
}

/** One day of that zone, with a workload of 15 s that runs `fastRelative` times as long on the 3.0 GHz Xeon. */
function scenarioWith(fastHosts: number, fastRelative: number) {
  return smallScenario({
    days: 1,
    initMs: 305,
    pricing: { initBilled: true },
    cpus: {
      xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
      xeon30: { model: 'Intel(R) Xeon(R) Processor @ 3.00GHz' },
    },
    zones: [zoneWith(fastHosts)],
    workloads: {
      work: { memoryMb: 1769, baseMs: 15_000, cv: 0.1, relative: { xeon25: 1, xeon30: fastRelative } },
    },
  });
}

/** A batch of 1,700 calls, `concurrency` at a time, on that zone characterized by its true mix. */
async function batch(fastHosts: number, fastRelative: number, concurrency: number): Promise<BatchAnswer> {
  const env = routedTwin(scenarioWith(fastHosts, fastRelative), { memorySizes: [1769], architectures: ['x86_64'] });
  env.twin.setDay(0);
  const counts = { 'intel-xeon-2.50': 16 - fastHosts, 'intel-xeon-3.00': fastHosts };
  env.routing.characterize([characterizationOf(zoneWith(fastHosts), counts)]);
  return profiledBatch(env, {
    workload: { name: 'work', size: 'small' },
    limits: { memorySizes: [1769], architectures: ['x86_64'] },
    batch: { count: 1700, concurrency },
  });
}

describe('a batch stops searching once its own bill says the search costs more than accepting any CPU', () => {
  it('stops where 2 hosts in 16 save 8% of a call, and no call started after that rejects a CPU', async () => {
    const answer = await batch(2, 0.92, 80);
    expect(answer.summary.succeeded).toBe(1700);
    expect(answer.placement.rejectCpus).toEqual(['intel-xeon-2.50']);
    const stop = answer.summary.searchStopped;
    expect(stop).toBeDefined();
    if (!stop) return;
    expect(stop.functionName).toBe('sky-usw1-az3-x86_64-1769');
    expect(stop.atCall).toBeGreaterThanOrEqual(100);
    expect(stop.searchUsdPerCall).toBeGreaterThan(stop.acceptAnyUsdPerCall);
    // Before the stop the batch searched: 136 of its first 262 calls rejected a CPU at least once.
    expect(answer.calls.filter((c) => c.index < stop.atCall && c.rejects > 0).length).toBeGreaterThan(50);
    expect(answer.calls.filter((c) => c.index >= stop.atCall && c.rejects > 0)).toEqual([]);
    expect(formatAnswer(answer)).toMatch(
      new RegExp(
        `search stopped at call ${stop.atCall} on sky-usw1-az3-x86_64-1769: searching was to cost \\$0\\.000\\d+ a call, accepting any CPU \\$0\\.000\\d+`,
      ),
    );
  });

  it('searches to the end where 8 hosts in 16 save 40% of a call and have room for every worker', async () => {
    const answer = await batch(8, 0.6, 20);
    expect(answer.summary.succeeded).toBe(1700);
    expect(answer.placement.rejectCpus).toEqual(['intel-xeon-2.50']);
    expect(answer.summary.searchStopped).toBeUndefined();
    expect(answer.summary.byCpu['intel-xeon-3.00']).toBeGreaterThan(answer.summary.byCpu['intel-xeon-2.50'] ?? 0);
  });
});
