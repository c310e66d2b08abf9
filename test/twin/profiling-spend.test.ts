import { runTwinExperiment, type TwinRun } from '../../lib/twin/experiment';
import { twinReport } from '../../lib/twin/report';
import { routedTwin, smallScenario, trueMixCharacterizations } from './fixtures';

// Polls of 60 requests fit the small zones (200 and 100 slots), so the twin run stays quick.
const SAMPLING = { pollConcurrency: 60, fanoutBranching: 8, maxProbePolls: 12 };

describe("the profiling phase's bill", () => {
  it("is what Lambda billed for the phase's calls: the router's own answer agrees", async () => {
    // GIVEN the router over the twin, INIT billed at 400 ms a new instance
    const scenario = smallScenario({ days: 1, initMs: 400 });
    const { clock, twin, routing } = routedTwin(scenario, { memorySizes: [1024, 2048] });
    twin.setDay(0);
    routing.characterize(trueMixCharacterizations(scenario, 400, { polls: 2 }));
    // WHEN a profiling request runs, metered by the twin
    const { value: answer, bill } = await clock.run(() =>
      routing.metered(() =>
        routing.profile({
          workload: { name: 'zipper', size: 'small' },
          objective: 'cost',
          limits: { memorySizes: [1024, 2048], architectures: ['x86_64'] },
          profiling: { observations: 2, concurrency: 50 },
        }),
      ),
    );
    // THEN the premise: calls were made, each CPU reached by rejecting the others
    expect(answer.summary.calls).toBeGreaterThan(0);
    expect(answer.summary.attempts).toBeGreaterThan(answer.summary.calls);
    // and the twin's bill of the phase is the router's sum of the REPORT records
    expect(bill.costUsd).toBeGreaterThan(0);
    expect(bill.costUsd).toBeCloseTo(answer.summary.costUsd, 12);
  });

  it('takes one metered run at a time, so no call is billed to two runs', async () => {
    const scenario = smallScenario({ days: 1 });
    const { routing } = routedTwin(scenario, { memorySizes: [2048] });
    await expect(routing.metered(() => routing.metered(async () => 0))).rejects.toThrow(/another metered run/);
    // and the first run's hook is gone once it failed: the next run meters again
    await expect(routing.metered(async () => 1)).resolves.toMatchObject({ value: 1 });
  });
});

describe('a twin run reports each deployment its profiling phase', () => {
  let profiled: TwinRun;
  let unprofiled: TwinRun;
  let split: TwinRun;

  beforeAll(async () => {
    const scenario = smallScenario();
    const strategies = ['baseline', 'optimal'] as const;
    [profiled, unprofiled, split] = await Promise.all([
      runTwinExperiment(scenario, { sampling: SAMPLING, strategies }),
      runTwinExperiment(scenario, { sampling: SAMPLING, strategies, profilingCalls: 0 }),
      runTwinExperiment(scenario, { sampling: SAMPLING, strategies, workers: 2 }),
    ]);
  });

  it('once, on its first day, apart from the bursts', () => {
    const [first, second] = profiled.days;
    expect(Object.keys(first.profiling ?? {})).toEqual(['baseline', 'optimal']);
    for (const spend of Object.values(first.profiling ?? {})) {
      expect(spend.calls).toBeGreaterThan(0);
      expect(spend.attempts).toBeGreaterThanOrEqual(spend.calls);
      expect(spend.costUsd).toBeGreaterThan(0);
    }
    expect(second.profiling).toBeUndefined();
    // and the report has a row per strategy that profiled, the spend of its first day
    expect(twinReport(profiled).profiling).toEqual(
      (['baseline', 'optimal'] as const).map((strategy) => {
        const spend = first.profiling![strategy]!;
        return { strategy, calls: spend.calls, attempts: spend.attempts, costUsd: expect.closeTo(spend.costUsd, 6) };
      }),
    );
  });

  it('the same when the strategies are split over worker threads', () => {
    expect(split.days.map((d) => d.profiling)).toEqual(profiled.days.map((d) => d.profiling));
  });

  it('and none where the run has no profiling phase', () => {
    for (const day of unprofiled.days) expect(day.profiling).toBeUndefined();
    expect(twinReport(unprofiled).profiling).toEqual([]);
  });
});
