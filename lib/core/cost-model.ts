import { CoreInputError } from './errors';

/**
 * The cost model of a placement that rejects a set B of CPUs (DESIGN.md "Routing").
 *
 * Each attempt lands on CPU c with probability p_c. On a CPU in B the dynamic function holds the
 * instance for h ms and answers `rejected`; otherwise it runs the work (t_c ms). With an attempt
 * budget m the last attempt accepts whatever CPU it gets, so with q = P(B):
 *   P(reach attempt j) = q^(j−1),  E[attempts] A = (1 − q^m)/(1 − q),  E[rejected] = A − 1,
 *   E[accepted work] = Σ_{c∉B} p_c t_c · A + q^(m−1) · Σ_{c∈B} p_c t_c.
 * For m → ∞ this is the paper's form: A = 1/(1 − q), billed time (h·q + Σ_{c∉B} p_c t_c)/(1 − q).
 * Lambda bills every attempt: duration rounded up to 1 ms × memory GB × price, plus a request charge.
 *
 * INIT: since 2025-08-01 Lambda also bills the INIT phase of every new instance (on-demand ZIP
 * functions on managed runtimes), at the function's memory and price like run time. A request
 * starts a new instance on its first attempt with probability s (the cold-start share: 1 in a
 * burst that meets no warm instance) and on every retry, because the rejected instance is still
 * held (or ended) when the retry is sent, so the expected INITs per request are s + (A − 1) and
 * the expected billed time grows by (s + A − 1) × initMs. Under 2024 billing initMs counts 0.
 */

/** Lambda's price of one architecture in one region (and another provider's, with its extra terms). */
export interface LambdaPrice {
  /** USD per GB-second (first tier). */
  readonly pricePerGbSecond: number;
  /** USD per request. */
  readonly pricePerRequest: number;
  /** USD per vCPU-second, where CPU is billed apart (IBM Code Engine). @default 0 */
  readonly pricePerVcpuSecond?: number;
  /** vCPUs per GB of memory, for `pricePerVcpuSecond`. @default 0 */
  readonly vcpusPerGb?: number;
  /** Shortest billed duration per call, ms. @default 0 */
  readonly minBilledMs?: number;
}

/**
 * USD per billed ms of a function with `memoryMb`: memory GB × price per GB-s, plus its vCPUs × price
 * per vCPU-s where the provider bills CPU apart, over 1000.
 */
export function usdPerBilledMs(memoryMb: number, price: LambdaPrice): number {
  const gb = memoryMb / MB_PER_GB;
  return (gb * price.pricePerGbSecond + gb * (price.vcpusPerGb ?? 0) * (price.pricePerVcpuSecond ?? 0)) / 1000;
}

/**
 * INIT duration of a new instance assumed when none is measured, ms: the scenario format's
 * default, and about what a small Node.js bundle with no SDK clients takes (`npm run bench runtime`
 * measures the project's own bundles).
 */
export const DEFAULT_INIT_MS = 150;

/** Whether Lambda bills INIT and for how long; `billed: false` is the billing before 2025-08-01. */
export interface InitBilling {
  /** @default true */
  readonly billed?: boolean;
  /** @default DEFAULT_INIT_MS */
  readonly initMs?: number;
}

/** Billed INIT ms of one new instance under a billing (0 when INIT is not billed). */
export function initBilledMs(billing: InitBilling = {}): number {
  const initMs = billing.initMs ?? DEFAULT_INIT_MS;
  if (!Number.isFinite(initMs) || initMs < 0) throw new CoreInputError('initMs', initMs, 'a finite number >= 0');
  return billing.billed === false ? 0 : Math.ceil(initMs);
}

/** MB in Lambda's GB for GB-seconds. */
export const MB_PER_GB = 1024;

/** Lambda's shortest billed duration: it rounds a duration up to the next 1 ms, so even an instant answer bills 1 ms. */
export const LAMBDA_MIN_BILLED_MS = 1;

/** Billed ms of one call: its duration rounded up to 1 ms, at least the provider's minimum (DigitalOcean: 100 ms). */
export function billedDurationMs(durationMs: number, minBilledMs = 0): number {
  return Math.max(Math.ceil(durationMs), minBilledMs);
}

/**
 * Billed ms of one attempt that lasted `durationMs` (a rejected one: its hold): at least 1 ms, as Lambda bills an
 * instant answer, and at least the provider's minimum billed time per call (DigitalOcean bills a rejection 100 ms).
 */
export function attemptBilledMs(durationMs: number, minBilledMs = 0): number {
  return billedDurationMs(durationMs, Math.max(LAMBDA_MIN_BILLED_MS, minBilledMs));
}

