import type { StrategyRule } from './types';

/**
 * The paper's hybrid (§3.5): regional routing plus retries. The zone is chosen with the retries
 * in mind: the one where "retry slow" gives the best expected objective.
 */
export const hybrid: StrategyRule = {
  name: 'hybrid',
  zones: 'any',
  configs: 'home',
  reject: 'slowest-two',
  summary: 'the zone that is best when retrying the two slowest CPUs',
};
