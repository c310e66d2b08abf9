import { archRelativeRuntime, relativeRuntime } from './cpu-speed';
import { CoreInputError } from './errors';
import { MB_PER_VCPU, memoryRuntimeFactor } from './memory-scaling';
import { addObservation, EMPTY_STATS, mergeStats } from './runtime-stats';
import type { Arch, CpuKey, Outcome, ProfileKey, RuntimeStats, WorkloadProfile } from './types';

/** Where a runtime estimate came from, best first. */
export type RuntimeSource = 'observed' | 'cpu-speed' | 'memory-scaled' | 'arch-scaled' | 'prior';

/** A runtime estimate and how sure it is. */
export interface RuntimeEstimate {
  readonly meanMs: number;
  /**
   * 0..1: for n direct observations, 1 − σₙ/σ₀, how much narrower their mean is than a runtime carried
   * over from another CPU, given the workload's spread (see `observedConfidence`); carried over from other
   * CPUs by relative speed, at most half of n/(n + 2) for the n runtimes it rests on; halved again per
   * step across memory sizes or architectures; 0 for the pure prior of an unknown workload.
   */
  readonly confidence: number;
  readonly source: RuntimeSource;
  /** The memory size (MB) the estimate was carried over from, when it was (`memory-scaled`, `arch-scaled`). */
  readonly scaledFromMb?: number;
}

/** Options of a `ProfileBook`. */
export interface ProfileBookOptions {
  /**
   * Runtime of a workload never observed, on the x86_64 baseline CPU at one vCPU (≥ 1,769 MB).
   * @default 1000
   */
  readonly defaultBaseMs?: number;
  /** Threads each workload can use at once (the paper's Table 1); absent workloads use 1. */
  readonly parallelism?: Readonly<Record<string, number>>;
  /**
   * Pseudo-observations given to what other CPUs (or the prior ratio) say of a CPU's runtime, against the runtimes
   * observed of it. @default - (cv / CROSS_CPU_SPREAD)², cv the workload's observed spread (10% until measured): an
   * observed mean is off by about cv/√n, a runtime carried over from another CPU by about `CROSS_CPU_SPREAD`
   */
  readonly priorWeight?: number;
}

/** What a CPU's runtimes at another memory size say of its runtime at one size (`ProfileBook.acrossMemory`). */
export interface AcrossMemory {
  readonly meanMs: number;
  /** What the carried mean weighs, in runtimes observed at the size asked. */
  readonly weight: number;
  /** The size it was carried from, MB. */
  readonly fromMb: number;
}

interface Cell {
  readonly arch: Arch;
  readonly memoryMb: number;
  readonly stats: Map<CpuKey, RuntimeStats>;
  /** Count-weighted mean of runtime / relative speed over the CPUs (baseline-equivalent runtime). */
  base: number;
  count: number;
}

/**
 * How far a runtime carried over from another CPU (by a prior or learned speed ratio) is typically off,
 * relative: CPU speed ratios move with the workload and the memory size by this much (the paper's Figure 9
 * puts the 2.9 GHz Xeon 15–30% and the EPYC up to 50% behind the 2.5 GHz one; late-2025 logs put the EPYC
 * 0.54× at 128 MB and 1.03× at 2 GB for one workload).
 */
export const CROSS_CPU_SPREAD = 0.3;
/**
 * Standard deviation per doubling of memory of how a CPU's log-runtime ratio to another moves with memory size.
 * ClassiFaaS's late-2025 gemm logs (medians, mid-range over regions): EPYC/2.5 GHz 0.544 → 0.613 → 1.033,
 * 2.9/2.5 GHz 0.74 → 0.83 → 0.98 and 3.0/2.5 GHz 0.96 → 0.93 → 0.88 at 128 → 512 → 2048 MB; per doubling of memory
 * those six log-steps have a root mean square of 0.12.
 */
export const MEMORY_DRIFT_LOG_SD = 0.12;

