import { formatMix, formatNumber, formatPct, formatUsd, textTable } from './format';
import type { SummaryTable } from './types';

/** The per-zone half of the summary as a plain-text table. */
export function formatZoneSummary(summary: SummaryTable): string {
  return textTable(
    ['zone', 'region', 'CPU mix', 'polls', 'stopped', 'APE vs truth', 'cost'],
    summary.zones.map((zone) => [
      zone.name ? `${zone.azId} (${zone.name})` : zone.azId,
      zone.region,
      formatMix(zone.counts),
      String(zone.polls),
      zone.stoppedBecause ?? '–',
      formatPct(zone.apeVsTruth),
      formatUsd(zone.costUsd),
    ]),
    [3, 5, 6],
  );
}

/** The per-strategy half of the summary as a plain-text table. */
export function formatStrategySummary(summary: SummaryTable): string {
  return textTable(
    ['strategy', 'requests', 'cost', 'fixed-zone cost', 'savings', 'attempts/req', 'added latency'],
    summary.strategies.map((row) => [
      row.strategy,
      String(row.requests),
      formatUsd(row.costUsd),
      formatUsd(row.baselineCostUsd),
      formatPct(row.savingsPct),
      formatNumber(row.attemptsPerRequest, 2),
      `${formatNumber(row.meanAddedLatencyMs, 0)} ms`,
    ]),
    [1, 2, 3, 4, 5, 6],
  );
}

/** Both halves of the summary, as the CLI prints them. */
export function formatSummary(summary: SummaryTable): string {
  return [`Summary (${summary.source})`, '', formatZoneSummary(summary), '', formatStrategySummary(summary)].join('\n');
}
