import { PRIOR_RUNTIME_CV, runtimeHeadroom } from './call-fit';
import {
  buildCandidate,
  type Candidate,
  type EvaluationParams,
  evaluatePrefix,
  mixSensitivityOf,
  newMetrics,
} from './candidate';
import type { CompiledView } from './compiled-view';
import { memoryRuntimeFactor, vcpusOf } from './memory-scaling';
import type { ProfileBook, RuntimeEstimate, RuntimeSource } from './profiles';
import { type RejectMode, rejectModeParams } from './reject-mode';
import { scheduleBeats } from './reject-schedule';
import { runtimeLogSd } from './runtime-belief';
import type { Arch, CpuKey, EvidenceLevel, PlacementEvidence } from './types';

/** The pure objectives, ranked ahead of time. */
export type PureObjective = 'cost' | 'latency' | 'carbon';

/** A ranking of all candidates for one pure objective at the default attempt budget, no client location. */
export interface Ranking {
  /** Candidate indices, best first. */
  readonly order: Int32Array;
  /** Per candidate index: how many of its fastest CPUs the optimal reject set accepts. */
  readonly accept: Int32Array;
  /** Per candidate index: 1 where a reject set per attempt beats that set (`reject-schedule.ts`). */
  readonly scheduled: Uint8Array;
}

/** Everything about one workload over one compiled view. */
export interface WorkloadPlan {
  readonly workload: string;
  readonly candidates: readonly Candidate[];
  /** candidateAt[(zone × archCount + arch) × memCount + mem] = candidate index, or −1. */
  readonly candidateAt: Int32Array;
  /** Best no-retry value of each metric over all candidates (the scale of a weighted objective). */
  readonly references: Readonly<Record<PureObjective, number>>;
  readonly rankings: Readonly<Record<PureObjective, Ranking>>;
  /** The memory size the workload was observed at most (its usual size), if any. */
  readonly usualMemoryMb: number | undefined;
  /** Observations of the workload when this plan was made. */
  readonly observations: number;
  /** Per candidate: the runtime a call's budget is held against on the slowest CPU of its zone, ms (see `fitMs`). */
  readonly slowestMs: Float64Array;
  /**
   * Per candidate: the runtime a call's budget is held against on each of its CPUs, aligned with its `cpus`
   * (fastest first), ms, before the headroom for the workload's spread: the expected runtime (taking a workload of
   * unknown threads as using every vCPU it had where it was observed) widened by how far its estimate may be off
   * (`runtimeHeadroom` with the belief's spread over the one without; see `unfitMaskOf`).
   */
  readonly fitMs: readonly Float64Array[];
  /**
   * Per candidate: as `fitMs` without the widening for how far an estimate may be off, which profiling holds a CPU
   * against: profiling is how an estimate becomes an observation, and a CPU held out for its estimate's spread alone
   * would never be observed.
   */
  readonly expectedFitMs: readonly Float64Array[];
  /**
   * Per candidate: as `fitMs` with no headroom for the workload's spread, only for how far an estimate may be off:
   * past the budget, a call on that CPU is not expected to finish at all (`overBudgetMaskOf`).
   */
  readonly finishMs: readonly Float64Array[];
  /** Per candidate: what its expectation rests on. */
  readonly evidence: readonly PlacementEvidence[];
  /** Per architecture (`ARCH_ORDER`): whether its targets' runtimes are only assumed (no observation there). */
  readonly assumedArch: readonly boolean[];
  /** The workload's runtime spread (see `ProfileBook.runtimeCv`); undefined until observed. */
  readonly runtimeCv: number | undefined;
  readonly notes: readonly string[];
}

/** Settings that shape a plan. */
export interface PlanSettings {
  readonly holdMs: number;
  readonly maxAttempts: number;
  readonly retryOverheadMs: number;
  /** Billed INIT of a new instance, ms. */
  readonly initBilledMs: number;
  /** Share of first attempts that start a new instance. */
  readonly coldStartShare: number;
  /** The router's reject mode (its hold and whether an instance is kept for the last attempt). */
  readonly rejectMode: RejectMode;
  /** Share of retries that an instance left warm takes back (see `rejectModeParams`). @default DEFAULT_RETURN_SHARE */
  readonly returnShare?: number;
  readonly defaultBaseMs: number;
  readonly uncertaintyPenalty: number;
}

