import type { StrategyRule } from './types';

/**
 * The paper's "retry slow" (§4.5): in the baseline zone, retry requests that land on the two
 * slowest CPUs ("typically AMD EPYC and the 2.9 GHz Xeon"). Slowest is judged for the workload over
 * all CPU types of the architecture in the view, so a zone without an EPYC rejects only the
 * 2.9 GHz Xeon rather than its 2.5 GHz majority; the fastest CPU present is always accepted.
 */
export const retrySlow: StrategyRule = {
  name: 'retry-slow',
  zones: 'baseline',
  configs: 'home',
  reject: 'slowest-two',
  summary: 'the baseline zone, retrying the two slowest CPUs',
};
