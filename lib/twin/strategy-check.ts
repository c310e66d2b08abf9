import type { BurstRecord, TwinRun, TwinStrategy } from './experiment';
import { TWIN_STRATEGIES } from './experiment';
import type { MemorylessBoundRow } from './memoryless-bound';
import { profilingRows, savingsPct } from './report';

/**
 * What each strategy was expected to cost against what it cost, and how `optimal` fares against the issue's
 * targets: never above the fixed zone nor above the best of the paper's strategies, and, where the oracle saves at
 * least 5%, closing at least 80% of the gap between the fixed zone and the oracle. Printed, never asserted.
 */

/** One strategy over every workload and day of a run. */
export interface ExpectedRealisedRow {
  readonly strategy: TwinStrategy;
  readonly requests: number;
  /** Σ over bursts of the router's expected cost per request × requests, USD (null for the oracle, which has none). */
  readonly expectedCostUsd: number | null;
  /** What the twin billed, USD. */
  readonly realisedCostUsd: number;
  /** realised / expected. */
  readonly ratio: number | null;
  readonly failedRequests: number;
  /** Over completed requests: time spent before the accepted attempt began (holds, retries, throttles), ms. */
  readonly meanAddedLatencyMs: number;
  readonly p50AddedLatencyMs: number;
  readonly p99AddedLatencyMs: number;
}

/** The q-quantile (0..1) of values given as counts per value: the smallest value with at least q of the mass below or at it. */
export function quantileOfCounts(counts: Readonly<Record<string, number>>, q: number): number {
  const entries = Object.entries(counts)
    .map(([value, n]) => [Number(value), n] as const)
    .filter(([, n]) => n > 0)
    .sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return 0;
  let seen = 0;
  for (const [value, n] of entries) {
    seen += n;
    if (seen >= q * total) return value;
  }
  return entries[entries.length - 1][0];
}

/**
 * `optimal` on one workload against the targets. Each cost is summed over the run's days and compared for the same
 * work: a strategy that failed requests (a request that never ran bills nothing) is priced at its cost per completed
 * request × its requests (`comparableCostUsd`); where every request ran, that is its billed cost.
 */
export interface OptimalCheckRow {
  readonly workload: string;
  readonly baselineUsd: number;
  readonly optimalUsd: number;
  /** The cheapest of the paper's strategies (regional, retry-slow, focus-fastest, hybrid) and its cost. */
  readonly bestPaper: { readonly strategy: TwinStrategy; readonly costUsd: number } | null;
  readonly oracleUsd: number | null;
  /**
   * The strategies other than `optimal` that failed requests on this workload, with how many of how many: their
   * costs above are per completed request × requests. Empty where every request of theirs ran.
   */
  readonly othersFailed: readonly StrategyFailures[];
  readonly oracleSavingsPct: number | null;
  /** 100 × (baseline − optimal) / (baseline − oracle), where the oracle saves something. */
  readonly gapClosedPct: number | null;
  /**
   * The same over the days after the run's first, not a target: what routing closes once it starts from what
   * earlier days' calls taught it as well as from the profiling phase and the sampled mixes, while the oracle knows
   * every instance from the start. Null for a one-day run, or where the oracle saves nothing after the first day.
   */
  readonly gapClosedAfterFirstDayPct: number | null;
  /** Requests of `optimal` that never ran: a failed request costs little, so savings mean nothing without this. */
  readonly optimalFailed: number;
  /** `optimal`'s added latency over its completed requests of this workload: median and 99th percentile, ms. */
  readonly optimalP50AddedLatencyMs: number;
  readonly optimalP99AddedLatencyMs: number;
  readonly notAboveBaseline: boolean;
  readonly notAboveBestPaper: boolean;
  /** Met where the oracle saves < 5% (no target), else gap closed ≥ 80%. */
  readonly closesGap: boolean;
  /**
   * `optimal` cost less than the oracle. The oracle runs as many calls at once as the strategies' bursts do, each of
   * its instances taking the next call when free, and pays INIT once per instance (`oracleBurst`); a strategy whose
   * calls are spread further in time (throttle back-off, retries) reuses more warm instances and can cost less, and
   * then the gap figure overstates what was closed.
   */
  readonly belowOracle: boolean;
  /**
   * What the memoryless bound saves against the fixed zone, both priced by the core's model (`memorylessBound`):
   * the most a router that knows every true mix and runtime but not an instance's CPU before a call could expect.
   * Where it is far below the oracle's saving, the gap target asks for what only knowing CPUs before placing gives.
   * Null when the bound was not computed.
   */
  readonly memorylessSavingsPct: number | null;
}

