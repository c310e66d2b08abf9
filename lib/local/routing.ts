import type { RouterClient } from '../aws/router-client';
import { mergeCounts } from '../core/distribution';
import { STRATEGIES } from '../core/strategies';
import type { Arch, StrategyName } from '../core/types';
import type { ProfilingSummary, StrategySummaryRow } from '../report/types';
import { answerDetail } from '../routing/answer-detail';
import { mergeBatchAnswers, sendUntilDone } from '../routing/batch-resume';
import type { ProfilingAnswer } from '../routing/profiling';
import { MAX_BATCH_CONCURRENCY, type RouterRequestBody } from '../routing/request';
import type { BatchAnswer } from '../routing/types';
import { profileUntilDone, profilingRequests } from '../twin/profiling-requests';
import type { ProgressTask } from './progress';

/** One burst of one workload under one strategy, as the router's batch answer summarized it. */
export interface BurstResult {
  readonly workload: string;
  readonly strategy: StrategyName;
  readonly count: number;
  /** Calls the router ran at a time: the burst's concurrency, or fewer where it paced the burst. */
  readonly concurrency: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Failed calls by the router's error type (e.g. `DeadlineExceeded`). */
  readonly failures: Readonly<Record<string, number>>;
  readonly costUsd: number;
  /** Attempts over all calls (first tries, retries after a reject, failovers). */
  readonly attempts: number;
  readonly rejects: number;
  /** Billed time of the attempts before each call's last, summed over the calls (`billedBeforeLastMs`), ms. */
  readonly billedBeforeLastMs: number;
  readonly failovers: number;
  /** Attempts that started a new instance (INIT billed where the pricing bills it). */
  readonly newInstances: number;
  readonly meanRuntimeMs?: number;
  /** The zone the burst's placement chose. */
  readonly azId: string;
  /** The memory size and architecture the burst's placement chose. */
  readonly memoryMb: number;
  readonly arch: Arch;
  /** CPUs rejected by the placement. */
  readonly rejectCpus: readonly string[];
  /** Accepted calls per CPU. */
  readonly byCpu: Readonly<Record<string, number>>;
}

/** The memory sizes one workload is routed at. */
export interface LocalWorkload {
  /** The size the paper's strategies run it at (the scenario's `memoryMb`). */
  readonly memoryMb: number;
  /** The least memory it runs in. */
  readonly minMemoryMb: number;
  /** Every size a strategy that chooses the configuration (`optimal`) may place it at, as in the twin. */
  readonly memorySizes: readonly number[];
  /** Threads it runs at once (the scenario's `vcpus`), which its requests tell the router. */
  readonly parallelism: number;
}

/** How to reach the router and what to send it. */
export interface BurstPlan {
  readonly router: RouterClient;
  /** Workload name to the memory sizes it is routed at. */
  readonly workloads: Readonly<Record<string, LocalWorkload>>;
  /** Architectures the mesh deploys: where a strategy that chooses the architecture (`optimal`) may place. */
  readonly architectures: readonly Arch[];
  readonly count: number;
  readonly concurrency: number;
  /**
   * The time budget a strategy that chooses the configuration (`optimal`) sends with each burst, as the twin does (the
   * batch's `maxSlowdown`): the router may run fewer calls at a time, so that later calls reuse the instances earlier
   * ones left warm, within this many times the burst's unpaced duration. @default 1 (not paced)
   */
  readonly maxSlowdown?: number;
  readonly signal?: AbortSignal;
}

/**
 * What makes the strategies' bursts comparable: each strategy routes as a deployment of its own, and every strategy's
 * bursts meet the same starting pool. Without them a strategy would inherit the instances the bursts before it left
 * warm (no INIT, CPUs already accepted) and what their calls taught the router.
 */
export interface BurstDeployments {
  /** Puts a strategy's own deployment in place (its router and the store it learns in) before its first burst. */
  deploy(strategy: StrategyName): Promise<void>;
  /**
   * Gives the strategy's bursts the starting pool every strategy's bursts get: no instance left warm by an earlier
   * strategy, and the same draw of where new instances land.
   */
  freshPool(): void;
}

/** Where a burst may run and how it may be paced. */
export interface BurstLimits {
  /** Zones it may run in. @default every zone the router knows */
  readonly zones?: readonly string[];
  /** Architectures a strategy that chooses the configuration may place on. @default ['x86_64'] */
  readonly architectures?: readonly Arch[];
  /** Time budget a strategy that chooses the configuration sends (the batch's `maxSlowdown`). @default not sent */
  readonly maxSlowdown?: number;
}

