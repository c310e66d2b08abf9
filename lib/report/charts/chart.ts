import type { ReportZone } from '../types';
import type { TopLevelSpec } from '../vega-types';

/** One chart of the report: a vega-lite spec plus the words around it. */
export interface Chart {
  /** Stable id, used as the anchor in the page and as the SVG's name. */
  readonly id: string;
  readonly title: string;
  /** The paper figure a reader would compare it with, e.g. `Figure 7`. */
  readonly paperFigure: string;
  /** How to read it, one or two sentences. */
  readonly caption: string;
  readonly spec: TopLevelSpec;
}

/**
 * Names given to the data marks of each chart. vega writes a mark named `n` as an SVG group with
 * class `n_marks`, which is how a reader (or a test) finds the data marks among axes and legends.
 */
export const MARK_NAMES = {
  cpuMixBars: 'cpumix_bars',
  cpuMixDailyBars: 'cpumixdaily_bars',
  apeLines: 'ape_lines',
  apePoints: 'ape_points',
  pollsTo95Lines: 'polls95_lines',
  pollsTo95Points: 'polls95_points',
  pollsTo95Never: 'polls95_never',
  driftLines: 'drift_lines',
  driftPoints: 'drift_points',
  costLines: 'cost_lines',
  costPoints: 'cost_points',
  savingsBars: 'savings_bars',
  costCarbonLines: 'costcarbon_lines',
  costCarbonPoints: 'costcarbon_points',
} as const;

/** The label a chart shows for a zone: AZ ID, with the paper's AZ name beside it where known. */
export function zoneLabel(zone: ReportZone | undefined, azId: string): string {
  return zone?.name ? `${azId} (${zone.name})` : azId;
}

/** Looks up zones by AZ ID. */
export function zoneIndex(zones: readonly ReportZone[]): (azId: string) => string {
  const byId = new Map(zones.map((zone) => [zone.azId, zone]));
  return (azId) => zoneLabel(byId.get(azId), azId);
}

/** Shared look: plain fonts, no background, room for a legend on the right. */
export const CHART_CONFIG = {
  background: 'white',
  font: 'sans-serif',
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 260 },
  title: { fontSize: 14, anchor: 'start' },
} as const;

/** A categorical palette with enough distinct colours for CPU types, zones and strategies. */
export const PALETTE = [
  '#4c78a8',
  '#f58518',
  '#54a24b',
  '#e45756',
  '#72b7b2',
  '#b279a2',
  '#eeca3b',
  '#9d755d',
  '#ff9da6',
  '#bab0ac',
];

/**
 * The two layers of a line chart whose data points are also drawn: a line and a filled point mark
 * over the same encoding, each named so the data marks can be found in the SVG.
 */
export function lineWithPointsLayers<E>(lineName: string, pointName: string, encoding: E) {
  return [
    { name: lineName, mark: { type: 'line' as const }, encoding },
    { name: pointName, mark: { type: 'point' as const, filled: true }, encoding },
  ] as const;
}
