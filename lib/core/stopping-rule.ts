import { DEFAULT_INIT_MS } from './cost-model';
import { CoreInputError } from './errors';
import { chiSquareQuantile, normalQuantile } from './statistics';
import type { CpuKey, PollAggregate, StopDecision } from './types';

/**
 * The progressive-sampling stopping rule (DESIGN.md "Sampling"; paper §4.3–4.4).
 *
 * After each poll the run holds k polls, poll i having seen n_i distinct instances with x_ic on CPU c.
 * The characterization is the pooled share p̂_c = Σ_i x_ic / N (N = Σ n_i). Its error against the
 * saturated ground truth is estimated as a cluster sample of k polls:
 *
 * - Sampling error. If instances were drawn independently, p̂_c would have variance p̂_c(1−p̂_c)/N
 *   (multinomial). Polls are not independent draws: the platform places a burst on a few hosts at a
 *   time, so one poll's mix varies more than multinomial noise says (the paper's single polls were
 *   off by up to 25 APE). We measure that over-dispersion from the polls themselves with Pearson's
 *   statistic across the k × C table of polls × CPUs, φ̂ = X² / ((k−1)(C−1)) (the quasi-multinomial
 *   model), pool it with a prior φ₀ = `singlePollDesignEffect` (default 4, what the paper's 5–10 APE
 *   single polls of ~900 instances imply) weighted as `dispersionPriorDf` (default 1) degrees of
 *   freedom, floor it at 1, and use Var(p̂_c) = φ·p̂_c(1−p̂_c)/N. With one poll φ = φ₀.
 * - Expected APE. With p̂_c − p_c ≈ Normal(0, σ_c), E|p̂_c − p_c| = σ_c·√(2/π), so the expected
 *   APE is 100·√(2/π)·Σ_c σ_c; its variance is 100²·(1 − 2/π)·Σ_c σ_c², which gives an upper
 *   bound at the asked `confidence` (default 0.9): expected + z·sd.
 * - Unseen hardware. CPUs not met yet are missing mass; Good–Turing estimates it as f₁/N (f₁ = CPU
 *   types seen on exactly one instance), which costs twice its mass in APE (missing here, spread
 *   over the others).
 *
 * After each poll the rule answers, in this order:
 * 1. `saturated` when a poll's failed share exceeds `saturationFailureRate` (that poll marks the
 *    zone's ground truth, §4.1);
 * 2. `converged` when at least `minPolls` polls (default 2) are in, the upper bound on the APE at
 *    the asked confidence is at most 100 × (1 − accuracyTarget), and the last poll reveals nothing new:
 *    - it shows no CPU type that no earlier poll showed (the paper's one anomalous zone in 11 was a
 *      poll revealing unseen hardware), and
 *    - its own mix agrees with the pooled mix of the earlier polls: Pearson's X² of the 2 × C table
 *      (last poll vs earlier polls), divided by the dispersion φ measured among the earlier polls
 *      (1 when fewer than two), stays below the chi-square quantile at `agreementZ` (default 3.09,
 *      α = 0.001, Wilson–Hilferty approximation);
 * 3. `capped-polls` at `maxPolls`, or `capped-cost` when the cost so far plus one more poll of the
 *    average cost so far would exceed `maxCostUsd`;
 * 4. else `continue`, after `waitSeconds` (0 unless the last poll was partly throttled).
 *
 * On the paper's numbers (~900 instances a poll, three or four CPU types) two polls that agree give
 * an expected error of 2–3 APE, so a zone whose instances land evenly on its hosts stops after 2–3
 * polls (2.2 on average in the seeded simulations of the tests, 99% of them within 5 APE; 2.4 polls
 * on the twin's paper scenario), while a zone whose polls disagree, because each burst lands on few
 * hosts or new hardware shows up, keeps sampling. The paper needed 5.65 polls on average.
 */

/** Prices for a poll's cost, when the caller does not pass the cost so far. */
export interface PollPricing {
  /** Memory of a sampler in MB. @default 10190 (the middle of 10140..10240) */
  readonly samplerMemoryMb?: number;
  /** USD per GB-second. @default 0.0000166667 (x86_64, us-east-1, first tier) */
  readonly pricePerGbSecond?: number;
  /** USD per request. @default 0.0000002 */
  readonly pricePerRequest?: number;
  /** Billed INIT of each new sampler instance, ms (0: INIT not billed). @default DEFAULT_INIT_MS */
  readonly initBilledMs?: number;
}

