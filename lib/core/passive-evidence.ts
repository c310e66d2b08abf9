import type { CpuCounts, CpuKey } from './types';

/**
 * Passive counts age: an instance met by a routed call says what the zone's fleet was when it was
 * met, and Lambda's fleets move within hours (us-east-1's 2.5 GHz share fell from 90–97% to
 * 32–55% within a day in late-2025 logs). So each stored batch of counts weighs 2^(−age / half-life),
 * its age taken from the middle of the time it was counted over, and a batch older than the window
 * is left out (the store lets such batches expire). Counts with no date at all (written before
 * counts were dated, by a store that kept no time) weigh as much as the oldest batch still counted,
 * so they are read and matter little. A batch dated in the future (clock skew) counts as new.
 */

/** Half-life of passive evidence: a day-old instance counts half as much as one met now. */
export const PASSIVE_HALF_LIFE_MS = 24 * 3_600_000;
/** Passive counts older than this are left out (2^−7 of their weight when new). */
export const PASSIVE_WINDOW_MS = 7 * 24 * 3_600_000;

/** Counts of the new instances a zone's routed calls met in one period, with when they were met. */
export interface DatedPassiveCounts {
  readonly counts: CpuCounts;
  /** ms since epoch of the first instance counted, when known. */
  readonly firstAt?: number;
  /** ms since epoch of the last instance counted; absent for counts stored without a date. */
  readonly lastAt?: number;
}

/** How passive evidence ages. */
export interface PassiveDecay {
  /** @default PASSIVE_HALF_LIFE_MS */
  readonly halfLifeMs?: number;
  /** @default PASSIVE_WINDOW_MS */
  readonly windowMs?: number;
}

/** The age of a batch at `now`, ms (the window's length for an undated batch); never negative. */
export function passiveAgeMs(
  batch: Pick<DatedPassiveCounts, 'firstAt' | 'lastAt'>,
  now: number,
  windowMs: number,
): number {
  const last = batch.lastAt;
  if (last === undefined || !Number.isFinite(last)) return windowMs;
  const first =
    batch.firstAt !== undefined && Number.isFinite(batch.firstAt) && batch.firstAt <= last ? batch.firstAt : last;
  return Math.max(0, now - (first + last) / 2);
}

/**
 * A zone's passive counts at `now`: every batch within the window, weighed by 2^(−age / half-life),
 * summed per CPU (fractional counts). Non-finite and non-positive counts are skipped.
 */
export function decayedPassiveCounts(
  batches: readonly DatedPassiveCounts[],
  now: number,
  decay: PassiveDecay = {},
): CpuCounts {
  const halfLifeMs = decay.halfLifeMs ?? PASSIVE_HALF_LIFE_MS;
  const windowMs = decay.windowMs ?? PASSIVE_WINDOW_MS;
  const out: Record<CpuKey, number> = Object.create(null);
  for (const batch of batches) {
    const age = passiveAgeMs(batch, now, windowMs);
    if (age > windowMs) continue;
    const weight = 2 ** (-age / halfLifeMs);
    for (const cpu of Object.keys(batch.counts)) {
      const n = batch.counts[cpu];
      if (Number.isFinite(n) && n > 0) out[cpu] = (out[cpu] ?? 0) + n * weight;
    }
  }
  return out;
}
