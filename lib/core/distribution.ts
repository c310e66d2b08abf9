import { CoreInputError } from './errors';
import type { CpuCounts, CpuKey } from './types';

/** Shares per CPU key, summing to 1 (or empty when nothing was seen). */
export type Distribution = Readonly<Record<CpuKey, number>>;

/**
 * Total of a count record.
 * @throws CoreInputError when a count is negative or not finite.
 */
export function totalOf(counts: CpuCounts): number {
  let total = 0;
  for (const key of Object.keys(counts)) {
    const n = counts[key];
    if (!Number.isFinite(n) || n < 0) {
      throw new CoreInputError(`counts[${JSON.stringify(key)}]`, n, 'a finite number >= 0');
    }
    total += n;
  }
  return total;
}

/**
 * Shares of each CPU key. Keys with a zero count are dropped; no counts at all give `{}`.
 * @example distributionOf({ 'intel-xeon-2.50': 3, 'intel-xeon-3.00': 1 }) // { 'intel-xeon-2.50': 0.75, 'intel-xeon-3.00': 0.25 }
 */
export function distributionOf(counts: CpuCounts): Distribution {
  const total = totalOf(counts);
  const shares: Record<CpuKey, number> = {};
  if (total === 0) return shares;
  for (const key of Object.keys(counts).sort()) {
    if (counts[key] > 0) shares[key] = counts[key] / total;
  }
  return shares;
}

/**
 * Sums count records key by key (e.g. the polls of a run, or a characterization and passive counts).
 * @example mergeCounts({ a: 1 }, { a: 2, b: 1 }) // { a: 3, b: 1 }
 */
export function mergeCounts(...records: readonly CpuCounts[]): CpuCounts {
  const merged: Record<CpuKey, number> = {};
  for (const record of records) {
    totalOf(record);
    for (const key of Object.keys(record)) merged[key] = (merged[key] ?? 0) + record[key];
  }
  return merged;
}

/**
 * Absolute percentage error between two distributions: 100 × Σ|p_c − q_c| over the union of keys
 * (the strict L1 form of the paper; 0 when equal, 200 when disjoint). Symmetric. An empty
 * distribution counts as all-zero shares, so APE against `{}` is 100 × Σ p.
 */
export function ape(p: Distribution, q: Distribution): number {
  let sum = 0;
  for (const key of Object.keys(p)) sum += Math.abs(p[key] - (q[key] ?? 0));
  for (const key of Object.keys(q)) if (!(key in p)) sum += Math.abs(q[key]);
  return 100 * sum;
}

/** APE between the distributions of two count records. */
export function apeOfCounts(a: CpuCounts, b: CpuCounts): number {
  return ape(distributionOf(a), distributionOf(b));
}
