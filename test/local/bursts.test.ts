import type { RouterClient } from '../../lib/aws/router-client';
import type { StrategyName } from '../../lib/core/types';
import { type BurstPlan, burstRequest, profileWorkloads, runBursts } from '../../lib/local/routing';
import type { RouterRequestBody } from '../../lib/routing/request';
import type { RouterAnswer } from '../../lib/routing/types';

/** A router client that records every request and answers each with an empty, successful batch. */
function recordingRouter(): RouterClient & { requests: RouterRequestBody[] } {
  const requests: RouterRequestBody[] = [];
  return {
    requests,
    async invoke(request) {
      requests.push(request);
      const count = request.batch?.count ?? 1;
      return {
        status: 'batch',
        profile: String(request.workload),
        placement: {
          target: { azId: 'usw1-az1', region: 'us-west-1', arch: 'x86_64', memoryMb: 2048, functionName: 'f' },
          rejectCpus: [],
        },
        summary: {
          count,
          concurrency: 1,
          succeeded: count,
          failed: 0,
          costUsd: 0,
          attemptsPerRequest: 1,
          rejects: 0,
          failovers: 0,
          newInstances: count,
          carbonG: 0,
          byFunction: {},
          byCpu: {},
          expectedCostUsd: 0,
        },
        calls: [],
      } as unknown as RouterAnswer;
    },
  };
}

const planOf = (router: RouterClient): BurstPlan => ({
  router,
  workloads: { zipper: { memoryMb: 2048 }, pagerank: { memoryMb: 1769 } },
  architectures: ['arm64', 'x86_64'],
  count: 4,
  concurrency: 2,
});

describe('the local sky’s bursts', () => {
  it('lets only a strategy that chooses its configuration (optimal) choose the architecture and pace, as the twin does', () => {
    const limits = { architectures: ['arm64', 'x86_64'] as const, maxSlowdown: 10 };
    const optimal = burstRequest('zipper', 2048, 'optimal', 10, 5, limits);
    expect(optimal.limits).toEqual({ memoryMb: 2048, architectures: ['arm64', 'x86_64'] });
    expect(optimal.batch).toEqual({ count: 10, concurrency: 5, maxSlowdown: 10 });
    for (const strategy of ['baseline', 'regional', 'retry-slow', 'focus-fastest', 'hybrid'] as StrategyName[]) {
      const request = burstRequest('zipper', 2048, strategy, 10, 5, limits);
      expect(request.limits).toEqual({ memoryMb: 2048, architectures: ['x86_64'] });
      expect(request.batch).toEqual({ count: 10, concurrency: 5 });
    }
  });

  it("sends optimal's bursts with the plan's time budget", async () => {
    const router = recordingRouter();
    const deployments = { deploy: async () => undefined, freshPool: () => undefined };
    await runBursts({ ...planOf(router), maxSlowdown: 4 }, ['baseline', 'optimal'], deployments);
    const budgets = router.requests.map((r) => `${r.strategy} ${r.batch?.maxSlowdown}`);
    expect(budgets).toEqual(['baseline undefined', 'baseline undefined', 'optimal 4', 'optimal 4']);
  });

  it('profiles every workload on every architecture a zone has hosts of, pinned to the zone', async () => {
    const router = recordingRouter();
    await profileWorkloads(planOf(router), [
      { azId: 'usw1-az1', architectures: ['x86_64', 'arm64'] },
      { azId: 'sae1-az1' },
    ]);
    const seen = router.requests.map((r) => `${String(r.workload)} ${r.limits?.zones} ${r.limits?.arch}`).sort();
    expect(seen).toEqual([
      'pagerank sae1-az1 x86_64',
      'pagerank usw1-az1 arm64',
      'pagerank usw1-az1 x86_64',
      'zipper sae1-az1 x86_64',
      'zipper usw1-az1 arm64',
      'zipper usw1-az1 x86_64',
    ]);
  });

  it('deploys each strategy once before its bursts and gives every burst a fresh pool', async () => {
    const router = recordingRouter();
    const events: string[] = [];
    const results = await runBursts(planOf(router), ['baseline', 'optimal'], {
      async deploy(strategy) {
        events.push(`deploy ${strategy}`);
      },
      freshPool(workload) {
        events.push(`pool ${workload}`);
      },
    });
    const sent = router.requests.map((r) => `${r.strategy} ${String(r.workload)}`);
    expect(events).toEqual([
      'deploy baseline',
      'pool zipper',
      'pool pagerank',
      'deploy optimal',
      'pool zipper',
      'pool pagerank',
    ]);
    expect(sent).toEqual(['baseline zipper', 'baseline pagerank', 'optimal zipper', 'optimal pagerank']);
    // Reported workload by workload, strategies in order.
    expect(results.map((r) => `${r.workload} ${r.strategy}`)).toEqual([
      'zipper baseline',
      'zipper optimal',
      'pagerank baseline',
      'pagerank optimal',
    ]);
  });
});
