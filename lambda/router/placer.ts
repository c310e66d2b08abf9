import { Router } from '../../lib/core';
import type { PlacerFactory } from './types';

export interface CorePlacerOptions {
  /**
   * Hold of a rejected attempt, ms.
   * @default 150
   */
  readonly holdMs?: number;
}

/** The core router as the placer: one `Router` per view snapshot. */
export function corePlacerFactory(options: CorePlacerOptions = {}): PlacerFactory {
  return (view) => new Router(view, { holdMs: options.holdMs });
}
