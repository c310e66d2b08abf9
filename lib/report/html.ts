import type { Chart } from './charts';
import { strategiesOf, workloadsOf } from './charts/routing';
import { escapeHtml, formatMix, formatNumber, formatPct, formatUsd } from './format';
import { failedSentence, profilingSentence } from './summary-text';
import type { PaperComparisonRow, ReportData, SummaryTable } from './types';

/** A chart together with its SVG, ready for the page. */
export interface RenderedChart {
  readonly chart: Chart;
  readonly svg: string;
}

const STYLE = `
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; padding: 0 1rem; color: #222; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; }
.meta { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8rem 0 1.6rem; font-size: 0.92rem; }
th, td { border-bottom: 1px solid #ddd; padding: 0.3rem 0.7rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td:first-child { white-space: nowrap; }
figure { margin: 1.5rem 0 2.5rem; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #444; max-width: 48rem; }
.notes { color: #444; max-width: 56rem; }
.sources { background: #f6f8fa; border-left: 4px solid #888; padding: 0.5rem 0.8rem; max-width: 56rem; }
.ref { color: #777; font-weight: normal; font-size: 0.85em; }
nav ul { columns: 2; }
`;

/**
 * Prepares a vega SVG for inlining in HTML: drops the XML namespace declarations (an inline `<svg>`
 * in HTML needs none, and they are the only URLs vega writes) and prefixes element ids so that the
 * clip paths of different charts on one page cannot collide.
 */
export function inlineSvg(svg: string, idPrefix: string): string {
  return svg
    .replace(/\s+xmlns(:\w+)?="[^"]*"/g, '')
    .replace(/\sid="([^"]+)"/g, (_, id: string) => ` id="${idPrefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${idPrefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${idPrefix}-${id}"`);
}

function cell(text: string, numeric = false): string {
  return numeric ? `<td class="num">${escapeHtml(text)}</td>` : `<td>${escapeHtml(text)}</td>`;
}

function table(header: readonly string[], rows: readonly string[][]): string {
  const head = header.map((title) => `<th>${escapeHtml(title)}</th>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${rows.map((row) => `<tr>${row.join('')}</tr>`).join('\n')}</tbody></table>`;
}

function zoneTable(summary: SummaryTable): string {
  return table(
    ['zone', 'CPU mix', 'polls', 'stopped', 'APE vs truth', 'sampling cost'],
    summary.zones.map((zone) => [
      cell(zone.name ? `${zone.azId} (${zone.name})` : `${zone.azId} (${zone.region})`),
      cell(formatMix(zone.counts)),
      cell(String(zone.polls), true),
      cell(zone.stoppedBecause ?? '–'),
      cell(formatPct(zone.apeVsTruth), true),
      cell(formatUsd(zone.costUsd), true),
    ]),
  );
}

function strategyTable(summary: SummaryTable): string {
  return table(
    ['strategy', 'requests', 'failed', 'cost', 'fixed-zone cost', 'savings', 'attempts / request', 'added latency'],
    summary.strategies.map((row) => [
      cell(row.strategy),
      cell(String(row.requests), true),
      cell(String(row.failed), true),
      cell(formatUsd(row.costUsd), true),
      cell(formatUsd(row.baselineCostUsd), true),
      cell(formatPct(row.savingsPct), true),
      cell(formatNumber(row.attemptsPerRequest, 2), true),
      cell(`${formatNumber(row.meanAddedLatencyMs, 0)} ms`, true),
    ]),
  );
}

/** A paragraph of `text`, or nothing without it. */
function paragraphOf(text: string | undefined): string {
  return text ? `<p>${escapeHtml(text)}</p>` : '';
}

/** A figure with its unit in the page's one style: `$0.04`, `10.0%`, `5.65 polls`. */
function withUnit(value: string, unit: string): string {
  if (unit === 'USD' || unit === '$') return value.startsWith('$') ? value : `$${value}`;
  if (unit === '%') return value.endsWith('%') ? value : `${value}%`;
  return `${value} ${unit}`.trim();
}

function comparisonTable(rows: readonly PaperComparisonRow[]): string {
  return table(
    ['source', 'quantity', 'paper', 'ours', 'note'],
    rows.map((row) => [
      cell(row.source),
      cell(row.quantity),
      cell(withUnit(row.paper, row.unit), true),
      cell(
        row.ours === null
          ? 'not measured'
          : withUnit(
              row.unit === 'USD' ? formatUsd(row.ours) : formatNumber(row.ours, Number.isInteger(row.ours) ? 0 : 2),
              row.unit,
            ),
        true,
      ),
      cell(row.note ?? ''),
    ]),
  );
}

/**
 * Savings per workload (rows, in the paper's Table 1 order) and strategy (columns, as in the charts)
 * over all days of the twin, each with ± the standard deviation of the daily savings.
 */
function savingsTable(data: ReportData): string {
  const spreads = dailySavingsSpread(data);
  const strategies = strategiesOf(data).filter((s) => s !== 'baseline');
  return table(
    ['workload', ...strategies],
    workloadsOf(data).map((workload) => [
      cell(workload),
      ...strategies.map((strategy) => {
        const row = data.workloadSavings.find((r) => r.workload === workload && r.strategy === strategy);
        const spread = spreads.get(`${workload}|${strategy}`);
        return cell(
          row ? `${formatPct(row.savingsPct)}${spread === undefined ? '' : ` ± ${spread.toFixed(1)}`}` : '–',
          true,
        );
      }),
    ]),
  );
}

/** Standard deviation of the daily savings against the baseline, per `workload|strategy`. */
export function dailySavingsSpread(data: ReportData): Map<string, number> {
  const baseline = new Map<string, number>();
  for (const row of data.costPerDay)
    if (row.strategy === 'baseline') baseline.set(`${row.workload}|${row.day}`, row.costUsd);
  const daily = new Map<string, number[]>();
  for (const row of data.costPerDay) {
    const base = baseline.get(`${row.workload}|${row.day}`);
    if (row.strategy === 'baseline' || !base) continue;
    const key = `${row.workload}|${row.strategy}`;
    daily.set(key, [...(daily.get(key) ?? []), (100 * (base - row.costUsd)) / base]);
  }
  const spreads = new Map<string, number>();
  for (const [key, xs] of daily) {
    if (xs.length < 2) continue;
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    spreads.set(key, Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)));
  }
  return spreads;
}

