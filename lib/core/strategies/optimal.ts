import type { StrategyRule } from './types';

/** Ours: the least expected objective over zone × memory × arch × the exact optimal reject set, under the limits. */
export const optimal: StrategyRule = {
  name: 'optimal',
  zones: 'any',
  configs: 'any',
  reject: 'optimal',
  summary: 'the least expected objective over zone, memory, arch and reject set',
};
