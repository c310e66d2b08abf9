import { ROUTER_TIMEOUT_SECONDS } from '../../lib/contracts';
import { batchDurationMs } from '../../lib/core/pacing';
import { DEADLINE_MARGIN_MS } from '../../lib/routing/config';
import { PACING_DEADLINE_SHARE } from '../../lib/routing/pacing';
import { parseRouterRequest } from '../../lib/routing/request';
import type { DeadlineSource } from '../../lib/routing/service';
import type { BatchAnswer } from '../../lib/routing/types';
import type { VirtualClock } from '../../lib/twin/clock';
import { runTwinExperiment } from '../../lib/twin/experiment';
import { formatPacing, pacingRows } from '../../lib/twin/pacing-report';
import { strategyTotals } from '../../lib/twin/report';
import type { TwinRoutingOptions } from '../../lib/twin/routing';
import { expectingRuntimeShare } from '../router/recording-placer';
import { characterizationOf, pacingScenario, profiledBatch, routedTwin, smallScenario } from './fixtures';

/**
 * A batch with a time budget (`batch.maxSlowdown`): the routing service the router Lambda runs chooses how many calls
 * run at a time from the pool model, and follows it; the twin's `optimal` sends it and the oracle is paced as much.
 */
describe('a batch paced by the router', () => {
  const scenario = pacingScenario();
  const WORKLOAD = { name: 'zipper', size: 'small' } as const;
  const LIMITS = { memoryMb: 1024, arch: 'x86_64', maxAttempts: 10 } as const;

  /** The scenario's twin on day 0, its zone characterized, routed through placers `wrap` makes, if given. */
  function characterizedTwin(wrap?: TwinRoutingOptions['wrapPlacerFactory']) {
    const env = routedTwin(scenario, { memorySizes: [1024], ...(wrap ? { wrapPlacerFactory: wrap } : {}) });
    env.twin.setDay(0);
    env.routing.characterize([
      characterizationOf(scenario.zones[0], { 'intel-xeon-2.50': 180, 'intel-xeon-3.00': 20 }),
    ]);
    return env;
  }

  async function bursts(
    maxSlowdown?: number,
    remainingMs?: number,
    deadlineOf?: (clock: VirtualClock) => DeadlineSource,
  ): Promise<BatchAnswer> {
    const env = characterizedTwin();
    // The workload's runtimes on both CPUs come from profiling (the router's own profiling request).
    return profiledBatch(
      env,
      {
        workload: WORKLOAD,
        limits: LIMITS,
        batch: { count: 40, concurrency: 40, ...(maxSlowdown !== undefined ? { maxSlowdown } : {}) },
      },
      deadlineOf
        ? deadlineOf(env.clock)
        : remainingMs === undefined
          ? undefined
          : { getRemainingTimeInMillis: () => remainingMs },
    );
  }

  it('runs fewer calls at a time within the budget, meets fewer new instances and pays less', async () => {
    const unpaced = await bursts();
    const paced = await bursts(20);
    expect(unpaced.pacing).toBeUndefined();
    expect(unpaced.summary.concurrency).toBe(40);
    expect(paced.pacing).toBeDefined();
    const pacing = paced.pacing!;
    expect(pacing.givenConcurrency).toBe(40);
    expect(pacing.concurrency).toBeLessThan(40);
    expect(paced.summary.concurrency).toBe(pacing.concurrency);
    expect(pacing.rounds).toBe(Math.ceil(40 / pacing.concurrency));
    expect(pacing.expectedDurationMs).toBeLessThanOrEqual(20 * pacing.unpacedDurationMs);
    expect(pacing.expectedCostUsd).toBeLessThan(pacing.unpacedCostUsd);
    // Its duration counts the INITs the workers wait for (the router's 150 ms, the scenario's), not the calls alone,
    // and the search its probe was expected to make alone before the other workers started.
    expect(pacing.expectedDurationMs).toBeCloseTo(
      batchDurationMs(paced.placement, { count: 40, concurrency: pacing.concurrency, initMs: 150 }) +
        (pacing.probeSearchMs ?? 0),
      6,
    );
    expect(pacing.expectedDurationMs).toBeGreaterThan(
      batchDurationMs(paced.placement, { count: 40, concurrency: pacing.concurrency }) + 150,
    );
    // Each instance found serves several calls: fewer new instances, more calls on the fast CPU, a lower bill.
    expect(paced.summary.newInstances).toBeLessThan(unpaced.summary.newInstances);
    expect(paced.summary.byCpu['intel-xeon-3.00'] ?? 0).toBeGreaterThan(unpaced.summary.byCpu['intel-xeon-3.00'] ?? 0);
    expect(paced.summary.costUsd).toBeLessThan(unpaced.summary.costUsd);
    expect(paced.summary.succeeded).toBe(40);
  });

  it("paces within part of the router Lambda's time left", async () => {
    const free = await bursts(20);
    const bounded = await bursts(20, 6000 + DEADLINE_MARGIN_MS);
    expect(bounded.pacing!.expectedDurationMs).toBeLessThanOrEqual(PACING_DEADLINE_SHARE * 6000);
    // A pacing that would take all the time left is not chosen: calls that run longer than expected need room.
    const edgeMs = free.pacing!.expectedDurationMs;
    const atEdge = await bursts(20, edgeMs + DEADLINE_MARGIN_MS);
    expect(atEdge.pacing!.expectedDurationMs).toBeLessThanOrEqual(PACING_DEADLINE_SHARE * edgeMs);
    expect(atEdge.pacing!.concurrency).toBeGreaterThan(free.pacing!.concurrency);
    expect(bounded.pacing!.concurrency).toBeGreaterThan(free.pacing!.concurrency);
    expect(bounded.summary.succeeded).toBe(40);
  });

  it("widens a paced batch whose calls run longer than planned before the router's deadline stops them", async () => {
    const free = await bursts(20);
    const plannedMs = free.pacing!.expectedDurationMs;
    // The deadline leaves 30% over the plan (within the share the router plans to), and sees every call take half as
    // long again as the router expected.
    const stretched = (clock: VirtualClock): DeadlineSource => {
      let startedAt: number | undefined;
      return {
        getRemainingTimeInMillis: () => {
          startedAt ??= clock.now();
          return 1.3 * plannedMs + DEADLINE_MARGIN_MS - 1.5 * (clock.now() - startedAt);
        },
      };
    };
    const answer = await bursts(20, undefined, stretched);
    // It fit at first, so the router chose the same pacing, and left it once the calls fell behind the deadline.
    expect(answer.pacing!.concurrency).toBe(free.pacing!.concurrency);
    const widened = answer.pacing!.deadlineWidened!;
    expect(widened.concurrency).toBe(40);
    expect(widened.atCall).toBeGreaterThan(0);
    expect(widened.atCall).toBeLessThan(40);
    expect(answer.summary.succeeded).toBe(40);
    // A batch the deadline never pressed says nothing of it.
    expect(free.pacing!.deadlineWidened).toBeUndefined();
  });

  it('runs more calls at a time once its calls would not end within its time budget', async () => {
    // The router expects every call to take half as long as it does: its pacing fits a budget in which the batch at
    // that pace cannot end.
    const timed = async (wrap?: TwinRoutingOptions['wrapPlacerFactory']) => {
      const env = characterizedTwin(wrap);
      let startedAt = 0;
      const request = { workload: WORKLOAD, limits: LIMITS, batch: { count: 40, concurrency: 40, maxSlowdown: 20 } };
      const answer = await profiledBatch(env, request, undefined, () => {
        startedAt = env.clock.now();
      });
      return { answer, tookMs: env.clock.now() - startedAt };
    };
    const planned = await timed();
    const { answer, tookMs } = await timed((factory) => expectingRuntimeShare(factory, 0.5));
    const pacing = answer.pacing!;
    const budgetMs = pacing.maxSlowdown * pacing.unpacedDurationMs;
    // The same pacing as where the calls take as long as expected, which keeps it and ends within its budget.
    expect(pacing.concurrency).toBe(planned.answer.pacing!.concurrency);
    expect(planned.answer.pacing!.budgetWidened).toBeUndefined();
    expect(planned.tookMs).toBeLessThanOrEqual(20 * planned.answer.pacing!.unpacedDurationMs);
    // Here the calls fell behind: the batch ran more at a time, fewer than the caller's 40, and ended within it.
    const widened = pacing.budgetWidened!;
    expect(widened.atCall).toBeGreaterThanOrEqual(pacing.concurrency);
    expect(widened.concurrency).toBeGreaterThan(pacing.concurrency);
    expect(widened.concurrency).toBeLessThan(40);
    expect(widened.budgetLeftMs).toBeLessThan(budgetMs);
    expect(tookMs).toBeLessThanOrEqual(budgetMs);
    expect(answer.summary.succeeded).toBe(40);
  });

  it('runs more calls at a time before its middle once it falls behind its own plan', async () => {
    // The router expects every call to take a tenth of its time: the batch falls behind its plan from its first calls.
    const env = characterizedTwin((factory) => expectingRuntimeShare(factory, 0.1));
    const request = { workload: WORKLOAD, limits: LIMITS, batch: { count: 40, concurrency: 40, maxSlowdown: 20 } };
    const answer = await profiledBatch(env, request);
    const pacing = answer.pacing!;
    const widened = pacing.budgetWidened!;
    expect(widened.atCall).toBeLessThan(20);
    expect(widened.concurrency).toBeGreaterThan(pacing.concurrency);
    expect(answer.summary.succeeded).toBe(40);
  });

  it('keeps the given concurrency with maxSlowdown 1', async () => {
    const answer = await bursts(1);
    expect(answer.pacing).toBeUndefined();
    expect(answer.summary.concurrency).toBe(40);
  });

  it.each([
    [0.5, 'batch.maxSlowdown'],
    [Number.NaN, 'batch.maxSlowdown'],
    ['2', 'batch.maxSlowdown'],
  ])('refuses a maxSlowdown of %p, naming %s', (maxSlowdown, field) => {
    expect(() => parseRouterRequest({ workload: 'zipper', batch: { count: 10, maxSlowdown } })).toThrow(field);
  });
});

