import type { ReportData } from '../types';
import type { Chart } from './chart';
import { costCarbonChart } from './cost-carbon';
import { cpuMixChart, cpuMixDailyChart } from './cpu-mix';
import { costPerDayChart, savingsChart } from './routing';
import { apeByPollsChart, driftChart, pollsTo95Chart } from './sampling';

/** Every chart the report draws, in page order: results (savings, cost per day, cost and carbon) first, then sampling. */
export function buildCharts(data: ReportData): Chart[] {
  const costCarbon = costCarbonChart(data);
  return [
    savingsChart(data),
    ...data.featuredWorkloads.map((workload) => costPerDayChart(data, workload)),
    ...(costCarbon ? [costCarbon] : []),
    cpuMixChart(data),
    apeByPollsChart(data),
    pollsTo95Chart(data),
    driftChart(data),
    cpuMixDailyChart(data),
  ];
}
