import { DEFAULT_INIT_MS } from './cost-model';
import { CoreInputError } from './errors';
import { type HostCensus, hostCensusOf } from './host-census';
import { normalQuantile } from './statistics';
import type { CharacterizationConfidence, PollAggregate, StopDecision } from './types';

/**
 * The progressive-sampling stopping rule (DESIGN.md "Sampling"; paper §4.3–4.4), at the level of
 * hosts.
 *
 * A zone's mix is the share of its hosts of each CPU type, so the run counts hosts, not instances:
 * every poll reports the (boot time, CPU) pairs it met, and the characterization is the share of
 * distinct hosts per CPU, p̂_c = n_c / S over the S hosts met (`lib/core/host-census.ts`). Counting
 * instances instead weighs each host by how many instances a burst happened to pack onto it, which
 * under clustered placement is noise far above the multinomial (the paper's single polls were off by
 * up to 25 APE).
 *
 * The error of p̂ against the whole fleet is a finite-population question: S hosts of an estimated
 * N are known, U = N − S are not. With N taken at its upper bound (Chao2 over the sampler functions
 * as units, at the asked `confidence`), the unseen hosts' CPUs follow the posterior predictive of
 * the seen ones (Dirichlet–multinomial), so the true share p_c = (n_c + u_c) / N and
 * p_c − p̂_c = (u_c − U·p̂_c) / N has standard deviation
 *   σ_c = √(U · p̂_c(1 − p̂_c) · (S + U) / (S + 1)) / N,
 * which is 0 when the whole fleet has been met and grows with the unseen part. With each error about
 * normal, E|p_c − p̂_c| = σ_c·√(2/π), so the expected APE is 100·√(2/π)·Σ σ_c with variance
 * 100²·(1 − 2/π)·Σ σ_c²; the bound at `confidence` is expected + z·sd. CPU types not met at all hide
 * among the unseen hosts: Good–Turing at the host level puts (U/N)·g₁/S of the fleet on new types
 * (g₁ = types met on exactly one host), which costs twice its mass in APE.
 *
 * After each poll the rule answers, in this order:
 * 1. `saturated` when a poll's failed share exceeds `saturationFailureRate` (that poll marks the
 *    zone's ground truth, §4.1);
 * 2. `converged` when at least `minPolls` polls (default 1) and `minSamplers` sampler functions
 *    (default 2, the fewest from which a fleet can be estimated) met hosts, and the bound on the APE
 *    at the asked confidence is at most 100 × (1 − accuracyTarget);
 * 3. `capped-polls` at `maxPolls`, or `capped-cost` when the cost so far plus one more poll of the
 *    average cost so far would exceed `maxCostUsd`;
 * 4. else `continue`, after `waitSeconds` (0 unless the last poll was partly throttled).
 *
 * What it assumes, and what breaks it: (a) boot time and CPU identify a host; (b) each sampler
 * function's instances land on a random subset of the hosts, independent of the other functions'
 * (if every function of the account shared one cell of hosts, the rule would characterize that
 * cell and call it the zone); (c) hosts hold about equal numbers of instances, so the share of
 * hosts is the share of capacity a new instance lands on. Polls without host records (samplers
 * that report no boot time) never converge: the run ends at a cap. On the twin's clustered
 * scenarios its `converged` verdicts are checked by `npm run bench sampling`.
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
  /** Accuracy asked: stop when the APE bound ≤ 100 × (1 − accuracyTarget). @default 0.95 */
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
  /** Fewest polls before `converged` may be returned. @default 1 */
  readonly minPolls?: number;
  /** Fewest sampler functions (summed over the polls) that met hosts before `converged`. @default 2 */
  readonly minSamplers?: number;
  /** Probability that the characterization is as accurate as asked when the rule says converged. @default 0.9 */
  readonly confidence?: number;
}

