import type { PassiveDecay } from '../core/passive-evidence';
import type { RejectMode } from '../core/reject-mode';
import type { Arch, DeployedZone, RegionFacts } from '../core/types';

/** What a rejected instance does after its hold: the core's one vocabulary (see `RouterConfig.rejectMode`). */
export type { RejectMode } from '../core/reject-mode';

/** What the router needs to know about the mesh it routes into. */
export interface RouterConfig {
  /** Deployed zones (from the sky config's resolved zones, and the external zones of other providers). */
  readonly deployed: ReadonlyArray<DeployedZone>;
  /** Deployed architectures. */
  readonly architectures: readonly Arch[];
  /** Deployed memory sizes, MB. */
  readonly memorySizes: readonly number[];
  /** Facts (prices, carbon, location) of a region. */
  readonly regionFacts: (region: string) => RegionFacts;
  /**
   * How long a rejected attempt holds its instance, ms.
   * @default 150 (the paper's hold)
   */
  readonly holdMs?: number;
  /**
   * What a rejected instance does after its hold: `hold` keeps it warm (the paper), `end` ends it so
   * the platform replaces it (Minos, IC2E '25), `auto` keeps it after a call's first rejection and
   * ends it after later ones. A retry sent after a hold can land on the very instance that rejected
   * it, because the platform hands the next call the most recently used warm instance; the hold moves
   * a retry only when other calls take that instance meanwhile (a burst). `auto` keeps the paper's
   * hold and still guarantees that a call does not meet the same rejected instance a third time.
   * @default 'auto'
   */
  readonly rejectMode?: RejectMode;
  /**
   * Attempt budget when the request sets none.
   * @default 10
   */
  readonly maxAttempts?: number;
  /**
   * The dynamic functions' configured timeout, ms. An invoke that times out fails over to another
   * zone only when it waited at least this long (the platform has stopped the function by then);
   * otherwise the function may still be running and the router answers 504 rather than run the work twice.
   * @default 300000 (`DYNAMIC_FUNCTION_TIMEOUT_SECONDS`, the mesh's default)
   */
  readonly functionTimeoutMs?: number;
  /**
   * Time limit of one invoke of a dynamic function, ms (further bounded by the router's own deadline).
   * @default - functionTimeoutMs + 2000, so that a timed-out call has certainly stopped
   */
  readonly invokeTimeoutMs?: number;
  /**
   * How passive counts age in the view (half-life and window, see `decayedPassiveCounts`).
   * @default - a 24 h half-life within a 7-day window (`PASSIVE_HALF_LIFE_MS`, `PASSIVE_WINDOW_MS`)
   */
  readonly passiveDecay?: PassiveDecay;
}

import { DYNAMIC_FUNCTION_TIMEOUT_SECONDS } from '../contracts';

export { DEFAULT_HOLD_MS, DEFAULT_MAX_ATTEMPTS } from '../contracts';
/** What the router waits beyond a function's own timeout before it gives up on an invoke, ms. */
export const INVOKE_TIMEOUT_MARGIN_MS = 2_000;
/** The dynamic functions' timeout the router assumes when its configuration names none, ms. */
export const DEFAULT_FUNCTION_TIMEOUT_MS = DYNAMIC_FUNCTION_TIMEOUT_SECONDS * 1000;
/** How long the table's characterizations and profiles are reused before a re-read. */
export const DEFAULT_CACHE_TTL_MS = 60_000;
/** Time kept back from the router's own deadline to answer after the last attempt. */
export const DEADLINE_MARGIN_MS = 500;
