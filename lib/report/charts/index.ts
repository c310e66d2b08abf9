export { buildCharts } from './build-charts';
export { type Chart, MARK_NAMES } from './chart';
export { costCarbonChart } from './cost-carbon';
export { cpuKeysOf, cpuMixChart, cpuMixDailyChart } from './cpu-mix';
export { costPerDayChart, savingsChart, strategiesOf } from './routing';
export { ACCURACY_95_APE, apeByPollsChart, driftChart, firstSampledDay, pollsTo95, pollsTo95Chart } from './sampling';