/** Requests a strategy failed on one workload, of its requests there. */
export interface StrategyFailures {
  readonly strategy: TwinStrategy;
  readonly failed: number;
  readonly requests: number;
}

/**
 * What a strategy's work cost, for comparing strategies that did not all complete it: its billed cost per completed
 * request × its requests. A request that never ran (throttled everywhere, or its zone failed) bills nothing, so a
 * fixed zone that throttles most of a burst would otherwise look cheap. Where every request ran, or none did, it is
 * the billed cost.
 * @example comparableCostUsd({ costUsd: 5.4, requests: 4992, completed: 1853 }); // 14.55
 */
export function comparableCostUsd(t: { costUsd: number; requests: number; completed: number }): number {
  return t.completed > 0 && t.completed < t.requests ? (t.costUsd * t.requests) / t.completed : t.costUsd;
}

/** The footnote for rows where some strategy failed requests. */
export const PER_COMPLETED_NOTE =
  "‡ a request that never ran bills nothing, so a strategy that failed requests (optimal's are counted in its row, the others' named after the mark) is priced at its cost per completed request × requests; for a strategy whose requests all ran that is its bill";

/** Whether some strategy of the row failed requests, so that `PER_COMPLETED_NOTE` applies. */
function anyFailed(c: OptimalCheckRow): boolean {
  return c.optimalFailed > 0 || c.othersFailed.length > 0;
}

/** The footnote for rows whose `optimal` cost less than the oracle. */
export const BELOW_ORACLE_NOTE =
  "* below the oracle, which is then no bound: it runs as many calls at once as the strategies' bursts and pays INIT once per instance, while calls spread further in time (throttle back-off, retries) reuse more warm instances";

/**
 * Whether even the memoryless bound closes less than 80% of the oracle's gap (its saving against the oracle's, each
 * against its own fixed-zone cost): then the gap target asks for what only seeing CPUs before placing gives.
 */
export function unreachable(c: OptimalCheckRow): boolean {
  return (
    c.memorylessSavingsPct !== null &&
    c.oracleSavingsPct !== null &&
    c.oracleSavingsPct >= 5 &&
    c.memorylessSavingsPct < 0.8 * c.oracleSavingsPct
  );
}

/** The targets `c` misses, named as the tables print them (empty when every target is met). */
export function missedTargets(c: OptimalCheckRow): string[] {
  return [
    ...(c.notAboveBaseline ? [] : ['above fixed']),
    ...(c.notAboveBestPaper ? [] : [`above ${c.bestPaper?.strategy}`]),
    ...(c.closesGap ? [] : [`gap < 80%${unreachable(c) ? '; memoryless < 80% too' : ''}`]),
    ...(c.optimalFailed === 0 ? [] : ['failed requests']),
  ];
}

function metText(c: OptimalCheckRow): string {
  const below = c.belowOracle ? ' (below the oracle*)' : '';
  const others =
    c.othersFailed.length > 0
      ? ` (${c.othersFailed.map((f) => `${f.strategy} failed ${f.failed} of ${f.requests}`).join(', ')}‡)`
      : '';
  const missed = missedTargets(c);
  const met = metTargets(c) ? 'yes' : `NO${missed.length > 0 ? ` (${missed.join(', ')})` : ''}`;
  return `${met}${below}${others}`;
}

const PAPER_STRATEGIES: readonly TwinStrategy[] = ['regional', 'retry-slow', 'focus-fastest', 'hybrid'];

