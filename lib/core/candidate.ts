import { wattsOf } from './carbon';
import { type AttemptChain, attemptBilledMs, attemptChain, billedDurationMs, usdPerBilledMs } from './cost-model';
import { dynamicFunctionName } from './naming';
import { type RenewedCall, renewOverUses } from './pool-renewal';
import type { Arch, CpuKey, RegionFacts, Target } from './types';

/**
 * One deployed target compiled for one workload: its CPUs sorted by expected runtime (fastest
 * first), so that "accept the k fastest CPUs, reject the rest" is a suffix of the list (see
 * `cost-model.ts` for the formulas and `reject-set.ts` for why the best reject set is such a suffix).
 */
export interface Candidate {
  readonly index: number;
  readonly zone: number;
  readonly region: number;
  readonly arch: Arch;
  readonly memoryMb: number;
  readonly target: Target;
  /** CPUs present, fastest first. */
  readonly cpus: readonly CpuKey[];
  readonly shares: readonly number[];
  /** Billed runtime (ceil ms) per CPU, aligned with `cpus`. */
  readonly billedMs: readonly number[];
  /** USD per billed ms. */
  readonly usdPerMs: number;
  /** Shortest duration billed per call here, ms (the provider's; 0 for Lambda, which bills from 1 ms). */
  readonly minBilledMs: number;
  readonly usdPerRequest: number;
  /** Grams CO2e per billed ms. */
  readonly gramsPerMs: number;
  /** How many of the slowest CPUs here are among the workload's two slowest for this arch × memory. */
  readonly slowTail: number;
  /** Lowest confidence of the runtimes used (0..1). */
  readonly confidence: number;
  /** How much the zone's mix is measured (see `ZoneMix.confidence`). */
  readonly mixConfidence: number;
  /**
   * Multiplies the objective when ranking: 1 + uncertaintyPenalty × (runtime uncertainty + mix uncertainty), so
   * that a target known from observations beats one that only the priors make look as good. The runtime uncertainty
   * is 1 − each CPU's runtime confidence, weighted by that CPU's part of the expected runtime (share × runtime): a
   * CPU a zone holds 0.4% of moves its expectation by little however unsure its runtime. The mix uncertainty is
   * (1 − mixConfidence) × `mixSensitivity`.
   */
  readonly scoreFactor: number;
}

/** The deployed function of a zone × arch × memory. */
export function targetOf(azId: string, region: string, arch: Arch, memoryMb: number): Target {
  return Object.freeze({ azId, region, arch, memoryMb, functionName: dynamicFunctionName(azId, arch, memoryMb) });
}

/**
 * Builds a candidate; `runtimes` holds the expected runtime of each CPU in `cpus`, `confidences` how sure each is
 * (0..1). `mixSensitivity` (0..1) scales the mix's uncertainty by how much a wrong mix can move this target's
 * expectation (`mixSensitivityOf`); 1 counts it in full.
 */
export function buildCandidate(
  index: number,
  zone: number,
  target: Target,
  region: number,
  facts: RegionFacts,
  cpus: readonly CpuKey[],
  shares: readonly number[],
  runtimes: readonly number[],
  confidences: readonly number[],
  slowest: ReadonlySet<CpuKey>,
  mixConfidence: number,
  uncertaintyPenalty: number,
  mixSensitivity = 1,
): Candidate {
  const { arch, memoryMb } = target;
  const n = cpus.length;
  // Insertion sort by runtime (then key): n is a handful, and this runs for every target.
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    let at = order.length;
    while (at > 0) {
      const before = order[at - 1];
      if (runtimes[before] < runtimes[i] || (runtimes[before] === runtimes[i] && cpus[before] < cpus[i])) break;
      at--;
    }
    order.splice(at, 0, i);
  }
  const sortedShares: number[] = [];
  const billed: number[] = [];
  const sortedCpus: CpuKey[] = [];
  let confidence = n === 0 ? 0 : 1;
  for (let j = 0; j < n; j++) {
    const i = order[j];
    sortedShares.push(shares[i]);
    billed.push(billedDurationMs(runtimes[i], facts.minBilledMs));
    sortedCpus.push(cpus[i]);
    if (confidences[i] < confidence) confidence = confidences[i];
  }
  let expectedMs = 0;
  let unsureMs = 0;
  for (let i = 0; i < n; i++) {
    expectedMs += shares[i] * runtimes[i];
    unsureMs += shares[i] * runtimes[i] * (1 - confidences[i]);
  }
  const runtimeUncertainty = expectedMs > 0 ? unsureMs / expectedMs : 1 - confidence;
  const mixUncertainty = (1 - mixConfidence) * Math.min(1, Math.max(0, mixSensitivity));
  let slowTail = 0;
  for (let j = n - 1; j >= 0 && slowest.has(sortedCpus[j]); j--) slowTail++;
  return {
    index,
    zone,
    region,
    arch,
    memoryMb,
    target,
    cpus: Object.freeze(sortedCpus),
    shares: sortedShares,
    billedMs: billed,
    usdPerMs: usdPerBilledMs(memoryMb, { ...facts, pricePerGbSecond: facts.pricePerGbSecond[arch] }),
    usdPerRequest: facts.pricePerRequest,
    minBilledMs: facts.minBilledMs ?? 0,
    gramsPerMs: (wattsOf(memoryMb) / 3_600_000_000) * facts.carbonGPerKwh,
    slowTail,
    confidence,
    mixConfidence,
    scoreFactor: 1 + uncertaintyPenalty * (runtimeUncertainty + mixUncertainty),
  };
}