/**
 * The router request of one burst: one workload, one strategy, cost as objective. As in the twin, the paper's
 * strategies run at the workload's memory size on x86_64 as the paper ran them, unpaced, and a strategy that chooses
 * the configuration (`optimal`) chooses among the workload's memory sizes and `architectures` and is paced within
 * `maxSlowdown`.
 */
export function burstRequest(
  name: string,
  workload: LocalWorkload,
  strategy: StrategyName,
  count: number,
  concurrency: number,
  limits: BurstLimits = {},
): RouterRequestBody {
  const chooses = STRATEGIES[strategy].configs === 'any';
  const { zones, architectures = ['x86_64'], maxSlowdown } = limits;
  return {
    workload: name,
    objective: 'cost',
    strategy,
    parallelism: workload.parallelism,
    limits: {
      memorySizes: chooses ? [...workload.memorySizes] : [workload.memoryMb],
      minMemoryMb: workload.minMemoryMb,
      architectures: chooses ? [...architectures] : ['x86_64'],
      ...(zones ? { zones: [...zones] } : {}),
    },
    batch: {
      count,
      concurrency,
      ...(chooses && maxSlowdown !== undefined ? { maxSlowdown } : {}),
      resumable: true,
    },
  };
}

/** Sends a burst as a user follows a resumable batch: again with each answer's `resume`, merged into one answer. */
async function sendBurst(plan: BurstPlan, body: RouterRequestBody): Promise<BatchAnswer> {
  const { answers, refused } = await sendUntilDone((part) => {
    plan.signal?.throwIfAborted();
    return plan.router.invoke(part);
  }, body);
  if (refused) {
    const detail = answerDetail(refused);
    const after = answers.length > 0 ? ` after ${answers.length} send(s)` : '';
    throw new Error(`the router refused the burst of ${String(body.workload)} (${body.strategy})${after}: ${detail}`);
  }
  return mergeBatchAnswers(answers);
}

function resultOf(workload: string, strategy: StrategyName, answer: BatchAnswer): BurstResult {
  const { summary, placement } = answer;
  const failures: Record<string, number> = {};
  for (const call of answer.calls) {
    if (call.status === 'ok') continue;
    const type = call.errorType ?? call.status;
    failures[type] = (failures[type] ?? 0) + 1;
  }
  return {
    workload,
    strategy,
    count: summary.count,
    concurrency: summary.concurrency,
    succeeded: summary.succeeded,
    failed: summary.failed,
    failures,
    costUsd: summary.costUsd,
    attempts: summary.attemptsPerRequest * summary.count,
    rejects: summary.rejects,
    billedBeforeLastMs: answer.calls.reduce((sum, call) => sum + (call.billedBeforeLastMs ?? 0), 0),
    failovers: summary.failovers,
    newInstances: summary.newInstances,
    ...(summary.meanRuntimeMs !== undefined ? { meanRuntimeMs: summary.meanRuntimeMs } : {}),
    azId: placement.target.azId,
    memoryMb: placement.target.memoryMb,
    arch: placement.target.arch,
    rejectCpus: placement.rejectCpus,
    byCpu: summary.byCpu,
  };
}

/**
 * Teaches the router each workload's runtimes before the bursts (the paper profiled its functions first, §4.5,
 * Figure 9) with the twin's profiling requests, sent through the router as `sky invoke --profiling` sends them: a
 * runtime of each CPU × architecture × memory size, then `observations` of each that could still win, and at the
 * workload's own memory size `observations` of every one. The router writes each call's CPU and runtime to the
 * table. Returns what the calls took and cost.
 */
export async function profileWorkloads(
  plan: Pick<BurstPlan, 'router' | 'workloads' | 'architectures' | 'signal'>,
  observations: number,
  task?: ProgressTask,
): Promise<ProfilingSummary> {
  let done = 0;
  const spend = { requests: 0, attempts: 0, costUsd: 0 };
  // Every workload's requests at once, as the twin sends them: a user profiling a set of functions would.
  const profileOne = async ([name, workload]: [string, LocalWorkload]): Promise<void> => {
    const requests = profilingRequests({
      workload: name,
      ...workload,
      architectures: plan.architectures,
      observations,
      concurrency: MAX_BATCH_CONCURRENCY,
    });
    const send = async (request: RouterRequestBody): Promise<ProfilingAnswer> => {
      plan.signal?.throwIfAborted();
      const answer = await plan.router.invoke(request);
      if (answer.status !== 'profiling') {
        const detail = answerDetail(answer);
        throw new Error(`the router refused to profile ${name}: ${detail}`);
      }
      return answer;
    };
    for (const request of requests) {
      for (const answer of await profileUntilDone(send, request)) {
        spend.requests += answer.summary.calls;
        spend.attempts += answer.summary.attempts;
        spend.costUsd += answer.summary.costUsd;
      }
    }
    task?.update(++done, name);
  };
  await Promise.all(Object.entries(plan.workloads).map(profileOne));
  return spend;
}