/**
 * Farthest apart (in ratio, |log(a / b)|) two memory sizes are for one to carry a CPU's runtimes to the other
 * (`acrossMemory`): one doubling. Past it the drift outweighs what the runtimes know (at two doublings a
 * well-measured size counts as at most (cv / 0.24)² runtimes), while a ratio that moved further than the drift
 * allows, as the EPYC's to the 2.5 GHz Xeon's does from 128 MB to 2 GB (0.54× to 1.03×), still pulls the estimate.
 */
const ACROSS_MEMORY_MAX_DISTANCE = Math.log(2) + 1e-9;

/** Runtime spread assumed for a workload before two runtimes of one cell were observed. */
export const UNMEASURED_CV = 0.1;

const cellKey = (arch: Arch, memoryMb: number): string => `${arch}#${memoryMb}`;

/** How far apart two memory sizes are, in ratio (|log(a / b)|): 512 and 2048 MB are as far from 1024 MB. */
const sizeDistance = (a: number, b: number): number => Math.abs(Math.log(a / b));

/** The other of Lambda's two architectures. */
const otherArchOf = (arch: Arch): Arch => (arch === 'x86_64' ? 'arm64' : 'x86_64');

/**
 * A workload's coefficient of variation of runtime, pooled over its cells (each CPU's spread relative to its own
 * mean); undefined below two runtimes in any cell.
 */
function pooledCv(cells: ReadonlyMap<string, Cell>): number | undefined {
  let squares = 0;
  let freedom = 0;
  for (const cell of cells.values()) {
    for (const stats of cell.stats.values()) {
      if (stats.count < 2 || !(stats.meanMs > 0)) continue;
      squares += stats.m2 / (stats.meanMs * stats.meanMs);
      freedom += stats.count - 1;
    }
  }
  return freedom > 0 ? Math.sqrt(squares / freedom) : undefined;
}

/**
 * Runtime statistics of workloads per CPU × arch × memory, learned from observations, with a prior
 * for what has not been observed: another CPU's runtime by relative speed (`cpu-speed.ts`), another
 * memory size by CPU share (`memory-scaling.ts`), the other architecture by its relative speed,
 * and for a workload never seen, `defaultBaseMs` scaled the same way.
 *
 * @example
 * const book = new ProfileBook();
 * book.observe({ workload: 'zipper', target, cpu: 'intel-xeon-3.00', runtimeMs: 2700, rejected: false });
 * book.runtime('zipper', 'intel-xeon-2.50', 'x86_64', 2048); // { meanMs: 3000, confidence: 0.17, source: 'cpu-speed' }
 */
export class ProfileBook {
  private readonly workloads = new Map<string, Map<string, Cell>>();
  private readonly counts = new Map<string, number>();
  private readonly defaultBaseMs: number;
  private readonly priorWeight: number | undefined;
  /** Threads per workload: the options', then what `setParallelism` was told. */
  private readonly parallelism = new Map<string, number>();
  private changes = 0;
  /** `acrossMemory` answers (placements ask for one per target and CPU) and `runtimeCv`s at `cachedVersion`. */
  private readonly across = new Map<string, AcrossMemory | null>();
  private readonly cvs = new Map<string, number | null>();
  private cachedVersion = -1;

  constructor(profiles: Readonly<Record<string, WorkloadProfile>> = {}, options: ProfileBookOptions = {}) {
    this.defaultBaseMs = options.defaultBaseMs ?? 1000;
    this.priorWeight = options.priorWeight;
    for (const [workload, threads] of Object.entries(options.parallelism ?? {})) {
      this.setParallelism(workload, threads, `options.parallelism.${workload}`);
    }
    if (this.priorWeight !== undefined && !(this.priorWeight >= 0)) {
      throw new CoreInputError('options.priorWeight', this.priorWeight, 'a number >= 0');
    }
    if (!(this.defaultBaseMs > 0))
      throw new CoreInputError('options.defaultBaseMs', this.defaultBaseMs, 'a number > 0');
    for (const name of Object.keys(profiles).sort()) {
      for (const entry of profiles[name].entries) this.add(name, entry, entry.stats);
    }
  }

  /** Increments on every change; lets callers know when to recompute what they derived. */
  get version(): number {
    return this.changes;
  }