/**
 * Billed cost of one Lambda call: ceil(durationMs) × memory GB × price per GB-s / 1000 + request charge.
 * @example billedCost(1234.2, 2048, { pricePerGbSecond: 0.0000166667, pricePerRequest: 0.0000002 }) // 0.0000413...
 */
export function billedCost(durationMs: number, memoryMb: number, price: LambdaPrice): number {
  if (!Number.isFinite(durationMs) || durationMs < 0) {
    throw new CoreInputError('durationMs', durationMs, 'a finite number >= 0');
  }
  if (!Number.isFinite(memoryMb) || memoryMb <= 0) throw new CoreInputError('memoryMb', memoryMb, 'a number > 0');
  return billedDurationMs(durationMs, price.minBilledMs) * usdPerBilledMs(memoryMb, price) + price.pricePerRequest;
}

/**
 * Expected number of attempts with reject share q and budget m (Infinity allowed): (1 − q^m)/(1 − q).
 * Infinite when q = 1 and m = ∞.
 */
export function expectedAttempts(q: number, maxAttempts: number): number {
  if (q <= 0) return 1;
  if (q >= 1) return maxAttempts;
  if (maxAttempts === Number.POSITIVE_INFINITY) return 1 / (1 - q);
  return (1 - q ** maxAttempts) / (1 - q);
}

/**
 * Expected total of a per-attempt objective for a reject set summarized by its sums:
 * perAttempt × A + perReject × (A − 1) + acceptedSum × A + q^(m−1) × rejectedSum, where
 * acceptedSum = Σ_{c∉B} p_c a_c and rejectedSum = Σ_{c∈B} p_c a_c with shares that sum to 1.
 * This is the one formula every objective (cost, latency, carbon) goes through.
 */
export function expectedObjective(
  q: number,
  acceptedSum: number,
  rejectedSum: number,
  perAttempt: number,
  perReject: number,
  maxAttempts: number,
): number {
  const attempts = expectedAttempts(q, maxAttempts);
  if (!Number.isFinite(attempts)) return Number.POSITIVE_INFINITY;
  const lastAttemptShare = q <= 0 ? 0 : maxAttempts === Number.POSITIVE_INFINITY ? 0 : q ** (maxAttempts - 1);
  return perAttempt * attempts + perReject * (attempts - 1) + acceptedSum * attempts + lastAttemptShare * rejectedSum;
}

/**
 * How the attempts of a call unfold when a rejected instance may stay warm and take the retry back (the reject
 * modes, `reject-mode.ts`), and when the new instance a retry starts may land on the host the rejected one ran on
 * (`PoolContext.retryRepeat`). Attempt 1 is a fresh draw, rejected with probability q. A retry meets the instance it
 * was rejected on again with probability `earlyReturn` (before the last attempt) or `lastReturn` (the last attempt);
 * otherwise it starts a new instance, which runs the rejected CPU again with probability ρ = `repeat` (same host) and
 * is a fresh draw from the mix otherwise. A returned or repeated attempt runs a rejected CPU, so before the last
 * attempt it rejects again, and on the last attempt it runs the work there. This is the chain over the CPU of the last
 * attempt, v₁ = mix, v_{k+1}(c) = ρ·v_k(c)·[c∈B] + (1−ρ)·mix(c)·Σ_{c'∈B} v_k(c') (with returns), for one reject set B:
 * the rejected mass stays spread over B as the mix spreads it, so the runtime of a kept or repeated CPU is the mix's
 * mean over B. With s = q + earlyReturn·(1 − q) + (1 − earlyReturn)·ρ·(1 − q), the chance that an attempt before the
 * last is rejected, and g(n) = 1 + s + … + s^(n−1), for a budget m ≥ 2:
 *   attempts A = 1 + q·g(m−1), fresh attempts before the last 1 + (1 − earlyReturn)·(1 − ρ)·q·g(m−2),
 *   P(reach the last attempt) = q·s^(m−2), retries that return earlyReturn·q·g(m−2) + lastReturn·q·s^(m−2),
 *   P(the last attempt runs a rejected CPU | reached) = lastReturn + (1 − lastReturn)·ρ, else it is a fresh draw.
 * With both returns and ρ 0 this is the memoryless chain above (A = (1 − q^m)/(1 − q)); with an unbounded budget and
 * s = 1 (a held instance always taken back, or every replacement on the same host) a call that meets a rejected CPU
 * never ends: attempts are infinite.
 */
export interface AttemptChain {
  /** Expected attempts per call. */
  attempts: number;
  /** Expected attempts before the last that are fresh draws (each accepts with probability 1 − q). */
  freshBeforeLast: number;
  /** Probability that the call reaches its last attempt having been rejected (0 with an unbounded budget). */
  lastReach: number;
  /** Expected retries that meet an instance left warm by the call's own rejection (no new instance, no INIT). */
  returnedRetries: number;
  /** Probability that the last attempt, once reached, runs a rejected CPU (returned to, or repeated on its host). */
  lastKept: number;
}

