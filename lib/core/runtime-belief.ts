import { CROSS_CPU_SPREAD, MEMORY_DRIFT_LOG_SD, type ProfileBook } from './profiles';
import type { Arch, CpuKey } from './types';

/**
 * How sure the router is of a workload's runtime on one CPU × arch × memory: a log-normal belief whose
 * spread shrinks with the runtimes observed there.
 *
 * Before a CPU is observed for a workload, its runtime is carried over from other CPUs by a speed ratio (the
 * prior's relative speeds in `cpu-speed.ts`, or one learned at another memory size), which the profiles take to
 * be off by about `CROSS_CPU_SPREAD` (0.3 in log terms) and weigh against observed runtimes by precision. The
 * belief uses the same spread, so that its mean is the profiles' blend. Published departures suggest that is
 * cautious: ClassiFaaS's late-2025 us-east-1 logs (the lambda-2026 scenario cites them) have a matrix multiply
 * on EPYC at 0.54× the 2.5 GHz Xeon at 128 MB where the prior says 1.35×, and the 2.9 GHz Xeon at 0.73× where the
 * prior says 1.22×; those log-ratios (−0.92, −0.51) are two and three spreads out.
 *
 * One observation has the workload's own spread (its coefficient of variation, `ProfileBook.runtimeCv`), so n
 * observations and the prior combine as two normal estimates of the log-runtime: precision 1/σ0² + n/cv².
 */

/** Standard deviation of a CPU's log-runtime for a workload before it ran there (see above). */
export const PRIOR_LOG_SD = CROSS_CPU_SPREAD;

/** Standard deviation of the log-runtime belief after `observations` runtimes of spread `cv` (see above). */
export function beliefLogSd(observations: number, cv: number, priorLogSd: number = PRIOR_LOG_SD): number {
  const spread = Math.max(cv, 1e-3);
  return 1 / Math.sqrt(1 / (priorLogSd * priorLogSd) + Math.max(0, observations) / (spread * spread));
}

/**
 * Standard deviation of where the belief's log-mean moves with one more observation (the preposterior spread):
 * σ²/√(σ² + cv²) for a belief of spread σ. What one call on the CPU can still teach.
 */
export function updateLogSd(logSd: number, cv: number): number {
  const spread = Math.max(cv, 1e-3);
  return (logSd * logSd) / Math.sqrt(logSd * logSd + spread * spread);
}

/**
 * The belief's spread at a memory size where the CPU was not observed, carried from `fromMb` where its belief had
 * spread `logSdThere`: the drift across memory adds to it, and it is never narrower than there nor wider than the prior.
 */
export function carriedLogSd(logSdThere: number, fromMb: number, toMb: number): number {
  const drift = MEMORY_DRIFT_LOG_SD * Math.abs(Math.log2(toMb / fromMb));
  return Math.min(PRIOR_LOG_SD, Math.sqrt(logSdThere * logSdThere + drift * drift));
}

/**
 * The spread of the belief in a workload's runtime on `cpu` at `arch` × `memoryMb`: from the runtimes observed
 * there and what the CPU's runtimes at another memory size say of it (`ProfileBook.acrossMemory`); where there are
 * none, from the nearest memory size of the arch where the CPU ran, widened by the drift across memory
 * (`carriedLogSd`); the prior's where the CPU never ran for this workload on this arch.
 */
export function runtimeLogSd(
  book: ProfileBook,
  workload: string,
  cpu: CpuKey,
  arch: Arch,
  memoryMb: number,
  cv: number,
): number {
  const here = book.count(workload, cpu, arch, memoryMb);
  if (here > 0) return beliefLogSd(here + (book.acrossMemory(workload, cpu, arch, memoryMb)?.weight ?? 0), cv);
  const nearest = book.nearestObserved(workload, cpu, arch, memoryMb);
  if (!nearest) return PRIOR_LOG_SD;
  return carriedLogSd(beliefLogSd(nearest.count, cv), nearest.memoryMb, memoryMb);
}
