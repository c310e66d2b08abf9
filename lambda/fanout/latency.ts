/**
 * A mergeable latency sketch: log-spaced buckets with ratio {@link GAMMA} between bucket bounds
 * (the idea of DDSketch, Masson et al., VLDB 2019). Merging two sketches adds their bucket counts
 * exactly, so a tree of fan-outs yields the same sketch as one flat poll; a percentile read back
 * is the bucket's geometric midpoint, within ±1% of a latency that fell in that bucket.
 */
export const GAMMA = 1.02;
const LOG_GAMMA = Math.log(GAMMA);

/** Bucket index -> count (JSON object keys are strings). Latencies below 0.01 ms share bucket `min`. */
export interface LatencySketch {
  readonly gamma: number;
  readonly buckets: Readonly<Record<string, number>>;
  /** Largest latency seen, exact. */
  readonly max: number;
  readonly count: number;
}

export const EMPTY_SKETCH: LatencySketch = { gamma: GAMMA, buckets: {}, max: 0, count: 0 };

function bucketOf(ms: number): number {
  return Math.ceil(Math.log(Math.max(ms, 0.01)) / LOG_GAMMA);
}

/** A sketch of the given latencies. */
export function sketchOf(latencies: readonly number[]): LatencySketch {
  const buckets: Record<string, number> = {};
  let max = 0;
  for (const ms of latencies) {
    const b = String(bucketOf(ms));
    buckets[b] = (buckets[b] ?? 0) + 1;
    if (ms > max) max = ms;
  }
  return { gamma: GAMMA, buckets, max, count: latencies.length };
}

/** Adds sketches bucket by bucket (exact). */
export function mergeSketches(sketches: readonly LatencySketch[]): LatencySketch {
  const buckets: Record<string, number> = {};
  let max = 0;
  let count = 0;
  for (const s of sketches) {
    if (s.gamma !== GAMMA)
      throw new RangeError(`cannot merge a latency sketch with gamma ${s.gamma}; expected ${GAMMA}`);
    for (const [b, n] of Object.entries(s.buckets)) buckets[b] = (buckets[b] ?? 0) + n;
    max = Math.max(max, s.max);
    count += s.count;
  }
  return { gamma: GAMMA, buckets, max, count };
}

/** The q-quantile (0..1) by the nearest-rank rule, as the bucket's midpoint (never above max). */
export function quantile(sketch: LatencySketch, q: number): number {
  if (sketch.count === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * sketch.count));
  const ordered = Object.entries(sketch.buckets)
    .map(([b, n]) => [Number(b), n] as const)
    .sort((a, b) => a[0] - b[0]);
  let seen = 0;
  for (const [b, n] of ordered) {
    seen += n;
    if (seen >= rank) return Math.min(sketch.max, (2 * GAMMA ** b) / (1 + GAMMA));
  }
  return sketch.max;
}

/** p50, p90, p99 and max, rounded to 0.1 ms. */
export function percentilesOf(sketch: LatencySketch): { p50: number; p90: number; p99: number; max: number } {
  const r = (x: number) => Math.round(x * 10) / 10;
  return {
    p50: r(quantile(sketch, 0.5)),
    p90: r(quantile(sketch, 0.9)),
    p99: r(quantile(sketch, 0.99)),
    max: r(sketch.max),
  };
}
