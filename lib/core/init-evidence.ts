import { DEFAULT_INIT_MS, type InitBilling } from './cost-model';
import type { InitEvidence } from './types';

/**
 * What the router prices a new instance's INIT phase at: what the dynamic functions' own new instances reported, once
 * enough have. Lambda's REPORT record of an invocation that started an instance carries its `Init Duration`, and its
 * `Billed Duration` covers that INIT where Lambda bills it (on-demand ZIP functions since 2025-08-01). Both depend on
 * the function's bundle and runtime, not on the caller's work, so one figure serves every dynamic function; until
 * the first few instances report, the configured prior (`RouterOptions.init`) stands. Stored INIT sums age out after
 * `INIT_WINDOW_MS`, so a new bundle's INIT replaces an old one's within that.
 */

/** New instances whose INIT must have been reported before their mean replaces the prior. */
export const MIN_INIT_REPORTS = 5;

/** INIT reports older than this are left out (the store lets them expire). */
export const INIT_WINDOW_MS = 14 * 24 * 3_600_000;

/** INIT reports summed over one period (one UTC day of the store). */
export interface DatedInitSums {
  /** New instances that reported an INIT duration. */
  readonly count: number;
  /** Their INIT durations summed, ms. */
  readonly sumMs: number;
  /** Of those, the ones whose report also gave the run's duration, so that whether INIT was billed can be told. */
  readonly billingChecked: number;
  /** Of the checked ones, those whose billed duration covered their INIT. */
  readonly billed: number;
  /** ms since epoch of the period's last report; absent: undated, always counted (the store expires it by TTL). */
  readonly lastAt?: number;
}

/**
 * The INIT reports of every period within the window at `now`, summed; undefined when none is. Periods with counts
 * that are not whole numbers >= 0 are skipped, as a corrupt item must not set every placement's INIT price.
 * @example initEvidenceOf([{ count: 10, sumMs: 2000, billingChecked: 10, billed: 10, lastAt: now }], now);
 * // { count: 10, meanMs: 200, billedShare: 1 }
 */
export function initEvidenceOf(periods: readonly DatedInitSums[], now: number): InitEvidence | undefined {
  let count = 0;
  let sumMs = 0;
  let checked = 0;
  let billed = 0;
  for (const p of periods) {
    if (p.lastAt !== undefined && !(now - p.lastAt <= INIT_WINDOW_MS)) continue;
    const wholeCounts = [p.count, p.billingChecked, p.billed].every((n) => Number.isInteger(n) && n >= 0);
    if (!wholeCounts || p.billed > p.billingChecked || !(Number.isFinite(p.sumMs) && p.sumMs >= 0)) continue;
    count += p.count;
    sumMs += p.sumMs;
    checked += p.billingChecked;
    billed += p.billed;
  }
  if (count === 0) return undefined;
  return { count, meanMs: sumMs / count, ...(checked > 0 ? { billedShare: billed / checked } : {}) };
}

/**
 * The INIT billing placements price: the reported mean and billing once `MIN_INIT_REPORTS` instances reported
 * (billed where most of the checked reports were), else `prior`.
 * @example initBillingOf({ count: 8, meanMs: 312, billedShare: 1 }, {}); // { billed: true, initMs: 312 }
 */
export function initBillingOf(evidence: InitEvidence | undefined, prior: InitBilling = {}): Required<InitBilling> {
  const fallback = { billed: prior.billed ?? true, initMs: prior.initMs ?? DEFAULT_INIT_MS };
  if (!evidence || evidence.count < MIN_INIT_REPORTS || !(evidence.meanMs >= 0)) return fallback;
  return {
    billed: evidence.billedShare === undefined ? fallback.billed : evidence.billedShare >= 0.5,
    initMs: evidence.meanMs,
  };
}
