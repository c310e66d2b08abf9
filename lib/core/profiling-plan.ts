import { type Candidate, evaluatePrefix, newMetrics } from './candidate';
import type { Choice } from './candidate-scan';
import type { CompiledView } from './compiled-view';
import { fitsScope, type Scope, unfitMaskOf } from './placement-scope';
import { CROSS_CPU_SPREAD, type ProfileBook } from './profiles';
import type { Arch, CpuKey, Placement, PlacementLimits } from './types';
import { ARCH_ORDER, type WorkloadPlan } from './workload-plan';

/**
 * Profiling across memory sizes, as AWS Lambda Power Tuning runs a function at each memory size it is
 * asked for, and beyond it across the CPUs behind each zone: a CPU's speed rank changes with memory
 * (late-2025 measurements put the AMD EPYC fastest at 128 and 512 MB and behind the 3.0 GHz Xeon at
 * 2 GB), so a workload is measured on each CPU × architecture × memory size, not only at one size.
 *
 * Each CPU is measured where it is most common: in the allowed zone whose mix has the largest share of
 * it, with every other CPU of that zone rejected, so a call reaches it in about 1 / share attempts. A
 * rejected attempt bills its INIT and a millisecond, so measuring a rare CPU costs little compared with
 * the calls its runtime will place; the attempts a call may take are bounded, and the last one accepts
 * any CPU (whose runtime is learned too). Shares the router only assumes (an architecture no call or
 * sampler has met in a zone gets its baseline CPU) rank after measured ones, and every other zone whose
 * mix holds the CPU is kept as an alternative: a zone may have no fleet of an architecture at all, and
 * then its calls throttle, which only a call there can tell.
 */

/** What to profile: a workload over the targets its limits allow. */
export interface ProfilingRequest {
  /** The workload (profile key) to profile. */
  readonly workload: string;
  /** Zones, regions, architectures and memory sizes to profile; `maxAttempts` bounds each call. @default - every deployed target */
  readonly limits?: PlacementLimits;
  /** No memory size below this is profiled, MB. @default - none */
  readonly minMemoryMb?: number;
  /** Runtimes wanted of each CPU × architecture × memory size; cells that have them get no call. @default 3 */
  readonly observations?: number;
  /**
   * Only cells that could still win: a cell gets calls only if a call on its CPU there, at the least runtime its
   * evidence allows (two spreads below the estimate: the mean's cv/√n once observed, `CROSS_CPU_SPREAD` before),
   * could cost less than the best target costs now without retries. @default false
   */
  readonly worthOnly?: boolean;
}

/** One cell to measure: the calls it still needs and the placement that reaches its CPU. */
export interface ProfilingStep {
  readonly cpu: CpuKey;
  readonly arch: Arch;
  readonly memoryMb: number;
  /** The CPU's share in the zone it is measured in. */
  readonly share: number;
  /** Runtimes the workload's profile already holds for this cell. */
  readonly observed: number;
  /** Calls to make (observations wanted − observed). */
  readonly calls: number;
  /** Where each call goes: the zone with the most of this CPU, every other CPU there rejected. */
  readonly placement: Placement;
  /**
   * The same cell in the other allowed zones whose mix holds the CPU, most likely to reach it first: where a call
   * goes when the zone of `placement` cannot run it (it throttles, or has no such function or fleet), or when its
   * attempts there met only other CPUs (`runProfiling`).
   */
  readonly alternatives: readonly Placement[];
}

/** Runtimes wanted per cell unless a profiling request says otherwise. */
export const DEFAULT_PROFILING_OBSERVATIONS = 3;
/** Attempts a profiling call may take unless the request's limits say otherwise. */
export const DEFAULT_PROFILING_ATTEMPTS = 50;
/** Chance a profiling call should have of reaching its CPU before the attempts it is given run out. */
const REACH_PROBABILITY = 0.95;

/**
 * How likely a call is to meet the CPU in a zone: its share there, discounted by how much the zone's mix is a
 * measurement (`ZoneMix.confidence`). A share the router only assumes (a zone of an architecture no call or
 * sampler has seen, given its baseline CPU) ranks after every share seen, and before none.
 */
function reachOf(zone: { choice: Choice; share: number }): number {
  return zone.share * zone.choice.candidate.mixConfidence;
}

/** Attempts that reach a CPU of this share with `REACH_PROBABILITY`, within `cap`. */
export function attemptsToReach(share: number, cap: number): number {
  if (share >= 1) return 1;
  if (!(share > 0)) return cap;
  return Math.max(1, Math.min(cap, Math.ceil(Math.log(1 - REACH_PROBABILITY) / Math.log(1 - share))));
}

/**
 * The profiling steps of a request, in the order arch, memory size, CPU. `build` turns a candidate and
 * a reject mask into the placement the router would report (see `Router.profilingSteps`), its fit checked on `fitPlan`:
 * the plan with the expected runtimes the steps were planned by, so that a step never holds the CPU it measures unfit.
 */
