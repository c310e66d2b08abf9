import type { BatchAnswer } from '../../lib/routing/types';
import { routedTwin, smallScenario } from './fixtures';

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
    const { clock, twin, routing } = routedTwin(scenario, { memorySizes: [2048] });
    twin.setDay(0);
    routing.characterize([
      {
        azId: 'usw1-az3',
        region: 'us-west-1',
        counts: { 'intel-xeon-2.50': 340, 'amd-epyc': 60 },
        instancesSeen: 400,
        polls: 1,
        failures: 0,
        measuredAt: new Date(clock.now()).toISOString(),
        driftClass: 'stable',
        costUsd: 0,
      },
    ]);
    return clock.run(async () => {
      await routing.profile({ workload: WORKLOAD, objective: 'cost', limits: LIMITS, profiling: { observations: 3 } });
      clock.advanceTo(clock.now() + 600_000);
      const answer = await routing.service.route({
        workload: WORKLOAD,
        limits: LIMITS,
        batch: { count: 800, concurrency: 400, maxSlowdown },
      });
      if (answer.status !== 'batch') throw new Error(`the router refused the batch: ${JSON.stringify(answer)}`);
      return answer;
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
