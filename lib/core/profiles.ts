import { archRelativeRuntime, relativeRuntime } from './cpu-speed';
import { CoreInputError } from './errors';
import { memoryRuntimeFactor } from './memory-scaling';
import { DEFAULT_RUNTIME_CV, priorWeightFor } from './runtime-belief';
import { addObservation, EMPTY_STATS, mergeStats } from './runtime-stats';
import type { Arch, CpuKey, Outcome, ProfileKey, RuntimeStats, WorkloadProfile } from './types';

/** Where a runtime estimate came from, best first. */
export type RuntimeSource = 'observed' | 'cpu-speed' | 'memory-scaled' | 'arch-scaled' | 'prior';

/** A runtime estimate and how sure it is. */
export interface RuntimeEstimate {
  readonly meanMs: number;
  /**
   * 0..1: n/(n + 2) for n direct observations; halved when the runtime is carried over from other
   * CPUs by relative speed, halved again per step across memory sizes or architectures; 0 for the
   * pure prior of an unknown workload.
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
   * Pseudo-observations given to the estimate from other CPUs when a CPU has few of its own.
   * @default - (cv / PRIOR_LOG_SD)² for the workload's runtime spread cv (`priorWeightFor`), so that the blend is
   * the mean of the belief `runtime-belief.ts` describes (one runtime of a steady workload outweighs the prior)
   */
  readonly priorWeight?: number;
}

interface Cell {
  readonly stats: Map<CpuKey, RuntimeStats>;
  /** Count-weighted mean of runtime / relative speed over the CPUs (baseline-equivalent runtime). */
  base: number;
  count: number;
}

const cellKey = (arch: Arch, memoryMb: number): string => `${arch}#${memoryMb}`;

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
  private changes = 0;

  constructor(
    profiles: Readonly<Record<string, WorkloadProfile>> = {},
    private readonly options: ProfileBookOptions = {},
  ) {
    this.defaultBaseMs = options.defaultBaseMs ?? 1000;
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
    return this.options.parallelism?.[workload] !== undefined;
  }

  /** Observations of a workload (0 if unknown). */
  observations(workload: string): number {
    return this.counts.get(workload) ?? 0;
  }

  /** Runtimes observed of a workload on exactly this CPU × arch × memory size. */
  count(workload: string, cpu: CpuKey, arch: Arch, memoryMb: number): number {
    return this.workloads.get(workload)?.get(cellKey(arch, memoryMb))?.stats.get(cpu)?.count ?? 0;
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

  /** A snapshot of a workload's profile, entries sorted. */
  profile(workload: string): WorkloadProfile | undefined {
    const cells = this.workloads.get(workload);
    if (!cells) return undefined;
    const entries: Array<ProfileKey & { stats: RuntimeStats }> = [];
    for (const [key, cell] of cells) {
      const [arch, mb] = key.split('#');
      for (const [cpu, stats] of cell.stats) entries.push({ cpu, arch: arch as Arch, memoryMb: Number(mb), stats });
    }
    entries.sort((a, b) => a.arch.localeCompare(b.arch) || a.memoryMb - b.memoryMb || a.cpu.localeCompare(b.cpu));
    return { workload, entries };
  }

  /** Expected runtime of a workload on a CPU × arch × memory size (see the class notes for the fallbacks). */
  runtime(workload: string, cpu: CpuKey, arch: Arch, memoryMb: number): RuntimeEstimate {
    const parallelism = this.options.parallelism?.[workload] ?? 1;
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
    const own = here?.stats.get(cpu);
    // Baseline-equivalent runtime from the other CPUs of this arch and memory.
    if (here && here.count > (own?.count ?? 0)) {
      const otherCount = here.count - (own?.count ?? 0);
      const otherBase = (here.base * here.count - (own ? (own.meanMs / speed) * own.count : 0)) / otherCount;
      const derived = otherBase * speed;
      if (!own) return { meanMs: derived, confidence: 0.5 * (otherCount / (otherCount + 2)), source: 'cpu-speed' };
      const w = this.priorWeightOf(workload);
      return {
        // The blend (n·own + w·derived)/(n + w), written so that equal means stay exact (billing rounds up).
        meanMs: own.meanMs + (w * (derived - own.meanMs)) / (own.count + w),
        confidence: own.count / (own.count + 2),
        source: 'observed',
      };
    }
    if (own) return { meanMs: own.meanMs, confidence: own.count / (own.count + 2), source: 'observed' };
    // Another memory size of the same arch: the nearest (in ratio), then the most observed.
    const sameArch = this.nearestCell(cells, arch, memoryMb);
    if (sameArch) {
      const factor = memoryRuntimeFactor(sameArch.memoryMb, memoryMb, parallelism);
      return {
        meanMs: sameArch.cell.base * speed * factor,
        confidence: 0.25 * (sameArch.cell.count / (sameArch.cell.count + 2)),
        source: 'memory-scaled',
        scaledFromMb: sameArch.memoryMb,
      };
    }
    const otherArch: Arch = arch === 'x86_64' ? 'arm64' : 'x86_64';
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

  /** Pseudo-observations the estimate from other CPUs is worth for this workload (see `priorWeight`). */
  private priorWeightOf(workload: string): number {
    return this.options.priorWeight ?? priorWeightFor(this.runtimeCv(workload) ?? DEFAULT_RUNTIME_CV);
  }

  private nearestCell(
    cells: Map<string, Cell>,
    arch: Arch,
    memoryMb: number,
  ): { cell: Cell; memoryMb: number } | undefined {
    let best: { cell: Cell; memoryMb: number; distance: number } | undefined;
    for (const [key, cell] of cells) {
      const [cellArch, mb] = key.split('#');
      if (cellArch !== arch || cell.count === 0) continue;
      const distance = Math.abs(Math.log(Number(mb) / memoryMb));
      if (
        !best ||
        distance < best.distance - 1e-12 ||
        (Math.abs(distance - best.distance) <= 1e-12 && cell.count > best.cell.count)
      ) {
        best = { cell, memoryMb: Number(mb), distance };
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
      cell = { stats: new Map(), base: 0, count: 0 };
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
