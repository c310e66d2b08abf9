import { apeOfCounts } from './distribution';
import type { Characterization, DriftClass } from './types';

/**
 * Drift thresholds, from the paper's two-week study (EX-4, §4.4): stable zones (sa-east-1a,
 * eu-north-1a) stayed at or below 10% APE from their day-one mix for two weeks; drifting zones
 * (ca-central-1a, us-west-1a/1b) reached 20–50% as early as day two. Two independent 95%-accurate
 * characterizations of an unchanged zone can differ by up to ~10 APE from sampling error alone,
 * so 10 is also the noise floor: at or below it a zone is `stable`, above it `drifting`.
 */
export const STABLE_MAX_APE = 10;

/** Classifies a zone from the APE between consecutive characterizations (or any history of them; the worst counts). */
export function classifyDrift(apes: number | readonly number[] | undefined): DriftClass {
  const list = apes === undefined ? [] : typeof apes === 'number' ? [apes] : apes;
  const finite = list.filter((a) => Number.isFinite(a));
  if (finite.length === 0) return 'unknown';
  return Math.max(...finite) <= STABLE_MAX_APE ? 'stable' : 'drifting';
}

/** The drift from one characterization of a zone to the next. */
export interface Drift {
  /** APE (0..200) between the two CPU mixes. */
  readonly ape: number;
  readonly driftClass: DriftClass;
  /** Hours between the two measurements (NaN if a time does not parse). */
  readonly hoursApart: number;
}

/** Drift between a previous and a current characterization (or `unknown` without a previous one). */
export function driftBetween(
  previous: Pick<Characterization, 'counts' | 'measuredAt'> | undefined,
  current: Pick<Characterization, 'counts' | 'measuredAt'>,
): Drift {
  if (!previous) return { ape: Number.NaN, driftClass: 'unknown', hoursApart: Number.NaN };
  const value = apeOfCounts(previous.counts, current.counts);
  const hoursApart = (Date.parse(current.measuredAt) - Date.parse(previous.measuredAt)) / 3_600_000;
  return { ape: value, driftClass: classifyDrift(value), hoursApart };
}

/**
 * How long to wait before sampling a zone again: stable zones less often, drifting ones more often
 * (§4.4: "stable AZs require less sampling"). The paper's 22 h period shifts the time of day.
 * @param baseHours the configured period (default 22)
 * @returns hours: 2 × base for stable zones, base / 2 for drifting ones, base when unknown
 */
export function samplingIntervalHours(driftClass: DriftClass, baseHours = 22): number {
  if (driftClass === 'stable') return 2 * baseHours;
  if (driftClass === 'drifting') return baseHours / 2;
  return baseHours;
}