/** The estimator's parts: what a characterization records as its confidence, and reports show. */
export interface CharacterizationErrorEstimate {
  /** Expected APE (0..200) of the host shares against the whole fleet. */
  readonly estimatedApe: number;
  /** The APE the error stays under with probability `confidence`. */
  readonly upperApe: number;
  /** The part from hosts not met (finite-population posterior). */
  readonly samplingApe: number;
  /** The part from CPU types not met yet (Good–Turing over hosts). */
  readonly unseenApe: number;
  /** Distinct hosts met. */
  readonly hostsSeen: number;
  /** Estimated hosts in the zone (NaN with fewer than two sampler functions). */
  readonly fleetEstimate: number;
  /** Sampler functions that met hosts. */
  readonly samplers: number;
  /** CPU types met. */
  readonly cpuTypes: number;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const DEFAULT_PRICING: Required<PollPricing> = {
  samplerMemoryMb: 10190,
  pricePerGbSecond: 0.0000166667,
  pricePerRequest: 0.0000002,
  initBilledMs: DEFAULT_INIT_MS,
};

/** The error of the host shares of `census` (see the rule above); `z` is the bound's normal quantile. */
export function errorOfCensus(census: HostCensus, z: number): CharacterizationErrorEstimate {
  const { hostsSeen: seen, hostsByCpu } = census;
  const cpuTypes = Object.keys(hostsByCpu).length;
  const base = { hostsSeen: seen, fleetEstimate: census.fleetEstimate, samplers: census.units, cpuTypes };
  if (seen === 0 || !Number.isFinite(census.fleetUpper)) {
    return { estimatedApe: 200, upperApe: 200, samplingApe: 200, unseenApe: 0, ...base };
  }
  const fleet = Math.max(seen, census.fleetUpper);
  const unseen = fleet - seen;
  const inflation = (seen + unseen) / (seen + 1);
  let sigmaSum = 0;
  let varianceSum = 0;
  for (const n of Object.values(hostsByCpu)) {
    const p = n / seen;
    const variance = (unseen * p * (1 - p) * inflation) / (fleet * fleet);
    sigmaSum += Math.sqrt(variance);
    varianceSum += variance;
  }
  const samplingApe = 100 * SQRT_2_OVER_PI * sigmaSum;
  const unseenApe = (200 * unseen * census.cpuTypesOnOneHost) / (fleet * seen);
  const estimatedApe = Math.min(200, samplingApe + unseenApe);
  const upperApe = Math.min(200, estimatedApe + z * 100 * Math.sqrt((1 - 2 / Math.PI) * varianceSum));
  return { estimatedApe, upperApe, samplingApe, unseenApe, ...base };
}

/**
 * Estimates the error of the characterization the `polls` give (see the rule above).
 * @example estimateCharacterizationError(polls).upperApe // e.g. 3.1
 */
export function estimateCharacterizationError(
  polls: readonly PollAggregate[],
  options: Pick<StopOptions, 'confidence'> = {},
): CharacterizationErrorEstimate {
  const z = normalQuantile(options.confidence ?? 0.9);
  return errorOfCensus(hostCensusOf(polls, z), z);
}

/**
 * What a characterization records of its confidence: the APE bound, the hosts seen and the fleet
 * estimate (rounded for storage).
 */
export function confidenceOf(
  polls: readonly PollAggregate[],
  options: Pick<StopOptions, 'confidence'> = {},
): CharacterizationConfidence {
  const error = estimateCharacterizationError(polls, options);
  return {
    apeBound: Math.round(error.upperApe * 1000) / 1000,
    hostsSeen: error.hostsSeen,
    ...(Number.isFinite(error.fleetEstimate) ? { fleetEstimate: Math.round(error.fleetEstimate * 10) / 10 } : {}),
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
 * Cost of one poll in USD: billed sampler time, plus the INIT of every new sampler instance whose INIT that time
 * does not already hold (`initsBilled`; a poll exists to start new instances, about a thousand of them), × memory ×
 * price, + a request charge per request.
 */
export function pollCostUsd(poll: PollAggregate, pricing: PollPricing = {}): number {
  const p = { ...DEFAULT_PRICING, ...pricing };
  const unbilledInits = Math.max(0, poll.newInstances - (poll.initsBilled ?? 0));
  const billedMs = poll.billedMs + unbilledInits * p.initBilledMs;
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
    ['minSamplers', (v) => Number.isInteger(v) && v >= 2, 'an integer >= 2'],
    ['confidence', (v) => v >= 0.5 && v < 1, 'a number in [0.5, 1)'],
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
  const minPolls = options.minPolls ?? 1;
  const minSamplers = options.minSamplers ?? 2;
  const { estimatedApe, upperApe, samplers } = estimateCharacterizationError(polls, options);
  if (polls.length === 0) return { action: 'continue', estimatedApe, waitSeconds: 0 };

  if (polls.some((poll) => failureShare(poll) > saturationFailureRate)) {
    return { action: 'stop', reason: 'saturated', estimatedApe };
  }
  const converged = polls.length >= minPolls && samplers >= minSamplers && upperApe <= 100 * (1 - accuracyTarget);
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