  /** Workloads with at least one observation, sorted. */
  workloadNames(): string[] {
    return [...this.workloads.keys()].sort();
  }

  /** Whether the workload's parallelism was given (else memory scaling takes it as one thread). */
  knowsParallelism(workload: string): boolean {
    return this.parallelism.has(workload);
  }

  /**
   * Sets the threads a workload can run at once (as a request says), which memory scaling uses from now on.
   * @returns whether that changed what was known
   * @throws CoreInputError naming `field` when `threads` is not a finite number > 0
   */
  setParallelism(workload: string, threads: number, field = 'parallelism'): boolean {
    if (!(Number.isFinite(threads) && threads > 0)) throw new CoreInputError(field, threads, 'a finite number > 0');
    if (this.parallelism.get(workload) === threads) return false;
    this.parallelism.set(workload, threads);
    this.changes++;
    return true;
  }

  /** Observations of a workload (0 if unknown). */
  observations(workload: string): number {
    return this.counts.get(workload) ?? 0;
  }

  /** Runtimes observed of a workload on exactly this CPU × arch × memory size. */
  count(workload: string, cpu: CpuKey, arch: Arch, memoryMb: number): number {
    return this.workloads.get(workload)?.get(cellKey(arch, memoryMb))?.stats.get(cpu)?.count ?? 0;
  }

  /**
   * The memory size of `arch` other than `memoryMb` nearest it (in ratio; the smaller on a tie) at which `cpu` ran the
   * workload, with how many runtimes it has there; undefined where it ran at no other size on that architecture.
   */
  nearestObserved(
    workload: string,
    cpu: CpuKey,
    arch: Arch,
    memoryMb: number,
  ): { readonly memoryMb: number; readonly count: number } | undefined {
    let best: { memoryMb: number; count: number; distance: number } | undefined;
    for (const cell of this.workloads.get(workload)?.values() ?? []) {
      const count = cell.stats.get(cpu)?.count ?? 0;
      if (count <= 0 || cell.arch !== arch || cell.memoryMb === memoryMb) continue;
      const distance = sizeDistance(cell.memoryMb, memoryMb);
      if (!best || distance < best.distance || (distance === best.distance && cell.memoryMb < best.memoryMb)) {
        best = { memoryMb: cell.memoryMb, count, distance };
      }
    }
    return best && { memoryMb: best.memoryMb, count: best.count };
  }

  /** Learns from a call: an accepted call adds its runtime; a rejected attempt teaches nothing about runtime. */
  observe(outcome: Outcome): void {
    if (outcome.rejected || outcome.runtimeMs === undefined) return;
    if (!Number.isFinite(outcome.runtimeMs) || outcome.runtimeMs < 0) return;
    const key = { cpu: outcome.cpu, arch: outcome.target.arch, memoryMb: outcome.target.memoryMb };
    const cell = this.cell(outcome.workload, key.arch, key.memoryMb);
    cell.stats.set(key.cpu, addObservation(cell.stats.get(key.cpu) ?? EMPTY_STATS, outcome.runtimeMs));
    this.touch(outcome.workload, cell, 1);
  }

  /** Merges a summary of observations (e.g. a stored profile entry, or sums added elsewhere). */
  add(workload: string, key: ProfileKey, stats: RuntimeStats): void {
    if (!(stats.count >= 0) || !Number.isFinite(stats.meanMs) || !(stats.m2 >= 0)) {
      throw new CoreInputError(
        `profile ${workload} ${key.cpu}/${key.arch}/${key.memoryMb}`,
        stats,
        'count >= 0, finite meanMs, m2 >= 0',
      );
    }
    if (stats.count === 0) return;
    const cell = this.cell(workload, key.arch, key.memoryMb);
    cell.stats.set(key.cpu, mergeStats(cell.stats.get(key.cpu) ?? EMPTY_STATS, stats));
    this.touch(workload, cell, stats.count);
  }

  /**
   * The workload's coefficient of variation of runtime, pooled over every CPU × arch × memory it was
   * observed on (each cell's spread relative to its own mean); undefined below two runtimes in any cell.
   */
  runtimeCv(workload: string): number | undefined {
    const cells = this.workloads.get(workload);
    if (!cells) return undefined;
    this.forCurrentVersion();
    const known = this.cvs.get(workload);
    if (known !== undefined) return known ?? undefined;
    const cv = pooledCv(cells);
    this.cvs.set(workload, cv ?? null);
    return cv;
  }

