import type { Objective, ObjectiveWeights } from './types';

/** The weights of an objective, and a note when a weighted one was unusable. */
export interface ResolvedObjective {
  readonly weights: ObjectiveWeights;
  /** Pure objectives (one weight) use the precomputed rankings. */
  readonly pure: 'cost' | 'latency' | 'carbon' | undefined;
  readonly note?: string;
}

const PURE: Readonly<Record<'cost' | 'latency' | 'carbon', ObjectiveWeights>> = {
  cost: { cost: 1, latency: 0, carbon: 0 },
  latency: { cost: 0, latency: 1, carbon: 0 },
  carbon: { cost: 0, latency: 0, carbon: 1 },
};

/**
 * Resolves an objective to weights. A weighted objective weighs each metric relative to the best
 * no-retry value of that metric among all the view's targets for the workload (so 1 USD and 1 ms
 * need no exchange rate): `{ cost: 1, latency: 1 }` values a 10% cost saving like a 10% latency one.
 * Weights must be finite and ≥ 0 with at least one > 0; otherwise the objective falls back to cost.
 */
export function resolveObjective(objective: Objective | undefined): ResolvedObjective {
  if (objective === undefined) return { weights: PURE.cost, pure: 'cost' };
  if (typeof objective === 'string') {
    if (objective === 'cost' || objective === 'latency' || objective === 'carbon') {
      return { weights: PURE[objective], pure: objective };
    }
    return {
      weights: PURE.cost,
      pure: 'cost',
      note: `unknown objective ${JSON.stringify(objective)} (allowed: cost, latency, carbon or weights); placed by cost`,
    };
  }
  const { cost, latency, carbon } = objective;
  const valid = [cost, latency, carbon].every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0);
  if (!valid || cost + latency + carbon <= 0) {
    return {
      weights: PURE.cost,
      pure: 'cost',
      note: `objective weights ${JSON.stringify(objective)} are not finite numbers >= 0 with one > 0; placed by cost`,
    };
  }
  const nonZero = [cost > 0, latency > 0, carbon > 0].filter(Boolean).length;
  if (nonZero === 1) return { weights: objective, pure: cost > 0 ? 'cost' : latency > 0 ? 'latency' : 'carbon' };
  return { weights: objective, pure: undefined };
}
