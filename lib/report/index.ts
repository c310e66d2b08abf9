export * from './charts';
export * from './errors';
export { escapeHtml, formatMix, formatPct, formatUsd, shortCpuLabel, textTable, wrapText } from './format';
export { inlineSvg, type RenderedChart, renderReportHtml } from './html';
export { loadSpecRenderer, renderChartsToSvg, renderSpecsInChild, renderSpecsInProcess } from './render-svg';
export {
  formatHighlights,
  formatStrategySummary,
  formatSummary,
  formatZoneSummary,
  profilingSentence,
} from './summary-text';
export type * from './types';
export { validateReportData } from './validate';
export { type WrittenReport, writeReport } from './write-report';