  /** A snapshot of a workload's profile, entries sorted. */
  profile(workload: string): WorkloadProfile | undefined {
    const cells = this.workloads.get(workload);
    if (!cells) return undefined;
    const entries: Array<ProfileKey & { stats: RuntimeStats }> = [];
    for (const { arch, memoryMb, stats: byCpu } of cells.values()) {
      for (const [cpu, stats] of byCpu) entries.push({ cpu, arch, memoryMb, stats });
    }
    entries.sort((a, b) => a.arch.localeCompare(b.arch) || a.memoryMb - b.memoryMb || a.cpu.localeCompare(b.cpu));
    return { workload, entries };
  }

  /** Expected runtime of a workload on a CPU × arch × memory size (see the class notes for the fallbacks). */
  runtime(workload: string, cpu: CpuKey, arch: Arch, memoryMb: number): RuntimeEstimate {
    const parallelism = this.parallelism.get(workload) ?? 1;
    const cells = this.workloads.get(workload);
    const speed = relativeRuntime(cpu);
    if (!cells) {
      return {
        meanMs:
          this.defaultBaseMs * speed * archRelativeRuntime(arch) * memoryRuntimeFactor(1769, memoryMb, parallelism),
        confidence: 0,
        source: 'prior',
      };
    }
    const here = cells.get(cellKey(arch, memoryMb));
    if (here && here.count > 0) return this.inObservedCell(workload, cells, here, cpu, arch);
    // Another memory size of the same arch: the nearest (in ratio), then the most observed; the CPU's
    // runtime there (its own, or carried over from the CPUs seen there by the ratios learned of them)
    // scaled by CPU share.
    const sameArch = this.nearestCell(cells, arch, memoryMb);
    if (sameArch) {
      const there = this.inObservedCell(workload, cells, sameArch.cell, cpu, arch);
      return {
        meanMs: there.meanMs * memoryRuntimeFactor(sameArch.memoryMb, memoryMb, parallelism),
        confidence: 0.5 * there.confidence,
        source: 'memory-scaled',
        scaledFromMb: sameArch.memoryMb,
      };
    }
    const otherArch = otherArchOf(arch);
    const across = this.nearestCell(cells, otherArch, memoryMb);
    if (across) {
      const factor = memoryRuntimeFactor(across.memoryMb, memoryMb, parallelism);
      const archFactor = archRelativeRuntime(arch) / archRelativeRuntime(otherArch);
      return {
        meanMs: across.cell.base * speed * factor * archFactor,
        confidence: 0.125 * (across.cell.count / (across.cell.count + 2)),
        source: 'arch-scaled',
        scaledFromMb: across.memoryMb,
      };
    }
    return { meanMs: this.defaultBaseMs * speed, confidence: 0, source: 'prior' };
  }

  /**
   * What the runtimes of `cpu` at another memory size of `arch` say of its runtime at `memoryMb`, where it also ran
   * there: its mean at the nearest size (in ratio, at most a doubling away) where it ran, times how the workload's
   * runtime moved between the two sizes on the other CPUs that ran at both, of either architecture (log-ratios weighted
   * by precision). `weight` is what that carries in runtimes observed at `memoryMb`: cv² over the variance of the
   * carried log-runtime, which sums the CPU's mean there (cv²/n), the other CPUs' ratio (cv² over its precision) and
   * the drift of one CPU's ratio to another across memory (`MEMORY_DRIFT_LOG_SD` per doubling). Where no other CPU
   * ran at both sizes and neither is above one vCPU (`MB_PER_VCPU`), the move is the CPU share's alone and the variance
   * has no term for the other CPUs. Undefined where no other size allows it, or no other CPU above one vCPU.
   *
   * Why: a cell of a few runtimes is ranked against cells of many, and the scan picks whichever is luckiest; three
   * runtimes 10% fast at 2,048 MB made the 2.5 GHz Xeon look faster there than the 3.0 GHz one that beat it at 1,769.
   */
  acrossMemory(workload: string, cpu: CpuKey, arch: Arch, memoryMb: number): AcrossMemory | undefined {
    this.forCurrentVersion();
    const key = `${workload}\u0000${cpu}\u0000${arch}\u0000${memoryMb}`;
    const known = this.across.get(key);
    if (known !== undefined) return known ?? undefined;
    const found = this.carriedAcrossMemory(workload, cpu, arch, memoryMb);
    this.across.set(key, found ?? null);
    return found;
  }