/**
 * Fills `out` with the attempt chain of reject share q, budget m, return shares and repeat share (see `AttemptChain`).
 * Allocation-free. With `repeat` 0 every figure is the one of the chain without repeats, to the last bit.
 */
export function attemptChain(
  q: number,
  maxAttempts: number,
  earlyReturn: number,
  lastReturn: number,
  out: AttemptChain,
  repeat = 0,
): AttemptChain {
  if (maxAttempts <= 1 || q <= 0) {
    out.attempts = 1;
    out.freshBeforeLast = maxAttempts <= 1 ? 0 : 1;
    out.lastReach = maxAttempts <= 1 ? 1 : 0;
    out.returnedRetries = 0;
    out.lastKept = 0;
    return out;
  }
  // Written so that repeat = 0 adds an exact 0 and multiplies by an exact 1: the memoryless figures are unchanged.
  const s = q >= 1 ? 1 : q + earlyReturn * (1 - q) + (1 - earlyReturn) * repeat * (1 - q);
  const freshShare = (1 - earlyReturn) * (1 - repeat);
  out.lastKept = lastReturn + (1 - lastReturn) * repeat;
  if (maxAttempts === Number.POSITIVE_INFINITY) {
    if (s >= 1) {
      out.attempts = Number.POSITIVE_INFINITY;
      out.freshBeforeLast = Number.POSITIVE_INFINITY;
      out.lastReach = 0;
      out.returnedRetries = Number.POSITIVE_INFINITY;
      return out;
    }
    const g = 1 / (1 - s);
    out.attempts = 1 + q * g;
    out.freshBeforeLast = 1 + freshShare * q * g;
    out.lastReach = 0;
    out.returnedRetries = earlyReturn * q * g;
    return out;
  }
  const toLast = s ** (maxAttempts - 2);
  const g1 = s >= 1 ? maxAttempts - 1 : (1 - toLast * s) / (1 - s);
  const g2 = s >= 1 ? maxAttempts - 2 : (1 - toLast) / (1 - s);
  out.attempts = 1 + q * g1;
  out.freshBeforeLast = 1 + freshShare * q * g2;
  out.lastReach = q * toLast;
  out.returnedRetries = earlyReturn * q * g2 + lastReturn * q * toLast;
  return out;
}

/** Input of `expectedPlacementCost`: one zone × arch × memory with a reject set. */
export interface PlacementCostInput {
  /** CPU shares in the zone (normalized here if they do not sum to 1). */
  readonly shares: readonly number[];
  /** Mean runtime of the work on each CPU in ms, aligned with `shares`. */
  readonly runtimesMs: readonly number[];
  /** Whether each CPU is rejected, aligned with `shares`. */
  readonly reject: readonly boolean[];
  /** Billed time of a rejected attempt in ms (the hold). */
  readonly holdMs: number;
  /** Attempts allowed including the first. @default Infinity */
  readonly maxAttempts?: number;
  readonly memoryMb: number;
  readonly price: LambdaPrice;
  /** Extra delay of each retry beyond the hold (a round trip to the region), ms. @default 0 */
  readonly retryOverheadMs?: number;
  /** Network latency to the region, ms. @default 0 */
  readonly networkMs?: number;
  /** Billed INIT of a new instance, ms (see `initBilledMs`). @default 0 */
  readonly initBilledMs?: number;
  /** Share of first attempts that start a new instance. @default 1 */
  readonly coldStartShare?: number;
}

/** What a placement is expected to cost and take. */
export interface PlacementExpectation {
  readonly attempts: number;
  /** Share of attempts that land on a rejected CPU (P(B)). */
  readonly rejectShare: number;
  /** Expected billed ms over all attempts, INIT of new instances included. */
  readonly billedMs: number;
  /** Expected new instances (each billed its INIT where INIT is billed). */
  readonly newInstances: number;
  /** Expected billed ms of the accepted attempt. */
  readonly runtimeMs: number;
  readonly costUsd: number;
  /** Hold and retry delays plus network latency, ms. */
  readonly addedLatencyMs: number;
}

/** Sums of a reject set over normalized shares. */
export interface RejectSums {
  /** P(B). */
  readonly q: number;
  /** Σ_{c∉B} p_c b(t_c), b(t) = max(ceil(t), the provider's minimum). */
  readonly acceptedMs: number;
  /** Σ_{c∈B} p_c b(t_c). */
  readonly rejectedMs: number;
}