/** Options of `decideStop`. Defaults follow the paper and `SkyConfig`. */
export interface StopOptions {
  /** Accuracy asked: stop when the estimated APE ≤ 100 × (1 − accuracyTarget). @default 0.95 */
  readonly accuracyTarget?: number;
  /** A poll whose failed share exceeds this has saturated the zone. @default 0.5 */
  readonly saturationFailureRate?: number;
  /** @default 30 */
  readonly maxPolls?: number;
  /** @default 0.2 (the paper's cost of saturating a zone) */
  readonly maxCostUsd?: number;
  /** Cost of the run so far in USD; computed from the polls and `pollPricing` when absent. */
  readonly costSoFarUsd?: number;
  readonly pollPricing?: PollPricing;
  /** Fewest polls before `converged` may be returned. @default 2 */
  readonly minPolls?: number;
  /** Over-dispersion assumed when only one poll is in. @default 4 */
  readonly singlePollDesignEffect?: number;
  /** Probability that the characterization is as accurate as asked when the rule says converged. @default 0.9 */
  readonly confidence?: number;
  /** Weight, in degrees of freedom, of the prior dispersion against the measured one. @default 1 */
  readonly dispersionPriorDf?: number;
  /** Normal quantile of the last-poll agreement test. @default 3.09 (α = 0.001) */
  readonly agreementZ?: number;
}