/**
 * How much a measured mix's uncertainty can move a target's expectation (0..1): the spread of the runtimes the
 * workload may meet on the target's architecture and memory (slowest minus fastest CPU, every CPU of the
 * architecture, as a CPU the sampling missed may be any of them) over the target's expected runtime. A measured mix
 * is off by a few shares at most (its APE bound): where every CPU runs the workload alike that changes nothing, and
 * where their runtimes differ by a third it changes a third of what it would if every share were wrong. Without it a
 * zone sampled to the usual accuracy ranked below a small one the sampling saw whole, whatever the workload.
 * @example mixSensitivityOf(262, 525, 500); // 0.526
 */
export function mixSensitivityOf(fastestMs: number, slowestMs: number, expectedMs: number): number {
  if (!(expectedMs > 0) || !(slowestMs > fastestMs)) return 0;
  return Math.min(1, (slowestMs - fastestMs) / expectedMs);
}

/** Objective coefficients and limits of one placement call. */
export interface EvaluationParams {
  /** Weight per USD, per ms of latency, per gram CO2e (already divided by the references). */
  wCost: number;
  wLatency: number;
  wCarbon: number;
  holdMs: number;
  maxAttempts: number;
  /** Delay of each retry beyond the hold and the round trip (an Invoke's own overhead), ms. */
  retryOverheadMs: number;
  maxAddedLatencyMs: number;
  /** Billed INIT of a new instance, ms (0 where INIT is not billed). See `INIT` in cost-model.ts. */
  initBilledMs: number;
  /** Share of first attempts that start a new instance (every retry does). See cost-model.ts. */
  coldStartShare: number;
  /**
   * Calls each instance the request settles on serves (the pool model, `pool-model.ts`): 1 when every call draws
   * its own instance; in a batch of n calls at concurrency k, about n/k, as each finished call leaves its instance
   * warm for the next. The draw (attempts, holds, INITs) is paid once per this many calls, or per `searchUses` where
   * workers share it.
   */
  usesPerInstance: number;
  /**
   * Calls a search is shared by (`PoolContext.searchUses`): its rejected attempts and their new instances; >=
   * `usesPerInstance`, which it equals where each worker searches for itself. The INIT of each worker's first instance
   * stays its own (`unsharedInitShare`). A shared search is not searched again (`sharesSearch`).
   */
  searchUses: number;
  /**
   * Whether an instance rejected just before the call's last attempt may be kept warm, so that the last attempt
   * runs on it without INIT, when that is cheaper than a fresh instance (the `auto` reject mode).
   */
  keepBeforeLastAttempt: boolean;
  /** Whether every rejected instance stays warm after its hold (the `hold` reject mode). */
  rejectedStayWarm: boolean;
  /**
   * Share of retries that an instance the call left warm (held, or kept for the last attempt) takes back: the
   * platform hands the next call the most recently used idle instance, which is the one the retry's call just
   * released. See `attemptChain` in cost-model.ts.
   */
  returnShare: number;
  /**
   * Chance that the new instance a retry starts lands on the host of the instance just rejected, and so runs the
   * rejected CPU again (`PoolContext.retryRepeat`; `attemptChain` in cost-model.ts). 0 prices independent draws.
   */
  retryRepeat: number;
}

/** The expected metrics of one candidate with one reject set. Mutable scratch, reused. */
export interface Metrics {
  value: number;
  attempts: number;
  runtimeMs: number;
  billedMs: number;
  costUsd: number;
  addedLatencyMs: number;
  carbonG: number;
  feasible: boolean;
}

export function newMetrics(): Metrics {
  return {
    value: 0,
    attempts: 0,
    runtimeMs: 0,
    billedMs: 0,
    costUsd: 0,
    addedLatencyMs: 0,
    carbonG: 0,
    feasible: false,
  };
}