function figure(rendered: RenderedChart): string {
  const { chart, svg } = rendered;
  return [
    `<figure id="${escapeHtml(chart.id)}">`,
    `<h3>${escapeHtml(chart.title)} <span class="ref">(cf. ${escapeHtml(chart.paperFigure)})</span></h3>`,
    inlineSvg(svg, chart.id),
    `<figcaption>${escapeHtml(chart.caption)}</figcaption>`,
    '</figure>',
  ].join('\n');
}

function zoneName(data: ReportData, azId: string): string {
  const zone = data.zones.find((z) => z.azId === azId);
  return zone?.name ? `${azId} (${zone.name})` : azId;
}

/**
 * The report as one self-contained HTML page: inline CSS, inline SVG charts, no script and no
 * reference to anything outside the page.
 */
export function renderReportHtml(data: ReportData, charts: readonly RenderedChart[]): string {
  const { scenario } = data;
  const nav = charts.map(({ chart }) => `<li><a href="#${escapeHtml(chart.id)}">${escapeHtml(chart.title)}</a></li>`);
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(data.title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(data.title)}</h1>`,
    `<p class="meta">Scenario <strong>${escapeHtml(scenario.name)}</strong> · seed ${scenario.seed} · ` +
      `fixed zone of the baseline ${escapeHtml(zoneName(data, scenario.baselineZone))} · generated ${escapeHtml(data.generatedAt)}</p>`,
    '<p class="sources"><strong>Two sources of figures.</strong> The <em>live run</em> (the summary) sampled ' +
      'every zone once with its synthesized state machine and routed bursts through the router handler on this ' +
      `machine. The <em>multi-day twin</em> (the savings table and the charts) ran the same sampling and routing ` +
      `code for ${scenario.days} days in virtual time, with the drift of the scenario. The two differ in burst ` +
      'size and in days, so their savings differ; each heading says which one it shows.</p>',
    `<nav><ul>${nav.join('')}<li><a href="#paper">Our figures next to the paper’s</a></li><li><a href="#provenance">How the figures were measured</a></li></ul></nav>`,
    '<h2 id="summary">Summary of the live run</h2>',
    `<p>${escapeHtml(data.summary.source)}</p>`,
    '<h3>Zones</h3>',
    zoneTable(data.summary),
    '<h3>Strategies</h3>',
    strategyTable(data.summary),
    paragraphOf(failedSentence(data.summary.strategies)),
    paragraphOf(data.summary.profiling && profilingSentence(data.summary.profiling)),
    data.workloadSavings.length > 0
      ? `<h2 id="savings-table">Savings per workload and strategy (multi-day twin, ${scenario.days} days)</h2>` +
        '<p>Cost saved against the fixed zone over all days, ± the standard deviation of the daily savings.</p>' +
        savingsTable(data)
      : '',
    '<h2 id="charts">Charts</h2>',
    ...charts.map(figure),
    '<h2 id="paper">Our figures next to the paper’s</h2>',
    comparisonTable(data.paperComparison),
    '<h2 id="provenance">How the figures were measured</h2>',
    data.notes && data.notes.length > 0
      ? `<ul class="notes">${data.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`
      : '',
    scenario.description
      ? `<h3>Calibration of the scenario</h3><p class="notes">${escapeHtml(scenario.description)}</p>`
      : '',
    '<p class="meta">The numbers behind every chart are in report.json next to this page.</p>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