/** Expected against realised cost per strategy, summed over workloads and days. */
export function expectedVsRealised(run: TwinRun): ExpectedRealisedRow[] {
  const rows = new Map<
    TwinStrategy,
    {
      requests: number;
      completed: number;
      expected: number;
      hasExpected: boolean;
      realised: number;
      failed: number;
      added: number;
      counts: Record<string, number>;
    }
  >();
  for (const day of run.days) {
    for (const b of day.bursts) {
      let r = rows.get(b.strategy);
      if (!r) {
        r = {
          requests: 0,
          completed: 0,
          expected: 0,
          hasExpected: false,
          realised: 0,
          failed: 0,
          added: 0,
          counts: {},
        };
        rows.set(b.strategy, r);
      }
      r.requests += b.outcome.requests;
      r.realised += b.outcome.costUsd;
      r.failed += b.outcome.failed;
      r.added += b.outcome.addedLatencyMs;
      r.completed += b.outcome.completed;
      for (const [ms, n] of Object.entries(b.outcome.addedLatencyCounts)) r.counts[ms] = (r.counts[ms] ?? 0) + n;
      if (b.expectedCostUsd !== undefined) {
        r.expected += b.expectedCostUsd * b.outcome.requests;
        r.hasExpected = true;
      }
    }
  }
  return TWIN_STRATEGIES.filter((s) => rows.has(s)).map((strategy) => {
    const r = rows.get(strategy)!;
    const expected = r.hasExpected ? r.expected : null;
    return {
      strategy,
      requests: r.requests,
      expectedCostUsd: expected,
      realisedCostUsd: r.realised,
      ratio: expected && expected > 0 ? r.realised / expected : null,
      failedRequests: r.failed,
      meanAddedLatencyMs: r.completed > 0 ? r.added / r.completed : 0,
      p50AddedLatencyMs: quantileOfCounts(r.counts, 0.5),
      p99AddedLatencyMs: quantileOfCounts(r.counts, 0.99),
    };
  });
}

/** A strategy's cost, requests, completed and failed requests on one workload. */
interface WorkloadTally {
  costUsd: number;
  requests: number;
  completed: number;
  failed: number;
}

type TallyByWorkload = Map<string, Map<TwinStrategy, WorkloadTally>>;

/** `optimal` per workload against the fixed zone, the paper's strategies, the oracle and (when given) the memoryless bound. */
export function optimalChecks(run: TwinRun, bounds: readonly MemorylessBoundRow[] = []): OptimalCheckRow[] {
  const tallies: TallyByWorkload = new Map();
  const talliesAfterFirstDay: TallyByWorkload = new Map();
  const firstDay = Math.min(...run.days.map((d) => d.day));
  const latency = new Map<string, Record<string, number>>();
  for (const day of run.days) {
    for (const b of day.bursts) {
      if (b.strategy === 'optimal') {
        const counts = latency.get(b.workload) ?? {};
        for (const [ms, n] of Object.entries(b.outcome.addedLatencyCounts)) counts[ms] = (counts[ms] ?? 0) + n;
        latency.set(b.workload, counts);
      }
      addTally(tallies, b);
      if (day.day > firstDay) addTally(talliesAfterFirstDay, b);
    }
  }
  const out: OptimalCheckRow[] = [];
  for (const [workload, byStrategy] of tallies) {
    const cost = comparableCosts(byStrategy);
    const baselineUsd = cost.get('baseline');
    const optimalUsd = cost.get('optimal');
    if (baselineUsd === undefined || optimalUsd === undefined) continue;
    let bestPaper: OptimalCheckRow['bestPaper'] = null;
    for (const s of PAPER_STRATEGIES) {
      const c = cost.get(s);
      if (c !== undefined && (bestPaper === null || c < bestPaper.costUsd)) bestPaper = { strategy: s, costUsd: c };
    }
    const oracleUsd = cost.get('oracle') ?? null;
    const oracleSavingsPct = oracleUsd === null ? null : savingsPct(oracleUsd, baselineUsd);
    const gapClosedPct = gapClosed(cost);
    const later = talliesAfterFirstDay.get(workload);
    const othersFailed = [...byStrategy]
      .filter(([s, t]) => s !== 'optimal' && t.failed > 0)
      .map(([strategy, t]) => ({ strategy, failed: t.failed, requests: t.requests }));
    out.push({
      workload,
      baselineUsd,
      optimalUsd,
      bestPaper,
      oracleUsd,
      othersFailed,
      oracleSavingsPct,
      gapClosedPct,
      gapClosedAfterFirstDayPct: later ? gapClosed(comparableCosts(later)) : null,
      optimalFailed: byStrategy.get('optimal')?.failed ?? 0,
      optimalP50AddedLatencyMs: quantileOfCounts(latency.get(workload) ?? {}, 0.5),
      optimalP99AddedLatencyMs: quantileOfCounts(latency.get(workload) ?? {}, 0.99),
      notAboveBaseline: optimalUsd <= baselineUsd,
      notAboveBestPaper: bestPaper === null || optimalUsd <= bestPaper.costUsd,
      closesGap: oracleSavingsPct === null || oracleSavingsPct < 5 || (gapClosedPct ?? 0) >= 80,
      belowOracle: oracleUsd !== null && optimalUsd < oracleUsd,
      memorylessSavingsPct: bounds.find((b) => b.workload === workload)?.savingsPct ?? null,
    });
  }
  return out;
}

