import type { BurstRecord, TwinRun, TwinStrategy } from './experiment';
import { burstConcurrency } from './routing';

/**
 * What pacing cost in time. A strategy that runs a burst fewer calls at a time than the scenario's pacing
 * (`optimal` within its `maxSlowdown`) pays less and takes longer; the oracle of that burst is paced as much, so the
 * gap figures compare like with like, and this table prints the time the pacing added: each burst's duration, from
 * its first call to its last answer, against the fixed zone's burst of the same day (the baseline runs at the
 * scenario's pacing). For `optimal` it also prints what the router expected the paced bursts to take, and how much of
 * its time budget (`maxSlowdown` × the burst's expected unpaced duration) the slowest of them took: the router prices
 * a batch's duration as its workers' share of the calls and, in a long batch, about one call more, the last
 * worker's, in each send of a batch the router's deadline sends in parts, at the mean call and with the INITs its
 * workers wait for (`batchDurationMs`), while a batch that searches ends on CPUs of different speeds.
 */

/** One workload under one strategy, over the run's days. */
export interface PacingRow {
  readonly workload: string;
  readonly strategy: TwinStrategy;
  /** Mean calls at a time over the bursts. */
  readonly meanConcurrency: number;
  /** Calls at a time the scenario's pacing runs (the baseline's). */
  readonly scenarioConcurrency: number;
  /** Mean burst duration, ms. */
  readonly meanDurationMs: number;
  /** Mean duration of the baseline's bursts of the same days, ms. */
  readonly baselineDurationMs: number;
  /** meanDurationMs / baselineDurationMs. */
  readonly slowdown: number;
  /** Mean of the durations the router expected of the bursts as it paced them, ms (where it weighed a pacing). */
  readonly meanExpectedDurationMs?: number;
  /**
   * The largest share of its time budget a burst took: duration / (maxSlowdown × the expected unpaced duration), over
   * the bursts the router paced (1: the whole budget).
   */
  readonly worstBudgetShare?: number;
}

/** Strategies shown: the one that paces itself, the bound paced like it. */
const SHOWN: readonly TwinStrategy[] = ['optimal', 'oracle'];

/** Per workload, `optimal` and the oracle against the baseline's burst durations; empty when no burst was paced. */
export function pacingRows(run: TwinRun): PacingRow[] {
  const rows: PacingRow[] = [];
  const workloads = [...new Set(run.days.flatMap((d) => d.bursts.map((b) => b.workload)))];
  for (const workload of workloads) {
    const bursts = run.days.flatMap((d) => d.bursts.filter((b) => b.workload === workload));
    const baseline = bursts.filter((b) => b.strategy === 'baseline');
    const baselineMs = mean(baseline.map((b) => b.durationMs ?? 0));
    const scenarioConcurrency =
      baseline[0]?.concurrency ?? burstConcurrency(baseline[0]?.outcome.requests ?? 1, run.waves);
    for (const strategy of SHOWN) {
      const mine = bursts.filter((b) => b.strategy === strategy);
      if (mine.length === 0) continue;
      const meanDurationMs = mean(mine.map((b) => b.durationMs ?? b.outcome.durationMs ?? 0));
      const paced = mine.filter((b) => b.pacing && b.pacing.unpacedDurationMs > 0 && b.durationMs !== undefined);
      const budget = paced.length > 0 ? budgetFigures(paced) : {};
      rows.push({
        workload,
        strategy,
        meanConcurrency: mean(mine.map((b) => b.concurrency ?? scenarioConcurrency)),
        scenarioConcurrency,
        meanDurationMs,
        baselineDurationMs: baselineMs,
        slowdown: baselineMs > 0 ? meanDurationMs / baselineMs : 0,
        ...budget,
      });
    }
  }
  return rows.some((r) => r.meanConcurrency < r.scenarioConcurrency) ? rows : [];
}

/** The table as text (empty when no burst was paced), for `sky twin` and `npm run bench twin`. */
export function formatPacing(run: TwinRun): string {
  const rows = pacingRows(run);
  if (rows.length === 0) return '';
  const lines = [
    `paced bursts (optimal may take ${run.maxSlowdown}× a burst's expected duration at the scenario's pacing; the oracle runs each burst as few calls at a time as the most paced strategy)`,
    `  ${'workload'.padEnd(24)}${'strategy'.padEnd(10)}${'calls at a time'.padStart(16)}${'scenario'.padStart(10)}${'burst s'.padStart(10)}${'fixed zone s'.padStart(14)}${'× longer'.padStart(10)}${'expected s'.padStart(12)}${'of budget %'.padStart(13)}`,
  ];
  for (const r of rows) {
    const expected = r.meanExpectedDurationMs !== undefined ? (r.meanExpectedDurationMs / 1000).toFixed(1) : '-';
    const share = r.worstBudgetShare !== undefined ? (100 * r.worstBudgetShare).toFixed(0) : '-';
    lines.push(
      `  ${r.workload.padEnd(24)}${r.strategy.padEnd(10)}${r.meanConcurrency.toFixed(1).padStart(16)}${String(r.scenarioConcurrency).padStart(10)}${(r.meanDurationMs / 1000).toFixed(1).padStart(10)}${(r.baselineDurationMs / 1000).toFixed(1).padStart(14)}${r.slowdown.toFixed(1).padStart(10)}${expected.padStart(12)}${share.padStart(13)}`,
    );
  }
  lines.push(
    "  expected s: what the router expected optimal's paced bursts to take (the workers' share of the calls and up",
    '  to one call more in each send, at the mean call, with the INITs its workers wait for). of budget %: the',
    "  slowest burst's duration against its time budget (the budget × its expected unpaced duration, as one send);",
    '  over 100, it outlasted it.',
  );
  return `${lines.join('\n')}\n`;
}

function budgetFigures(
  paced: readonly BurstRecord[],
): Required<Pick<PacingRow, 'meanExpectedDurationMs' | 'worstBudgetShare'>> {
  return {
    meanExpectedDurationMs: mean(paced.map((b) => b.pacing!.expectedDurationMs)),
    worstBudgetShare: Math.max(
      ...paced.map((b) => b.durationMs! / (b.pacing!.maxSlowdown * b.pacing!.unpacedDurationMs)),
    ),
  };
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length;
}
