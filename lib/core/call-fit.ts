import { normalQuantile } from './statistics';

/**
 * Whether a workload's call fits the time a dynamic function gives it. A CPU on which the expected runtime, with
 * headroom for the workload's spread, passes the call's budget is unfit: the placement rejects it at every attempt
 * but the last, which otherwise takes whatever it meets (so that a request that met only rejected CPUs still runs)
 * and rejects only the unfit CPUs on which the call is not expected to finish at all (`overBudgetMaskOf`). A target
 * fits when some CPU of its zone is fit and a call is unlikely to meet only unfit ones in all its attempts
 * (`MAX_UNFIT_EXHAUSTION`).
 */

/**
 * Coefficient of variation assumed for a workload with fewer than two runtimes observed on any
 * CPU × arch × memory (above what the paper's workloads show, 3–5%, since nothing is known yet).
 */
export const PRIOR_RUNTIME_CV = 0.1;

/**
 * Largest chance a placement may run that a call meets only unfit CPUs in every one of its attempts, and so fails:
 * 1 in a million, so that a batch of 10,000 calls (the most one send takes) loses a call less than once in 100 sends.
 * The bound is per call, and a batch runs thousands: at 1 in 10,000, each of generated seed 382's 5,697 calls of
 * long-io-2 in its fixed zone alone could fail at that chance (up to 0.57 failures expected), and one failed. Where
 * the chance is larger the target is not placed on: more memory or another zone does better.
 */
export const MAX_UNFIT_EXHAUSTION = 1e-6;

/**
 * Standard deviations of headroom for how far a runtime estimate may be off: where it is, every call on that CPU runs
 * long, so one placement's estimate is held at 3 standard deviations, as one decision.
 */
export const FIT_SIGMAS = 3;

/**
 * Standard deviations of headroom for a call's own spread: each call runs long on its own, and a batch runs thousands,
 * so a call is held at the chance `MAX_UNFIT_EXHAUSTION` gives a call that meets only unfit CPUs (about 4.75). At 3, a
 * call whose mean sits at the limit runs past its budget once in 740: generated seed 291's long-io-1 in its fixed zone
 * alone, placed at 512 MB on Graviton2 (280 s, cv 2.3%, 299.5 s with 3 standard deviations against a 300 s budget),
 * lost one call of 488 to the function's timeout on two of its three days.
 */
export const CALL_FIT_SIGMAS = normalQuantile(1 - MAX_UNFIT_EXHAUSTION);

/**
 * The factor a mean runtime is multiplied by before it is held against a call's budget: 1 plus the spread of a call's
 * runtime, which is the workload's own (`cv`, at `CALL_FIT_SIGMAS`) and, where the mean is an estimate, how far that
 * may be off (`meanLogSd`, the belief's spread in log terms: `runtimeLogSd`, at `FIT_SIGMAS`), the two independent. A
 * runtime carried over from other CPUs or another memory size can be off by far more than a call varies (by about 30%
 * against a spread of 3-10%), and where it is off every call on that CPU runs long, so the budget must hold it too.
 * @example runtimeHeadroom(0.1); // 1.475
 * @example runtimeHeadroom(0.1, 0.3); // 2.02: a runtime known only from other CPUs
 */
export function runtimeHeadroom(cv: number = PRIOR_RUNTIME_CV, meanLogSd = 0): number {
  const own = Number.isFinite(cv) && cv > 0 ? CALL_FIT_SIGMAS * cv : 0;
  const estimate = Number.isFinite(meanLogSd) && meanLogSd > 0 ? FIT_SIGMAS * meanLogSd : 0;
  return 1 + Math.sqrt(own * own + estimate * estimate);
}

/**
 * Whether a call whose mean runtime on the slowest CPU it may land on is `slowestMs` fits a budget of
 * `budgetMs`, given the workload's coefficient of variation `cv`.
 * @example fitsCallBudget(50_000, 60_000, 0.03); // true: 50 s × 1.14 = 57.1 s
 */
export function fitsCallBudget(slowestMs: number, budgetMs: number, cv: number = PRIOR_RUNTIME_CV): boolean {
  return slowestMs * runtimeHeadroom(cv) <= budgetMs;
}

/**
 * The chance that a call meets an unfit CPU in each of its `maxAttempts` attempts, when `unfitShare` of the fresh
 * instances it may draw are unfit, a retry meets the instance it was rejected on again with probability
 * `returnShare` (a held instance the platform hands back; 0 where rejected instances end), and a new instance lands
 * on the rejected one's host, so its CPU, with probability `retryRepeat` (`PoolContext.retryRepeat`).
 * @example unfitExhaustion(0.15, 10); // 0.15^10 ≈ 5.8e-9
 */
export function unfitExhaustion(unfitShare: number, maxAttempts: number, returnShare = 0, retryRepeat = 0): number {
  if (!(unfitShare > 0)) return 0;
  const u = Math.min(1, unfitShare);
  const perRetry = returnShare + (1 - returnShare) * (retryRepeat + (1 - retryRepeat) * u);
  return u * perRetry ** Math.max(0, maxAttempts - 1);
}

/**
 * The last attempts of a call that must accept every CPU it can finish on, so that it fails (meets only unfit CPUs)
 * no more often than `MAX_UNFIT_EXHAUSTION`: the fewest k of its `maxAttempts` with `unfitExhaustion` over k attempts
 * within that bound. A placement that rejects fit CPUs too leaves a call that met none it accepts with its last
 * attempt alone, which meets an unfit CPU at the unfit share (generated seed 184: 4 of 1,692 calls at 1,024 MB, where
 * one CPU in 13 could not finish, failed after nine rejects of a fit but slow CPU); with k such attempts it meets only
 * unfit ones at `unfitExhaustion` over k.
 * @example fitTailAttempts(0.078, 10); // 6: 0.078^5 ≈ 2.9e-6, 0.078^6 ≈ 2.3e-7
 */
export function fitTailAttempts(unfitShare: number, maxAttempts: number, returnShare = 0, retryRepeat = 0): number {
  const m = Math.max(1, Math.floor(maxAttempts));
  for (let k = 1; k < m; k++) {
    if (unfitExhaustion(unfitShare, k, returnShare, retryRepeat) <= MAX_UNFIT_EXHAUSTION) return k;
  }
  return m;
}
