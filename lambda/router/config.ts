import type { Arch, RegionFacts } from '../../lib/core/types';

/** What the router needs to know about the mesh it routes into. */
export interface RouterConfig {
  /** Deployed zones (from the sky config's resolved zones). */
  readonly deployed: ReadonlyArray<{ readonly azId: string; readonly region: string }>;
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
   * End a rejected instance so the platform replaces it (Minos) instead of keeping it warm.
   * @default false
   */
  readonly endRejectedInstances?: boolean;
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

export const DEFAULT_HOLD_MS = 150;
export const DEFAULT_MAX_ATTEMPTS = 10;
export const DEFAULT_INVOKE_TIMEOUT_MS = 60_000;
/** How long the table's characterizations and profiles are reused before a re-read. */
export const DEFAULT_CACHE_TTL_MS = 60_000;
/** Time kept back from the router's own deadline to answer after the last attempt. */
export const DEADLINE_MARGIN_MS = 500;