  /** Drops the cached answers once the profiles changed. */
  private forCurrentVersion(): void {
    if (this.cachedVersion === this.changes) return;
    this.across.clear();
    this.cvs.clear();
    this.cachedVersion = this.changes;
  }

  private carriedAcrossMemory(workload: string, cpu: CpuKey, arch: Arch, memoryMb: number): AcrossMemory | undefined {
    const cells = this.workloads.get(workload);
    const here = cells?.get(cellKey(arch, memoryMb));
    if (!cells || !here) return undefined;
    const nearest = this.nearestObserved(workload, cpu, arch, memoryMb);
    if (!nearest || sizeDistance(nearest.memoryMb, memoryMb) > ACROSS_MEMORY_MAX_DISTANCE) return undefined;
    const there = cells.get(cellKey(arch, nearest.memoryMb));
    return there && this.carryFrom(workload, cells, here, there, cpu, memoryMb);
  }

  private carryFrom(
    workload: string,
    cells: Map<string, Cell>,
    here: Cell,
    there: Cell,
    cpu: CpuKey,
    memoryMb: number,
  ): AcrossMemory | undefined {
    const own = there.stats.get(cpu);
    if (!own || own.count === 0 || !(own.meanMs > 0)) return undefined;
    let precision = 0;
    let weightedLog = 0;
    // Lambda's CPU share per MB is the same on both architectures: the other one's CPUs say how the workload moved too.
    const otherArch = otherArchOf(here.arch);
    const pairs: Array<[Cell | undefined, Cell | undefined]> = [
      [here, there],
      [cells.get(cellKey(otherArch, here.memoryMb)), cells.get(cellKey(otherArch, there.memoryMb))],
    ];
    for (const [pairHere, pairThere] of pairs) {
      if (!pairHere || !pairThere) continue;
      for (const [other, atThere] of pairThere.stats) {
        const atHere = pairHere.stats.get(other);
        if (other === cpu || !atHere || atHere.count === 0 || atThere.count === 0) continue;
        if (!(atHere.meanMs > 0) || !(atThere.meanMs > 0)) continue;
        // A difference of two means of n and m runtimes has variance cv²(1/n + 1/m).
        const h = 1 / (1 / atHere.count + 1 / atThere.count);
        precision += h;
        weightedLog += h * Math.log(atHere.meanMs / atThere.meanMs);
      }
    }
    // Where no other CPU ran at both sizes (at the smallest sizes the slower CPUs may not fit a call's budget), the move
    // is the CPU share's: below one vCPU every workload runs in proportion to it, up to the drift of the CPU's own speed.
    if (precision === 0 && Math.max(memoryMb, there.memoryMb) > MB_PER_VCPU) return undefined;
    const move = precision > 0 ? Math.exp(weightedLog / precision) : memoryRuntimeFactor(there.memoryMb, memoryMb);
    const cv = Math.max(this.runtimeCv(workload) ?? UNMEASURED_CV, 1e-3);
    const drift = MEMORY_DRIFT_LOG_SD * Math.abs(Math.log2(memoryMb / there.memoryMb));
    const othersVariance = precision > 0 ? (cv * cv) / precision : 0;
    const variance = (cv * cv) / own.count + othersVariance + drift * drift;
    return {
      meanMs: own.meanMs * move,
      weight: (cv * cv) / variance,
      fromMb: there.memoryMb,
    };
  }