/** Scratch of `evaluateSums` (it runs for every candidate and reject set, so it allocates nothing). */
const CHAIN: AttemptChain = { attempts: 1, freshBeforeLast: 1, lastReach: 0, returnedRetries: 0, lastKept: 0 };
const RENEWED: RenewedCall = { runtimeMs: 0, searchShare: 1, laterShare: 0 };

/**
 * Fills `out` with the expected metrics for reject share q, accepted sum Σ_{c∉B} p_c T_c and
 * rejected sum Σ_{c∈B} p_c T_c, with a round trip `rttMs` to the region, under the reject mode the
 * params carry: a rejected instance that stays warm (held, or kept for the last attempt) takes the
 * retry back with probability `returnShare`, so that retry runs a rejected CPU and starts no new
 * instance; a retry's new instance runs the rejected CPU again with probability `retryRepeat`
 * (`attemptChain`). Allocation-free.
 */
export function evaluateSums(
  c: Candidate,
  q: number,
  acceptedMs: number,
  rejectedMs: number,
  rttMs: number,
  p: EvaluationParams,
  out: Metrics,
): Metrics {
  const m = p.maxAttempts;
  const freshMs = acceptedMs + rejectedMs;
  const keptMs = q > 0 ? rejectedMs / q : 0;
  const earlyReturn = p.rejectedStayWarm ? p.returnShare : 0;
  const keepsLast = p.keepBeforeLastAttempt && keepsBeforeLastAttempt(keptMs, freshMs, p.initBilledMs, p.retryRepeat);
  const lastReturn = p.rejectedStayWarm || keepsLast ? p.returnShare : 0;
  const chain = attemptChain(q, m, earlyReturn, lastReturn, CHAIN, p.retryRepeat);
  const attempts = chain.attempts;
  if (!Number.isFinite(attempts)) {
    out.feasible = false;
    out.value = Number.POSITIVE_INFINITY;
    return out;
  }
  const lastMs = (1 - chain.lastKept) * freshMs + chain.lastKept * keptMs;
  const loneMs = acceptedMs * chain.freshBeforeLast + chain.lastReach * (m <= 1 ? freshMs : lastMs);
  if (sharesSearch(p)) return metricsOfAttempts(c, attempts, loneMs, chain.returnedRetries, rttMs, p, out);
  // A call whose last attempt meets a refused CPU runs there once; the worker's next call refuses it and searches again.
  const endsRefused = m <= 1 ? 0 : chain.lastReach * (chain.lastKept + (1 - chain.lastKept) * q);
  // A later search starts with the refused warm instance: a call whose first attempt was refused (q), without INIT.
  const renewed = renewOverUses(p.usesPerInstance, loneMs, keptMs, endsRefused, RENEWED, q > 0 ? endsRefused / q : 0);
  if (renewed.laterShare <= 0 || q <= 0) {
    return metricsOfAttempts(c, attempts, renewed.runtimeMs, chain.returnedRetries, rttMs, p, out, renewed.searchShare);
  }
  const first = renewed.searchShare - renewed.laterShare;
  const retries = (attempts - 1) * (first + renewed.laterShare / q);
  const newInstances =
    (newInstancesPerRequest(attempts, p) - chain.returnedRetries) * first +
    ((attempts - 1 - chain.returnedRetries) / q) * renewed.laterShare;
  return metricsOfSearches(c, renewed.runtimeMs, retries, newInstances, rttMs, p, out);
}

/**
 * Fills `out` from a call's expected attempts, expected billed runtime of its accepted attempt and expected retries
 * that met an instance the call left warm (no INIT): the billing, latency and objective every reject policy is priced
 * by (`evaluateSums` for one reject set, `evaluateSchedule` for a reject set per attempt). The rejections and INITs
 * of finding an instance are paid by `searchShare` of the calls (by default one in `searchUses`, the calls it
 * serves; see `pool-renewal.ts`), and the INIT of each worker's own instance by its own calls (`unsharedInitShare`).
 * Allocation-free.
 */
export function metricsOfAttempts(
  c: Candidate,
  attempts: number,
  runtimeMs: number,
  returnedRetries: number,
  rttMs: number,
  p: EvaluationParams,
  out: Metrics,
  searchShare: number = 1 / searchUsesOf(p),
): Metrics {
  const retries = (attempts - 1) * searchShare;
  const newInstances =
    (newInstancesPerRequest(attempts, p) - returnedRetries) * searchShare + p.coldStartShare * unsharedInitShare(p);
  return metricsOfSearches(c, runtimeMs, retries, newInstances, rttMs, p, out);
}

/**
 * Whether workers share the search (`searchUses` over `usesPerInstance`): a probe's. Its calls run what a lone call
 * runs, not renewed over a worker's calls (`pool-renewal.ts`): a probe that runs out of attempts leaves every worker
 * on the host it ended on, and no worker searches again for it.
 */
