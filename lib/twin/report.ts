import { type ProfilingSpend, TWIN_STRATEGIES, type TwinRun, type TwinStrategy } from './experiment';
import type { ExpectedRealisedRow, OptimalCheckRow } from './strategy-check';

/**
 * The report `sky twin --json` prints, as the scenario spec defines it: one sampling row per zone
 * and day, one routing row per workload and strategy summed over the days; and beyond the spec,
 * one profiling row per strategy, for the phase whose cost no routing row holds. Numbers are
 * rounded (costs to 1e-6 USD, the rest to 2 decimals) so that the same file and seed print the
 * same bytes.
 */

export interface SamplingRow {
  readonly azId: string;
  /** `arm64` for a run of the zone's arm64 fleet (absent: its x86_64 fleet, as the paper sampled). */
  readonly arch?: 'arm64';
  readonly day: number;
  readonly polls: number;
  readonly pollsTo95: number | null;
  readonly saturatedAtPoll: number | null;
  readonly apeByPoll: readonly number[];
  readonly instancesSeen: number;
  /** What the run cost at the scenario's billing, INIT of new sampler instances included where billed. */
  readonly costUsd: number;
  /** Why the stopping rule stopped: `converged`, `saturated`, `capped-cost` or `capped-polls`. */
  readonly stoppedBy: string;
  /** The drift class the sampling logic assigned (`stable`, `drifting` or `unknown`). */
  readonly driftClass: string;
  /** The rule's APE bound when it stopped, the hosts it saw and its estimate of the zone's hosts. */
  readonly apeBound: number;
  readonly hostsSeen: number;
  readonly fleetEstimate: number | null;
}

export interface RoutingRow {
  readonly workload: string;
  readonly strategy: TwinStrategy;
  readonly costUsd: number;
  readonly baselineCostUsd: number;
  readonly savingsPct: number;
  readonly meanRuntimeMs: number;
  readonly meanAddedLatencyMs: number;
  readonly attemptsPerRequest: number;
  /** Requests that never ran (every target throttled, or the handler failed). */
  readonly failedRequests: number;
  /** Requests that ran in each zone, by AZ ID. */
  readonly zones: Readonly<Record<string, number>>;
  /** Requests that ran at each memory size (MB). */
  readonly memoryMb: Readonly<Record<string, number>>;
  /** Project extension: requests that ran on each architecture. */
  readonly architectures: Readonly<Record<string, number>>;
}

/** One strategy's profiling phase (its deployment's first day, before its bursts; in no routing row's cost). */
export interface ProfilingRow extends ProfilingSpend {
  readonly strategy: TwinStrategy;
}

export interface TwinReport {
  readonly scenario: string;
  readonly sampling: readonly SamplingRow[];
  readonly routing: readonly RoutingRow[];
  /** Per strategy whose router profiled, in report order; empty when the run had no profiling phase. */
  readonly profiling: readonly ProfilingRow[];
  /** Per strategy: expected against realised cost, failures and added latency (`sky twin --json` adds it). */
  readonly strategies?: readonly ExpectedRealisedRow[];
  /** Per workload: `optimal` against the targets (`sky twin --json` adds it). */
  readonly targets?: readonly OptimalCheckRow[];
}

const round = (x: number, digits: number): number => {
  const f = 10 ** digits;
  const r = Math.round(x * f) / f;
  return Object.is(r, -0) ? 0 : r;
};

/** Per workload and strategy, the outcome summed over the days. */
export interface StrategyTotals {
  requests: number;
  completed: number;
  attempts: number;
  costUsd: number;
  runtimeMs: number;
  addedLatencyMs: number;
  failed: number;
  zones: Record<string, number>;
  memoryMb: Record<string, number>;
  architectures: Record<string, number>;
}

function addCounts(into: Record<string, number>, counts: Readonly<Record<string, number>>): void {
  for (const [key, n] of Object.entries(counts)) into[key] = (into[key] ?? 0) + n;
}

/** Counts sorted by key (numerically where the keys are numbers), so reports print the same bytes. */
function sortedCounts(counts: Readonly<Record<string, number>>): Record<string, number> {
  const keys = Object.keys(counts).sort((a, b) => {
    const x = Number(a);
    const y = Number(b);
    return Number.isFinite(x) && Number.isFinite(y) ? x - y : a < b ? -1 : a > b ? 1 : 0;
  });
  return Object.fromEntries(keys.map((k) => [k, counts[k]]));
}

/** Sums the bursts of a run per workload and strategy, in run order. */
export function strategyTotals(run: TwinRun): Map<string, Map<TwinStrategy, StrategyTotals>> {
  const out = new Map<string, Map<TwinStrategy, StrategyTotals>>();
  for (const day of run.days) {
    for (const b of day.bursts) {
      let byStrategy = out.get(b.workload);
      if (!byStrategy) {
        byStrategy = new Map();
        out.set(b.workload, byStrategy);
      }
      let t = byStrategy.get(b.strategy);
      if (!t) {
        t = {
          requests: 0,
          completed: 0,
          attempts: 0,
          costUsd: 0,
          runtimeMs: 0,
          addedLatencyMs: 0,
          failed: 0,
          zones: {},
          memoryMb: {},
          architectures: {},
        };
        byStrategy.set(b.strategy, t);
      }
      t.requests += b.outcome.requests;
      t.completed += b.outcome.completed;
      t.attempts += b.outcome.attempts;
      t.costUsd += b.outcome.costUsd;
      t.runtimeMs += b.outcome.runtimeMs;
      t.addedLatencyMs += b.outcome.addedLatencyMs;
      t.failed += b.outcome.failed;
      addCounts(t.zones, b.outcome.acceptedByZone);
      addCounts(t.memoryMb, b.outcome.acceptedByMemory);
      addCounts(t.architectures, b.outcome.acceptedByArch);
    }
  }
  return out;
}

