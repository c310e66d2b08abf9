import type { ReportData } from '../types';
import type { Chart } from './chart';
import { costCarbonChart } from './cost-carbon';
import { cpuMixChart, cpuMixDailyChart } from './cpu-mix';
import { costPerDayChart, savingsChart } from './routing';
import { apeByPollsChart, driftChart, pollsTo95Chart } from './sampling';

/** Every chart the report draws, in page order. */
export function buildCharts(data: ReportData): Chart[] {
  const costCarbon = costCarbonChart(data);
  return [
    cpuMixChart(data),
    apeByPollsChart(data),
    pollsTo95Chart(data),
    driftChart(data),
    cpuMixDailyChart(data),
    ...data.featuredWorkloads.map((workload) => costPerDayChart(data, workload)),
    savingsChart(data),
  ].concat(costCarbon ? [costCarbon] : []);
}
