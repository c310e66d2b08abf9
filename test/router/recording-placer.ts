import type { PlacementRequest } from '../../lib/core/types';
import type { PlacerFactory } from '../../lib/routing/types';

/** The placers `factory` makes, passing every request they are asked to place to `record` first. */
export function recordingPlacer(factory: PlacerFactory, record: (request: PlacementRequest) => void): PlacerFactory {
  return (view) => {
    const placer = factory(view);
    return {
      place: (request) => {
        record(request);
        return placer.place(request);
      },
      observe: (outcome) => placer.observe?.(outcome),
    };
  };
}