export function sharesSearch(p: Pick<EvaluationParams, 'usesPerInstance' | 'searchUses'>): boolean {
  return p.searchUses > p.usesPerInstance;
}

/** Calls a search serves (`EvaluationParams.searchUses`), never fewer than an instance serves. */
export function searchUsesOf(p: Pick<EvaluationParams, 'usesPerInstance' | 'searchUses'>): number {
  return Math.max(p.usesPerInstance, p.searchUses);
}

/**
 * Per call, the share of a worker's first INIT that a search shared by more calls than its instance serves leaves to
 * the worker: each worker that shares a search still starts an instance of its own. 0 where each searches for itself.
 */
export function unsharedInitShare(p: Pick<EvaluationParams, 'usesPerInstance' | 'searchUses'>): number {
  return 1 / p.usesPerInstance - 1 / searchUsesOf(p);
}

/** Fills `out` from a call's expected billed runtime and its share of the searches' rejected attempts and new instances. */
function metricsOfSearches(
  c: Candidate,
  runtimeMs: number,
  retries: number,
  newInstances: number,
  rttMs: number,
  p: EvaluationParams,
  out: Metrics,
): Metrics {
  const billedMs = runtimeMs + attemptBilledMs(p.holdMs, c.minBilledMs) * retries + newInstances * p.initBilledMs;
  const attemptsPerCall = 1 + retries;
  const costUsd = billedMs * c.usdPerMs + attemptsPerCall * c.usdPerRequest;
  const addedLatencyMs = retries * (p.holdMs + p.retryOverheadMs + rttMs) + rttMs;
  const carbonG = billedMs * c.gramsPerMs;
  out.attempts = attemptsPerCall;
  out.runtimeMs = runtimeMs;
  out.billedMs = billedMs;
  out.costUsd = costUsd;
  out.addedLatencyMs = addedLatencyMs;
  out.carbonG = carbonG;
  out.feasible = addedLatencyMs <= p.maxAddedLatencyMs;
  out.value = p.wCost * costUsd + p.wLatency * (runtimeMs + addedLatencyMs) + p.wCarbon * carbonG;
  return out;
}

/**
 * The keep-or-end rule for an instance rejected just before a call's last attempt: keep it warm (the last attempt
 * runs there, on a CPU it rejected, with no INIT) when that bills less than ending it (a new instance: INIT plus its
 * runtime, which is the kept CPU's again with probability `retryRepeat` and a fresh draw's otherwise). Where INIT is
 * billed, a slow instance is worth keeping when it is slower by less than INIT over (1 − retryRepeat).
 * @example keepsBeforeLastAttempt(1300, 1100, 150) // false: 1300 > 1100 + 150
 */
export function keepsBeforeLastAttempt(
  keptMs: number,
  freshMs: number,
  initBilledMs: number,
  retryRepeat = 0,
): boolean {
  return (1 - retryRepeat) * keptMs < (1 - retryRepeat) * freshMs + initBilledMs;
}

/** Expected new instances a request starts: its first attempt's cold share plus every retry. */
export function newInstancesPerRequest(attempts: number, p: Pick<EvaluationParams, 'coldStartShare'>): number {
  return p.coldStartShare + (attempts - 1);
}

/** Metrics of accepting the `accept` fastest CPUs and rejecting the rest. */
export function evaluatePrefix(
  c: Candidate,
  accept: number,
  rttMs: number,
  p: EvaluationParams,
  out: Metrics,
): Metrics {
  let q = 0;
  let accepted = 0;
  let rejected = 0;
  for (let j = 0; j < c.cpus.length; j++) {
    const w = c.shares[j] * c.billedMs[j];
    if (j >= accept) {
      q += c.shares[j];
      rejected += w;
    } else {
      accepted += w;
    }
  }
  return evaluateSums(c, accept >= c.cpus.length ? 0 : Math.min(q, 1), accepted, rejected, rttMs, p, out);
}

/** Metrics of a reject set given as a bit mask over the sorted CPUs. */
export function evaluateMask(c: Candidate, mask: number, rttMs: number, p: EvaluationParams, out: Metrics): Metrics {
  let q = 0;
  let acceptedShare = 0;
  let accepted = 0;
  let rejected = 0;
  for (let j = 0; j < c.cpus.length; j++) {
    const w = c.shares[j] * c.billedMs[j];
    if (mask & (1 << j)) {
      q += c.shares[j];
      rejected += w;
    } else {
      acceptedShare += c.shares[j];
      accepted += w;
    }
  }
  return evaluateSums(c, acceptedShare === 0 ? 1 : Math.min(q, 1), accepted, rejected, rttMs, p, out);
}
