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
  return [
    `Summary (${summary.source})`,
    '',
    formatZoneSummary(summary),
    '',
    formatStrategySummary(summary),
    '',
    formatHighlights(summary),
  ].join('\n');
}

/** Two sentences on what the summary shows: how well the zones were characterized, which strategy paid. */
export function formatHighlights(summary: SummaryTable): string {
  const lines: string[] = [];
  const zones = summary.zones;
  if (zones.length > 0) {
    const polls = zones.map((z) => z.polls);
    const apes = zones.flatMap((z) => (z.apeVsTruth === null ? [] : [z.apeVsTruth]));
    const cost = zones.reduce((sum, z) => sum + z.costUsd, 0);
    const range = (xs: number[], digits: number) =>
      xs.length === 0
        ? '–'
        : Math.min(...xs) === Math.max(...xs)
          ? Math.min(...xs).toFixed(digits)
          : `${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}`;
    lines.push(
      `Sampling: ${zones.length} zones characterized in ${range(polls, 0)} polls each, ` +
        `${range(apes, 1)}% APE against the true mix, ${formatUsd(cost)} in all.`,
    );
  }
  const others = summary.strategies.filter((s) => s.strategy !== 'baseline');
  if (others.length > 0) {
    const best = others.reduce((a, b) => (b.savingsPct > a.savingsPct ? b : a));
    const worst = others.reduce((a, b) => (b.savingsPct < a.savingsPct ? b : a));
    lines.push(
      `Routing: ${best.strategy} saved the most against the fixed zone (${formatPct(best.savingsPct)}, ` +
        `${formatNumber(best.attemptsPerRequest, 2)} attempts per request); ${worst.strategy} the least ` +
        `(${formatPct(worst.savingsPct)}, ${formatNumber(worst.attemptsPerRequest, 2)} attempts, ` +
        `${formatNumber(worst.meanAddedLatencyMs, 0)} ms added per request).`,
    );
  }
  return lines.join('\n');
}
