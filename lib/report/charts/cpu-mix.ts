import type { ReportData } from '../types';
import { CHART_CONFIG, type Chart, MARK_NAMES, PALETTE, zoneIndex } from './chart';

/** Every CPU key the report mentions, sorted, so a CPU keeps its colour from chart to chart. */
export function cpuKeysOf(data: ReportData): string[] {
  const keys = new Set<string>();
  for (const row of data.cpuMix) keys.add(row.cpu);
  for (const zone of data.summary.zones) for (const cpu of Object.keys(zone.counts)) keys.add(cpu);
  return [...keys].sort();
}

function cpuColor(data: ReportData) {
  return {
    field: 'cpu',
    type: 'nominal',
    title: 'CPU',
    scale: { domain: cpuKeysOf(data), range: PALETTE },
  } as const;
}

/**
 * The CPU mix of each zone as this run's sampling stored it: one stacked bar per zone, one segment per
 * CPU type seen (the main paper's Figure 2).
 */
export function cpuMixChart(data: ReportData): Chart {
  const label = zoneIndex(data.zones);
  const values = data.summary.zones.flatMap((zone) => {
    const total = Object.values(zone.counts).reduce((sum, count) => sum + count, 0);
    return Object.entries(zone.counts)
      .filter(([, count]) => count > 0)
      .map(([cpu, count]) => ({ zone: label(zone.azId), cpu, share: count / total, count }));
  });
  return {
    id: 'cpu-mix',
    title: 'CPU mix per zone',
    paperFigure: 'Figure 2',
    caption:
      'Live run: share of the function instances seen on each CPU type, per zone, in the characterizations this run stored. ' +
      'Zones differ in how many fast 3.0 GHz Xeons they hold, which is what regional routing exploits.',
    spec: {
      name: MARK_NAMES.cpuMixBars,
      config: CHART_CONFIG,
      width: { step: 48 },
      height: 260,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        x: {
          field: 'zone',
          type: 'nominal',
          title: 'zone',
          sort: data.summary.zones.map((zone) => label(zone.azId)),
          axis: { labelAngle: -30, labelLimit: 240 },
        },
        y: { field: 'share', type: 'quantitative', title: 'share of instances', axis: { format: '%' }, stack: 'zero' },
        color: cpuColor(data),
        order: { field: 'cpu' },
      },
    },
  };
}

/** The CPU mix of each zone day by day, one small panel per zone (the data behind the main paper's Figure 7). */
export function cpuMixDailyChart(data: ReportData): Chart {
  const label = zoneIndex(data.zones);
  const totals = new Map<string, number>();
  for (const row of data.cpuMix) {
    const key = `${row.azId}|${row.day}`;
    totals.set(key, (totals.get(key) ?? 0) + row.count);
  }
  const values = data.cpuMix
    .filter((row) => row.count > 0)
    .map((row) => ({
      zone: label(row.azId),
      day: row.day + 1,
      cpu: row.cpu,
      share: row.count / totals.get(`${row.azId}|${row.day}`)!,
    }));
  return {
    id: 'cpu-mix-daily',
    title: 'CPU mix per zone, day by day',
    paperFigure: 'Figures 2 and 7',
    caption:
      'The characterization of each zone on each day of the experiment. Drifting zones change colour from ' +
      'day to day; stable zones keep theirs.',
    spec: {
      name: MARK_NAMES.cpuMixDailyBars,
      config: CHART_CONFIG,
      width: { step: 12 },
      height: 160,
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        column: { field: 'zone', type: 'nominal', title: null },
        x: { field: 'day', type: 'ordinal', title: 'day' },
        y: { field: 'share', type: 'quantitative', title: 'share of instances', axis: { format: '%' }, stack: 'zero' },
        color: cpuColor(data),
        order: { field: 'cpu' },
      },
    },
  };
}
