import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MARK_NAMES, type ReportData, ReportDataError, validateReportData, writeReport } from '../../lib/report';
import { costCarbonChart } from '../../lib/report/charts';
import type { CostCarbonRow } from '../../lib/report/types';
import { reportFixture } from './report-fixture';
import { countMarkItems, figureSvg } from './svg-marks';

function row(workload: string, carbonWeight: number, azId: string, cost: number, carbon: number): CostCarbonRow {
  return {
    workload,
    carbonWeight,
    azId,
    region: azId.startsWith('sae1') ? 'sa-east-1' : 'us-west-1',
    memoryMb: 2048,
    arch: 'x86_64',
    costUsdPer1000: cost,
    carbonGPer1000: carbon,
  };
}

const ROWS: CostCarbonRow[] = [
  row('zipper', 0, 'usw1-az1', 0.1, 0.9),
  row('zipper', 1, 'usw1-az1', 0.1, 0.9),
  row('zipper', 10, 'sae1-az1', 0.14, 0.3),
  row('graph-bfs', 0, 'usw1-az3', 0.05, 0.5),
  row('graph-bfs', 10, 'sae1-az1', 0.07, 0.2),
];

describe('cost-versus-carbon chart', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sky-report-carbon-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('draws one point per workload and carbon weight, with the results (after the cost-per-day charts)', async () => {
    const data: ReportData = { ...reportFixture(), costCarbon: ROWS };
    const written = await writeReport(data, path.join(dir, 'with'));
    const lastCostPerDay = written.charts.findLastIndex((id) => id.startsWith('cost-per-day-'));
    expect(written.charts[lastCostPerDay + 1]).toBe('cost-carbon');
    expect(written.charts.indexOf('cpu-mix')).toBeGreaterThan(lastCostPerDay + 1);
    const svg = figureSvg(await readFile(written.htmlPath, 'utf8'), 'cost-carbon');
    expect(countMarkItems(svg, MARK_NAMES.costCarbonPoints).items).toBe(ROWS.length);
    expect(countMarkItems(svg, MARK_NAMES.costCarbonLines).items).toBe(2);
  });

  it('names where each grid intensity comes from', () => {
    const sources = (rows: CostCarbonRow[]) => {
      const caption = costCarbonChart({ ...reportFixture(), costCarbon: rows })?.caption ?? '';
      return caption.slice(caption.indexOf('Grid intensities'));
    };
    expect(sources(ROWS)).toBe('Grid intensities: Electricity Maps, yearly 2025 (ODbL).');
    // a region with no per-region figure (an endpoint of your own) takes CCF's average, and the caption says so
    expect(sources([...ROWS, { ...row('zipper', 100, 'usw1-az1', 0.2, 0.2), region: 'lab' }])).toBe(
      'Grid intensities: Electricity Maps, yearly 2025 (ODbL) for sa-east-1, us-west-1; ' +
        "Cloud Carbon Footprint's 2023 average of the regions it lists (no per-region figure) for lab.",
    );
    // an IBM or DigitalOcean region takes the figure of the AWS region its grid is like
    expect(sources([...ROWS, { ...row('zipper', 100, 'usw1-az1', 0.2, 0.2), region: 'eu-gb' }])).toBe(sources(ROWS));
  });

  it('is left out when the data has no trade-off', async () => {
    const written = await writeReport(reportFixture(), path.join(dir, 'without'));
    expect(written.charts).not.toContain('cost-carbon');
  });

  it.each([
    [{ azId: 'xx-az9' }, 'costCarbon[1].azId'],
    [{ costUsdPer1000: Number.NaN }, 'costCarbon[1].costUsdPer1000'],
    [{ carbonGPer1000: -1 }, 'costCarbon[1].carbonGPer1000'],
    [{ carbonWeight: -0.5 }, 'costCarbon[1].carbonWeight'],
  ])('fails when a row is out of range (%j), naming the field', (change, field) => {
    const bad: ReportData = { ...reportFixture(), costCarbon: [ROWS[0], { ...ROWS[1], ...change }] };
    expect(() => validateReportData(bad)).toThrow(ReportDataError);
    expect(() => validateReportData(bad)).toThrow(field);
  });
});