/**
 * Sends one burst of every workload under every strategy, strategy by strategy: each strategy in its own deployment,
 * from the same starting pool (see {@link BurstDeployments}). A strategy whose bursts are paced (`optimal` with a
 * `maxSlowdown` above 1) sends its workloads' bursts at once, as a user's workloads share the mesh's dynamic
 * functions: one after another, those bursts, each up to `maxSlowdown` times its unpaced duration and mostly waiting,
 * took about 60% of `npm start`. The other strategies send theirs one at a time: all at once, their calls
 * loaded the host so that emulated time ran slow (one real ms is 200 emulated ms while routing) and `focus-fastest`'s
 * bursts outlasted the router's deadline. Results are in workload order, then strategy order.
 */
export async function runBursts(
  plan: BurstPlan,
  strategies: readonly StrategyName[],
  deployments: BurstDeployments,
  task?: ProgressTask,
): Promise<BurstResult[]> {
  const byStrategy = new Map<StrategyName, BurstResult[]>();
  let done = 0;
  for (const strategy of strategies) {
    await deployments.deploy(strategy);
    deployments.freshPool();
    const requests = Object.entries(plan.workloads).map(([name, workload]) =>
      burstRequest(name, workload, strategy, plan.count, plan.concurrency, {
        architectures: plan.architectures,
        maxSlowdown: plan.maxSlowdown,
      }),
    );
    const burstOf = async (request: RouterRequestBody): Promise<BurstResult> => {
      const name = String(request.workload);
      const answer = await sendBurst(plan, request);
      task?.update(++done, `${name} ${strategy}`);
      return resultOf(name, strategy, answer);
    };
    // Paced: `burstRequest` sent the strategy's bursts with a time budget.
    const paced = requests.some((r) => (r.batch?.maxSlowdown ?? 1) > 1);
    const results: BurstResult[] = [];
    if (paced) results.push(...(await Promise.all(requests.map(burstOf))));
    else for (const request of requests) results.push(await burstOf(request));
    byStrategy.set(strategy, results);
  }
  return Object.keys(plan.workloads).flatMap((_, i) => strategies.map((s) => byStrategy.get(s)![i]));
}

/**
 * The per-strategy lines of the summary: totals over every workload, savings against the same workloads' bursts under
 * `baseline` per answered request (a request that failed is billed its attempts and is no saving), and the latency
 * the attempts before each call's last added per request, as their billed time (INIT, CPU check, hold): the routing
 * phase runs many times faster than real time, so the round trips the router measured would be mostly the loopback's.
 */
export function strategySummary(results: readonly BurstResult[]): StrategySummaryRow[] {
  const baselineOf = new Map<string, { costUsd: number; succeeded: number }>();
  for (const r of results) {
    if (r.strategy === 'baseline' && r.succeeded > 0)
      baselineOf.set(r.workload, { costUsd: r.costUsd, succeeded: r.succeeded });
  }
  // The fixed zone's cost of as many answered requests; scaled only when the counts differ, so that baseline against
  // itself saves exactly 0.
  const baselineFor = (r: BurstResult): number => {
    const base = baselineOf.get(r.workload)!;
    return r.succeeded === base.succeeded ? base.costUsd : (base.costUsd / base.succeeded) * r.succeeded;
  };
  const strategies = [...new Set(results.map((r) => r.strategy))];
  return strategies.map((strategy) => {
    const rows = results.filter((r) => r.strategy === strategy && baselineOf.has(r.workload));
    const requests = rows.reduce((sum, r) => sum + r.count, 0);
    const costUsd = rows.reduce((sum, r) => sum + r.costUsd, 0);
    const baselineCostUsd = rows.reduce((sum, r) => sum + baselineFor(r), 0);
    const attempts = rows.reduce((sum, r) => sum + r.attempts, 0);
    const billedBeforeLastMs = rows.reduce((sum, r) => sum + r.billedBeforeLastMs, 0);
    return {
      strategy,
      requests,
      failed: rows.reduce((sum, r) => sum + r.failed, 0),
      failures: mergeCounts(...rows.map((r) => r.failures)),
      costUsd,
      baselineCostUsd,
      savingsPct: baselineCostUsd > 0 ? (100 * (baselineCostUsd - costUsd)) / baselineCostUsd : 0,
      attemptsPerRequest: requests > 0 ? attempts / requests : 0,
      meanAddedLatencyMs: requests > 0 ? billedBeforeLastMs / requests : 0,
      memorySizes: [...new Set(rows.map((r) => r.memoryMb))].sort((a, b) => a - b),
      architectures: [...new Set(rows.map((r) => r.arch))].sort(),
    };
  });
}
