import { type Candidate, type EvaluationParams, evaluateMask, evaluatePrefix, type Metrics } from './candidate';
import type { CompiledView } from './compiled-view';
import { fitsScope, type Scope, unfitMaskOf } from './placement-scope';
import { evaluateSchedule, scheduleBeats } from './reject-schedule';
import { optimalRejectSet, type RejectChoice, suffixMask } from './reject-set';
import { ARCH_ORDER, type PureObjective, type WorkloadPlan } from './workload-plan';

/** A candidate with its reject set (a mask over its CPUs, fastest first) and its ranked value. */
export interface Choice {
  candidate: Candidate;
  /** The best single reject set (every attempt but the last). */
  mask: number;
  retriesDropped: boolean;
  /**
   * Whether a reject set per attempt (`reject-schedule.ts`) beats `mask`: then `value` is the schedule's, and the
   * placement follows it. @default false
   */
  scheduled?: boolean;
  value: number;
}

/**
 * The fast path: the first allowed candidate of a precomputed ranking, then the next ones in other
 * zones as fallbacks (appended to `fallbacks`, at most `fallbackCount`). `'rescan'` when an allowed candidate has
 * CPUs the call cannot finish on within its budget: the ranking did not keep them rejected, so only a scan
 * (`scanCandidates`) ranks such a candidate right.
 */
export function fromRanking(
  view: CompiledView,
  plan: WorkloadPlan,
  scope: Scope,
  objective: PureObjective,
  fallbackCount: number,
  metrics: Metrics,
  fallbacks: Choice[],
): Choice | undefined | 'rescan' {
  const ranking = plan.rankings[objective];
  let chosen: Choice | undefined;
  const zonesTaken = new Set<number>();
  for (let r = 0; r < ranking.order.length; r++) {
    const c = plan.candidates[ranking.order[r]];
    if (!isAllowed(view, plan, c, scope) || zonesTaken.has(c.zone)) continue;
    if (unfitMaskOf(plan, c.index, scope.fitLimitMs) !== 0) return 'rescan';
    const accept = ranking.accept[c.index];
    const scheduled = ranking.scheduled[c.index] === 1;
    if (scheduled) evaluateSchedule(c, 0, scope.params, metrics);
    else evaluatePrefix(c, accept, 0, scope.params, metrics);
    const choice: Choice = {
      candidate: c,
      mask: suffixMask(c.cpus.length, accept),
      retriesDropped: false,
      scheduled,
      value: metrics.value * c.scoreFactor,
    };
    zonesTaken.add(c.zone);
    if (!chosen) chosen = choice;
    else fallbacks.push(choice);
    if (fallbacks.length >= fallbackCount) break;
  }
  return chosen;
}

/** Whether a candidate's zone, arch and memory are allowed, and it fits the call budget (see `fitsScope`). */
export function isAllowed(view: CompiledView, plan: WorkloadPlan, c: Candidate, scope: Scope): boolean {
  return (
    scope.zoneOk[c.zone] === 1 &&
    scope.archOk[ARCH_ORDER.indexOf(c.arch)] &&
    scope.memOk[view.memorySizes.indexOf(c.memoryMb)] === 1 &&
    fitsScope(plan, c.index, scope)
  );
}

/**
 * Evaluates every allowed candidate under the strategy's reject rule and calls `visit` with each
 * feasible one (the same mutable `Choice`: copy what you keep). Under a latency bound the optimal
 * rule finds the exact optimal reject set (`optimalRejectSet`); the others take a prefix.
 */
