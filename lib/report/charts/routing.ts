import type { ReportData } from '../types';
import { CHART_CONFIG, type Chart, lineWithPointsLayers, MARK_NAMES, PALETTE } from './chart';

/** Strategies in the order the papers introduce them, then any others alphabetically. */
const STRATEGY_ORDER = ['baseline', 'regional', 'retry-slow', 'focus-fastest', 'hybrid', 'optimal', 'oracle'];

/** The strategies a report mentions, in a stable order, so a strategy keeps its colour. */
export function strategiesOf(data: ReportData): string[] {
  const seen = new Set([
    ...data.costPerDay.map((row) => row.strategy),
    ...data.workloadSavings.map((row) => row.strategy),
  ]);
  const known = STRATEGY_ORDER.filter((name) => seen.has(name));
  const others = [...seen].filter((name) => !STRATEGY_ORDER.includes(name)).sort();
  return [...known, ...others];
}

function strategyColor(data: ReportData) {
  return {
    field: 'strategy',
    type: 'nominal',
    title: 'strategy',
    scale: { domain: strategiesOf(data), range: PALETTE },
  } as const;
}

/**
 * What one workload cost each day under each strategy (the main paper's Figures 10 and 11, which drew
 * zipper and logistic regression against the fixed us-west-1b baseline).
 */
export function costPerDayChart(data: ReportData, workload: string): Chart {
  const values = data.costPerDay
    .filter((row) => row.workload === workload)
    .sort((a, b) => a.strategy.localeCompare(b.strategy) || a.day - b.day)
    .map((row) => ({ strategy: row.strategy, day: row.day + 1, costUsd: row.costUsd }));
  const encoding = {
    x: { field: 'day', type: 'quantitative', title: 'day', axis: { tickMinStep: 1 } },
    y: { field: 'costUsd', type: 'quantitative', title: 'cost per day (USD)', scale: { zero: false } },
    color: strategyColor(data),
  } as const;
  return {
    id: `cost-per-day-${workload}`,
    title: `Cost per day of ${workload} by strategy`,
    paperFigure: 'Figures 10 and 11',
    caption:
      `The cost of the day’s burst of ${workload} under each strategy. The baseline sends everything to ` +
      `${data.scenario.baselineZone}; lower is better.`,
    spec: {
      config: CHART_CONFIG,
      width: 420,
      height: 240,
      data: { values },
      layer: [...lineWithPointsLayers(MARK_NAMES.costLines, MARK_NAMES.costPoints, encoding)],
    },
  };
}

/** Savings against the baseline per workload and strategy over the whole experiment (§4.5). */
export function savingsChart(data: ReportData): Chart {
  const values = data.workloadSavings
    .filter((row) => row.strategy !== 'baseline')
    .map((row) => ({ workload: row.workload, strategy: row.strategy, savingsPct: row.savingsPct }));
  return {
    id: 'savings',
    title: 'Savings against the fixed zone, per workload and strategy',
    paperFigure: '§4.5',
    caption:
      'Cost saved over the whole experiment against sending every request to the baseline zone. The paper’s ' +
      'hybrid strategy saved 10.03% on average (±3.70) and 18.2% at best (graph BFS).',
    spec: {
      name: MARK_NAMES.savingsBars,
      config: CHART_CONFIG,
      width: { step: 10 },
      height: 240,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: { field: 'workload', type: 'nominal', title: 'workload', axis: { labelAngle: -40, labelLimit: 220 } },
        xOffset: { field: 'strategy', type: 'nominal', sort: strategiesOf(data) },
        y: { field: 'savingsPct', type: 'quantitative', title: 'savings vs baseline (%)' },
        color: strategyColor(data),
      },
    },
  };
}