  /**
   * Confidence in a runtime observed `count` times: how much narrower than a carried-over estimate's
   * (`CROSS_CPU_SPREAD`) the mean of those runtimes is, given the workload's own spread (its cv, pooled over the
   * cells it ran in; `UNMEASURED_CV` until measured): 1 − σₙ/σ₀ with σₙ² = 1/(1/σ₀² + n/cv²). A steady workload is
   * known after a few runtimes (cv 0.05: 0.84 after one, 0.90 after three), a noisy one takes many more.
   */
  private observedConfidence(cells: Map<string, Cell>, count: number): number {
    const cv = Math.max(pooledCv(cells) ?? UNMEASURED_CV, 1e-3);
    const spread = 1 / Math.sqrt(1 / CROSS_CPU_SPREAD ** 2 + count / (cv * cv));
    return Math.max(0, 1 - spread / CROSS_CPU_SPREAD);
  }

  /** Pseudo-observations of a runtime carried over from other CPUs (see `ProfileBookOptions.priorWeight`). */
  private carriedWeight(workload: string): number {
    if (this.priorWeight !== undefined) return this.priorWeight;
    const cv = this.runtimeCv(workload) ?? UNMEASURED_CV;
    return (cv / CROSS_CPU_SPREAD) ** 2;
  }

  /**
   * The runtime of `cpu` in a cell some CPU ran in (`inCell`), blended with what its runtimes at another memory size
   * say (`acrossMemory`), each by the runtimes it carries.
   */
  private inObservedCell(
    workload: string,
    cells: Map<string, Cell>,
    cell: Cell,
    cpu: CpuKey,
    arch: Arch,
  ): RuntimeEstimate {
    const weight = this.carriedWeight(workload);
    const inCell = this.inCell(cells, cell, cpu, arch, cell.memoryMb, weight);
    const ownCount = cell.stats.get(cpu)?.count ?? 0;
    const across = this.acrossMemory(workload, cpu, arch, cell.memoryMb);
    if (!across) return inCell;
    // The cell's own blend rests on its runtimes and the cross-CPU pseudo-observations (where other CPUs ran there);
    // the other size adds its own.
    const inCellWeight = ownCount + (cell.count > ownCount ? weight : 0);
    const meanMs = (inCellWeight * inCell.meanMs + across.weight * across.meanMs) / (inCellWeight + across.weight);
    // Without a runtime of its own here, the CPU's estimate stays one carried over: its runtimes at the other size
    // move the mean, not how sure the router is of it (`runtimeLogSd` widens that by the drift across memory).
    if (ownCount === 0) return { ...inCell, meanMs };
    return {
      meanMs,
      confidence: this.observedConfidence(cells, ownCount + across.weight),
      source: 'observed',
    };
  }

  /**
   * The runtime of `cpu` in an observed cell: its own mean, shrunk toward what the cell's other CPUs say
   * (`priorWeight` pseudo-observations); without an observation of its own, what the other CPUs say alone.
   */
  private inCell(
    cells: Map<string, Cell>,
    cell: Cell,
    cpu: CpuKey,
    arch: Arch,
    memoryMb: number,
    weight: number,
  ): RuntimeEstimate {
    const own = cell.stats.get(cpu);
    const otherCount = cell.count - (own?.count ?? 0);
    if (otherCount <= 0 && own) {
      return { meanMs: own.meanMs, confidence: this.observedConfidence(cells, own.count), source: 'observed' };
    }
    const derived = this.fromOtherCpus(cells, cell, cpu, arch, memoryMb, weight);
    if (!own) {
      return {
        meanMs: derived.meanMs,
        confidence: 0.5 * (otherCount / (otherCount + 2)) * (0.5 + 0.5 * derived.learned),
        source: 'cpu-speed',
      };
    }
    return {
      meanMs: (own.count * own.meanMs + weight * derived.meanMs) / (own.count + weight),
      confidence: this.observedConfidence(cells, own.count),
      source: 'observed',
    };
  }

