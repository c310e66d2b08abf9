import type { RuntimeStats } from './types';

/**
 * Runtime statistics in Welford form (count, mean, M2), mergeable in any order (Chan et al.'s
 * parallel update), and convertible to and from plain sums, which DynamoDB can ADD atomically.
 */

export const EMPTY_STATS: RuntimeStats = Object.freeze({ count: 0, meanMs: 0, m2: 0 });

/** Adds one observation. */
export function addObservation(stats: RuntimeStats, valueMs: number): RuntimeStats {
  const count = stats.count + 1;
  const delta = valueMs - stats.meanMs;
  const meanMs = stats.meanMs + delta / count;
  return { count, meanMs, m2: stats.m2 + delta * (valueMs - meanMs) };
}

/** Merges two summaries as if their observations had been added to one. */
export function mergeStats(a: RuntimeStats, b: RuntimeStats): RuntimeStats {
  if (a.count === 0) return b;
  if (b.count === 0) return a;
  const count = a.count + b.count;
  const delta = b.meanMs - a.meanMs;
  return {
    count,
    meanMs: a.meanMs + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
  };
}

/** Sample variance (NaN below two observations). */
export function varianceOf(stats: RuntimeStats): number {
  return stats.count < 2 ? Number.NaN : stats.m2 / (stats.count - 1);
}

/** Plain sums of a summary: count, Σx, Σx². */
export interface RuntimeSums {
  readonly count: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/** Converts sums (as stored with atomic ADD) to Welford form. */
export function statsFromSums(sums: RuntimeSums): RuntimeStats {
  if (sums.count <= 0) return EMPTY_STATS;
  const meanMs = sums.sum / sums.count;
  return { count: sums.count, meanMs, m2: Math.max(0, sums.sumSquares - sums.count * meanMs * meanMs) };
}

/** Converts a Welford summary to sums. */
export function sumsOfStats(stats: RuntimeStats): RuntimeSums {
  return {
    count: stats.count,
    sum: stats.count * stats.meanMs,
    sumSquares: stats.m2 + stats.count * stats.meanMs * stats.meanMs,
  };
}