/** The estimator's parts, for reports. */
export interface CharacterizationError {
  /** Expected APE (0..200) of the pooled characterization against the saturated ground truth. */
  readonly estimatedApe: number;
  /** The APE the error stays under with probability `confidence` (expected + z × its standard deviation). */
  readonly upperApe: number;
  /** The part from sampling error (φ·multinomial). */
  readonly samplingApe: number;
  /** The part from CPU types not seen yet (Good–Turing). */
  readonly unseenApe: number;
  /** Over-dispersion used (≥ 1). */
  readonly dispersion: number;
  /** Distinct instances pooled. */
  readonly instances: number;
  /** CPU types seen. */
  readonly cpuTypes: number;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const DEFAULT_PRICING: Required<PollPricing> = {
  samplerMemoryMb: 10190,
  pricePerGbSecond: 0.0000166667,
  pricePerRequest: 0.0000002,
  initBilledMs: DEFAULT_INIT_MS,
};

/** Counts of the polls, skipping polls that saw no instance. */
function pollRows(polls: readonly PollAggregate[]): Array<{ n: number; counts: Readonly<Record<CpuKey, number>> }> {
  const rows: Array<{ n: number; counts: Readonly<Record<CpuKey, number>> }> = [];
  polls.forEach((poll, index) => {
    let n = 0;
    for (const key of Object.keys(poll.cpuCounts)) {
      const x = poll.cpuCounts[key];
      if (!Number.isFinite(x) || x < 0) {
        throw new CoreInputError(`polls[${index}].cpuCounts[${JSON.stringify(key)}]`, x, 'a finite number >= 0');
      }
      n += x;
    }
    if (n > 0) rows.push({ n, counts: poll.cpuCounts });
  });
  return rows;
}

function pooled(rows: ReadonlyArray<{ n: number; counts: Readonly<Record<CpuKey, number>> }>): {
  total: number;
  counts: Map<CpuKey, number>;
} {
  const counts = new Map<CpuKey, number>();
  let total = 0;
  for (const row of rows) {
    total += row.n;
    for (const key of Object.keys(row.counts)) {
      if (row.counts[key] > 0) counts.set(key, (counts.get(key) ?? 0) + row.counts[key]);
    }
  }
  return { total, counts };
}

/** Pearson's X² / df over a rows × CPUs table (the over-dispersion φ̂), or NaN with fewer than 2 rows or types. */
function pearsonDispersion(rows: ReadonlyArray<{ n: number; counts: Readonly<Record<CpuKey, number>> }>): number {
  if (rows.length < 2) return Number.NaN;
  const { total, counts } = pooled(rows);
  if (counts.size < 2) return Number.NaN;
  let x2 = 0;
  for (const row of rows) {
    for (const [key, count] of counts) {
      const expected = (row.n * count) / total;
      const observed = row.counts[key] ?? 0;
      x2 += ((observed - expected) * (observed - expected)) / expected;
    }
  }
  return x2 / ((rows.length - 1) * (counts.size - 1));
}

/**
 * Estimates the error of the characterization pooled from `polls` (see the rule above).
 * @example estimateCharacterizationError(polls).estimatedApe // e.g. 2.7
 */
export function estimateCharacterizationError(
  polls: readonly PollAggregate[],
  options: Pick<StopOptions, 'singlePollDesignEffect' | 'dispersionPriorDf' | 'confidence'> = {},
): CharacterizationError {
  const rows = pollRows(polls);
  const { total, counts } = pooled(rows);
  if (total === 0) {
    return {
      estimatedApe: 200,
      upperApe: 200,
      samplingApe: 200,
      unseenApe: 0,
      dispersion: 1,
      instances: 0,
      cpuTypes: 0,
    };
  }
  const measured = pearsonDispersion(rows);
  const prior = options.singlePollDesignEffect ?? 4;
  const priorWeight = options.dispersionPriorDf ?? 1;
  const df = (rows.length - 1) * (counts.size - 1);
  const dispersion = Number.isNaN(measured)
    ? rows.length < 2
      ? prior
      : 1
    : Math.max(1, (priorWeight * prior + df * measured) / (priorWeight + df));
  let sigmaSum = 0;
  let varianceSum = 0;
  let singletons = 0;
  for (const count of counts.values()) {
    const p = count / total;
    const variance = (dispersion * p * (1 - p)) / total;
    sigmaSum += Math.sqrt(variance);
    varianceSum += variance;
    if (count === 1) singletons += 1;
  }
  const samplingApe = 100 * SQRT_2_OVER_PI * sigmaSum;
  const unseenApe = (200 * singletons) / total;
  const estimatedApe = Math.min(200, samplingApe + unseenApe);
  const z = normalQuantile(options.confidence ?? 0.9);
  return {
    estimatedApe,
    upperApe: Math.min(200, estimatedApe + z * 100 * Math.sqrt((1 - 2 / Math.PI) * varianceSum)),
    samplingApe,
    unseenApe,
    dispersion,
    instances: total,
    cpuTypes: counts.size,
  };
}

/** What the last poll says about new hardware. */
export interface LastPollNovelty {
  /** CPU types the last poll showed that no earlier poll did. */
  readonly newCpus: readonly CpuKey[];
  /** Dispersion-scaled X² of last poll vs earlier polls, and the bound it must stay under. */
  readonly disagreement: number;
  readonly disagreementBound: number;
  /** True when the last poll reveals nothing new: no new CPU and agreement within noise. */
  readonly quiet: boolean;
}

/** Compares the last poll with the polls before it (see the rule above). */
export function lastPollNovelty(polls: readonly PollAggregate[], agreementZ = 3.09): LastPollNovelty {
  const rows = pollRows(polls);
  const last = polls.length > 0 ? polls[polls.length - 1] : undefined;
  const lastRow = rows.length > 0 && last && rows[rows.length - 1].counts === last.cpuCounts ? rows.at(-1) : undefined;
  if (!lastRow) return { newCpus: [], disagreement: 0, disagreementBound: Number.POSITIVE_INFINITY, quiet: true };
  const earlierRows = rows.slice(0, -1);
  const earlier = pooled(earlierRows);
  const newCpus = Object.keys(lastRow.counts)
    .filter((key) => lastRow.counts[key] > 0 && !earlier.counts.has(key))
    .sort();
  if (earlier.total === 0) {
    return { newCpus, disagreement: 0, disagreementBound: Number.POSITIVE_INFINITY, quiet: newCpus.length === 0 };
  }
  const both = pooled([...earlierRows, lastRow]);
  let x2 = 0;
  for (const [key, count] of both.counts) {
    const share = count / both.total;
    for (const [n, observed] of [
      [lastRow.n, lastRow.counts[key] ?? 0],
      [earlier.total, earlier.counts.get(key) ?? 0],
    ]) {
      const expected = n * share;
      x2 += ((observed - expected) * (observed - expected)) / expected;
    }
  }
  const earlierDispersion = pearsonDispersion(earlierRows);
  const phi = Number.isNaN(earlierDispersion) ? 1 : Math.max(1, earlierDispersion);
  const df = Math.max(1, both.counts.size - 1);
  const disagreement = x2 / phi;
  const disagreementBound = chiSquareQuantile(df, agreementZ);
  return {
    newCpus,
    disagreement,
    disagreementBound,
    quiet: newCpus.length === 0 && disagreement <= disagreementBound,
  };
}

/** Share of a poll's requests that failed. */
export function failureShare(poll: PollAggregate): number {
  const failed = Object.values(poll.failures).reduce((sum, n) => sum + n, 0);
  if (poll.requested > 0) return Math.min(1, Math.max(0, poll.requested - poll.succeeded, failed) / poll.requested);
  const seen = poll.succeeded + failed;
  return seen > 0 ? failed / seen : 0;
}

/**
 * Cost of one poll in USD: billed sampler time, plus the INIT of every new sampler instance (a poll
 * exists to start new instances, about a thousand of them), × memory × price, + a request charge
 * per request.
 */
export function pollCostUsd(poll: PollAggregate, pricing: PollPricing = {}): number {
  const p = { ...DEFAULT_PRICING, ...pricing };
  const billedMs = poll.billedMs + poll.newInstances * p.initBilledMs;
  return (billedMs / 1000) * (p.samplerMemoryMb / 1024) * p.pricePerGbSecond + poll.requested * p.pricePerRequest;
}

function validate(options: StopOptions): void {
  const rules: Array<[keyof StopOptions, (v: number) => boolean, string]> = [
    ['accuracyTarget', (v) => v > 0 && v < 1, 'a number in (0, 1)'],
    ['saturationFailureRate', (v) => v > 0 && v <= 1, 'a number in (0, 1]'],
    ['maxPolls', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'],
    ['maxCostUsd', (v) => v > 0, 'a number > 0'],
    ['costSoFarUsd', (v) => v >= 0, 'a number >= 0'],
    ['minPolls', (v) => Number.isInteger(v) && v >= 1, 'an integer >= 1'],
    ['singlePollDesignEffect', (v) => v >= 1, 'a number >= 1'],
    ['confidence', (v) => v >= 0.5 && v < 1, 'a number in [0.5, 1)'],
    ['dispersionPriorDf', (v) => v >= 0, 'a number >= 0'],
    ['agreementZ', (v) => v > 0, 'a number > 0'],
  ];
  for (const [key, ok, allowed] of rules) {
    const value = options[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
      throw new CoreInputError(`options.${key}`, value, allowed);
    }
  }
}

/**
 * Decides, after a poll, whether progressive sampling goes on (see the rule above).
 * @throws CoreInputError on an option out of range or a negative count.
 * @example decideStop(polls, { accuracyTarget: 0.95, maxPolls: 30 }) // { action: 'stop', reason: 'converged', estimatedApe: 2.9 }
 */
export function decideStop(polls: readonly PollAggregate[], options: StopOptions = {}): StopDecision {
  validate(options);
  const accuracyTarget = options.accuracyTarget ?? 0.95;
  const saturationFailureRate = options.saturationFailureRate ?? 0.5;
  const maxPolls = options.maxPolls ?? 30;
  const maxCostUsd = options.maxCostUsd ?? 0.2;
  const minPolls = options.minPolls ?? 2;
  const { estimatedApe, upperApe } = estimateCharacterizationError(polls, options);
  if (polls.length === 0) return { action: 'continue', estimatedApe, waitSeconds: 0 };

  if (polls.some((poll) => failureShare(poll) > saturationFailureRate)) {
    return { action: 'stop', reason: 'saturated', estimatedApe };
  }
  const converged =
    polls.length >= minPolls &&
    upperApe <= 100 * (1 - accuracyTarget) &&
    lastPollNovelty(polls, options.agreementZ).quiet;
  if (converged) return { action: 'stop', reason: 'converged', estimatedApe };
  if (polls.length >= maxPolls) return { action: 'stop', reason: 'capped-polls', estimatedApe };

  const last = polls[polls.length - 1];
  // The next poll is expected to cost what the polls so far cost on average (in the caller's
  // accounting when it passes the cost so far, else priced from the polls' billed time).
  const costSoFar =
    options.costSoFarUsd ?? polls.reduce((sum, poll) => sum + pollCostUsd(poll, options.pollPricing), 0);
  const nextPollCost = costSoFar / polls.length;
  if (costSoFar + nextPollCost > maxCostUsd) return { action: 'stop', reason: 'capped-cost', estimatedApe };

  // A partly throttled poll means the account's concurrency was still held (by the previous burst's
  // stragglers or other work); Lambda adds 1,000 concurrency per function per 10 s, so wait that long.
  const waitSeconds = failureShare(last) > 0.1 ? 10 : 0;
  return { action: 'continue', estimatedApe, waitSeconds };
}
