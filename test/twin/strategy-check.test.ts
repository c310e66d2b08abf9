import type { BurstRecord, TwinRun, TwinStrategy } from '../../lib/twin/experiment';
import {
  comparableCostUsd,
  expectedVsRealised,
  formatStrategyChecks,
  formatTargetSummary,
  metTargets,
  optimalChecks,
  quantileOfCounts,
  scenarioChecksOf,
} from '../../lib/twin/strategy-check';

function burst(workload: string, strategy: TwinStrategy, costUsd: number, expected?: number, failed = 0): BurstRecord {
  return {
    workload,
    strategy,
    azId: 'usw1-az3',
    rejectCpus: [],
    maxAttempts: 10,
    arch: 'x86_64',
    memoryMb: 2048,
    ...(expected !== undefined ? { expectedCostUsd: expected } : {}),
    outcome: {
      requests: 100,
      completed: 100 - failed,
      failed,
      attempts: 120,
      rejected: 20,
      exhausted: 0,
      throttled: 0,
      costUsd,
      billedMs: 0,
      runtimeMs: 0,
      addedLatencyMs: 3000,
      addedLatencyCounts: failed > 0 ? { 0: 60 - failed, 150: 39, 600: 1 } : { 0: 60, 150: 39, 600: 1 },
      acceptedByCpu: {},
      acceptedByZone: {},
      acceptedByMemory: {},
      acceptedByArch: {},
    },
  };
}

// Only the days' bursts matter to these tables.
const runOf = (bursts: BurstRecord[][], scenario = 'small', seed = 11): TwinRun =>
  ({ scenario, seed, days: bursts.map((b, day) => ({ day, bursts: b })) }) as unknown as TwinRun;

describe('quantileOfCounts', () => {
  it.each([
    [{ 0: 50, 150: 49, 600: 1 }, 0.5, 0],
    [{ 0: 50, 150: 49, 600: 1 }, 0.99, 150],
    [{ 0: 50, 150: 48, 600: 2 }, 0.99, 600],
    [{ 300: 1 }, 0.5, 300],
    [{}, 0.5, 0],
  ])('%j at %d is %d', (counts, q, value) => {
    expect(quantileOfCounts(counts, q)).toBe(value);
  });
});