/** Adds a burst's cost and requests to its workload's and strategy's tally. */
function addTally(tallies: TallyByWorkload, b: BurstRecord): void {
  let byStrategy = tallies.get(b.workload);
  if (!byStrategy) {
    byStrategy = new Map();
    tallies.set(b.workload, byStrategy);
  }
  const t = byStrategy.get(b.strategy) ?? { costUsd: 0, requests: 0, completed: 0, failed: 0 };
  t.costUsd += b.outcome.costUsd;
  t.requests += b.outcome.requests;
  t.completed += b.outcome.completed;
  t.failed += b.outcome.failed;
  byStrategy.set(b.strategy, t);
}

/** Each strategy's `comparableCostUsd`. */
function comparableCosts(byStrategy: ReadonlyMap<TwinStrategy, WorkloadTally>): Map<TwinStrategy, number> {
  return new Map([...byStrategy].map(([strategy, t]) => [strategy, comparableCostUsd(t)]));
}

/** 100 × (baseline − optimal) / (baseline − oracle) of summed costs; null where one is missing or the oracle saves nothing. */
function gapClosed(byStrategy: ReadonlyMap<TwinStrategy, number>): number | null {
  const baseline = byStrategy.get('baseline');
  const optimal = byStrategy.get('optimal');
  const oracle = byStrategy.get('oracle');
  if (baseline === undefined || optimal === undefined || oracle === undefined) return null;
  const gap = baseline - oracle;
  return gap > 0 ? (100 * (baseline - optimal)) / gap : null;
}

/** Every target met: no failed request, not above the fixed zone nor the best paper strategy, the gap closed. */
export function metTargets(c: OptimalCheckRow): boolean {
  return c.optimalFailed === 0 && c.notAboveBaseline && c.notAboveBestPaper && c.closesGap;
}

/** The footnote of the memoryless bound's column. */
export const MEMORYLESS_NOTE =
  "memoryless %: the least expected cost of a router that knows every true mix and runtime but not an instance's CPU before a call, each attempt on a new instance (the core's cost model, over zones, architectures, memory sizes and reject sets), against the fixed zone in the same model, a fleet taking no more calls at once than it holds; warm reuse and a function's preferred hosts (its cold starts fill one host before the next) are outside it. 'memoryless < 80% too': even that closes less than 80% of the oracle's gap (the rest needs seeing CPUs before placing)";

/** The footnote of the column (named `column`) of the oracle's gap closed after the first day. */
export function fromDay2Note(column: string): string {
  return `${column}: the share of the oracle's gap closed over the days after the first (not a target). The first day starts from the profiling phase's runtimes and the sampled mixes; later days start also from what earlier days' calls taught the router (runtimes on more CPUs and sizes, each function's own hosts), while the oracle knows every instance from the start. '-': a one-day run, or the oracle saves nothing after day 1`;
}

const pct = (x: number | null): string => (x === null ? '-' : x.toFixed(1));
const wholePct = (x: number | null): string => (x === null ? '-' : x.toFixed(0));

/**
 * Each strategy's profiling phase, which no burst's cost holds, and what the strategy saves against the fixed zone
 * once its phase is added to its bursts' cost. The fixed zone's bursts are taken alone: a deployment that sends
 * everything to one zone at one size needs no runtimes to place by. Empty without a profiling phase.
 */
