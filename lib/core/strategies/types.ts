import type { StrategyName } from '../types';

/** Which CPUs a strategy rejects in a zone (the CPUs are sorted fastest first). */
export type RejectRule =
  /** None: run wherever the request lands (no retries). */
  | 'none'
  /** The workload's two slowest CPU types, where present (always keeping the fastest present). */
  | 'slowest-two'
  /** Every CPU but the fastest present. */
  | 'all-but-fastest'
  /** The exact optimal reject set for the objective (see `reject-set.ts`). */
  | 'optimal';

/**
 * A placement strategy as data: where it may look and what it rejects. The router's scan does the
 * rest, so every strategy obeys the same limits and gets the same expected-value accounting.
 */
export interface StrategyRule {
  readonly name: StrategyName;
  /** `baseline`: the one fixed zone (`RouterOptions.baselineZone`); `any`: every allowed zone. */
  readonly zones: 'baseline' | 'any';
  /** `home`: the workload's usual arch and memory only; `any`: every allowed arch × memory. */
  readonly configs: 'home' | 'any';
  readonly reject: RejectRule;
  /** One line for notes and `sky plan`. */
  readonly summary: string;
}
