import type { Placement, PlacementRequest } from '../../lib/core/types';
import type { Placer, PlacerFactory } from '../../lib/routing/types';

/**
 * The placers `factory` makes, passing every request they are asked to place, propose or price to `record` first
 * and every placement they give through `adjust` (a test's reject set, say); everything else a placer offers (its
 * INIT time, mixes, warm-call prices, ranking, exploration counting and sharing) is the wrapped placer's, so a batch
 * routed through it runs as it would on the wrapped placer.
 */
export function recordingPlacer(
  factory: PlacerFactory,
  record: (request: PlacementRequest) => void,
  adjust: (placement: Placement) => Placement = (placement) => placement,
): PlacerFactory {
  return (view) => {
    const placer = factory(view);
    const recorded =
      (placeBy: (request: PlacementRequest) => Placement) =>
      (request: PlacementRequest): Placement => {
        record(request);
        return adjust(placeBy(request));
      };
    const recording: Placer = {
      place: recorded(placer.place.bind(placer)),
      ...(placer.propose ? { propose: recorded(placer.propose.bind(placer)) } : {}),
      ...(placer.price ? { price: recorded(placer.price.bind(placer)) } : {}),
      ...(placer.follow ? { follow: placer.follow.bind(placer) } : {}),
      observe: (outcome) => placer.observe?.(outcome),
      ...(placer.initMs !== undefined ? { initMs: placer.initMs } : {}),
      ...(placer.rank ? { rank: placer.rank.bind(placer) } : {}),
      ...(placer.profilingSteps ? { profilingSteps: placer.profilingSteps.bind(placer) } : {}),
      ...(placer.mixFor ? { mixFor: placer.mixFor.bind(placer) } : {}),
      ...(placer.callOn ? { callOn: placer.callOn.bind(placer) } : {}),
      ...(placer.acceptedCapacity ? { acceptedCapacity: placer.acceptedCapacity.bind(placer) } : {}),
      ...(placer.shareExploration ? { shareExploration: placer.shareExploration.bind(placer) } : {}),
      ...(placer.withdrawExploration ? { withdrawExploration: placer.withdrawExploration.bind(placer) } : {}),
    };
    return recording;
  };
}

/**
 * The placers `factory` makes, expecting each call to run `share` of the runtime they would expect: a router whose
 * pacing plans calls shorter than they run.
 */
export function expectingRuntimeShare(factory: PlacerFactory, share: number): PlacerFactory {
  const scaled = (placement: Placement): Placement => ({
    ...placement,
    expected: { ...placement.expected, runtimeMs: placement.expected.runtimeMs * share },
  });
  return recordingPlacer(factory, () => {}, scaled);
}
