import type { BatchAnswer } from '../../lib/routing/types';
import { characterizationOf, profiledBatch, routedTwin, smallScenario } from './fixtures';

/**
 * A paced batch that its pacing shuts into the function's own few hosts (generated seed 14, long-gemm-1): each
 * function's cold starts prefer a fifth of the zone's hosts and fill its share of one (6 instances at 2048 MB)
 * before the next, so a batch run 20 or so at a time keeps to about 4 hosts, and once it holds the fast instances
 * there a rejected instance's replacement is a slow one again. Run 200 at a time, the calls spread over the zone.
 */
describe('a paced batch weighs its pacing again by what its calls meet', () => {
  const scenario = smallScenario({
    days: 1,
    initMs: 300,
    pricing: { initBilled: true },
    zones: [
      {
        azId: 'usw1-az3',
        region: 'us-west-1',
        hosts: 40,
        slotsPerHost: 40,
        placementSpread: 0.2,
        mix: [{ xeon25: 0.85, epyc: 0.15 }],
      },
    ],
    workloads: { gemm: { memoryMb: 2048, baseMs: 60_000, cv: 0.02, relative: { xeon25: 1, epyc: 0.6 } } },
  });
  const WORKLOAD = { name: 'gemm', size: 'small' } as const;
  const LIMITS = { memoryMb: 2048, arch: 'x86_64', maxAttempts: 10 } as const;

  async function batch(maxSlowdown: number): Promise<BatchAnswer> {
    const env = routedTwin(scenario, { memorySizes: [2048] });
    env.twin.setDay(0);
    env.routing.characterize([characterizationOf(scenario.zones[0], { 'intel-xeon-2.50': 340, 'amd-epyc': 60 })]);
    return profiledBatch(env, {
      workload: WORKLOAD,
      limits: LIMITS,
      batch: { count: 800, concurrency: 400, maxSlowdown },
    });
  }

  it('widens to the given concurrency early, once its replacements keep meeting the rejected CPU', async () => {
    const paced = await batch(10);
    expect(paced.pacing!.concurrency).toBeLessThan(400);
    expect(paced.summary.succeeded).toBe(800);
    // Kept at 43 at a time this batch costs 2.2% more than the unpaced one; widened at call 55, 0.5% more (its first
    // calls ran paced). The review leaves the pacing early, having measured the repeat the paced calls met.
    expect(paced.pacing!.widened).toMatchObject({ concurrency: 400 });
    expect(paced.pacing!.widened!.atCall).toBeLessThan(100);
    expect(paced.pacing!.widened!.retryRepeat).toBeGreaterThan(0.5);
    expect(paced.summary.concurrency).toBe(400);
  });
});

/**
 * The same packed zone, with a second one in the region whose cold starts go to any of its hosts: the packed zone is
 * placed first (a little more of its hosts run the AMD EPYC), and once the paced batch's replacements keep meeting the
 * 2.5 GHz Xeon there, its workers still searching move to the other zone at the batch's pacing, while those that run on
 * an EPYC instance keep it.
 */
describe('a paced batch moves its searching workers to a fleet it has not met', () => {
  const packed = {
    azId: 'usw1-az3',
    region: 'us-west-1',
    hosts: 40,
    slotsPerHost: 40,
    placementSpread: 0.2,
    mix: [{ xeon25: 0.85, epyc: 0.15 }],
  };
  const spread = { ...packed, azId: 'usw1-az1', placementSpread: 1, mix: [{ xeon25: 0.865, epyc: 0.135 }] };
  const scenario = smallScenario({
    days: 1,
    initMs: 300,
    pricing: { initBilled: true },
    zones: [packed, spread],
    workloads: { gemm: { memoryMb: 2048, baseMs: 60_000, cv: 0.02, relative: { xeon25: 1, epyc: 0.6 } } },
  });

  async function batch(zones?: readonly string[]): Promise<BatchAnswer> {
    const env = routedTwin(scenario, { memorySizes: [2048] });
    env.twin.setDay(0);
    env.routing.characterize([
      characterizationOf(scenario.zones[0], { 'intel-xeon-2.50': 340, 'amd-epyc': 60 }),
      characterizationOf(scenario.zones[1], { 'intel-xeon-2.50': 346, 'amd-epyc': 54 }),
    ]);
    return profiledBatch(env, {
      workload: { name: 'gemm', size: 'small' },
      limits: { memoryMb: 2048, arch: 'x86_64', maxAttempts: 10, ...(zones ? { zones: [...zones] } : {}) },
      batch: { count: 800, concurrency: 400, maxSlowdown: 10 },
    });
  }

  it('moves once its replacements repeat, runs most calls left there, and costs less than widening', async () => {
    const answer = await batch();
    expect(answer.summary.succeeded).toBe(800);
    expect(answer.placement.target.azId).toBe('usw1-az3');
    const moved = answer.pacing!.moved!;
    expect(moved).toMatchObject({ azId: 'usw1-az1', arch: 'x86_64', memoryMb: 2048 });
    expect(moved.atCall).toBeLessThan(200);
    expect(moved.retryRepeat).toBeGreaterThan(0.5);
    expect(answer.summary.byFunction[moved.functionName]).toBeGreaterThan(400);
    // The workers that found an EPYC in the packed zone kept it: its calls there ran on the EPYC after the move.
    const packedFunction = answer.placement.target.functionName;
    const keptAfterMove = answer.calls.filter(
      (c) => c.index > moved.atCall + answer.pacing!.concurrency && c.functionName === packedFunction,
    );
    expect(keptAfterMove.length).toBeGreaterThan(0);
    expect(keptAfterMove.every((c) => c.cpu === 'amd-epyc')).toBe(true);
    // Kept to the packed zone, the same batch can only widen there: it costs more.
    const kept = await batch(['usw1-az3']);
    expect(kept.pacing!.moved).toBeUndefined();
    expect(kept.pacing!.widened).toBeDefined();
    expect(answer.summary.costUsd).toBeLessThan(kept.summary.costUsd);
  });
});
