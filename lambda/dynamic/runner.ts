import type { Inspection, WorkloadSize } from '../../lib/contracts';
import type { UserContext } from '../../lib/workloads/types';

/**
 * One run of user code or of a built-in workload, handed to a {@link WorkloadRunner}.
 * `invoke` runs the real thing (for workloads: run, then the output check).
 */
export interface RunTask {
  readonly kind: 'code' | 'workload';
  /** The workload name, or `inline:<first 12 hex of the source hash>` for sent code. */
  readonly name: string;
  readonly size?: WorkloadSize;
  readonly input: unknown;
  readonly context: UserContext;
  /** What the inspector saw at the start of the call (CPU, instance, memory, zone). */
  readonly instance: Pick<Inspection, 'cpuKey' | 'cpuModel' | 'arch' | 'cores' | 'memoryMb' | 'azId' | 'region'>;
  /** Budget in ms; the handler enforces it either way. */
  readonly timeoutMs: number;
  /** Runs the real code; may return a promise. */
  invoke(): unknown;
}

/**
 * The seam between the dynamic function and the work it runs. The default runs the real code.
 * The twin injects a modelled runner (e.g. `platform.sleep` for a runtime drawn from its scenario)
 * so that bulk experiments run fast, while request parsing, the reject path, the inspection and
 * the error handling remain the real handler code.
 */
export interface WorkloadRunner {
  run(task: RunTask): unknown;
}

/** Runs the real code. */
export const realRunner: WorkloadRunner = {
  run: (task) => task.invoke(),
};