export function scanCandidates(
  view: CompiledView,
  plan: WorkloadPlan,
  scope: Scope,
  metrics: Metrics,
  visit: (choice: Choice) => void,
): void {
  const memCount = view.memorySizes.length;
  const choice: Choice = { candidate: plan.candidates[0], mask: 0, retriesDropped: false, value: 0 };
  const best: RejectChoice = { mask: -1, value: Number.POSITIVE_INFINITY };
  for (let z = 0; z < view.zones.length; z++) {
    if (scope.zoneOk[z] !== 1) continue;
    for (let a = 0; a < ARCH_ORDER.length; a++) {
      if (!scope.archOk[a] || (scope.rule.configs === 'home' && a !== scope.homeArch)) continue;
      for (let m = 0; m < memCount; m++) {
        if (scope.memOk[m] !== 1 || (scope.rule.configs === 'home' && m !== scope.homeMem)) continue;
        const index = plan.candidateAt[(z * ARCH_ORDER.length + a) * memCount + m];
        if (index < 0 || !fitsScope(plan, index, scope)) continue;
        const c = plan.candidates[index];
        const rtt = scope.rtt ? scope.rtt[c.region] : 0;
        // Added latency is at least the round trip: a region too far is out whatever the rejects.
        if (rtt > scope.params.maxAddedLatencyMs) continue;
        const n = c.cpus.length;
        const unfit = unfitMaskOf(plan, index, scope.fitLimitMs);
        let mask = -1;
        let value = Number.POSITIVE_INFINITY;
        let retriesDropped = false;
        let scheduled = false;
        if (unfit !== 0) {
          // CPUs the call cannot finish on are rejected at every attempt: the reject sets that keep them rejected.
          const params = unfitParams(scope.params);
          if (scope.rule.reject === 'optimal') {
            optimalRejectSet(c, rtt, params, scope.noRetryParams, metrics, best, unfit);
            mask = best.mask;
            value = best.value;
          } else {
            const all = (1 << n) - 1;
            let rejects = suffixMask(n, ruleAccept(scope, c)) | unfit;
            // A rule that would accept only unfit CPUs accepts the fastest fit one.
            if (rejects === all) rejects = all & ~((unfit + 1) & ~unfit);
            evaluateMask(c, rejects, rtt, params, metrics);
            if (metrics.feasible) {
              value = metrics.value;
              mask = rejects;
            }
          }
        } else if (scope.rule.reject === 'optimal') {
          optimalRejectSet(c, rtt, scope.params, scope.noRetryParams, metrics, best);
          mask = best.mask;
          value = best.value;
          const schedule = scheduleBeats(c, rtt, scope.params, value, metrics);
          if (schedule !== undefined) {
            value = schedule;
            scheduled = true;
          }
        } else {
          const accept = ruleAccept(scope, c);
          evaluatePrefix(c, accept, rtt, accept === n ? scope.noRetryParams : scope.params, metrics);
          if (metrics.feasible) {
            value = metrics.value;
            mask = suffixMask(n, accept);
          } else if (accept < n) {
            evaluatePrefix(c, n, rtt, scope.noRetryParams, metrics);
            if (metrics.feasible) {
              value = metrics.value;
              mask = 0;
              retriesDropped = true;
            }
          }
        }
        if (mask < 0) continue;
        choice.candidate = c;
        choice.mask = mask;
        choice.value = value * c.scoreFactor;
        choice.retriesDropped = retriesDropped;
        choice.scheduled = scheduled;
        visit(choice);
      }
    }
  }
}

/** How many of a candidate's fastest CPUs a paper strategy's fixed reject rule accepts. */
function ruleAccept(scope: Scope, c: Candidate): number {
  const n = c.cpus.length;
  if (scope.rule.reject === 'none') return n;
  if (scope.rule.reject === 'all-but-fastest') return 1;
  return Math.max(1, n - c.slowTail);
}

/**
 * The parameters a candidate with unfit CPUs is priced and placed under: no instance is kept for the last attempt,
 * since the one rejected just before it may run a CPU the call cannot finish on.
 */
export function unfitParams(params: EvaluationParams): EvaluationParams {
  return params.keepBeforeLastAttempt ? { ...params, keepBeforeLastAttempt: false } : params;
}