/** Savings of `cost` against `baseline`, percent. */
export function savingsPct(cost: number, baseline: number): number {
  return baseline > 0 ? (100 * (baseline - cost)) / baseline : 0;
}

/** The spec's report from a run. */
export function twinReport(run: TwinRun): TwinReport {
  const sampling: SamplingRow[] = [];
  for (const day of run.days) {
    const runs = [
      ...day.sampling.map((s, i) => ({ s, driftClass: day.characterizations[i]?.driftClass })),
      ...(day.arm64Sampling ?? []).map((s, i) => ({ s, driftClass: day.arm64Characterizations?.[i]?.driftClass })),
    ];
    for (const { s, driftClass } of runs) {
      sampling.push({
        azId: s.azId,
        ...(s.arch ? { arch: s.arch } : {}),
        day: s.day,
        polls: s.polls.length,
        pollsTo95: s.pollsTo95,
        saturatedAtPoll: s.saturatedAtPoll,
        apeByPoll: s.apeByPoll.map((a) => round(a, 2)),
        instancesSeen: s.instancesSeen,
        costUsd: round(s.costUsd, 6),
        stoppedBy: s.stoppedBecause,
        driftClass: driftClass ?? 'unknown',
        apeBound: round(s.confidence.apeBound, 2),
        hostsSeen: s.confidence.hostsSeen,
        fleetEstimate: s.confidence.fleetEstimate ?? null,
      });
    }
  }
  const routing: RoutingRow[] = [];
  for (const [workload, byStrategy] of strategyTotals(run)) {
    const baseline = byStrategy.get('baseline')?.costUsd ?? 0;
    for (const strategy of run.strategies) {
      const t = byStrategy.get(strategy);
      if (!t) continue;
      routing.push({
        workload,
        strategy,
        costUsd: round(t.costUsd, 6),
        baselineCostUsd: round(baseline, 6),
        savingsPct: round(savingsPct(t.costUsd, baseline), 2),
        meanRuntimeMs: round(t.completed > 0 ? t.runtimeMs / t.completed : 0, 2),
        meanAddedLatencyMs: round(t.completed > 0 ? t.addedLatencyMs / t.completed : 0, 2),
        attemptsPerRequest: round(t.requests > 0 ? t.attempts / t.requests : 0, 3),
        failedRequests: t.failed,
        zones: sortedCounts(t.zones),
        memoryMb: sortedCounts(t.memoryMb),
        architectures: sortedCounts(t.architectures),
      });
    }
  }
  return { scenario: run.scenario, sampling, routing, profiling: profilingRows(run) };
}

/** Each strategy's profiling phase, summed over the days it ran on (one, its first), in report order. */
export function profilingRows(run: TwinRun): ProfilingRow[] {
  const rows: ProfilingRow[] = [];
  for (const strategy of TWIN_STRATEGIES) {
    const spends = run.days.flatMap((d) => d.profiling?.[strategy] ?? []);
    if (spends.length === 0) continue;
    rows.push({
      strategy,
      calls: spends.reduce((sum, p) => sum + p.calls, 0),
      attempts: spends.reduce((sum, p) => sum + p.attempts, 0),
      costUsd: round(
        spends.reduce((sum, p) => sum + p.costUsd, 0),
        6,
      ),
    });
  }
  return rows;
}

/** The report as `sky twin --json` prints it (two-space JSON and a newline). */
export function formatTwinReport(report: TwinReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** One day's cost of one workload under one strategy (paper Figures 10–11). */
export interface DailyCost {
  readonly day: number;
  readonly workload: string;
  readonly strategy: TwinStrategy;
  /** Zone the strategy sent the burst to (the oracle: where most of its requests ran). */
  readonly azId: string;
  readonly costUsd: number;
  readonly baselineCostUsd: number;
  readonly savingsPct: number;
  readonly attemptsPerRequest: number;
}

/** Per day, workload and strategy: cost, savings against the day's baseline, attempts. */
export function dailyCosts(run: TwinRun): DailyCost[] {
  const out: DailyCost[] = [];
  for (const day of run.days) {
    for (const b of day.bursts) {
      const baseline = day.bursts.find((x) => x.workload === b.workload && x.strategy === 'baseline');
      const baselineCost = baseline?.outcome.costUsd ?? 0;
      out.push({
        day: day.day,
        workload: b.workload,
        strategy: b.strategy,
        azId: b.azId,
        costUsd: b.outcome.costUsd,
        baselineCostUsd: baselineCost,
        savingsPct: savingsPct(b.outcome.costUsd, baselineCost),
        attemptsPerRequest: b.outcome.requests > 0 ? b.outcome.attempts / b.outcome.requests : 0,
      });
    }
  }
  return out;
}
