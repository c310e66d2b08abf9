import type { StrategyRule } from './types';

/** The paper's "focus fastest" (§4.5): in the baseline zone, retry every request not on the fastest CPU present. */
export const focusFastest: StrategyRule = {
  name: 'focus-fastest',
  zones: 'baseline',
  configs: 'home',
  reject: 'all-but-fastest',
  summary: 'the baseline zone, retrying all but the fastest CPU',
};
