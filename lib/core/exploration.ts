import { type Candidate, type EvaluationParams, evaluateMask, type Metrics } from './candidate';
import { optimalRejectSet, type RejectChoice } from './reject-set';
import { updateLogSd } from './runtime-belief';
import type { CpuKey } from './types';

/**
 * Exploration of a target's reject set: whether to accept, for now, a CPU the estimates say to reject.
 *
 * A rejected attempt yields no runtime, so a CPU that the prior makes look slow is rejected on every call and its
 * estimate never moves, however wrong it is. Accepting it costs something now (the expected objective rises from
 * f(B) to f(B \ {c})) and may teach that it is fast (the runtime of a call that ran there). The decision is the
 * knowledge gradient (Frazier, Powell and Dayanik, SIAM J. Control Optim. 2008) of one call, summed over the
 * calls to come:
 * - one observation moves the belief's log-mean by N(0, σ̃²), σ̃ the preposterior spread (`updateLogSd`);
 * - for each outcome the target's reject set is chosen afresh (`optimalRejectSet`), and what that saves per call
 *   against keeping B is the gain; G is its expectation (Gauss–Hermite quadrature over the outcome);
 * - a call that accepts c runs on it with probability π = p_c / (accepted share with c), so one call buys π
 *   observations' worth, and every later call of the target reaps G;
 * - c is explored when π × horizon × G > f(B \ {c}) − f(B), the CPU with the most to spare first.
 * It is bounded by construction: G shrinks as observations come in (σ̃ falls with the belief's spread), so once
 * a CPU's runtime is known, nothing is explored there; and the horizon is the work still to come, which the
 * router estimates from the work seen, or takes from a batch's calls not yet started where those are more
 * (`explorationHorizon`, `PlacementRequest.callsToCome`).
 */

/** Nodes and weights of 12-point Gauss–Hermite quadrature for a standard normal (weights sum to 1). */
const NODES = [
  -5.5009017045, -4.2718258479, -3.2237098288, -2.259464451, -1.3403751972, -0.4444030019, 0.4444030019, 1.3403751972,
  2.259464451, 3.2237098288, 4.2718258479, 5.5009017045,
];
const WEIGHTS = [
  1.49993e-7, 4.8371849e-5, 0.002203380688, 0.029116687912, 0.146967048045, 0.321664361513, 0.321664361513,
  0.146967048045, 0.029116687912, 0.002203380688, 4.8371849e-5, 1.49993e-7,
];

/** How sure the router is of each CPU's runtime on one target (see `runtime-belief.ts`). */
export interface CpuBeliefs {
  /** Per CPU of the candidate (aligned with `candidate.cpus`): standard deviation of its log-runtime belief. */
  readonly logSd: readonly number[];
  /**
   * Per CPU of the candidate: calls placed to explore it that have not answered yet. Each runs on it with
   * probability π, so concurrent calls do not all explore what the first of them will likely teach.
   * @default - none
   */
  readonly pending?: readonly number[];
  /** The workload's runtime spread (coefficient of variation) one observation has. */
  readonly cv: number;
}

/**
 * Which exploration this router may do: a unit (workload × function × CPU) that another router instance explores
 * now is placed as if a call of this one explored it already (`CpuBeliefs.pending`). For routers that share
 * exploration through a lease (`lib/routing/exploration-lease.ts`); without a gate every unit is this router's own.
 */
export interface ExplorationGate {
  /** False while another router instance holds the lease to explore `cpu` on `functionName` for `workload`. */
  mayExplore(workload: string, functionName: string, cpu: CpuKey): boolean;
  /** Changes whenever a `mayExplore` answer may have changed, so that placements cached before are dropped. */
  readonly version: number;
}

/** The outcome of `exploreRejectSet`. */
export interface Exploration {
  /** The reject set to use: the given one, or it less the explored CPU. */
  readonly mask: number;
  /** The CPU accepted to learn its runtime, if any. */
  readonly cpu: CpuKey | undefined;
  /** Expected objective per call that exploring adds now (0 when nothing is explored). */
  readonly cost: number;
  /** Expected objective it saves over the horizon (π × horizon × G; 0 when nothing is explored). */
  readonly value: number;
}

/**
 * The calls to come over which what a placement learns pays off, estimated from the calls seen: a workload
 * that has run n calls is as likely to run more than n again as fewer (Gott's Copernican estimate, Nature 1993),
 * and never less than the calls a batch still has to make.
 */
export function explorationHorizon(callsSeen: number, callsToCome = 0): number {
  return Math.max(0, callsSeen, callsToCome);
}