export const ARCH_ORDER: readonly Arch[] = ['x86_64', 'arm64'];

/** Runtime sources from strongest to weakest. */
const SOURCE_ORDER: readonly RuntimeSource[] = ['observed', 'cpu-speed', 'memory-scaled', 'arch-scaled', 'prior'];

/** The evidence level of a target whose weakest runtime is `runtime` and whose mix came from `mix`. */
export function evidenceLevel(runtime: RuntimeSource, mix: PlacementEvidence['mix']): EvidenceLevel {
  if (runtime === 'arch-scaled' || runtime === 'prior') return 'assumed';
  return runtime === 'observed' && (mix === 'measured' || mix === 'passive') ? 'measured' : 'estimated';
}

/** Compiles a workload over a view: one candidate per zone × arch × memory, and the rankings. */
export function compileWorkload(
  view: CompiledView,
  book: ProfileBook,
  workload: string,
  settings: PlanSettings,
): WorkloadPlan {
  const notes: string[] = [];
  const observations = book.observations(workload);
  if (observations === 0) {
    notes.push(
      `no profile for workload "${workload}": runtimes from relative CPU speeds with a ${settings.defaultBaseMs} ms base`,
    );
  }
  const runtimeCache = new Map<CpuKey, Array<RuntimeEstimate | undefined>>();
  const memIndex = new Map(view.memorySizes.map((mb, m) => [mb, m]));
  /** Index of arch × memory size in a CPU's row of a per-plan cache. */
  const slotOf = (arch: Arch, mb: number): number =>
    (arch === 'x86_64' ? 0 : view.memorySizes.length) + (memIndex.get(mb) ?? 0);
  const runtimeOf = (cpu: CpuKey, arch: Arch, mb: number): RuntimeEstimate => {
    let row = runtimeCache.get(cpu);
    if (!row) {
      row = [];
      runtimeCache.set(cpu, row);
    }
    const slot = slotOf(arch, mb);
    let hit = row[slot];
    if (!hit) {
      hit = book.runtime(workload, cpu, arch, mb);
      row[slot] = hit;
    }
    return hit;
  };
  const guardParallelism = !book.knowsParallelism(workload);
  const runtimeCv = book.runtimeCv(workload);
  const fitCv = runtimeCv ?? PRIOR_RUNTIME_CV;
  /**
   * The expected runtime a call's budget is held against: the estimate, except where it was scaled down from a
   * larger memory size for a workload whose threads are unknown. The estimate then takes it as one thread; the bound
   * takes it as using every vCPU it had there, so the check is never the optimistic one.
   */
  const expectedFitOf = (runtime: RuntimeEstimate, mb: number): number => {
    const from = runtime.scaledFromMb;
    if (!guardParallelism || from === undefined || from <= mb) return runtime.meanMs;
    return (runtime.meanMs * memoryRuntimeFactor(from, mb, vcpusOf(from))) / memoryRuntimeFactor(from, mb, 1);
  };
  /** How far each CPU's runtime estimate may be off, in log terms (`runtimeLogSd`), per arch × memory size. */
  const logSdCache = new Map<CpuKey, Float64Array>();
  const estimateLogSdOf = (cpu: CpuKey, arch: Arch, mb: number): number => {
    let row = logSdCache.get(cpu);
    if (!row) {
      row = new Float64Array(2 * view.memorySizes.length).fill(Number.NaN);
      logSdCache.set(cpu, row);
    }
    const slot = slotOf(arch, mb);
    if (Number.isNaN(row[slot])) row[slot] = runtimeLogSd(book, workload, cpu, arch, mb, fitCv);
    return row[slot];
  };
  /**
   * How much further the budget holds a CPU's runtime for how far its estimate may be off: the headroom with the
   * belief's spread (`runtimeLogSd`) over the one without, which the scope applies (`runtimeHeadroom(cv)`).
   */
  const estimateWideningOf = (cpu: CpuKey, arch: Arch, mb: number): number =>
    runtimeHeadroom(fitCv, estimateLogSdOf(cpu, arch, mb)) / runtimeHeadroom(fitCv);
  /** `mixSensitivityOf` a measured mix of `shares` with runtimes `means`, over every CPU of `arch` at `mb`. */
  const measuredMixSensitivity = (
    arch: Arch,
    mb: number,
    shares: readonly number[],
    means: readonly number[],
  ): number => {
    let fastest = Number.POSITIVE_INFINITY;
    let slowest = 0;
    for (const cpu of view.cpusByArch[arch]) {
      const ms = runtimeOf(cpu, arch, mb).meanMs;
      fastest = Math.min(fastest, ms);
      slowest = Math.max(slowest, ms);
    }
    let expected = 0;
    for (let i = 0; i < shares.length; i++) expected += shares[i] * means[i];
    return mixSensitivityOf(fastest, slowest, expected);
  };
  const memCount = view.memorySizes.length;
  const candidateAt = new Int32Array(view.zones.length * ARCH_ORDER.length * memCount).fill(-1);
  const candidates: Candidate[] = [];
  const slowestMs: number[] = [];
  const fitMs: Float64Array[] = [];
  const expectedFitMs: Float64Array[] = [];
  const finishMs: Float64Array[] = [];
  const evidence: PlacementEvidence[] = [];
  const slowestSets = new Map<string, Set<CpuKey>>();
  for (const arch of view.architectures) {
    const all = view.cpusByArch[arch];
    for (const mb of view.memorySizes) {
      const sorted = [...all].sort((a, b) => runtimeOf(b, arch, mb).meanMs - runtimeOf(a, arch, mb).meanMs);
      slowestSets.set(`${arch}#${mb}`, new Set(sorted.slice(0, Math.min(2, Math.max(0, sorted.length - 1)))));
    }
  }
  view.zones.forEach((zone, z) => {
    const facts = view.regions[view.zoneRegion[z]];
    for (const arch of view.architectures) {
      const zoneMix = zone.mixes[arch];
      const a = ARCH_ORDER.indexOf(arch);
      const means: number[] = [];
      const confidences: number[] = [];
      const expectedFitByCpu = new Map<CpuKey, number>();
      view.memorySizes.forEach((mb, m) => {
        if (view.targetDeployed[(z * ARCH_ORDER.length + a) * memCount + m] !== 1) return;
        const target = view.targets[(z * ARCH_ORDER.length + a) * memCount + m];
        // A function that has shown hosts is priced with its own mix (`function-mix.ts`).
        const mix = zone.functionMixes?.[target.functionName] ?? zoneMix;
        means.length = 0;
        confidences.length = 0;
        expectedFitByCpu.clear();
        let slowest = 0;
        let weakest = 0;
        for (const cpu of mix.cpus) {
          const runtime = runtimeOf(cpu, arch, mb);
          means.push(runtime.meanMs);
          confidences.push(runtime.confidence);
          const expectedFit = expectedFitOf(runtime, mb);
          const fit = expectedFit * estimateWideningOf(cpu, arch, mb);
          expectedFitByCpu.set(cpu, expectedFit);
          slowest = Math.max(slowest, fit);
          weakest = Math.max(weakest, SOURCE_ORDER.indexOf(runtime.source));
        }
        slowestMs.push(slowest);
        // Priors may be wrong in every share, and in which CPUs are there at all: their uncertainty counts in full.
        const sensitivity = mix.source === 'measured' ? measuredMixSensitivity(arch, mb, mix.shares, means) : 1;
        const runtimeSource = SOURCE_ORDER[weakest];
        evidence.push(
          Object.freeze({
            level: evidenceLevel(runtimeSource, mix.source),
            runtime: runtimeSource,
            mix: mix.source,
          }),
        );
        const candidate = buildCandidate(
          candidates.length,
          z,
          target,
          view.zoneRegion[z],
          facts,
          mix.cpus,
          mix.shares,
          means,
          confidences,
          slowestSets.get(`${arch}#${mb}`) ?? new Set(),
          mix.confidence,
          settings.uncertaintyPenalty,
          sensitivity,
        );
        candidateAt[(z * ARCH_ORDER.length + a) * memCount + m] = candidate.index;
        candidates.push(candidate);
        const expectedFits = Float64Array.from(
          candidate.cpus,
          (cpu) => expectedFitByCpu.get(cpu) ?? Number.POSITIVE_INFINITY,
        );
        expectedFitMs.push(expectedFits);
        fitMs.push(expectedFits.map((ms, j) => ms * estimateWideningOf(candidate.cpus[j], arch, mb)));
        finishMs.push(
          expectedFits.map((ms, j) => ms * runtimeHeadroom(0, estimateLogSdOf(candidate.cpus[j], arch, mb))),
        );
      });
    }
  });

  const metrics = newMetrics();
  const base: EvaluationParams = {
    wCost: 0,
    wLatency: 0,
    wCarbon: 0,
    ...rejectModeParams(settings.rejectMode, settings.holdMs, settings.returnShare),
    maxAttempts: settings.maxAttempts,
    retryOverheadMs: settings.retryOverheadMs,
    initBilledMs: settings.initBilledMs,
    coldStartShare: settings.coldStartShare,
    usesPerInstance: 1,
    searchUses: 1,
    retryRepeat: 0,
    maxAddedLatencyMs: Number.POSITIVE_INFINITY,
  };
  const references = {
    cost: Number.POSITIVE_INFINITY,
    latency: Number.POSITIVE_INFINITY,
    carbon: Number.POSITIVE_INFINITY,
  };
  for (const c of candidates) {
    evaluatePrefix(c, c.cpus.length, 0, base, metrics);
    references.cost = Math.min(references.cost, metrics.costUsd);
    references.latency = Math.min(references.latency, metrics.runtimeMs + metrics.addedLatencyMs);
    references.carbon = Math.min(references.carbon, metrics.carbonG);
  }
  for (const key of ['cost', 'latency', 'carbon'] as const) {
    if (!(references[key] > 0 && Number.isFinite(references[key]))) references[key] = 1;
  }
  const rank = (objective: PureObjective): Ranking => {
    const params: EvaluationParams = {
      ...base,
      wCost: objective === 'cost' ? 1 / references.cost : 0,
      wLatency: objective === 'latency' ? 1 / references.latency : 0,
      wCarbon: objective === 'carbon' ? 1 / references.carbon : 0,
    };
    const accept = new Int32Array(candidates.length);
    const value = new Float64Array(candidates.length);
    const scheduled = new Uint8Array(candidates.length);
    for (const c of candidates) {
      let best = Number.POSITIVE_INFINITY;
      for (let k = c.cpus.length; k >= 1; k--) {
        evaluatePrefix(c, k, 0, params, metrics);
        if (metrics.value * c.scoreFactor < best) {
          best = metrics.value * c.scoreFactor;
          accept[c.index] = k;
        }
      }
      const schedule = scheduleBeats(c, 0, params, best / c.scoreFactor, metrics);
      if (schedule !== undefined) {
        best = schedule * c.scoreFactor;
        scheduled[c.index] = 1;
      }
      value[c.index] = best;
    }
    const indices = candidates.map((c) => c.index);
    indices.sort(
      (x, y) => value[x] - value[y] || (candidates[x].target.functionName < candidates[y].target.functionName ? -1 : 1),
    );
    return { order: Int32Array.from(indices), accept, scheduled };
  };
  let usualMemoryMb: number | undefined;
  const profile = book.profile(workload);
  if (profile) {
    const byMemory = new Map<number, number>();
    for (const entry of profile.entries)
      byMemory.set(entry.memoryMb, (byMemory.get(entry.memoryMb) ?? 0) + entry.stats.count);
    let most = 0;
    for (const [mb, count] of [...byMemory].sort((x, y) => x[0] - y[0])) {
      if (count > most) {
        most = count;
        usualMemoryMb = mb;
      }
    }
  }
  return {
    workload,
    candidates,
    candidateAt,
    references,
    rankings: { cost: rank('cost'), latency: rank('latency'), carbon: rank('carbon') },
    usualMemoryMb,
    observations,
    slowestMs: Float64Array.from(slowestMs),
    fitMs,
    expectedFitMs,
    finishMs,
    evidence,
    assumedArch: ARCH_ORDER.map((arch) =>
      candidates.some((c) => c.arch === arch && evidence[c.index].level === 'assumed'),
    ),
    runtimeCv,
    notes,
  };
}
