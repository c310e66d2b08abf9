import type { RouterClient } from '../../lib/aws/router-client';
import type { StrategyName } from '../../lib/core/types';
import {
  type BurstPlan,
  type BurstResult,
  burstRequest,
  profileWorkloads,
  runBursts,
  strategySummary,
} from '../../lib/local/routing';
import type { RouterRequestBody } from '../../lib/routing/request';
import type { RouterAnswer } from '../../lib/routing/types';

/** A router client that records every request and answers each with an empty, successful batch. */
function recordingRouter(): RouterClient & { requests: RouterRequestBody[] } {
  const requests: RouterRequestBody[] = [];
  return {
    requests,
    async invoke(request) {
      requests.push(request);
      if (request.profiling) {
        const summary = { cells: 2, skipped: 0, calls: 5, attempts: 6, failed: 0, costUsd: 0.25, notMade: 0 };
        return { status: 'profiling', profile: String(request.workload), sizes: [], summary };
      }
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
  workloads: {
    zipper: { memoryMb: 2048, minMemoryMb: 256, memorySizes: [256, 1024, 2048], parallelism: 2 },
    pagerank: { memoryMb: 1769, minMemoryMb: 512, memorySizes: [512, 1769], parallelism: 1.2 },
  },
  architectures: ['arm64', 'x86_64'],
  count: 4,
  concurrency: 2,
});

describe('the local sky’s bursts', () => {
  it('lets only a strategy that chooses its configuration (optimal) choose the memory size and architecture and pace, as the twin does', () => {
    const limits = { architectures: ['arm64', 'x86_64'] as const, maxSlowdown: 10 };
    const zipper = planOf(recordingRouter()).workloads.zipper;
    const optimal = burstRequest('zipper', zipper, 'optimal', 10, 5, limits);
    expect(optimal.limits).toEqual({
      memorySizes: [256, 1024, 2048],
      minMemoryMb: 256,
      architectures: ['arm64', 'x86_64'],
    });
    expect(optimal.batch).toEqual({ count: 10, concurrency: 5, maxSlowdown: 10, resumable: true });
    for (const strategy of ['baseline', 'regional', 'retry-slow', 'focus-fastest', 'hybrid'] as StrategyName[]) {
      const request = burstRequest('zipper', zipper, strategy, 10, 5, limits);
      expect(request.limits).toEqual({ memorySizes: [2048], minMemoryMb: 256, architectures: ['x86_64'] });
      expect(request.batch).toEqual({ count: 10, concurrency: 5, resumable: true });
    }
  });

  it("sends optimal's bursts with the plan's time budget", async () => {
    const router = recordingRouter();
    const deployments = { deploy: async () => undefined, freshPool: () => undefined };
    await runBursts({ ...planOf(router), maxSlowdown: 4 }, ['baseline', 'optimal'], deployments);
    const budgets = router.requests.map((r) => `${r.strategy} ${r.batch?.maxSlowdown}`);
    expect(budgets).toEqual(['baseline undefined', 'baseline undefined', 'optimal 4', 'optimal 4']);
  });

  it("profiles every workload with the twin's profiling requests: across its memory sizes, then at its own", async () => {
    const router = recordingRouter();
    const spend = await profileWorkloads(planOf(router), 4);
    const sent = router.requests.map(
      (r) =>
        `${String(r.workload)} ${r.limits?.memorySizes} min ${r.limits?.minMemoryMb} ${r.limits?.architectures} ` +
        `${r.profiling?.observations}×${r.profiling?.worthOnly ? ' worth only' : ''}`,
    );
    // Every workload's at once, each workload's across its sizes first.
    expect(sent).toEqual([
      'zipper 256,1024,2048 min 256 arm64,x86_64 4× worth only',
      'pagerank 512,1769 min 512 arm64,x86_64 4× worth only',
      'zipper 2048 min 256 arm64,x86_64 4×',
      'pagerank 1769 min 512 arm64,x86_64 4×',
    ]);
    expect(spend).toEqual({ requests: 20, attempts: 24, costUsd: 1 });
  });

  it('names the workload when the router refuses to profile it', async () => {
    const router = recordingRouter();
    const refusing: RouterClient = {
      async invoke(request) {
        if (String(request.workload) === 'pagerank') {
          return { status: 'error', error: { type: 'NoTarget', message: 'no zone has hosts' } } as RouterAnswer;
        }
        return router.invoke(request);
      },
    };
    await expect(profileWorkloads({ ...planOf(router), router: refusing }, 3)).rejects.toThrow(
      'the router refused to profile pagerank: NoTarget: no zone has hosts',
    );
  });

  it("deploys each strategy once and gives its bursts a fresh pool, before the strategy's first burst", async () => {
    const router = recordingRouter();
    const events: string[] = [];
    const results = await runBursts(planOf(router), ['baseline', 'optimal'], {
      async deploy(strategy) {
        events.push(`deploy ${strategy}`);
      },
      freshPool() {
        events.push(`pool (${router.requests.length} sent)`);
      },
    });
    const sent = router.requests.map((r) => `${r.strategy} ${String(r.workload)}`);
    expect(events).toEqual(['deploy baseline', 'pool (0 sent)', 'deploy optimal', 'pool (2 sent)']);
    expect(sent).toEqual(['baseline zipper', 'baseline pagerank', 'optimal zipper', 'optimal pagerank']);
    // Reported workload by workload, strategies in order.
    expect(results.map((r) => `${r.workload} ${r.strategy}`)).toEqual([
      'zipper baseline',
      'zipper optimal',
      'pagerank baseline',
      'pagerank optimal',
    ]);
  });

  it("sends a paced strategy's bursts at once and every other strategy's one at a time", async () => {
    const answering = recordingRouter();
    let inFlight = 0;
    const mostInFlight = new Map<string, number>();
    // Each burst answers only after the others sent at once have had their turn to be sent.
    const router: RouterClient = {
      async invoke(request) {
        inFlight++;
        const strategy = String(request.strategy);
        mostInFlight.set(strategy, Math.max(mostInFlight.get(strategy) ?? 0, inFlight));
        await new Promise((resolve) => setImmediate(resolve));
        inFlight--;
        return answering.invoke(request);
      },
    };
    const deployments = { deploy: async () => undefined, freshPool: () => undefined };
    await runBursts({ ...planOf(router), maxSlowdown: 10 }, ['baseline', 'focus-fastest', 'optimal'], deployments);
    expect(Object.fromEntries(mostInFlight)).toEqual({ baseline: 1, 'focus-fastest': 1, optimal: 2 });
    mostInFlight.clear();
    // Not paced (maxSlowdown 1): optimal's bursts go one at a time too.
    await runBursts({ ...planOf(router), maxSlowdown: 1 }, ['optimal'], deployments);
    expect(mostInFlight.get('optimal')).toBe(1);
  });

  it('counts the calls a burst lost, by the error the router gave', async () => {
    const answering = recordingRouter();
    const router: RouterClient = {
      async invoke(request) {
        const answer = (await answering.invoke(request)) as RouterAnswer & { calls: unknown[]; summary: object };
        const lost = { status: 'error', attempts: 0, errorType: 'DeadlineExceeded' };
        return {
          ...answer,
          summary: { ...answer.summary, succeeded: 2, failed: 2 },
          calls: [{ status: 'ok', attempts: 1 }, { status: 'ok', attempts: 1 }, lost, lost],
        } as unknown as RouterAnswer;
      },
    };
    const results = await runBursts(planOf(router), ['optimal'], {
      deploy: async () => undefined,
      freshPool: () => undefined,
    });
    expect(results.map((r) => [r.failed, r.failures])).toEqual([
      [2, { DeadlineExceeded: 2 }],
      [2, { DeadlineExceeded: 2 }],
    ]);
  });

  it("sends a burst again with each answer's resume, as a user of a resumable batch does, and counts every call", async () => {
    const sent: RouterRequestBody[] = [];
    const call = (index: number) => ({
      index,
      status: 'ok',
      attempts: 1,
      rejects: 0,
      failovers: 0,
      newInstances: 1,
      addedLatencyMs: 0,
      costUsd: 0.5,
      carbonG: 0,
    });
    const router: RouterClient = {
      async invoke(request) {
        sent.push(request);
        const answer = (await recordingRouter().invoke(request)) as RouterAnswer & { summary: object };
        const count = request.batch!.count;
        // The router Lambda's deadline leaves all but 6 calls of a first send to the next.
        const made = Math.min(count, 6);
        const resume = made < count ? { resume: { ...request.batch, count: count - made, pacedConcurrency: 2 } } : {};
        return {
          ...answer,
          summary: { ...answer.summary, count: made },
          calls: Array.from({ length: made }, (_, i) => call(i)),
          ...resume,
        } as unknown as RouterAnswer;
      },
    };
    const plan = { ...planOf(router), workloads: { zipper: planOf(router).workloads.zipper }, count: 10 };
    const [result] = await runBursts(plan, ['optimal'], { deploy: async () => undefined, freshPool: () => undefined });
    expect(sent.map((r) => r.batch)).toEqual([
      { count: 10, concurrency: 2, resumable: true },
      { count: 4, concurrency: 2, resumable: true, pacedConcurrency: 2 },
    ]);
    expect([result.count, result.succeeded, result.failed, result.costUsd]).toEqual([10, 10, 0, 5]);
  });

  it("prices a strategy's savings per answered request, so a failed request is no saving", () => {
    const burst = (strategy: BurstResult['strategy'], succeeded: number, costUsd: number): BurstResult => ({
      workload: 'zipper',
      strategy,
      count: 100,
      concurrency: 10,
      succeeded,
      failed: 100 - succeeded,
      failures: succeeded < 100 ? { DeadlineExceeded: 100 - succeeded } : {},
      costUsd,
      attempts: 100,
      rejects: 0,
      billedBeforeLastMs: 0,
      failovers: 0,
      newInstances: 10,
      azId: 'usw1-az1',
      memoryMb: 2048,
      arch: 'x86_64',
      rejectCpus: [],
      byCpu: {},
    });
    const [baseline, optimal] = strategySummary([burst('baseline', 100, 1), burst('optimal', 90, 0.6)]);
    expect(baseline.savingsPct).toBe(0);
    // The fixed zone's 90 answered requests cost $0.90; optimal paid $0.60 for its 90 and the attempts of the 10 lost.
    expect(optimal).toMatchObject({ requests: 100, failed: 10, failures: { DeadlineExceeded: 10 } });
    expect(optimal.baselineCostUsd).toBeCloseTo(0.9, 12);
    expect(optimal.savingsPct).toBeCloseTo((100 * 0.3) / 0.9, 10);
  });

  it("prices a strategy's added latency per request as the billed time of its calls' attempts before their last", () => {
    const burst = (workload: string, strategy: BurstResult['strategy'], billedBeforeLastMs: number): BurstResult => ({
      workload,
      strategy,
      count: 100,
      concurrency: 10,
      succeeded: 100,
      failed: 0,
      failures: {},
      costUsd: 1,
      attempts: 130,
      rejects: 30,
      billedBeforeLastMs,
      failovers: 0,
      newInstances: 40,
      azId: 'usw1-az1',
      memoryMb: 2048,
      arch: 'x86_64',
      rejectCpus: [],
      byCpu: {},
    });
    const rows = strategySummary([
      burst('zipper', 'baseline', 0),
      burst('sha1-hash', 'baseline', 0),
      burst('zipper', 'focus-fastest', 3000),
      burst('sha1-hash', 'focus-fastest', 1000),
    ]);
    expect(rows.find((r) => r.strategy === 'focus-fastest')!.meanAddedLatencyMs).toBe(20);
    expect(rows.find((r) => r.strategy === 'baseline')!.meanAddedLatencyMs).toBe(0);
  });
});
