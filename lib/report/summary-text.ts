import {
  cpuLabelMeaning,
  formatMix,
  formatNumber,
  formatPct,
  formatUsd,
  shortCpuLabel,
  textTable,
  wrapText,
} from './format';
import type { ProfilingSummary, StrategySummaryRow, SummaryTable } from './types';

/** The terminal width the summary is laid out for. */
export const SUMMARY_WIDTH = 100;

/** What each stop reason means, for the legend. */
const STOP_REASONS: Readonly<Record<string, string>> = {
  converged: 'the accuracy target was reached',
  saturated: 'more than the saturation share of a poll failed',
  'capped-polls': 'the poll cap was reached',
  'capped-cost': 'the cost cap was reached',
};

/** The per-zone half of the summary as a plain-text table, with a legend of its columns. */
export function formatZoneSummary(summary: SummaryTable): string {
  const table = textTable(
    ['zone', 'CPU mix', 'polls', 'stopped', 'APE', 'cost'],
    summary.zones.map((zone) => [
      zone.name ? `${zone.azId} (${zone.name})` : `${zone.azId} (${zone.region})`,
      formatMix(zone.counts, true),
      String(zone.polls),
      zone.stoppedBecause ?? '–',
      formatPct(zone.apeVsTruth),
      formatUsd(zone.costUsd),
    ]),
    [2, 4, 5],
  );
  // Xeons by clock first, then the others.
  const order = (cpu: string): string => `${shortCpuLabel(cpu).startsWith('x') ? 0 : 1}${shortCpuLabel(cpu)}`;
  const cpus = [...new Set(summary.zones.flatMap((z) => Object.keys(z.counts)))].sort((a, b) =>
    order(a).localeCompare(order(b)),
  );
  const labels = cpus.map((cpu) => `${shortCpuLabel(cpu)} = ${cpuLabelMeaning(cpu)}`).join(', ');
  const reasons = [...new Set(summary.zones.flatMap((z) => (z.stoppedBecause ? [z.stoppedBecause] : [])))]
    .map((reason) => `${reason}: ${STOP_REASONS[reason] ?? reason}`)
    .join('; ');
  const legend =
    `CPU mix: share of the hosts met on each CPU (${labels}). polls: sampling polls run. ` +
    `stopped: why sampling stopped${reasons ? ` (${reasons})` : ''}. APE: distance of the measured mix from the ` +
    "scenario's true mix, 100 × Σ|p − q| (0 is exact). cost: the zone's polls as billed (Lambda's REPORT records, " +
    "INIT included) at its platform's prices (Lambda's, or its provider's).";
  return `${table}\n${wrapText(legend, SUMMARY_WIDTH, '  ')}`;
}

/** The per-strategy half of the summary as a plain-text table, with a legend of its columns. */
export function formatStrategySummary(summary: SummaryTable): string {
  const table = textTable(
    ['strategy', 'requests', 'failed', 'cost', 'fixed-zone cost', 'savings', 'attempts/req', 'added latency'],
    summary.strategies.map((row) => [
      row.strategy,
      String(row.requests),
      String(row.failed),
      formatUsd(row.costUsd),
      formatUsd(row.baselineCostUsd),
      formatPct(row.savingsPct),
      formatNumber(row.attemptsPerRequest, 2),
      `${formatNumber(row.meanAddedLatencyMs, 0)} ms`,
    ]),
    [1, 2, 3, 4, 5, 6, 7],
  );
  const legend =
    'requests: requests routed under the strategy (all workloads). failed: requests the router answered with an ' +
    'error. cost: what the platforms bill for them, retries and failed requests included. fixed-zone cost: the same ' +
    'answered requests in the fixed zone (the baseline strategy). savings: 100 × (fixed-zone cost − cost) / ' +
    'fixed-zone cost. attempts/req: invocations per request (a rejected CPU means one more). added ' +
    'latency: per request, the billed time of the attempts before its last (their INIT, CPU check and hold).';
  return `${table}\n${wrapText(legend, SUMMARY_WIDTH, '  ')}`;
}

/** Both halves of the summary, as the CLI prints them, within {@link SUMMARY_WIDTH} columns. */
export function formatSummary(summary: SummaryTable): string {
  return [
    wrapText(`Summary (${summary.source}).`, SUMMARY_WIDTH),
    '',
    formatZoneSummary(summary),
    '',
    formatStrategySummary(summary),
    '',
    ...formatHighlights(summary)
      .split('\n')
      .map((line) => wrapText(line, SUMMARY_WIDTH)),
  ].join('\n');
}
/** The profiling calls: what they took and cost, and that no strategy's cost includes them. */
export function profilingSentence(profiling: ProfilingSummary): string {
  return (
    `Profiling: ${profiling.requests} calls (${profiling.attempts} attempts) before the strategies' bursts, ` +
    `${formatUsd(profiling.costUsd)}, in none of the strategies' costs; every strategy's router starts from the ` +
    'runtimes they taught it.'
  );
}

/** The strategies whose requests failed, how many and why; undefined when none did. */
export function failedSentence(strategies: readonly StrategySummaryRow[]): string | undefined {
  const failing = strategies.filter((row) => row.failed > 0);
  if (failing.length === 0) return undefined;
  const why = (row: StrategySummaryRow): string =>
    Object.entries(row.failures)
      .map(([type, n]) => `${n} ${type}`)
      .join(', ');
  return (
    `Failed: ${failing.map((row) => `${row.strategy} ${row.failed} of ${row.requests} requests (${why(row)})`).join('; ')}; ` +
    'their savings count answered requests only.'
  );
}

/** Where a strategy's bursts ran, when the row says: ", at 512–2048 MB on arm64". */
function placedAt(row: StrategySummaryRow): string {
  const sizes = row.memorySizes ?? [];
  if (sizes.length === 0) return '';
  const mb = sizes.length === 1 ? `${sizes[0]}` : `${sizes[0]}–${sizes.at(-1)}`;
  const on = row.architectures && row.architectures.length > 0 ? ` on ${row.architectures.join(' and ')}` : '';
  return `, at ${mb} MB${on}`;
}

/**
 * What the summary shows in a few sentences: how well the zones were characterized, what profiling cost, which
 * strategy paid.
 */
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
  if (summary.profiling) lines.push(profilingSentence(summary.profiling));
  const failed = failedSentence(summary.strategies);
  if (failed) lines.push(failed);
  const others = summary.strategies.filter((s) => s.strategy !== 'baseline');
  if (others.length > 0) {
    const best = others.reduce((a, b) => (b.savingsPct > a.savingsPct ? b : a));
    const worst = others.reduce((a, b) => (b.savingsPct < a.savingsPct ? b : a));
    lines.push(
      `Routing: ${best.strategy} saved the most against the fixed zone (${formatPct(best.savingsPct)}, ` +
        `${formatNumber(best.attemptsPerRequest, 2)} attempts per request${placedAt(best)}); ${worst.strategy} the least ` +
        `(${formatPct(worst.savingsPct)}, ${formatNumber(worst.attemptsPerRequest, 2)} attempts, ` +
        `${formatNumber(worst.meanAddedLatencyMs, 0)} ms added per request).`,
    );
  }
  return lines.join('\n');
}
