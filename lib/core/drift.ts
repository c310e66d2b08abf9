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

/**
 * Classifies a zone from the APE between consecutive characterizations (or any history of them; the
 * worst counts). `noiseApe` is what the two measurements' own errors can explain (the sum of their
 * APE bounds, by the triangle inequality): a zone is `stable` when the APE, less that noise, is at
 * most `STABLE_MAX_APE`, i.e. when the measurements are consistent with a true change of at most
 * that much.
 */
export function classifyDrift(apes: number | readonly number[] | undefined, noiseApe = 0): DriftClass {
  const list = apes === undefined ? [] : typeof apes === 'number' ? [apes] : apes;
  const finite = list.filter((a) => Number.isFinite(a));
  if (finite.length === 0) return 'unknown';
  const noise = Number.isFinite(noiseApe) && noiseApe > 0 ? noiseApe : 0;
  return Math.max(...finite) - noise <= STABLE_MAX_APE ? 'stable' : 'drifting';
}

/**
 * The APE two characterizations' own errors can explain: the sum of their APE bounds. A
 * characterization without a recorded confidence counts as `unknownBoundApe` (the paper's 95%
 * accuracy: 5 APE).
 */
export function driftNoiseApe(
  previous: Pick<Characterization, 'confidence'> | undefined,
  current: Pick<Characterization, 'confidence'>,
  unknownBoundApe = 5,
): number {
  const bound = (c: Pick<Characterization, 'confidence'> | undefined): number =>
    c?.confidence && Number.isFinite(c.confidence.apeBound) ? c.confidence.apeBound : unknownBoundApe;
  return bound(previous) + bound(current);
}

/** The drift from one characterization of a zone to the next. */
export interface Drift {
  /** APE (0..200) between the two CPU mixes. */
  readonly ape: number;
  readonly driftClass: DriftClass;
  /** Hours between the two measurements (NaN if a time does not parse). */
  readonly hoursApart: number;
}

/**
 * Drift between a previous and a current characterization (or `unknown` without a previous one),
 * classed with the noise their confidences explain (`driftNoiseApe`).
 */
export function driftBetween(
  previous: Pick<Characterization, 'counts' | 'measuredAt' | 'confidence'> | undefined,
  current: Pick<Characterization, 'counts' | 'measuredAt' | 'confidence'>,
): Drift {
  if (!previous) return { ape: Number.NaN, driftClass: 'unknown', hoursApart: Number.NaN };
  const value = apeOfCounts(previous.counts, current.counts);
  const hoursApart = (Date.parse(current.measuredAt) - Date.parse(previous.measuredAt)) / 3_600_000;
  return { ape: value, driftClass: classifyDrift(value, driftNoiseApe(previous, current)), hoursApart };
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
