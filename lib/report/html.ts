import type { Chart } from './charts';
import { escapeHtml, formatMix, formatNumber, formatPct, formatUsd } from './format';
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
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { margin: 1.5rem 0 2.5rem; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #444; max-width: 48rem; }
.notes { color: #444; max-width: 56rem; }
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
    ['zone', 'region', 'CPU mix', 'polls', 'stopped', 'APE vs truth', 'sampling cost'],
    summary.zones.map((zone) => [
      cell(zone.name ? `${zone.azId} (${zone.name})` : zone.azId),
      cell(zone.region),
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
    ['strategy', 'requests', 'cost', 'fixed-zone cost', 'savings', 'attempts / request', 'added latency'],
    summary.strategies.map((row) => [
      cell(row.strategy),
      cell(String(row.requests), true),
      cell(formatUsd(row.costUsd), true),
      cell(formatUsd(row.baselineCostUsd), true),
      cell(formatPct(row.savingsPct), true),
      cell(formatNumber(row.attemptsPerRequest, 2), true),
      cell(`${formatNumber(row.meanAddedLatencyMs, 0)} ms`, true),
    ]),
  );
}

function comparisonTable(rows: readonly PaperComparisonRow[]): string {
  return table(
    ['source', 'quantity', 'paper', 'ours', 'note'],
    rows.map((row) => [
      cell(row.source),
      cell(row.quantity),
      cell(`${row.paper} ${row.unit}`.trim(), true),
      cell(
        row.ours === null
          ? 'not measured'
          : `${formatNumber(row.ours, Number.isInteger(row.ours) ? 0 : 2)} ${row.unit}`.trim(),
        true,
      ),
      cell(row.note ?? ''),
    ]),
  );
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
    `<p class="meta">Scenario <strong>${escapeHtml(scenario.name)}</strong> · seed ${scenario.seed} · ${scenario.days} days · ` +
      `baseline zone ${escapeHtml(scenario.baselineZone)} · generated ${escapeHtml(data.generatedAt)}</p>`,
    scenario.description ? `<p>${escapeHtml(scenario.description)}</p>` : '',
    `<nav><ul>${nav.join('')}<li><a href="#paper">Our figures next to the paper’s</a></li></ul></nav>`,
    '<h2 id="summary">Summary</h2>',
    `<p>${escapeHtml(data.summary.source)}</p>`,
    '<h3>Zones</h3>',
    zoneTable(data.summary),
    '<h3>Strategies</h3>',
    strategyTable(data.summary),
    '<h2 id="paper">Our figures next to the paper’s</h2>',
    comparisonTable(data.paperComparison),
    data.notes && data.notes.length > 0
      ? `<ul class="notes">${data.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('')}</ul>`
      : '',
    '<h2 id="charts">Charts</h2>',
    ...charts.map(figure),
    '<p class="meta">The numbers behind every chart are in report.json next to this page.</p>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
