import { DEFAULT_SKY_CONFIG } from '../config';
import { DYNAMIC_FUNCTION_TIMEOUT_SECONDS, LAMBDA_MEMORY_MB } from '../contracts';
import { MB_PER_VCPU } from '../core/memory-scaling';
import type { CpuKey } from '../core/types';
import type { Scenario, ScenarioWorkload } from './scenario';

/**
 * A scenario workload's mean runtime on a CPU at a memory size (the scenario spec):
 * - `baseMs` is the runtime at `memoryMb` on a CPU of relative speed 1;
 * - at memory m the workload gets min(vcpus, m / 1769) vCPUs and its runtime scales inversely
 *   with that against `memoryMb`;
 * - the CPU multiplier at m comes from the nearest memory breakpoint at or below m: `relative`
 *   holds at `memoryMb`, each `relativeAtMemory` size from itself up to the next breakpoint (below
 *   the lowest breakpoint, `relative`'s); a CPU a breakpoint does not name takes `relative`'s
 *   multiplier, and a CPU nothing names runs at 1.0.
 */

/** vCPUs a workload that can use `vcpus` threads gets at `memoryMb` (Lambda: one per 1,769 MB). */
export function usableVcpus(memoryMb: number, vcpus: number): number {
  return Math.min(vcpus, memoryMb / MB_PER_VCPU);
}

interface Breakpoint {
  readonly memoryMb: number;
  /** Multipliers by scenario CPU key. */
  readonly relative: Readonly<Record<string, number>>;
}

const breakpointCache = new WeakMap<ScenarioWorkload, readonly Breakpoint[]>();

function breakpointsOf(workload: ScenarioWorkload): readonly Breakpoint[] {
  let list = breakpointCache.get(workload);
  if (!list) {
    const byMemory = new Map<number, Readonly<Record<string, number>>>();
    for (const [mb, rel] of Object.entries(workload.relativeAtMemory ?? {})) byMemory.set(Number(mb), rel);
    // `relative` is what was measured at `memoryMb`; an explicit entry at that size refines it.
    byMemory.set(workload.memoryMb, { ...workload.relative, ...(byMemory.get(workload.memoryMb) ?? {}) });
    list = [...byMemory.entries()].sort((a, b) => a[0] - b[0]).map(([memoryMb, relative]) => ({ memoryMb, relative }));
    breakpointCache.set(workload, list);
  }
  return list;
}

/**
 * The runtime multiplier of scenario CPU `cpu` (its short key) at `memoryMb`: the nearest breakpoint's at or below it,
 * and `relative`'s below every breakpoint (the scenario format's rule: a listed size holds up to the next one).
 */
export function relativeAt(workload: ScenarioWorkload, cpu: string, memoryMb: number): number {
  let at: Breakpoint | undefined;
  for (const b of breakpointsOf(workload)) if (b.memoryMb <= memoryMb) at = b;
  return at?.relative[cpu] ?? workload.relative[cpu] ?? 1;
}

/** Mean runtime (ms) of `workload` on the CPU with normalized key `cpuKey` at `memoryMb` (default: its own). */
export function modelRuntimeMs(
  scenario: Scenario,
  workload: ScenarioWorkload,
  cpuKey: CpuKey,
  memoryMb: number = workload.memoryMb,
): number {
  const cpu = scenario.cpuList.find((c) => c.cpuKey === cpuKey);
  const relative = cpu ? relativeAt(workload, cpu.key, memoryMb) : 1;
  const vcpus = workload.vcpus ?? 1;
  const scale = usableVcpus(workload.memoryMb, vcpus) / usableVcpus(memoryMb, vcpus);
  return workload.baseMs * relative * scale;
}

/**
 * How long one request may run in the dynamic function, ms: the mesh's function timeout, which the
 * twin's Lambda context reports to the handler as a deployed one's does.
 */
export const DYNAMIC_TIMEOUT_MS = DYNAMIC_FUNCTION_TIMEOUT_SECONDS * 1000;

/**
 * The memory sizes the mesh offers a workload: its sizes and the workload's own `memoryMb`, within
 * Lambda's range. The router is told the workload's `minMemoryMb` and the call budget, and its own
 * check (the core's) keeps it off sizes below the one or past the other.
 */
export function offeredMemorySizes(
  workload: ScenarioWorkload,
  sizes: readonly number[] = DEFAULT_SKY_CONFIG.memorySizes,
): number[] {
  return [...new Set([...sizes, workload.memoryMb])]
    .filter((mb) => mb >= LAMBDA_MEMORY_MB.min && mb <= LAMBDA_MEMORY_MB.max)
    .sort((a, b) => a - b);
}

/**
 * Standard deviations of a workload's true spread that a call's mean on its slowest CPU, with that many above it, must
 * fit the timeout by: the twin's scenarios are sized to it (`scenario-generator.ts`), and the oracle and the memoryless
 * bound keep to it (`allowedMemorySizes`). It was the router's rule when the generator was written. The router now
 * holds a call's own spread at 4.75 (`CALL_FIT_SIGMAS` in the core), so the bounds keep the looser 3: they stay
 * bounds, and a seed keeps its scenario (a generator version names one per seed). On 12 of the 795 workloads of seeds
 * 1–400 (seed 234's long-gemm-2 among them) the router holds the slowest CPU unfit at the workload's own size.
 */
export const SCENARIO_FIT_SIGMAS = 3;

/**
 * The factor a mean runtime is multiplied by before the scenarios' rule holds it against the timeout: 1 plus
 * `SCENARIO_FIT_SIGMAS` of the workload's true spread `cv`.
 * @example scenarioHeadroom(0.05); // 1.15
 */
export function scenarioHeadroom(cv: number): number {
  return 1 + SCENARIO_FIT_SIGMAS * cv;
}

/**
 * Whether a call whose mean on the slowest CPU is `slowestMs` fits `timeoutMs` with `scenarioHeadroom(cv)`.
 * @example fitsScenarioTimeout(250_000, 300_000, 0.05); // true: 250 s × 1.15 = 287.5 s
 */
export function fitsScenarioTimeout(slowestMs: number, timeoutMs: number, cv: number): boolean {
  return slowestMs * scenarioHeadroom(cv) <= timeoutMs;
}

/**
 * The memory sizes the oracle may run a workload at: the offered ones from its `minMemoryMb` up whose
 * true runtime on the slowest CPU fits `timeoutMs` by the rule the scenarios are sized to
 * (`fitsScenarioTimeout`, with the workload's true spread): the oracle knows every runtime, and keeps to that limit.
 */
export function allowedMemorySizes(
  scenario: Scenario,
  workload: ScenarioWorkload,
  sizes: readonly number[] = DEFAULT_SKY_CONFIG.memorySizes,
  timeoutMs: number = DYNAMIC_TIMEOUT_MS,
): number[] {
  return offeredMemorySizes(workload, sizes).filter((mb) => {
    if (mb < workload.minMemoryMb) return false;
    const slowest = Math.max(...scenario.cpuList.map((c) => modelRuntimeMs(scenario, workload, c.cpuKey, mb)));
    return fitsScenarioTimeout(slowest, timeoutMs, workload.cv);
  });
}
