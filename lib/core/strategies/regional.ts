import type { StrategyRule } from './types';

/** The paper's regional routing / region hopping: the zone whose CPU mix runs the workload best, no retries (§3.5). */
export const regional: StrategyRule = {
  name: 'regional',
  zones: 'any',
  configs: 'home',
  reject: 'none',
  summary: 'the zone with the best CPU mix for the workload, no retries',
};