describe('strategy checks', () => {
  const run = runOf([
    [
      burst('zipper', 'baseline', 1.0, 0.009),
      burst('zipper', 'retry-slow', 0.95, 0.0092),
      burst('zipper', 'optimal', 0.9, 0.0085),
      burst('zipper', 'oracle', 0.8),
      burst('bfs', 'baseline', 1.0, 0.01),
      burst('bfs', 'hybrid', 0.9, 0.009),
      burst('bfs', 'optimal', 0.92, 0.0088, 2),
      burst('bfs', 'oracle', 0.97),
    ],
    [burst('zipper', 'optimal', 0.9, 0.0095)],
  ]);

  it('sums expected (per request × requests) against realised cost per strategy', () => {
    const optimal = expectedVsRealised(run).find((r) => r.strategy === 'optimal')!;
    expect(optimal.requests).toBe(300);
    expect(optimal.expectedCostUsd).toBeCloseTo((0.0085 + 0.0088 + 0.0095) * 100, 12);
    expect(optimal.realisedCostUsd).toBeCloseTo(2.72, 12);
    expect(optimal.ratio).toBeCloseTo(2.72 / 2.68, 12);
    expect(optimal.failedRequests).toBe(2);
    expect(optimal.meanAddedLatencyMs).toBeCloseTo(9000 / 298, 9);
    expect(optimal.p50AddedLatencyMs).toBe(0);
    // 3 of 298 requests waited 600 ms: more than 1%.
    expect(optimal.p99AddedLatencyMs).toBe(600);
    expect(expectedVsRealised(run).find((r) => r.strategy === 'oracle')!.expectedCostUsd).toBeNull();
  });

  it('checks optimal per workload: fixed zone, best paper strategy, the oracle gap where it saves ≥ 5%', () => {
    const [zipper, bfs] = optimalChecks(run);
    // zipper: optimal 1.8 over two days against a baseline of 1.0 (one day): above the fixed zone.
    expect(zipper).toMatchObject({ workload: 'zipper', baselineUsd: 1.0, optimalUsd: 1.8, notAboveBaseline: false });
    expect(bfs.bestPaper).toEqual({ strategy: 'hybrid', costUsd: 0.9 });
    expect(bfs.notAboveBestPaper).toBe(false);
    // The oracle saves 3% on bfs: no gap target there.
    expect(bfs.oracleSavingsPct).toBeCloseTo(3, 9);
    expect(bfs.closesGap).toBe(true);
    expect(formatStrategyChecks(run)).toMatch(/targets met on 0 of 2 workloads/);
    // The run's own table names each missed target, as the summary over runs does.
    expect(formatStrategyChecks(run)).toMatch(/\n {2}zipper .* NO \(above fixed[,)]/);
    expect(formatStrategyChecks(run)).toMatch(/\n {2}bfs .* NO \(above hybrid, failed requests\)/);
  });

  it('prints each profiling phase apart, and what each strategy saves once its phase is paid', () => {
    // GIVEN the run above (fixed zone 2.0 over both workloads, optimal 2.72, hybrid 0.9) with each deployment's
    // profiling phase on its first day
    const profiled = {
      ...run,
      days: run.days.map((d, i) =>
        i === 0
          ? {
              ...d,
              profiling: {
                baseline: { calls: 20, attempts: 25, costUsd: 0.5 },
                hybrid: { calls: 30, attempts: 44, costUsd: 0.1 },
                optimal: { calls: 52, attempts: 863, costUsd: 0.08 },
              },
            }
          : d,
      ),
    } as TwinRun;
    const text = formatStrategyChecks(profiled);
    // THEN a row per strategy in report order, with calls, attempts and the phase's bill
    const rows = text.split('\n').filter((line) => /^ {2}(baseline|hybrid|optimal) +\d+ +\d+ +\d/.test(line));
    expect(rows.map((line) => line.trim().split(/ +/))).toEqual([
      ['baseline', '20', '25', '0.5000', '-'],
      // hybrid: 100 × (2.0 − (0.9 + 0.1)) / 2.0; the fixed zone's own phase is not added to it
      ['hybrid', '30', '44', '0.1000', '50.0'],
      // optimal failed 2 of its 300 requests: 100 × (2.0 − (2.72 × 300 / 298 + 0.08)) / 2.0
      ['optimal', '52', '863', '0.0800', '-40.9'],
    ]);
    expect(text).toMatch(/\n {2}Where a strategy failed requests, its bursts count per completed request × requests/);
    // and the burst costs above are the bursts' alone
    expect(expectedVsRealised(profiled)).toEqual(expectedVsRealised(run));
    // and a run without a profiling phase prints no such table
    expect(formatStrategyChecks(run)).not.toMatch(/profiling phase per strategy/);
  });

  it("reports optimal's added latency per workload from its own bursts only", () => {
    const [zipper, bfs] = optimalChecks(run);
    // zipper: two optimal bursts, 2 of 200 requests waited 600 ms (1%): p99 150 ms.
    expect([zipper.optimalP50AddedLatencyMs, zipper.optimalP99AddedLatencyMs]).toEqual([0, 150]);
    // bfs: one burst of 98 completed requests, 1 waited 600 ms (more than 1%).
    expect([bfs.optimalP50AddedLatencyMs, bfs.optimalP99AddedLatencyMs]).toEqual([0, 600]);
    const slowOthers = (b: BurstRecord): BurstRecord =>
      b.strategy === 'optimal' ? b : { ...b, outcome: { ...b.outcome, addedLatencyCounts: { 1395: 100 } } };
    const [only] = optimalChecks(runOf([[burst('z', 'baseline', 1), burst('z', 'optimal', 0.9)].map(slowOthers)]));
    expect(only.optimalP99AddedLatencyMs).toBe(150);
  });

  it('never counts a workload with failed optimal requests as met, even where its completed ones meet every cost target', () => {
    // 0.04 for the 5 of 100 requests that ran: 0.8 per completed request × requests, the oracle's cost.
    const cheapByFailing = runOf([
      [
        burst('z', 'baseline', 1),
        burst('z', 'optimal', 0.04, 0.009, 95),
        burst('z', 'oracle', 0.8),
        burst('z', 'regional', 0.9),
      ],
    ]);
    const [z] = optimalChecks(cheapByFailing);
    expect(z.optimalFailed).toBe(95);
    expect(z.notAboveBaseline && z.notAboveBestPaper && z.closesGap).toBe(true);
    expect(metTargets(z)).toBe(false);
    expect(formatStrategyChecks(cheapByFailing)).toMatch(/targets met on 0 of 1 workloads/);
    expect(formatStrategyChecks(cheapByFailing)).toMatch(/ NO \(failed requests\)/);
    expect(formatStrategyChecks(cheapByFailing)).toMatch(/\n {2}‡ a request that never ran bills nothing/);
  });

  it('compares per completed request where the fixed zone or a paper strategy failed requests', () => {
    // GIVEN a fixed zone that throttled 60 of its 100 requests (0.4 billed for 40) and a regional strategy that
    // throttled 65 (0.35 for 35): 1.0 each per completed request × requests
    const throttledBaseline = runOf([
      [
        burst('w', 'baseline', 0.4, 0.01, 60),
        burst('w', 'optimal', 0.9),
        burst('w', 'oracle', 0.8),
        burst('w', 'regional', 0.35, 0.01, 65),
      ],
    ]);
    const [w] = optimalChecks(throttledBaseline);
    // THEN optimal, which ran every request for 0.9, saves 10% and closes half the oracle's gap (not -125% and none)
    expect(w.baselineUsd).toBeCloseTo(1, 12);
    expect(w.optimalUsd).toBeCloseTo(0.9, 12);
    expect(w.bestPaper).toEqual({ strategy: 'regional', costUsd: expect.closeTo(1, 12) });
    expect(w.notAboveBaseline && w.notAboveBestPaper).toBe(true);
    expect(w.oracleSavingsPct).toBeCloseTo(20, 9);
    expect(w.gapClosedPct).toBeCloseTo(50, 9);
    expect(w.othersFailed).toEqual([
      { strategy: 'baseline', failed: 60, requests: 100 },
      { strategy: 'regional', failed: 65, requests: 100 },
    ]);
    // AND the row names who failed, with the note why the costs are per completed request
    const table = formatStrategyChecks(throttledBaseline);
    expect(table).toMatch(
      /\n {2}w +10\.0 +regional +10\.0 +20\.0 +50 .*NO \(gap < 80%\) \(baseline failed 60 of 100, regional failed 65 of 100‡\)\n/,
    );
    expect(table).toMatch(/\n {2}‡ a request that never ran bills nothing/);
    expect(formatTargetSummary([scenarioChecksOf(throttledBaseline)])).toMatch(/\n {2}‡ a request that never ran/);
    // AND a run where every request ran has no such note
    expect(formatStrategyChecks(run).replace(/bfs.*\n/, '')).toMatch(/targets met/);
    expect(
      formatTargetSummary([scenarioChecksOf(runOf([[burst('v', 'baseline', 1), burst('v', 'optimal', 0.9)]]))]),
    ).not.toMatch(/‡/);
  });

  it.each([
    [{ costUsd: 5.4, requests: 4992, completed: 1853 }, (5.4 * 4992) / 1853],
    [{ costUsd: 2, requests: 100, completed: 100 }, 2],
    [{ costUsd: 0.3, requests: 100, completed: 0 }, 0.3],
  ])('prices %j at %d for comparison', (tally, usd) => {
    expect(comparableCostUsd(tally)).toBeCloseTo(usd, 12);
  });

  it('reports the share of the oracle gap closed', () => {
    const [zipper] = optimalChecks(
      runOf([
        [
          burst('z', 'baseline', 1),
          burst('z', 'optimal', 0.84),
          burst('z', 'oracle', 0.8),
          burst('z', 'regional', 0.9),
        ],
      ]),
    );
    expect(zipper.gapClosedPct).toBeCloseTo(80, 9);
    expect(zipper.closesGap).toBe(true);
    expect(zipper.notAboveBestPaper).toBe(true);
  });

  it('reports the gap closed after the first day apart, without counting it toward the targets', () => {
    // Day 1 closes nothing of the oracle's gap (0.2), days 2 and 3 close 90% of theirs: 60% over the run.
    const day = (optimal: number): BurstRecord[] => [
      burst('z', 'baseline', 1),
      burst('z', 'optimal', optimal),
      burst('z', 'oracle', 0.8),
      burst('z', 'regional', 1),
    ];
    const learning = runOf([day(1), day(0.82), day(0.82)]);
    const [z] = optimalChecks(learning);
    expect(z.gapClosedPct).toBeCloseTo(60, 9);
    expect(z.gapClosedAfterFirstDayPct).toBeCloseTo(90, 9);
    expect(metTargets(z)).toBe(false);
    const table = formatStrategyChecks(learning);
    expect(table).toMatch(/gap closed % {2}from day 2 %/);
    expect(table).toMatch(/\n {2}z .*\s60\s+90\s+0 {2}NO \(gap < 80%\)\n/);
    expect(table).toMatch(/\n {2}from day 2 %: the share of the oracle's gap closed over the days after the first/);
    // Where the oracle saves nothing after the first day, there is no gap to close then.
    const flatLater = runOf([day(0.9), [burst('z', 'baseline', 1), burst('z', 'optimal', 1), burst('z', 'oracle', 1)]]);
    expect(optimalChecks(flatLater)[0].gapClosedAfterFirstDayPct).toBeNull();
    expect(optimalChecks(runOf([day(0.82)]))[0].gapClosedAfterFirstDayPct).toBeNull();
  });
});

describe('target summary over scenarios', () => {
  const met = runOf(
    [[burst('z', 'baseline', 1), burst('z', 'optimal', 0.84), burst('z', 'oracle', 0.8), burst('z', 'regional', 0.9)]],
    'stress-a',
    3,
  );
  const missed = runOf(
    [
      [burst('y', 'baseline', 1), burst('y', 'optimal', 0.95), burst('y', 'oracle', 0.7), burst('y', 'hybrid', 0.9)],
      [burst('y', 'baseline', 1), burst('y', 'optimal', 0.95), burst('y', 'oracle', 0.7), burst('y', 'hybrid', 0.9)],
    ],
    'stress-b',
    9,
  );

  it('labels each run with its scenario, seed and days', () => {
    expect(scenarioChecksOf(missed)).toMatchObject({ scenario: 'stress-b', seed: 9, days: 2 });
    expect(scenarioChecksOf(missed).checks).toEqual(optimalChecks(missed));
  });

  it('prints one row per scenario workload, names the targets a row misses, and counts those met', () => {
    const text = formatTargetSummary([scenarioChecksOf(met), scenarioChecksOf(missed)]);
    const rows = text.split('\n');
    const a = rows.find((l) => l.includes('stress-a'))!;
    const b = rows.find((l) => l.includes('stress-b'))!;
    // A one-day run has no gap after its first day: '-'.
    expect(a).toMatch(/stress-a\s+3\s+1\s+z\s+16\.0\s+6\.7\s+20\.0\s+80\s+-\s+0\s+0\/150\s+yes$/);
    // y: 5% saved against an oracle of 30% (17% of the gap, on day 2 as on day 1), and above hybrid's 0.9.
    expect(b).toMatch(
      /stress-b\s+9\s+2\s+y\s+5\.0\s+-5\.6\s+30\.0\s+17\s+17\s+0\s+0\/150\s+NO \(above hybrid, gap < 80%\)$/,
    );
    expect(text).toMatch(
      /\n {2}day 2\+ %: the share of the oracle's gap closed over the days after the first \(not a target\)/,
    );
    expect(text).toMatch(/targets met on 1 of 2 scenario workloads, over 2 run\(s\)/);
    expect(text).not.toMatch(/below the oracle/);
  });

  it('marks a row whose optimal cost less than the oracle, with the note why the oracle is then no bound', () => {
    const below = runOf(
      [
        [
          burst('q', 'baseline', 1),
          burst('q', 'optimal', 0.85),
          burst('q', 'oracle', 0.88),
          burst('q', 'regional', 0.95),
        ],
      ],
      'stress-c',
      1,
    );
    const [q] = optimalChecks(below);
    expect(q.belowOracle).toBe(true);
    expect(q.gapClosedPct).toBeCloseTo(125, 9);
    expect(optimalChecks(missed)[0].belowOracle).toBe(false);
    const summary = formatTargetSummary([scenarioChecksOf(below)]);
    expect(summary).toMatch(/stress-c .* yes \(below the oracle\*\)$/m);
    expect(summary).toMatch(/\* below the oracle, which is then no bound: .*reuse more warm instances/);
    expect(formatStrategyChecks(below)).toMatch(
      /q .* yes \(below the oracle\*\)\n.*targets met on 1 of 1 workloads\n {2}\* below the oracle/,
    );
  });
});
