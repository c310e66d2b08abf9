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
   * Time limit of one invoke of a dynamic function, ms (further bounded by the router's own deadline).
   * @default 60000
   */
  readonly invokeTimeoutMs?: number;
}

export { DEFAULT_HOLD_MS, DEFAULT_MAX_ATTEMPTS } from '../contracts';
export const DEFAULT_INVOKE_TIMEOUT_MS = 60_000;
/** How long the table's characterizations and profiles are reused before a re-read. */
export const DEFAULT_CACHE_TTL_MS = 60_000;
/** Time kept back from the router's own deadline to answer after the last attempt. */
export const DEADLINE_MARGIN_MS = 500;
