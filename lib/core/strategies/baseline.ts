import type { StrategyRule } from './types';

/** The paper's baseline: everything to one fixed zone, no retries (§4.5 used us-west-1b). */
export const baseline: StrategyRule = {
  name: 'baseline',
  zones: 'baseline',
  configs: 'home',
  reject: 'none',
  summary: 'the fixed baseline zone, no retries',
};
