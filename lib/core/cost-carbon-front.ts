import type { Placement, PlacementRequest, Target } from './types';

/**
 * Weights of carbon against cost swept to draw the weighted objective's trade-off. Each weight is relative:
 * the router scales cost and carbon by their best no-retry values, so weight 1 values a 1% cut in carbon as
 * much as a 1% cut in cost.
 */
export const CARBON_WEIGHTS: readonly number[] = [0, 0.1, 0.25, 0.5, 1, 2, 4, 10, 100];

/** Where the weighted objective places a workload at one carbon weight, and what it expects that to cost and emit. */
export interface CostCarbonPoint {
  readonly workload: string;
  /** Weight of carbon against cost (cost's weight is 1). */
  readonly carbonWeight: number;
  readonly target: Target;
  /** Expected cost of one request, USD, attempts included. */
  readonly costUsd: number;
  /** Expected operational emissions of one request, gCO2e. */
  readonly carbonG: number;
}

/** What the sweep needs of a router: one placement per request, priced without sending a call (`Router.price`). */
export interface Placer {
  price(request: PlacementRequest): Placement;
}

/**
 * The weighted objective's cost-versus-carbon trade-off for one request: one placement per carbon weight,
 * each with the expected cost and carbon the router computed for it.
 *
 * @example
 * const front = costCarbonFront(new Router(view), { workload: 'zipper' });
 * front.map((p) => [p.carbonWeight, p.target.azId, p.costUsd, p.carbonG]);
 */
export function costCarbonFront(
  router: Placer,
  request: PlacementRequest,
  weights: readonly number[] = CARBON_WEIGHTS,
): CostCarbonPoint[] {
  return weights.map((carbonWeight) => {
    const placement = router.price({
      ...request,
      strategy: 'optimal',
      objective: { cost: 1, latency: 0, carbon: carbonWeight },
    });
    return {
      workload: request.workload,
      carbonWeight,
      target: placement.target,
      costUsd: placement.expected.costUsd,
      carbonG: placement.expected.carbonG,
    };
  });
}