  /**
   * What a cell's other CPUs say of `cpu`'s runtime there: each one's mean times the ratio of `cpu` to it,
   * weighted by its observations. The ratio is the one learned where both ran at the nearest memory size of
   * the arch (CPU speed ranks change with memory, so a ratio measured at one size is the best guess at
   * another), shrunk toward the prior ratio of relative speeds (`priorWeight` pseudo-observations); the
   * prior ratio alone where they never ran together. `learned` is the weight the learned ratios carry (0..1).
   */
  private fromOtherCpus(
    cells: Map<string, Cell>,
    cell: Cell,
    cpu: CpuKey,
    arch: Arch,
    memoryMb: number,
    priorWeight: number,
  ): { meanMs: number; learned: number } {
    let weighted = 0;
    let count = 0;
    let learned = 0;
    for (const [other, stats] of cell.stats) {
      if (other === cpu || stats.count === 0) continue;
      const prior = Math.log(relativeRuntime(cpu) / relativeRuntime(other));
      const pair = this.learnedRatio(cells, cpu, other, arch, memoryMb);
      const logRatio = pair ? (pair.weight * pair.logRatio + priorWeight * prior) / (pair.weight + priorWeight) : prior;
      weighted += stats.count * stats.meanMs * Math.exp(logRatio);
      count += stats.count;
      if (pair) learned += (stats.count * pair.weight) / (pair.weight + priorWeight);
    }
    return { meanMs: weighted / count, learned: learned / count };
  }

  /**
   * log(runtime of `cpu` / runtime of `other`) where both were observed at one memory size of `arch` other
   * than `memoryMb`, the nearest such size (in ratio; ties: the more observed pair), with the fewer of the
   * two counts as its weight.
   */
  private learnedRatio(
    cells: Map<string, Cell>,
    cpu: CpuKey,
    other: CpuKey,
    arch: Arch,
    memoryMb: number,
  ): { logRatio: number; weight: number } | undefined {
    let best: { logRatio: number; weight: number; distance: number } | undefined;
    for (const cell of cells.values()) {
      if (cell.arch !== arch || cell.memoryMb === memoryMb) continue;
      const a = cell.stats.get(cpu);
      const b = cell.stats.get(other);
      if (!a || !b || a.count === 0 || b.count === 0 || !(a.meanMs > 0) || !(b.meanMs > 0)) continue;
      const distance = sizeDistance(cell.memoryMb, memoryMb);
      const weight = Math.min(a.count, b.count);
      if (
        !best ||
        distance < best.distance - 1e-12 ||
        (Math.abs(distance - best.distance) <= 1e-12 && weight > best.weight)
      ) {
        best = { logRatio: Math.log(a.meanMs / b.meanMs), weight, distance };
      }
    }
    return best;
  }

  private nearestCell(
    cells: Map<string, Cell>,
    arch: Arch,
    memoryMb: number,
  ): { cell: Cell; memoryMb: number } | undefined {
    let best: { cell: Cell; memoryMb: number; distance: number } | undefined;
    for (const cell of cells.values()) {
      if (cell.arch !== arch || cell.count === 0) continue;
      const distance = sizeDistance(cell.memoryMb, memoryMb);
      if (
        !best ||
        distance < best.distance - 1e-12 ||
        (Math.abs(distance - best.distance) <= 1e-12 && cell.count > best.cell.count)
      ) {
        best = { cell, memoryMb: cell.memoryMb, distance };
      }
    }
    return best;
  }

  private cell(workload: string, arch: Arch, memoryMb: number): Cell {
    let cells = this.workloads.get(workload);
    if (!cells) {
      cells = new Map();
      this.workloads.set(workload, cells);
    }
    const key = cellKey(arch, memoryMb);
    let cell = cells.get(key);
    if (!cell) {
      cell = { arch, memoryMb, stats: new Map(), base: 0, count: 0 };
      cells.set(key, cell);
    }
    return cell;
  }

  private touch(workload: string, cell: Cell, added: number): void {
    let count = 0;
    let weighted = 0;
    for (const [cpu, stats] of cell.stats) {
      count += stats.count;
      weighted += (stats.count * stats.meanMs) / relativeRuntime(cpu);
    }
    cell.count = count;
    cell.base = count > 0 ? weighted / count : 0;
    this.counts.set(workload, (this.counts.get(workload) ?? 0) + added);
    this.changes++;
  }
}