/**
 * Chooses whether to accept one rejected CPU of `mask` to learn its runtime (module comment). `params` are the
 * placement's parameters with retries, `noRetry` those of rejecting nothing, as `optimalRejectSet` takes them. The
 * CPUs of `unfit` (a call cannot finish there, `unfitMaskOf`) are never explored and stay rejected in every reject
 * set weighed.
 * @example
 * const e = exploreRejectSet(candidate, mask, { logSd: [0.02, 0.02, 0.5], cv: 0.05 }, 200, 0, params, noRetry, newMetrics());
 * // e.cpu === 'amd-epyc' when learning its runtime is worth more than what accepting it costs
 */
export function exploreRejectSet(
  c: Candidate,
  mask: number,
  beliefs: CpuBeliefs,
  horizon: number,
  rttMs: number,
  params: EvaluationParams,
  noRetry: EvaluationParams,
  metrics: Metrics,
  unfit = 0,
): Exploration {
  const none: Exploration = { mask, cpu: undefined, cost: 0, value: 0 };
  if (mask <= 0 || !(horizon > 0)) return none;
  const paramsOf = (bits: number): EvaluationParams => (bits === 0 ? noRetry : params);
  const kept = evaluateMask(c, mask, rttMs, paramsOf(mask), metrics);
  if (!kept.feasible) return none;
  const keptValue = kept.value;
  let best = none;
  let bestNet = 0;
  const billed = [...c.billedMs];
  const scratch: Candidate = { ...c, billedMs: billed };
  const choice: RejectChoice = { mask: -1, value: Number.POSITIVE_INFINITY };
  for (let j = 0; j < c.cpus.length; j++) {
    const bit = 1 << j;
    if ((mask & bit) === 0 || (unfit & bit) !== 0 || !(c.shares[j] > 0)) continue;
    const explored = mask & ~bit;
    const tried = evaluateMask(c, explored, rttMs, paramsOf(explored), metrics);
    if (!tried.feasible) continue;
    const cost = Math.max(0, tried.value - keptValue);
    let acceptedShare = 0;
    for (let i = 0; i < c.cpus.length; i++) if ((explored & (1 << i)) === 0) acceptedShare += c.shares[i];
    const learns = Math.min(1, c.shares[j] / acceptedShare);
    const spread = updateLogSd(beliefs.logSd[j] ?? 0, beliefs.cv);
    if (!(spread > 1e-6)) continue;
    // A call in flight already explores this CPU: concurrent new instances of one function are placed together
    // (module comment), so a second one would mostly meet the same host and teach nothing the first does not.
    if ((beliefs.pending?.[j] ?? 0) > 0) continue;
    let gain = 0;
    for (let k = 0; k < NODES.length; k++) {
      // The belief's mean moves to this outcome (mean-preserving, so the gain is not from optimism alone).
      billed[j] = c.billedMs[j] * Math.exp(spread * NODES[k] - (spread * spread) / 2);
      const stay = evaluateMask(scratch, mask, rttMs, paramsOf(mask), metrics).value;
      optimalRejectSet(scratch, rttMs, params, noRetry, metrics, choice, unfit);
      if (choice.mask >= 0 && stay > choice.value) gain += WEIGHTS[k] * (stay - choice.value);
    }
    billed[j] = c.billedMs[j];
    const value = learns * horizon * gain;
    if (value - cost > bestNet) {
      bestNet = value - cost;
      best = { mask: explored, cpu: c.cpus[j], cost, value };
    }
  }
  return best;
}

/** Least belief spread (log-runtime) of a CPU that `exploreTargets` considers learning: a runtime not yet observed there. */
export const TARGET_EXPLORATION_MIN_LOG_SD = 0.1;

/** Another target a call could be sent to instead, with how sure the router is of each of its CPUs. */
export interface TargetOption {
  readonly candidate: Candidate;
  readonly beliefs: CpuBeliefs;
  /** Round trip to its region, ms (0 without a client location). */
  readonly rttMs: number;
  /** Its CPUs a call cannot finish on (`unfitMaskOf`): never explored, rejected in every reject set weighed. @default 0 */
  readonly unfit?: number;
}

/** The outcome of `exploreTargets`: an `Exploration` on another target. */
export interface TargetExploration extends Exploration {
  /** The target explored instead of the chosen one; undefined when nothing is explored. */
  readonly candidate: Candidate | undefined;
}

