import type { StrategyName } from '../types';
import { baseline } from './baseline';
import { focusFastest } from './focus-fastest';
import { hybrid } from './hybrid';
import { optimal } from './optimal';
import { regional } from './regional';
import { retrySlow } from './retry-slow';
import type { StrategyRule } from './types';

export type { RejectRule, StrategyRule } from './types';

/** Every named strategy. */
export const STRATEGIES: Readonly<Record<StrategyName, StrategyRule>> = Object.freeze({
  baseline,
  regional,
  'retry-slow': retrySlow,
  'focus-fastest': focusFastest,
  hybrid,
  optimal,
});

/** Strategy names, in the paper's order then ours. */
export const STRATEGY_NAMES = Object.freeze([
  'baseline',
  'regional',
  'retry-slow',
  'focus-fastest',
  'hybrid',
  'optimal',
] as const satisfies readonly StrategyName[]);
