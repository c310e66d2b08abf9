import type { ReportData } from '../../lib/report';

/**
 * A small but uneven report: three zones (one of which never sees an EPYC and one that never reaches 95%
 * on day 1), three days, two featured workloads and four strategies.
 */
export function reportFixture(): ReportData {
  const zones = [
    { azId: 'usw1-az1', region: 'us-west-1', name: 'us-west-1a' },
    { azId: 'usw1-az3', region: 'us-west-1', name: 'us-west-1b' },
    { azId: 'sae1-az1', region: 'sa-east-1' },
  ];
  const mixes: Record<string, Array<Record<string, number>>> = {
    'usw1-az1': [
      { 'intel-xeon-2.50': 550, 'intel-xeon-3.00': 300, 'intel-xeon-2.90': 150 },
      { 'intel-xeon-2.50': 600, 'intel-xeon-3.00': 250, 'intel-xeon-2.90': 150, 'amd-epyc': 0 },
      { 'intel-xeon-2.50': 500, 'intel-xeon-3.00': 400, 'intel-xeon-2.90': 100 },
    ],
    'usw1-az3': [
      { 'intel-xeon-2.50': 700, 'intel-xeon-3.00': 200, 'amd-epyc': 100 },
      { 'intel-xeon-2.50': 650, 'intel-xeon-3.00': 250, 'amd-epyc': 100 },
      { 'intel-xeon-2.50': 700, 'intel-xeon-3.00': 250, 'amd-epyc': 50 },
    ],
    'sae1-az1': [
      { 'intel-xeon-2.50': 900, 'intel-xeon-3.00': 100 },
      { 'intel-xeon-2.50': 900, 'intel-xeon-3.00': 100 },
    ],
  };
  const cpuMix = Object.entries(mixes).flatMap(([azId, days]) =>
    days.flatMap((mix, day) => Object.entries(mix).map(([cpu, count]) => ({ azId, day, cpu, count }))),
  );
  const apeSeries: Record<string, number[][]> = {
    'usw1-az1': [
      [9.1, 5.8, 4.2],
      [7.0, 3.1],
      [12.0, 6.0, 5.5, 4.9],
    ],
    'usw1-az3': [[4.0], [6.2, 4.4], [3.0, 2.0]],
    'sae1-az1': [[8.0, 7.0, 6.0], [2.0]],
  };
  const apeByPolls = Object.entries(apeSeries).flatMap(([azId, days]) =>
    days.flatMap((series, day) => series.map((ape, i) => ({ azId, day, polls: i + 1, ape }))),
  );
  const drift = [
    { azId: 'usw1-az1', day: 0, apeVsFirstDay: 0 },
    { azId: 'usw1-az1', day: 1, apeVsFirstDay: 10 },
    { azId: 'usw1-az1', day: 2, apeVsFirstDay: 20 },
    { azId: 'usw1-az3', day: 0, apeVsFirstDay: 0 },
    { azId: 'usw1-az3', day: 1, apeVsFirstDay: 10 },
    { azId: 'usw1-az3', day: 2, apeVsFirstDay: 10 },
    { azId: 'sae1-az1', day: 0, apeVsFirstDay: 0 },
    { azId: 'sae1-az1', day: 1, apeVsFirstDay: 0 },
  ];
  const strategies = ['baseline', 'retry-slow', 'hybrid', 'oracle'];
  const workloads = ['zipper', 'logistic-regression', 'sha1-hash'];
  const costPerDay = workloads.flatMap((workload, w) =>
    strategies.flatMap((strategy, s) =>
      [0, 1, 2].map((day) => ({ workload, strategy, day, costUsd: 1.5 + 0.1 * w - 0.08 * s + 0.02 * day })),
    ),
  );
  const workloadSavings = workloads.flatMap((workload, w) =>
    strategies.map((strategy, s) => ({ workload, strategy, savingsPct: s === 0 ? 0 : 4 * s + w })),
  );
  return {
    title: 'skymesh local sky: test report',
    generatedAt: '2026-01-01T00:00:00.000Z',
    scenario: {
      name: 'fixture',
      description: 'Three zones <made up> & three days, for the report test.',
      seed: 3,
      days: 3,
      baselineZone: 'usw1-az3',
    },
    zones,
    cpuMix,
    apeByPolls,
    drift,
    costPerDay,
    featuredWorkloads: ['zipper', 'logistic-regression'],
    workloadSavings,
    paperComparison: [
      { source: '§4.4', quantity: 'polls to 95% accuracy', paper: '5.65', ours: 2.4, unit: 'polls' },
      { source: 'Figure 10', quantity: 'retry-slow savings on zipper', paper: '10.1', ours: null, unit: '%' },
    ],
    notes: ['Routing bursts of 20 <per> day.'],
    summary: {
      source: 'test fixture',
      profiling: { requests: 60, attempts: 75, costUsd: 0.0123 },
      zones: [
        {
          azId: 'usw1-az1',
          region: 'us-west-1',
          name: 'us-west-1a',
          counts: { 'intel-xeon-2.50': 540, 'intel-xeon-3.00': 310, 'intel-xeon-2.90': 150, 'amd-epyc': 0 },
          polls: 3,
          stoppedBecause: 'converged',
          apeVsTruth: 2.1,
          costUsd: 0.021,
        },
        {
          azId: 'usw1-az3',
          region: 'us-west-1',
          counts: { 'intel-xeon-2.50': 700, 'intel-xeon-3.00': 200, 'amd-epyc': 100 },
          polls: 1,
          stoppedBecause: 'converged',
          apeVsTruth: 4,
          costUsd: 0.007,
        },
        {
          azId: 'sae1-az1',
          region: 'sa-east-1',
          counts: { 'intel-xeon-2.50': 880, 'intel-xeon-3.00': 120 },
          polls: 2,
          stoppedBecause: 'saturated',
          apeVsTruth: null,
          costUsd: 0.014,
        },
      ],
      strategies: [
        {
          strategy: 'baseline',
          requests: 120,
          failed: 0,
          failures: {},
          costUsd: 0.5,
          baselineCostUsd: 0.5,
          savingsPct: 0,
          attemptsPerRequest: 1,
          meanAddedLatencyMs: 0,
        },
        {
          strategy: 'hybrid',
          requests: 120,
          failed: 0,
          failures: {},
          costUsd: 0.45,
          baselineCostUsd: 0.5,
          savingsPct: 10,
          attemptsPerRequest: 1.6,
          meanAddedLatencyMs: 96,
        },
      ],
    },
  };
}