/**
 * Chooses whether to send a call to another target than the chosen one, to learn the runtime of a CPU there that
 * the workload never ran on (`exploreRejectSet` explores only the chosen target's own CPUs, so a CPU that exists
 * only in another fleet, e.g. a Graviton3 in one zone's arm64 fleet, is otherwise never learned: its runtime is a
 * prior ratio with a wide spread, and the uncertainty penalty keeps placements off the target). The same knowledge
 * gradient: for each outcome of one runtime of CPU j on target t, the best reject set of t is chosen afresh, and
 * what it would save per call against the chosen placement (objective `chosenValue`, without the uncertainty
 * penalty: once the runtime is known the penalty for it is gone) is the gain; the call reaches j with probability
 * π, and every call to come reaps the gain. Two ways of sending the call are weighed: with t's best reject set
 * with j accepted (π = j's share of what that accepts), or rejecting every CPU but j as profiling does (π = the
 * chance j is met within the attempt budget). It is explored when π × horizon × G exceeds what the call costs
 * over the chosen placement; only CPUs whose belief is wider than `TARGET_EXPLORATION_MIN_LOG_SD` are weighed,
 * and none with an exploring call in flight. Only targets whose best reject set is expected to cost no more than
 * the chosen placement (at the estimates' means) are weighed: what keeps the router off them is the uncertainty
 * penalty alone, and a batch sends all its calls where its first placement goes, so a dearer target would be
 * paid for by every call of the batch, not by one.
 * @example
 * const e = exploreTargets(chosenValue, [{ candidate, beliefs, rttMs: 0 }], 1200, params, noRetry, newMetrics());
 * // e.candidate is the target to send this call to, e.mask its reject set, when learning there pays
 */
export function exploreTargets(
  chosenValue: number,
  options: readonly TargetOption[],
  horizon: number,
  params: EvaluationParams,
  noRetry: EvaluationParams,
  metrics: Metrics,
): TargetExploration {
  let best: TargetExploration = { candidate: undefined, mask: 0, cpu: undefined, cost: 0, value: 0 };
  if (!(horizon > 0) || !Number.isFinite(chosenValue)) return best;
  let bestNet = 0;
  const paramsOf = (bits: number): EvaluationParams => (bits === 0 ? noRetry : params);
  const choice: RejectChoice = { mask: -1, value: Number.POSITIVE_INFINITY };
  for (const { candidate: c, beliefs, rttMs, unfit = 0 } of options) {
    const n = c.cpus.length;
    const all = (1 << n) - 1;
    optimalRejectSet(c, rttMs, params, noRetry, metrics, choice, unfit);
    const ownMask = choice.mask;
    // A batch follows its first placement's target with every call: only a target expected to cost no more than
    // the chosen one is explored, so that moving every call there costs nothing in expectation.
    if (ownMask < 0 || choice.value > chosenValue) continue;
    const billed = [...c.billedMs];
    const scratch: Candidate = { ...c, billedMs: billed };
    for (let j = 0; j < n; j++) {
      const share = c.shares[j];
      if (!(share > 0) || (unfit & (1 << j)) !== 0 || (beliefs.pending?.[j] ?? 0) > 0) continue;
      if (!((beliefs.logSd[j] ?? 0) >= TARGET_EXPLORATION_MIN_LOG_SD)) continue;
      const spread = updateLogSd(beliefs.logSd[j], beliefs.cv);
      let gain = 0;
      for (let k = 0; k < NODES.length; k++) {
        billed[j] = c.billedMs[j] * Math.exp(spread * NODES[k] - (spread * spread) / 2);
        optimalRejectSet(scratch, rttMs, params, noRetry, metrics, choice, unfit);
        if (choice.mask >= 0 && chosenValue > choice.value) gain += WEIGHTS[k] * (chosenValue - choice.value);
      }
      billed[j] = c.billedMs[j];
      if (!(gain > 0)) continue;
      const bit = 1 << j;
      const accepting = ownMask & ~bit;
      let acceptedShare = 0;
      for (let i = 0; i < n; i++) if ((accepting & (1 << i)) === 0) acceptedShare += c.shares[i];
      const attempts = Math.max(1, params.maxAttempts);
      const ways = [
        { mask: accepting, learns: Math.min(1, share / acceptedShare) },
        { mask: all & ~bit, learns: 1 - (1 - Math.min(1, share)) ** attempts },
      ];
      for (const way of ways) {
        const tried = evaluateMask(c, way.mask, rttMs, paramsOf(way.mask), metrics);
        if (!tried.feasible) continue;
        const cost = Math.max(0, tried.value - chosenValue);
        const value = way.learns * horizon * gain;
        if (value - cost > bestNet) {
          bestNet = value - cost;
          best = { candidate: c, mask: way.mask, cpu: c.cpus[j], cost, value };
        }
      }
    }
  }
  return best;
}