export function planProfiling(
  view: CompiledView,
  plan: WorkloadPlan,
  scope: Scope,
  book: ProfileBook,
  request: ProfilingRequest,
  build: (fitPlan: WorkloadPlan, choice: Choice, maxAttempts: number, note: string) => Placement,
): ProfilingStep[] {
  const wanted = request.observations ?? DEFAULT_PROFILING_OBSERVATIONS;
  const attemptCap = request.limits?.maxAttempts ?? DEFAULT_PROFILING_ATTEMPTS;
  // A CPU is profiled where its expected runtime fits: held out for its estimate's spread, it would never be observed.
  const expected: WorkloadPlan = { ...plan, fitMs: plan.expectedFitMs };
  const allowed = plan.candidates.filter((c) => {
    const a = ARCH_ORDER.indexOf(c.arch);
    const m = view.memorySizes.indexOf(c.memoryMb);
    if (scope.zoneOk[c.zone] !== 1 || !scope.archOk[a] || scope.memOk[m] !== 1) return false;
    // Any evidence will do (profiling is how an assumed target stops being one); the call budget still holds.
    return fitsScope(expected, c.index, {
      fitLimitMs: scope.fitLimitMs,
      timeoutMs: scope.timeoutMs,
      allowAssumed: true,
      params: { ...scope.params, maxAttempts: attemptCap },
    });
  });
  const hopeless = request.worthOnly ? hopelessCells(scope, book, request.workload, allowed) : new Set();
  /** Per arch × memory × CPU: every allowed candidate whose mix holds it. */
  const cells = new Map<string, Array<{ choice: Choice; share: number; cpuIndex: number }>>();
  for (const c of allowed) {
    const a = ARCH_ORDER.indexOf(c.arch);
    const m = view.memorySizes.indexOf(c.memoryMb);
    const unfit = unfitMaskOf(expected, c.index, scope.fitLimitMs);
    c.cpus.forEach((cpu, j) => {
      if (!(c.shares[j] > 0) || hopeless.has(`${c.arch}#${c.memoryMb}#${cpu}`)) return;
      // A CPU the call is not expected to finish on within the budget is not profiled: it would time out.
      if ((unfit & (1 << j)) !== 0) return;
      const key = `${a}#${m}#${cpu}`;
      const all = (1 << c.cpus.length) - 1;
      const list = cells.get(key) ?? [];
      list.push({
        choice: { candidate: c, mask: all & ~(1 << j), retriesDropped: false, value: 0 },
        share: c.shares[j],
        cpuIndex: j,
      });
      cells.set(key, list);
    });
  }
  const steps: ProfilingStep[] = [];
  for (const zones of cells.values()) {
    zones.sort(
      (x, y) => reachOf(y) - reachOf(x) || y.share - x.share || x.choice.candidate.zone - y.choice.candidate.zone,
    );
    const [{ choice, share, cpuIndex }, ...others] = zones;
    const c = choice.candidate;
    const cpu = c.cpus[cpuIndex];
    const observed = book.count(request.workload, cpu, c.arch, c.memoryMb);
    if (observed >= wanted) continue;
    const placementIn = (zone: { choice: Choice; share: number }): Placement => {
      const here = zone.choice.candidate;
      const note = `profiling ${cpu} at ${here.memoryMb} MB ${here.arch}: ${(100 * zone.share).toFixed(1)}% of ${here.target.azId}`;
      return build(expected, zone.choice, attemptsToReach(zone.share, attemptCap), note);
    };
    steps.push({
      cpu,
      arch: c.arch,
      memoryMb: c.memoryMb,
      share,
      observed,
      calls: wanted - observed,
      placement: placementIn(zones[0]),
      alternatives: others.map(placementIn),
    });
  }
  return steps.sort(
    (x, y) =>
      ARCH_ORDER.indexOf(x.arch) - ARCH_ORDER.indexOf(y.arch) || x.memoryMb - y.memoryMb || x.cpu.localeCompare(y.cpu),
  );
}

/**
 * Cells (`arch#memoryMb#cpu`) that cannot beat the best allowed target: even at the least runtime their evidence
 * allows, a call on that CPU there (one attempt, its INIT as placements count it) costs more than the cheapest
 * target costs now without retries (which the best placement never exceeds).
 */
function hopelessCells(scope: Scope, book: ProfileBook, workload: string, allowed: readonly Candidate[]): Set<string> {
  const metrics = newMetrics();
  let bestNow = Number.POSITIVE_INFINITY;
  for (const c of allowed) {
    evaluatePrefix(c, c.cpus.length, 0, scope.noRetryParams, metrics);
    bestNow = Math.min(bestNow, metrics.costUsd);
  }
  const cv = book.runtimeCv(workload) ?? 0.1;
  const { initBilledMs, coldStartShare } = scope.params;
  const cheapest = new Map<string, number>();
  for (const c of allowed) {
    c.cpus.forEach((cpu, j) => {
      const n = book.count(workload, cpu, c.arch, c.memoryMb);
      const optimism = Math.max(0, 1 - 2 * (n > 0 ? cv / Math.sqrt(n) : CROSS_CPU_SPREAD));
      const cost = c.usdPerMs * (c.billedMs[j] * optimism + initBilledMs * coldStartShare) + c.usdPerRequest;
      const key = `${c.arch}#${c.memoryMb}#${cpu}`;
      cheapest.set(key, Math.min(cheapest.get(key) ?? Number.POSITIVE_INFINITY, cost));
    });
  }
  const hopeless = new Set<string>();
  for (const [key, cost] of cheapest) if (cost > bestNow) hopeless.add(key);
  return hopeless;
}