function formatProfilingSpend(run: TwinRun, strategies: readonly ExpectedRealisedRow[]): string[] {
  const rows = profilingRows(run);
  if (rows.length === 0) return [];
  const realised = new Map(
    strategies.map((r) => [
      r.strategy,
      comparableCostUsd({ costUsd: r.realisedCostUsd, requests: r.requests, completed: r.requests - r.failedRequests }),
    ]),
  );
  const fixed = realised.get('baseline');
  const lines = [
    '',
    "profiling phase per strategy (its deployment's first day, before its bursts; billed, but in no cost above)",
    `  ${'strategy'.padEnd(14)}${'calls'.padStart(10)}${'attempts'.padStart(10)}${'cost $'.padStart(13)}${'vs fixed zone with it %'.padStart(26)}`,
  ];
  for (const r of rows) {
    const bursts = realised.get(r.strategy);
    const net =
      fixed === undefined || bursts === undefined || r.strategy === 'baseline'
        ? '-'
        : pct(savingsPct(bursts + r.costUsd, fixed));
    lines.push(
      `  ${r.strategy.padEnd(14)}${String(r.calls).padStart(10)}${String(r.attempts).padStart(10)}${r.costUsd.toFixed(4).padStart(13)}${net.padStart(26)}`,
    );
  }
  lines.push(
    "  vs fixed zone with it: 100 × (fixed zone − (strategy + its profiling)) / fixed zone over the run's",
    '  days. The fixed zone (baseline) needs no runtimes to place by, so its profiling is left out. Each',
    '  deployment profiles once, on its first day, so over more days the phase weighs less.',
  );
  if (strategies.some((r) => r.failedRequests > 0)) {
    lines.push(
      "  Where a strategy failed requests, its bursts count per completed request × requests (the targets' ‡).",
    );
  }
  return lines;
}

/** Both tables as text, for `sky twin` and `npm run bench twin`; `bounds` adds the memoryless bound's column. */
export function formatStrategyChecks(run: TwinRun, bounds: readonly MemorylessBoundRow[] = []): string {
  const waves = (run.waves ?? 1) > 1 ? `, each burst in ${run.waves} waves` : '';
  const lines = [`expected vs realised cost per strategy (all workloads and days${waves})`];
  lines.push(
    `  ${'strategy'.padEnd(14)}${'requests'.padStart(10)}${'expected $'.padStart(13)}${'realised $'.padStart(13)}${'ratio'.padStart(8)}${'failed'.padStart(8)}${'added ms mean'.padStart(15)}${'p50'.padStart(7)}${'p99'.padStart(7)}`,
  );
  const strategies = expectedVsRealised(run);
  for (const r of strategies) {
    lines.push(
      `  ${r.strategy.padEnd(14)}${String(r.requests).padStart(10)}${(r.expectedCostUsd === null ? '-' : r.expectedCostUsd.toFixed(4)).padStart(13)}${r.realisedCostUsd.toFixed(4).padStart(13)}${(r.ratio === null ? '-' : r.ratio.toFixed(3)).padStart(8)}${String(r.failedRequests).padStart(8)}${r.meanAddedLatencyMs.toFixed(0).padStart(15)}${String(r.p50AddedLatencyMs).padStart(7)}${String(r.p99AddedLatencyMs).padStart(7)}`,
    );
  }
  lines.push(...formatProfilingSpend(run, strategies));
  const checks = optimalChecks(run, bounds);
  const withBound = bounds.length > 0;
  lines.push(
    '',
    "optimal against the targets (no failed request, ≤ fixed zone, ≤ best paper strategy, ≥ 80% of the oracle's gap where it saves ≥ 5%)",
  );
  lines.push(
    `  ${'workload'.padEnd(24)}${'vs fixed %'.padStart(11)}${'best paper'.padStart(15)}${'vs it %'.padStart(9)}${'oracle %'.padStart(10)}${'gap closed %'.padStart(14)}${'from day 2 %'.padStart(14)}${withBound ? 'memoryless %'.padStart(14) : ''}${'failed'.padStart(8)}  met`,
  );
  for (const c of checks) {
    const vsPaper = c.bestPaper ? savingsPct(c.optimalUsd, c.bestPaper.costUsd).toFixed(1) : '-';
    lines.push(
      `  ${c.workload.padEnd(24)}${savingsPct(c.optimalUsd, c.baselineUsd).toFixed(1).padStart(11)}${(c.bestPaper?.strategy ?? '-').padStart(15)}${vsPaper.padStart(9)}${(c.oracleSavingsPct === null ? '-' : c.oracleSavingsPct.toFixed(1)).padStart(10)}${wholePct(c.gapClosedPct).padStart(14)}${wholePct(c.gapClosedAfterFirstDayPct).padStart(14)}${withBound ? pct(c.memorylessSavingsPct).padStart(14) : ''}${String(c.optimalFailed).padStart(8)}  ${metText(c)}`,
    );
  }
  const met = checks.filter(metTargets).length;
  lines.push(`  targets met on ${met} of ${checks.length} workloads`);
  if (checks.some((c) => c.belowOracle)) lines.push(`  ${BELOW_ORACLE_NOTE}`);
  if (checks.some(anyFailed)) lines.push(`  ${PER_COMPLETED_NOTE}`);
  lines.push(`  ${fromDay2Note('from day 2 %')}`);
  if (withBound) lines.push(`  ${MEMORYLESS_NOTE}`);
  return `${lines.join('\n')}\n`;
}

