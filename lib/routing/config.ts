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
   * What a rejected instance does (the core's vocabulary, `reject-mode.ts`): `hold` holds the call `holdMs` and
   * stays warm (the paper), `end` answers at once and ends itself so the platform replaces it (Minos, IC2E '25),
   * `auto` as `end`, except that the instance rejected just before a call's last attempt is kept for that attempt
   * when running the work there bills less than a new instance. A retry sent after a hold lands on the very instance
   * that rejected it when the platform hands a call the most recently used idle instance, so the hold buys nothing
   * there; each mode is priced by its own model (`returnShare`).
   * @default 'auto'
   */
  readonly rejectMode?: RejectMode;
  /**
   * Share of retries that an instance the call left warm (held, or kept for the last attempt) takes back, as the
   * cost model prices it (the core router's `returnShare`).
   * @default 1
   */
  readonly returnShare?: number;
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