/**
 * Normalizes shares and sums a reject set; a runtime t_c bills max(ceil(t_c), `minBilledMs`), as the platform bills a
 * call (DigitalOcean bills every call at least 100 ms).
 */
export function rejectSums(
  shares: readonly number[],
  runtimesMs: readonly number[],
  reject: readonly boolean[],
  minBilledMs = 0,
): RejectSums {
  if (runtimesMs.length !== shares.length || reject.length !== shares.length) {
    throw new CoreInputError(
      'runtimesMs/reject length',
      [runtimesMs.length, reject.length],
      `${shares.length}, as shares`,
    );
  }
  let total = 0;
  shares.forEach((p, i) => {
    if (!Number.isFinite(p) || p < 0) throw new CoreInputError(`shares[${i}]`, p, 'a finite number >= 0');
    if (!Number.isFinite(runtimesMs[i]) || runtimesMs[i] < 0) {
      throw new CoreInputError(`runtimesMs[${i}]`, runtimesMs[i], 'a finite number >= 0');
    }
    total += p;
  });
  if (total <= 0) throw new CoreInputError('shares', shares, 'at least one share > 0');
  let q = 0;
  let acceptedShare = 0;
  let acceptedMs = 0;
  let rejectedMs = 0;
  shares.forEach((raw, i) => {
    const p = raw / total;
    if (reject[i]) {
      q += p;
      rejectedMs += p * billedDurationMs(runtimesMs[i], minBilledMs);
    } else {
      acceptedShare += p;
      acceptedMs += p * billedDurationMs(runtimesMs[i], minBilledMs);
    }
  });
  // Rejecting every CPU present is q = 1 exactly, whatever the rounding of the sum.
  return { q: acceptedShare === 0 ? 1 : Math.min(1, q), acceptedMs, rejectedMs };
}

/**
 * Expected attempts, billed time, cost and added latency of a placement (formulas above).
 * With an infinite budget and every CPU rejected the expectation is infinite.
 * @example expectedPlacementCost({ shares: [0.7, 0.3], runtimesMs: [1000, 1300], reject: [false, true], holdMs: 150, memoryMb: 2048, price })
 */
export function expectedPlacementCost(input: PlacementCostInput): PlacementExpectation {
  const maxAttempts = input.maxAttempts ?? Number.POSITIVE_INFINITY;
  if (!(maxAttempts >= 1) || (Number.isFinite(maxAttempts) && !Number.isInteger(maxAttempts))) {
    throw new CoreInputError('maxAttempts', maxAttempts, 'an integer >= 1 or Infinity');
  }
  if (!Number.isFinite(input.holdMs) || input.holdMs < 0)
    throw new CoreInputError('holdMs', input.holdMs, 'a number >= 0');
  const { q, acceptedMs, rejectedMs } = rejectSums(
    input.shares,
    input.runtimesMs,
    input.reject,
    input.price.minBilledMs,
  );
  // Each rejected attempt bills its hold, and at least the provider's minimum.
  const hold = billedDurationMs(input.holdMs, input.price.minBilledMs);
  const attempts = expectedAttempts(q, maxAttempts);
  const runtimeMs = expectedObjective(q, acceptedMs, rejectedMs, 0, 0, maxAttempts);
  const coldStartShare = input.coldStartShare ?? 1;
  if (!(coldStartShare >= 0 && coldStartShare <= 1)) {
    throw new CoreInputError('coldStartShare', coldStartShare, 'a number in [0, 1]');
  }
  const init = input.initBilledMs ?? 0;
  if (!Number.isFinite(init) || init < 0) throw new CoreInputError('initBilledMs', init, 'a finite number >= 0');
  const newInstances = coldStartShare + (attempts - 1);
  const billedMs = runtimeMs + hold * (attempts - 1) + newInstances * Math.ceil(init);
  return placementExpectation(input, { attempts, rejectShare: q, billedMs, newInstances, runtimeMs });
}

/**
 * The expectation of a placement from its expected attempts, billed time and new instances: prices them at the
 * zone's rates (per billed ms, vCPU included where the provider charges it, and per attempt) and adds the hold and
 * retry overhead of every attempt after the first to the latency. Every reject-mode model reports through this.
 */
export function placementExpectation(
  input: PlacementCostInput,
  e: Pick<PlacementExpectation, 'attempts' | 'rejectShare' | 'billedMs' | 'newInstances' | 'runtimeMs'>,
): PlacementExpectation {
  return {
    ...e,
    costUsd: e.billedMs * usdPerBilledMs(input.memoryMb, input.price) + e.attempts * input.price.pricePerRequest,
    addedLatencyMs: (e.attempts - 1) * (input.holdMs + (input.retryOverheadMs ?? 0)) + (input.networkMs ?? 0),
  };
}