/** The target checks of one scenario run, for the summary over scenarios. */
export interface ScenarioChecks {
  readonly scenario: string;
  readonly seed: number;
  readonly days: number;
  readonly checks: readonly OptimalCheckRow[];
}

/** The checks of one run, labelled by its scenario, seed and days. */
export function scenarioChecksOf(run: TwinRun, bounds: readonly MemorylessBoundRow[] = []): ScenarioChecks {
  return { scenario: run.scenario, seed: run.seed, days: run.days.length, checks: optimalChecks(run, bounds) };
}

/**
 * One table of `optimal` against the targets over every scenario run, one row per scenario × workload,
 * with the targets each row misses named, and the count met. For `npm run bench twin`.
 */
export function formatTargetSummary(runs: readonly ScenarioChecks[]): string {
  const withBound = runs.some((r) => r.checks.some((c) => c.memorylessSavingsPct !== null));
  const lines = [
    "optimal against the targets on every scenario run (≤ fixed zone, ≤ best paper strategy, ≥ 80% of the oracle's gap where it saves ≥ 5%, no failed request; its added latency p50/p99)",
    `  ${'scenario'.padEnd(22)}${'seed'.padStart(6)}${'days'.padStart(5)}  ${'workload'.padEnd(22)}${'vs fixed %'.padStart(11)}${'vs paper %'.padStart(11)}${'oracle %'.padStart(9)}${'gap %'.padStart(7)}${'day 2+ %'.padStart(10)}${withBound ? 'memoryless %'.padStart(13) : ''}${'failed'.padStart(7)}${'p50/p99 ms'.padStart(12)}  met`,
  ];
  let met = 0;
  let total = 0;
  for (const r of runs) {
    for (const c of r.checks) {
      total++;
      const ok = metTargets(c);
      if (ok) met++;
      const vsPaper = c.bestPaper ? savingsPct(c.optimalUsd, c.bestPaper.costUsd).toFixed(1) : '-';
      lines.push(
        `  ${r.scenario.padEnd(22)}${String(r.seed).padStart(6)}${String(r.days).padStart(5)}  ${c.workload.padEnd(22)}${savingsPct(c.optimalUsd, c.baselineUsd).toFixed(1).padStart(11)}${vsPaper.padStart(11)}${(c.oracleSavingsPct === null ? '-' : c.oracleSavingsPct.toFixed(1)).padStart(9)}${wholePct(c.gapClosedPct).padStart(7)}${wholePct(c.gapClosedAfterFirstDayPct).padStart(10)}${withBound ? pct(c.memorylessSavingsPct).padStart(13) : ''}${String(c.optimalFailed).padStart(7)}${`${c.optimalP50AddedLatencyMs}/${c.optimalP99AddedLatencyMs}`.padStart(12)}  ${metText(c)}`,
      );
    }
  }
  lines.push(`  targets met on ${met} of ${total} scenario workloads, over ${runs.length} run(s)`);
  if (runs.some((r) => r.checks.some((c) => c.belowOracle))) lines.push(`  ${BELOW_ORACLE_NOTE}`);
  if (runs.some((r) => r.checks.some(anyFailed))) lines.push(`  ${PER_COMPLETED_NOTE}`);
  lines.push(`  ${fromDay2Note('day 2+ %')}`);
  if (withBound) lines.push(`  ${MEMORYLESS_NOTE}`);
  return `${lines.join('\n')}\n`;
}
