import type {
  ApeByPollsRow,
  CostCarbonRow,
  CostPerDayRow,
  CpuMixRow,
  DriftRow,
  ReportData,
  SummaryTable,
  WorkloadSavingsRow,
} from '../report/types';
import type { TwinRun } from '../twin/experiment';
import { dailyCosts, twinReport } from '../twin/report';
import type { Scenario } from '../twin/scenario';
import { paperComparison } from './paper-figures';
import type { ZoneSamplingResult } from './sampling';

/** The workloads the paper drew day by day (Figures 10 and 11), then its best hybrid case (§4.5). */
const FEATURED = ['zipper', 'logistic-regression', 'graph-bfs'];

export interface ReportInputs {
  readonly scenario: Scenario;
  /** What the live run stored, zone by zone. */
  readonly sampling: readonly ZoneSamplingResult[];
  readonly summary: SummaryTable;
  /** The twin's multi-day experiment, when it ran. */
  readonly experiment?: TwinRun;
  /** How the figures were measured, for the reader. */
  readonly notes?: readonly string[];
  /** The weighted objective's cost-versus-carbon trade-off per workload, from the stored view. */
  readonly costCarbon?: readonly CostCarbonRow[];
  readonly generatedAt: Date;
}

/**
 * The report's data. Multi-day series (mix per day, APE by polls, drift, cost per day, savings)
 * come from the twin's experiment; without one, the live run's single day stands in for the
 * per-zone series and the routing series are empty.
 */
export function buildReportData(inputs: ReportInputs): ReportData {
  const { scenario, experiment } = inputs;
  const cpuMix: CpuMixRow[] = [];
  const apeByPolls: ApeByPollsRow[] = [];
  const drift: DriftRow[] = [];
  const costPerDay: CostPerDayRow[] = [];
  let workloadSavings: WorkloadSavingsRow[] = [];
  if (experiment) {
    for (const day of experiment.days) {
      for (const s of day.sampling) {
        for (const [cpu, count] of Object.entries(s.counts)) cpuMix.push({ azId: s.azId, day: day.day, cpu, count });
        apeByPolls.push(...s.apeByPoll.map((ape, i) => ({ azId: s.azId, day: day.day, polls: i + 1, ape })));
      }
    }
    for (const c of dailyCosts(experiment)) {
      costPerDay.push({ workload: c.workload, strategy: c.strategy, day: c.day, costUsd: c.costUsd });
    }
    for (const d of experiment.drift) drift.push({ azId: d.azId, day: d.day, apeVsFirstDay: d.apeVsDay0 });
    workloadSavings = twinReport(experiment).routing.map((r) => ({
      workload: r.workload,
      strategy: r.strategy,
      savingsPct: r.savingsPct,
    }));
  } else {
    for (const s of inputs.sampling) {
      for (const [cpu, count] of Object.entries(s.characterization?.counts ?? {}))
        cpuMix.push({ azId: s.azId, day: 0, cpu, count });
      apeByPolls.push(...s.apeByPoll.map((ape, i) => ({ azId: s.azId, day: 0, polls: i + 1, ape })));
    }
  }
  const costed = new Set(costPerDay.map((row) => row.workload));
  return {
    title: `skymesh local sky: ${scenario.name}`,
    generatedAt: inputs.generatedAt.toISOString(),
    scenario: {
      name: scenario.name,
      ...(scenario.description ? { description: scenario.description } : {}),
      seed: scenario.seed,
      days: experiment ? experiment.days.length : 1,
      baselineZone: scenario.baselineZone,
    },
    zones: scenario.zones.map((z) => ({ azId: z.azId, region: z.region, ...(z.name ? { name: z.name } : {}) })),
    cpuMix,
    apeByPolls,
    drift,
    costPerDay,
    featuredWorkloads: FEATURED.filter((w) => costed.has(w)),
    workloadSavings,
    paperComparison: paperComparison(experiment, inputs.summary.strategies),
    ...(inputs.costCarbon && inputs.costCarbon.length > 0 ? { costCarbon: inputs.costCarbon } : {}),
    ...(inputs.notes ? { notes: inputs.notes } : {}),
    summary: inputs.summary,
  };
}