describe('a twin run where optimal paces its bursts', () => {
  const SAMPLING = { pollConcurrency: 60, fanoutBranching: 8, maxProbePolls: 12 };

  it('paces the oracle as much as optimal, so no strategy costs less than it, and prints what pacing took', async () => {
    const scenario = smallScenario({ days: 1 });
    const run = await runTwinExperiment(scenario, { sampling: SAMPLING, maxSlowdown: 20, workers: 0 });
    expect(run.maxSlowdown).toBe(20);
    const bursts = run.days[0].bursts;
    for (const workload of Object.keys(scenario.workloads)) {
      const of = (strategy: string) => bursts.find((b) => b.workload === workload && b.strategy === strategy)!;
      expect(of('baseline').concurrency).toBe(scenario.burst);
      expect(of('oracle').concurrency).toBe(
        Math.min(...bursts.filter((b) => b.workload === workload).map((b) => b.concurrency!)),
      );
      expect(of('oracle').concurrency).toBe(of('optimal').concurrency);
      expect(of('optimal').durationMs).toBeGreaterThan(0);
    }
    expect(bursts.some((b) => b.strategy === 'optimal' && b.concurrency! < scenario.burst)).toBe(true);
    for (const [, byStrategy] of strategyTotals(run)) {
      const oracle = byStrategy.get('oracle')!.costUsd;
      for (const [, totals] of byStrategy) expect(totals.costUsd).toBeGreaterThanOrEqual(oracle);
    }
    const rows = pacingRows(run);
    const optimal = rows.find((r) => r.strategy === 'optimal' && r.meanConcurrency < r.scenarioConcurrency)!;
    expect(optimal.slowdown).toBeGreaterThan(1);
    expect(formatPacing(run)).toMatch(/paced bursts/);
    // and optimal's row says how long the router expected its bursts to take, and how much of the budget the slowest took
    const pacedOptimal = bursts.filter((b) => b.strategy === 'optimal' && b.workload === optimal.workload);
    const budgetShares = pacedOptimal.map((b) => b.durationMs! / (20 * b.pacing!.unpacedDurationMs));
    expect(pacedOptimal.every((b) => b.pacing?.maxSlowdown === 20)).toBe(true);
    // and each record keeps the calls the router ran at a time, which a burst its review did not widen kept to
    for (const b of pacedOptimal) {
      expect(b.pacing!.concurrency).toBeLessThan(scenario.burst);
      if (!b.pacing!.widened) expect(b.concurrency).toBe(b.pacing!.concurrency);
    }
    expect(optimal.meanExpectedDurationMs).toBe(pacedOptimal[0].pacing!.expectedDurationMs);
    expect(optimal.worstBudgetShare).toBeCloseTo(Math.max(...budgetShares), 12);
    expect(optimal.worstBudgetShare).toBeGreaterThan(0);
    const oracle = rows.find((r) => r.strategy === 'oracle' && r.workload === optimal.workload)!;
    expect(oracle.worstBudgetShare).toBeUndefined();
    expect(formatPacing(run)).toMatch(/of budget %/);
  });

  it("sends a burst paced past the router Lambda's deadline in parts, each ended within it", async () => {
    // Two-minute calls: a 20× budget paces a burst of 50 over half an hour, twice the router Lambda's 15 minutes.
    const scenario = smallScenario({
      days: 1,
      workloads: { zipper: { memoryMb: 4096, baseMs: 120_000, cv: 0.03, relative: { xeon30: 0.88, epyc: 1.35 } } },
    });
    const run = await runTwinExperiment(scenario, { sampling: SAMPLING, maxSlowdown: 20, workers: 0 });
    const optimal = run.days[0].bursts.find((b) => b.strategy === 'optimal')!;
    expect(optimal.pacing!.concurrency).toBeLessThan(scenario.burst);
    expect(optimal.pacing!.expectedDurationMs).toBeGreaterThan(ROUTER_TIMEOUT_SECONDS * 1000);
    // The twin gives each send the router Lambda's deadline: the router stopped before it, and was sent the rest.
    expect(optimal.resumedAtCalls!.length).toBeGreaterThanOrEqual(1);
    expect(optimal.durationMs).toBeGreaterThan(ROUTER_TIMEOUT_SECONDS * 1000);
    // No call was started that the deadline then stopped, and every call of the burst was made.
    expect(optimal.outcome.failed).toBe(0);
    expect(optimal.outcome.requests).toBe(scenario.burst);
    expect(optimal.outcome.completed).toBe(scenario.burst);
  });
});
