/**
 * Whether a workload's call fits the time a dynamic function gives it. A placement's last attempt is
 * sent without a reject set (so that a request that met only rejected CPUs still runs), so whatever
 * the reject set, a call can end up running on the slowest CPU of the target's zone: that runtime,
 * with headroom for the workload's spread, must fit the call's budget.
 */

/**
 * Coefficient of variation assumed for a workload with fewer than two runtimes observed on any
 * CPU × arch × memory (above what the paper's workloads show, 3–5%, since nothing is known yet).
 */
export const PRIOR_RUNTIME_CV = 0.1;

/** Standard deviations of headroom above the expected runtime: a call should fit nearly always, not on average. */
export const FIT_SIGMAS = 3;

/** The factor a mean runtime is multiplied by before it is held against a call's budget: 1 + 3 × cv. */
export function runtimeHeadroom(cv: number = PRIOR_RUNTIME_CV): number {
  return 1 + FIT_SIGMAS * (Number.isFinite(cv) && cv > 0 ? cv : 0);
}

/**
 * Whether a call whose mean runtime on the slowest CPU it may land on is `slowestMs` fits a budget of
 * `budgetMs`, given the workload's coefficient of variation `cv`.
 * @example fitsCallBudget(50_000, 60_000, 0.03); // true: 50 s × 1.09 = 54.5 s
 */
export function fitsCallBudget(slowestMs: number, budgetMs: number, cv: number = PRIOR_RUNTIME_CV): boolean {
  return slowestMs * runtimeHeadroom(cv) <= budgetMs;
}
