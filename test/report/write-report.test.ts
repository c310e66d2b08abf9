import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  formatHighlights,
  formatSummary,
  MARK_NAMES,
  pollsTo95,
  pollsTo95Chart,
  type ReportData,
  ReportDataError,
  renderReportHtml,
  shortCpuLabel,
  validateReportData,
  type WrittenReport,
  writeReport,
} from '../../lib/report';
import { reportFixture } from './report-fixture';
import { countMarkItems, figureSvg } from './svg-marks';

const distinct = <T>(values: readonly T[]): number => new Set(values).size;

describe('writeReport', () => {
  const data = reportFixture();
  let dir: string;
  let written: WrittenReport;
  let html: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sky-report-'));
    written = await writeReport(data, dir);
    html = await readFile(written.htmlPath, 'utf8');
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes the data as given to report.json', async () => {
    expect(JSON.parse(await readFile(written.jsonPath, 'utf8'))).toEqual(data);
  });

  it('draws one figure per chart, results first, each with an inline svg', () => {
    expect(written.charts).toEqual([
      'savings',
      'cost-per-day-zipper',
      'cost-per-day-logistic-regression',
      'cpu-mix',
      'ape-by-polls',
      'polls-to-95',
      'drift',
      'cpu-mix-daily',
    ]);
    for (const id of written.charts) expect(figureSvg(html, id)).toMatch(/^<svg[^>]*>/);
  });

  it('puts results first and provenance last, and says which figures come from the live run and which from the twin', () => {
    const at = (text: string): number => {
      expect(html).toContain(text);
      return html.indexOf(text);
    };
    expect(at('Summary of the live run')).toBeLessThan(at('Savings per workload and strategy (multi-day twin'));
    expect(at('Savings per workload and strategy (multi-day twin')).toBeLessThan(at('<h2 id="charts">'));
    expect(at('<h2 id="charts">')).toBeLessThan(at('<h2 id="paper">'));
    expect(at('<h2 id="paper">')).toBeLessThan(at('<h2 id="provenance">'));
    expect(html).toContain('Two sources of figures');
    // No chart legend or table column for the baseline's savings against itself
    expect(html).not.toMatch(/<th>baseline<\/th>/);
  });

  it('is self-contained: no script, no external reference, no URL', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/https?:/i);
    expect(html).not.toMatch(/<link|<img|<iframe|\ssrc=/i);
    // Only in-page references: anchors and clip paths.
    for (const [, target] of html.matchAll(/href="([^"]*)"/g)) expect(target).toMatch(/^#/);
    for (const [, target] of html.matchAll(/url\(([^)]*)\)/g)) expect(target).toMatch(/^#/);
  });

  it('gives every element id once, even across charts', () => {
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(written.charts.length);
    expect(distinct(ids)).toBe(ids.length);
    for (const [, target] of html.matchAll(/url\(#([^)]*)\)/g)) expect(ids).toContain(target);
  });

  it('escapes text from the data', () => {
    expect(html).toContain('Three zones &lt;made up&gt; &amp; three days');
    expect(html).not.toContain('<made up>');
  });

  it('CPU mix: one bar segment per zone and CPU type seen', () => {
    const expected = data.summary.zones.flatMap((zone) =>
      Object.values(zone.counts).filter((count) => count > 0),
    ).length;
    expect(expected).toBe(8);
    expect(countMarkItems(figureSvg(html, 'cpu-mix'), MARK_NAMES.cpuMixBars).items).toBe(expected);
  });

  it('CPU mix day by day: one bar segment per zone, day and CPU type seen, one panel per zone', () => {
    const nonzero = data.cpuMix.filter((row) => row.count > 0);
    const marks = countMarkItems(figureSvg(html, 'cpu-mix-daily'), MARK_NAMES.cpuMixDailyBars);
    expect(marks.items).toBe(nonzero.length);
    expect(marks.groups).toBe(distinct(nonzero.map((row) => row.azId)));
  });

  it('APE against polls: one line per zone and one point per poll, on the first day', () => {
    const day0 = data.apeByPolls.filter((row) => row.day === 0);
    const svg = figureSvg(html, 'ape-by-polls');
    expect(countMarkItems(svg, MARK_NAMES.apeLines).items).toBe(distinct(day0.map((row) => row.azId)));
    expect(countMarkItems(svg, MARK_NAMES.apePoints).items).toBe(day0.length);
  });

  it('polls to 95%: every zone-day, a point where it got there and a cross where it never did', () => {
    const all = pollsTo95(data.apeByPolls);
    const reached = all.filter((row) => row.polls !== null);
    // The rule itself: the first poll with APE ≤ 5, or null when no poll got there.
    expect(all).toContainEqual({ azId: 'usw1-az1', day: 2, polls: 4 });
    expect(all).toContainEqual({ azId: 'sae1-az1', day: 0, polls: null });
    const svg = figureSvg(html, 'polls-to-95');
    expect(countMarkItems(svg, MARK_NAMES.pollsTo95Points).items).toBe(reached.length);
    expect(countMarkItems(svg, MARK_NAMES.pollsTo95Never).items).toBe(all.length - reached.length);
    expect(countMarkItems(svg, MARK_NAMES.pollsTo95Lines).items).toBe(distinct(all.map((row) => row.azId)));
    // The chart's data keeps the never-reached days as gaps (null), so no line joins across them.
    const chart = pollsTo95Chart(data);
    const values = (chart.spec as { data: { values: Array<{ polls: number | null }> } }).data.values;
    expect(values).toHaveLength(all.length);
    expect(values.filter((v) => v.polls === null)).toHaveLength(all.length - reached.length);
    expect(JSON.stringify(chart.spec)).toContain('break-paths');
  });

  it('drift: one line per zone and one point per zone and day', () => {
    const svg = figureSvg(html, 'drift');
    expect(countMarkItems(svg, MARK_NAMES.driftLines).items).toBe(distinct(data.drift.map((row) => row.azId)));
    expect(countMarkItems(svg, MARK_NAMES.driftPoints).items).toBe(data.drift.length);
  });

  it.each(['zipper', 'logistic-regression'])(
    'cost per day of %s: one line per strategy, one point per strategy and day',
    (workload) => {
      const rows = data.costPerDay.filter((row) => row.workload === workload);
      const svg = figureSvg(html, `cost-per-day-${workload}`);
      expect(countMarkItems(svg, MARK_NAMES.costLines).items).toBe(distinct(rows.map((row) => row.strategy)));
      expect(countMarkItems(svg, MARK_NAMES.costPoints).items).toBe(rows.length);
    },
  );

  it('savings: one bar per workload and strategy other than the baseline', () => {
    const expected = data.workloadSavings.filter((row) => row.strategy !== 'baseline').length;
    expect(countMarkItems(figureSvg(html, 'savings'), MARK_NAMES.savingsBars).items).toBe(expected);
  });

  it('shows the summary and the paper comparison as tables', () => {
    for (const zone of data.summary.zones) expect(html).toContain(zone.azId);
    expect(html).toContain('intel-xeon-2.50 54%, intel-xeon-3.00 31%, intel-xeon-2.90 15%');
    expect(html).toContain('10.0%');
    expect(html).toContain('5.65 polls');
    expect(html).toContain('not measured');
    expect(html).toContain('<li>Routing bursts of 20 &lt;per&gt; day.</li>');
    expect(html).toContain('<p>Profiling: 60 calls (75 attempts) before the strategies&#39; bursts, $0.0123,');
    expect(html).not.toContain('Failed:');
  });

  it('says under the strategies which had failed requests', () => {
    const strategies = data.summary.strategies.map((row) =>
      row.strategy === 'hybrid' ? { ...row, failed: 3, failures: { DeadlineExceeded: 3 } } : row,
    );
    const page = renderReportHtml({ ...data, summary: { ...data.summary, strategies } }, []);
    expect(page).toContain(
      '<p>Failed: hybrid 3 of 120 requests (3 DeadlineExceeded); their savings count answered requests only.</p>',
    );
  });
});

describe('validateReportData', () => {
  const cases: Array<[string, (data: ReportData) => ReportData, string]> = [
    ['no zones', (d) => ({ ...d, zones: [] }), 'zones'],
    ['a fractional day', (d) => ({ ...d, drift: [{ ...d.drift[0], day: 1.5 }] }), 'drift[0].day'],
    ['an unknown zone', (d) => ({ ...d, cpuMix: [{ ...d.cpuMix[0], azId: 'euc1-az9' }] }), 'cpuMix[0].azId'],
    ['an APE beyond 200', (d) => ({ ...d, apeByPolls: [{ ...d.apeByPolls[0], ape: 250 }] }), 'apeByPolls[0].ape'],
    ['zero polls', (d) => ({ ...d, apeByPolls: [{ ...d.apeByPolls[0], polls: 0 }] }), 'apeByPolls[0].polls'],
    ['a negative cost', (d) => ({ ...d, costPerDay: [{ ...d.costPerDay[0], costUsd: -1 }] }), 'costPerDay[0].costUsd'],
    ['a featured workload with no costs', (d) => ({ ...d, featuredWorkloads: ['graph-bfs'] }), 'featuredWorkloads[0]'],
    [
      'a NaN savings',
      (d) => ({
        ...d,
        summary: { ...d.summary, strategies: [{ ...d.summary.strategies[0], savingsPct: Number.NaN }] },
      }),
      'summary.strategies[0].savingsPct',
    ],
    [
      'a fractional memory size',
      (d) => ({
        ...d,
        summary: { ...d.summary, strategies: [{ ...d.summary.strategies[0], memorySizes: [128, 1769.5] }] },
      }),
      'summary.strategies[0].memorySizes[1]',
    ],
    [
      'more failed requests than requests',
      (d) => ({
        ...d,
        summary: { ...d.summary, strategies: [{ ...d.summary.strategies[0], failed: 121 }] },
      }),
      'summary.strategies[0].failed',
    ],
    [
      'fewer profiling attempts than requests',
      (d) => ({ ...d, summary: { ...d.summary, profiling: { requests: 30, attempts: 29, costUsd: 0.01 } } }),
      'summary.profiling.attempts',
    ],
    [
      'a negative profiling cost',
      (d) => ({ ...d, summary: { ...d.summary, profiling: { requests: 30, attempts: 30, costUsd: -0.01 } } }),
      'summary.profiling.costUsd',
    ],
  ];

  it.each(cases)('fails when the data has %s', (_, corrupt, field) => {
    const bad = corrupt(reportFixture());
    expect(() => validateReportData(bad)).toThrow(ReportDataError);
    expect(() => validateReportData(bad)).toThrow(`field ${field} is`);
  });

  it('accepts the fixture', () => {
    expect(() => validateReportData(reportFixture())).not.toThrow();
  });

  it('refuses before writing anything', async () => {
    const dir = path.join(tmpdir(), `sky-report-refused-${process.pid}`);
    await expect(writeReport({ ...reportFixture(), zones: [] }, dir)).rejects.toThrow(ReportDataError);
    await expect(readFile(path.join(dir, 'report.html'))).rejects.toThrow();
  });
});

describe('formatHighlights', () => {
  it("names the zones' polls, APE and cost, and the strategies that saved the most and the least", () => {
    const { source, zones, strategies } = reportFixture().summary;
    const text = formatHighlights({ source, zones, strategies });
    // Polls 3, 1, 2; APE 2.1 and 4 (one zone has no truth); cost 0.021 + 0.007 + 0.014.
    expect(text).toContain(
      'Sampling: 3 zones characterized in 1–3 polls each, 2.1–4.0% APE against the true mix, $0.0420 in all.',
    );
    // hybrid is the only strategy besides the baseline: best and worst at once.
    expect(text).toContain('Routing: hybrid saved the most against the fixed zone (10.0%, 1.60 attempts per request)');
    expect(text).toContain('96 ms added per request');
    // and no profiling sentence where the run did not profile
    expect(text).not.toContain('Profiling');
  });

  it('says where the strategy that saved the most ran, when the rows say', () => {
    const { source, zones, strategies } = reportFixture().summary;
    const placed = strategies.map((row) =>
      row.strategy === 'hybrid' ? { ...row, memorySizes: [128, 512, 2048], architectures: ['arm64'] } : row,
    );
    expect(formatHighlights({ source, zones, strategies: placed })).toContain(
      'Routing: hybrid saved the most against the fixed zone (10.0%, 1.60 attempts per request, at 128–2048 MB on arm64)',
    );
    const one = strategies.map((row) =>
      row.strategy === 'hybrid' ? { ...row, memorySizes: [1769], architectures: ['arm64', 'x86_64'] } : row,
    );
    expect(formatHighlights({ source, zones, strategies: one })).toContain(
      '(10.0%, 1.60 attempts per request, at 1769 MB on arm64 and x86_64)',
    );
  });

  it('says which strategies had failed requests, how many and why, and nothing when none did', () => {
    const { source, zones, strategies } = reportFixture().summary;
    expect(formatHighlights({ source, zones, strategies })).not.toContain('Failed');
    const failing = strategies.map((row) =>
      row.strategy === 'hybrid' ? { ...row, failed: 7, failures: { DeadlineExceeded: 5, NoCapacity: 2 } } : row,
    );
    expect(formatHighlights({ source, zones, strategies: failing })).toContain(
      'Failed: hybrid 7 of 120 requests (5 DeadlineExceeded, 2 NoCapacity); their savings count answered requests only.',
    );
  });

  it('gives what the profiling calls took and cost, apart from the strategies', () => {
    expect(formatHighlights(reportFixture().summary)).toContain(
      "Profiling: 60 calls (75 attempts) before the strategies' bursts, $0.0123, in none of the strategies' costs",
    );
  });
});

describe('formatSummary', () => {
  it('prints every zone and strategy with aligned columns', () => {
    const text = formatSummary(reportFixture().summary);
    const lines = text.split('\n');
    expect(text).toContain('Routing: hybrid saved the most against the fixed zone');
    expect(text).toContain('usw1-az1 (us-west-1a)');
    expect(text).toContain('sae1-az1 (sa-east-1)');
    const hybrid = lines.find((line) => line.startsWith('hybrid'))!;
    expect(hybrid.split(/\s+/).slice(0, 3)).toEqual(['hybrid', '120', '0']);
    expect(hybrid).toContain('10.0%');
    expect(hybrid).toContain('1.60');
    expect(hybrid).toContain('96 ms');
    const header = lines.find((line) => line.startsWith('strategy'))!;
    const baseline = lines.find((line) => line.startsWith('baseline'))!;
    // Right-aligned: the added-latency column ends where its header ends.
    expect(baseline.length).toBe(header.length);
    expect(hybrid.length).toBe(header.length);
  });

  it('fits 100 columns, with short CPU labels, and explains every column once', () => {
    const text = formatSummary(reportFixture().summary);
    expect(text.split('\n').filter((line) => line.length > 100)).toEqual([]);
    expect(text).not.toContain('intel-xeon');
    // Each table is followed by its legend, up to the next blank line.
    const blocks = text.split('\n\n').filter((block) => /^(zone|strategy) /.test(block));
    expect(blocks).toHaveLength(2);
    for (const block of blocks) {
      const columns = block
        .split('\n')[0]
        .split(/\s{2,}/)
        .slice(1);
      expect(columns.length).toBeGreaterThan(4);
      for (const column of columns) {
        const escaped = column.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        const legend = block
          .split('\n')
          .filter((line) => line.startsWith('  '))
          .join(' ')
          .replace(/\s+/g, ' ')
          .trim();
        const explained = legend.match(new RegExp(`(?:^|\\. )${escaped}: `, 'g'))?.length ?? 0;
        expect({ column, explained }).toEqual({ column, explained: 1 });
      }
    }
  });
});

describe('shortCpuLabel', () => {
  it.each([
    ['intel-xeon-2.50', 'x2.5'],
    ['intel-xeon-3.00', 'x3.0'],
    ['amd-epyc', 'epyc'],
    ['amd-epyc-7r13', 'epyc7r13'],
    ['graviton3', 'g3'],
    ['some-cpu', 'some-cpu'],
  ])('%s -> %s', (cpu, label) => {
    expect(shortCpuLabel(cpu)).toBe(label);
  });
});
