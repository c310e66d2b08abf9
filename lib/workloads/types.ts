import type { WorkloadSize } from '../contracts';

/** What user code and workloads receive as their second argument. */
export interface UserContext {
  /** The instance's scratch folder (`/tmp` in Lambda). */
  readonly tmpDir: string;
  /** Where the request's bundle was unpacked, if it had one. */
  readonly bundleDir?: string;
  /** Milliseconds left before the call's deadline. */
  remainingMs(): number;
  /** What the instance runs on, so code can make CPU-aware decisions (as the paper's workloads do). */
  readonly instance: {
    readonly instanceId: string;
    readonly newInstance: boolean;
    readonly cpuKey: string;
    readonly cpuModel: string;
    readonly arch: string;
    readonly cores: number;
    readonly memoryMb?: number;
    readonly region?: string;
    readonly azId?: string;
  };
}

/** One of the paper's Table 1 functions, packaged as dynamic-function code. */
export interface Workload<I = unknown, O = unknown> {
  /** Kebab-case name, e.g. `graph-mst`. */
  readonly name: string;
  /** vCPUs the paper's Table 1 gives the function. */
  readonly vCpus: number;
  /** One line from Table 1. */
  readonly description: string;
  /** Inputs per size: `test` runs in milliseconds, `small` about a second on one vCPU. */
  readonly sizes: Readonly<Record<WorkloadSize, I>>;
  run(input: I, context: UserContext): O | Promise<O>;
  /** Undefined when the output is right for the input, else what is wrong. */
  check(output: O, input: I): string | undefined;
}
