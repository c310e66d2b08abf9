import type { ApeByPollsRow, ReportData } from '../types';
import { CHART_CONFIG, type Chart, lineWithPointsLayers, MARK_NAMES, PALETTE, zoneIndex } from './chart';

/** "95% accuracy" means an APE of at most 5 (DESIGN.md, Sampling). */
export const ACCURACY_95_APE = 5;

/** The first poll count at which a zone's characterization was within 5 APE of the truth, per zone and day. */
export function pollsTo95(rows: readonly ApeByPollsRow[]): Array<{ azId: string; day: number; polls: number | null }> {
  const byZoneDay = new Map<string, ApeByPollsRow[]>();
  for (const row of rows) {
    const key = `${row.azId}|${row.day}`;
    byZoneDay.set(key, [...(byZoneDay.get(key) ?? []), row]);
  }
  return [...byZoneDay.values()].map((series) => {
    const reached = series
      .filter((row) => row.ape <= ACCURACY_95_APE)
      .reduce<number | null>((first, row) => (first === null || row.polls < first ? row.polls : first), null);
    return { azId: series[0].azId, day: series[0].day, polls: reached };
  });
}

function zoneColor(data: ReportData) {
  const label = zoneIndex(data.zones);
  return {
    field: 'zone',
    type: 'nominal',
    title: 'zone',
    scale: { domain: data.zones.map((zone) => label(zone.azId)), range: PALETTE },
  } as const;
}

/** The first day with sampling data, the one the APE-by-polls chart draws. */
export function firstSampledDay(data: ReportData): number | undefined {
  return data.apeByPolls.reduce<number | undefined>(
    (min, row) => (min === undefined || row.day < min ? row.day : min),
    undefined,
  );
}

/**
 * APE of the cumulative characterization against the zone's truth after each poll, one line per zone,
 * on the first day (the main paper's Figure 5, where a poll is 1000 instances).
 */
export function apeByPollsChart(data: ReportData): Chart {
  const label = zoneIndex(data.zones);
  const day = firstSampledDay(data);
  const values = data.apeByPolls
    .filter((row) => row.day === day)
    .map((row) => ({ zone: label(row.azId), polls: row.polls, ape: row.ape }));
  const encoding = {
    x: { field: 'polls', type: 'quantitative', title: 'number of polls', axis: { tickMinStep: 1 } },
    y: { field: 'ape', type: 'quantitative', title: 'APE vs true mix (%)' },
    color: zoneColor(data),
  } as const;
  return {
    id: 'ape-by-polls',
    title: 'Characterization error against number of polls',
    paperFigure: 'Figure 5',
    caption:
      'Absolute percentage error of the progressive characterization against the true mix, after each poll, ' +
      `on day ${(day ?? 0) + 1}. The dashed line is 95% accuracy (APE 5).`,
    spec: {
      config: CHART_CONFIG,
      width: 420,
      height: 240,
      data: { values },
      layer: [
        ...lineWithPointsLayers(MARK_NAMES.apeLines, MARK_NAMES.apePoints, encoding),
        {
          data: { values: [{ ape: ACCURACY_95_APE }] },
          mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
          encoding: { y: { field: 'ape', type: 'quantitative' } },
        },
      ],
    },
  };
}

/** Polls a run made, per zone and day (the longest series of its APE rows). */
function pollsRun(rows: readonly ApeByPollsRow[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of rows) {
    const key = `${row.azId}|${row.day}`;
    out.set(key, Math.max(out.get(key) ?? 0, row.polls));
  }
  return out;
}

/**
 * Polls the progressive sampling needed to reach 95% accuracy, per zone and day (the main paper's
 * Figure 6). Every zone-day is shown: one that never got there is a cross at the polls its run made,
 * and its zone's line breaks there instead of joining the days around it.
 */
export function pollsTo95Chart(data: ReportData): Chart {
  const label = zoneIndex(data.zones);
  const ran = pollsRun(data.apeByPolls);
  const rows = pollsTo95(data.apeByPolls).sort((a, b) => a.azId.localeCompare(b.azId) || a.day - b.day);
  const values = rows.map((row) => ({ zone: label(row.azId), day: row.day + 1, polls: row.polls }));
  const never = rows
    .filter((row) => row.polls === null)
    .map((row) => ({ zone: label(row.azId), day: row.day + 1, polls: ran.get(`${row.azId}|${row.day}`) ?? 0 }));
  const encoding = {
    x: { field: 'day', type: 'quantitative', title: 'day', axis: { tickMinStep: 1 } },
    y: { field: 'polls', type: 'quantitative', title: 'polls to 95% accuracy', axis: { tickMinStep: 1 } },
    color: zoneColor(data),
  } as const;
  return {
    id: 'polls-to-95',
    title: 'Polls needed for 95% accuracy, day by day',
    paperFigure: 'Figure 6',
    caption:
      'The first number of polls whose characterization is within APE 5 of the true mix, for every zone and day. ' +
      `A cross marks a zone-day that never got there (${never.length} of ${rows.length}), at the polls its run made; ` +
      'lines break there. The paper needed 5.65 polls on average.',
    spec: {
      config: CHART_CONFIG,
      width: 420,
      height: 220,
      data: { values },
      layer: [
        {
          name: MARK_NAMES.pollsTo95Lines,
          // A day that never got within APE 5 breaks the zone's line instead of being skipped over.
          mark: { type: 'line', invalid: 'break-paths-filter-domains' },
          encoding,
        },
        { name: MARK_NAMES.pollsTo95Points, mark: { type: 'point', filled: true }, encoding },
        {
          name: MARK_NAMES.pollsTo95Never,
          data: { values: never },
          mark: { type: 'point', shape: 'cross', size: 60, filled: true },
          encoding,
        },
      ],
    },
  };
}

/** How far each zone's mix moved from its first day's, day by day (the main paper's Figure 7). */
export function driftChart(data: ReportData): Chart {
  const label = zoneIndex(data.zones);
  const values = [...data.drift]
    .sort((a, b) => a.azId.localeCompare(b.azId) || a.day - b.day)
    .map((row) => ({ zone: label(row.azId), day: row.day + 1, ape: row.apeVsFirstDay }));
  const encoding = {
    x: { field: 'day', type: 'quantitative', title: 'day', axis: { tickMinStep: 1 } },
    y: { field: 'ape', type: 'quantitative', title: 'APE vs day 1 (%)' },
    color: zoneColor(data),
  } as const;
  return {
    id: 'drift',
    title: 'Drift of each zone’s CPU mix from day 1',
    paperFigure: 'Figure 7',
    caption:
      'APE of each day’s characterization against the first day’s. In the paper, ca-central-1a, us-west-1a and ' +
      'us-west-1b drifted 20–50% within days while sa-east-1a and eu-north-1a stayed at or below 10%.',
    spec: {
      config: CHART_CONFIG,
      width: 420,
      height: 240,
      data: { values },
      layer: [...lineWithPointsLayers(MARK_NAMES.driftLines, MARK_NAMES.driftPoints, encoding)],
    },
  };
}
