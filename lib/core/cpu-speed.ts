import { archOfCpu } from './cpu';
import type { Arch, CpuKey } from './types';

/**
 * Prior relative runtimes per CPU, used for CPUs a workload has not been observed on.
 * x86_64 is relative to the 2.5 GHz Xeon, the most common Lambda CPU; from the paper's Figure 9
 * (§4.5): the 3.0 GHz Xeon is 5–15% faster (0.90), the 2.9 GHz 15–30% slower (1.22), the AMD EPYC
 * up to 50% slower (1.35) for most functions.
 * arm64 is relative to Graviton2, the only CPU behind Lambda arm64 today; AWS quotes up to 25% more
 * compute performance for Graviton3 over Graviton2 (0.80) and up to 30% more for Graviton4 over
 * Graviton3 (0.62); these matter only if Lambda adopts them.
 */
export const RELATIVE_RUNTIME: Readonly<Record<CpuKey, number>> = Object.freeze({
  'intel-xeon-2.50': 1.0,
  'intel-xeon-3.00': 0.9,
  'intel-xeon-2.90': 1.22,
  'amd-epyc': 1.35,
  graviton2: 1.0,
  graviton3: 0.8,
  graviton4: 0.62,
});

/** The reference CPU of each architecture (relative runtime 1). */
export const BASELINE_CPU: Readonly<Record<Arch, CpuKey>> = Object.freeze({
  x86_64: 'intel-xeon-2.50',
  arm64: 'graviton2',
});

/**
 * Runtime on an arm64 baseline CPU relative to the x86_64 one, before any workload was observed on
 * both. AWS cites up to 19% better performance for Graviton2 Lambda functions, but it varies by
 * workload (and is worse for some), so the prior is neutral: 1.0.
 */
export const ARM64_RELATIVE_TO_X86 = 1.0;

/**
 * The prior relative runtime of a CPU against its architecture's baseline: the table, else the
 * family (`amd-epyc-7r13` → `amd-epyc`), else 1 (an unknown CPU is assumed as fast as the baseline).
 */
export function relativeRuntime(cpu: CpuKey): number {
  const known = RELATIVE_RUNTIME[cpu];
  if (known !== undefined) return known;
  if (cpu.startsWith('amd-epyc')) return RELATIVE_RUNTIME['amd-epyc'];
  return 1;
}

/** Relative runtime of an architecture's baseline against the x86_64 baseline. */
export function archRelativeRuntime(arch: Arch): number {
  return arch === 'arm64' ? ARM64_RELATIVE_TO_X86 : 1;
}

/** Whether a CPU can run a function of this architecture. */
export function cpuFitsArch(cpu: CpuKey, arch: Arch): boolean {
  return archOfCpu(cpu) === arch;
}
