import type { PlacementRequest } from '../../lib/core/types';
import type { Placer, PlacerFactory } from '../../lib/routing/types';

/**
 * The placers `factory` makes, passing every request they are asked to place, propose or price to `record` first; everything
 * else a placer offers (its INIT time, mixes, warm-call prices, ranking, exploration counting and sharing) is the
 * wrapped placer's, so a batch routed through it runs as it would on the wrapped placer.
 */
export function recordingPlacer(factory: PlacerFactory, record: (request: PlacementRequest) => void): PlacerFactory {
  return (view) => {
    const placer = factory(view);
    const recording: Placer = {
      place: (request) => {
        record(request);
        return placer.place(request);
      },
      ...(placer.propose
        ? {
            propose: (request: PlacementRequest) => {
              record(request);
              return placer.propose?.(request) ?? placer.place(request);
            },
          }
        : {}),
      ...(placer.price
        ? {
            price: (request: PlacementRequest) => {
              record(request);
              return placer.price?.(request) ?? placer.place(request);
            },
          }
        : {}),
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
