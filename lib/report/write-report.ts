import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { buildCharts } from './charts';
import { renderReportHtml } from './html';
import { makeFolder } from './out-dir';
import { renderChartsToSvg } from './render-svg';
import type { ReportData } from './types';
import { validateReportData } from './validate';

/** Where a report was written. */
export interface WrittenReport {
  readonly htmlPath: string;
  readonly jsonPath: string;
  /** Chart ids in page order. */
  readonly charts: readonly string[];
}

/**
 * Validates the data, renders every chart to SVG and writes `report.html` (self-contained) and
 * `report.json` (the data as given) into `outDir`, creating it if needed.
 *
 * @example
 * const written = await writeReport(data, 'out');
 * console.log(`open ${written.htmlPath}`);
 */
export async function writeReport(data: ReportData, outDir: string): Promise<WrittenReport> {
  validateReportData(data);
  const charts = buildCharts(data);
  const svgs = await renderChartsToSvg(charts);
  const html = renderReportHtml(
    data,
    charts.map((chart, i) => ({ chart, svg: svgs[i] })),
  );
  makeFolder(outDir);
  const htmlPath = path.join(outDir, 'report.html');
  const jsonPath = path.join(outDir, 'report.json');
  await writeFile(htmlPath, html);
  await writeFile(jsonPath, `${JSON.stringify(data, null, 2)}\n`);
  return { htmlPath, jsonPath, charts: charts.map((chart) => chart.id) };
}
