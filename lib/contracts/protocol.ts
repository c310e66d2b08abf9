import type { Arch, CpuKey, PollAggregate } from '../core/types';

/**
 * The messages the handlers exchange. The dynamic function validates its request with the zod
 * schema in `lambda/dynamic/request.ts`, which must stay in step with these types.
 */

/** What a function instance reports about the machine it runs on (after SAAF's Inspector). */
/** The ticks of the aggregate `cpu` line of /proc/stat. */
export interface CpuTicks {
  readonly user: number;
  readonly nice: number;
  readonly system: number;
  readonly idle: number;
  readonly iowait: number;
  readonly steal: number;
}

export interface Inspection {
  readonly cpuModel: string;
  readonly cpuKey: CpuKey;
  readonly mhz?: number;
  readonly cores: number;
  readonly arch: Arch;
  /** Random id kept in a marker file under /tmp for the life of the instance. */
  readonly instanceId: string;
  /** True on the first call an instance serves. */
  readonly newInstance: boolean;
  /** Calls this instance has served, this one included. */
  readonly instanceCalls: number;
  /** Host boot time (`btime` in /proc/stat, seconds since the epoch): a hint of which host this is. */
  readonly bootTime?: number;
  /** CPU time spent during this call in ticks, from /proc/stat deltas. */
  readonly cpuTime?: CpuTicks;
  readonly region?: string;
  readonly azId?: string;
  readonly memoryMb?: number;
  readonly functionName?: string;
  readonly timings: { readonly decodeMs: number; readonly userMs: number; readonly totalMs: number };
}

export type WorkloadSize = 'test' | 'small' | 'large';

/** A request to the dynamic function. Exactly one of `code` and `workload`. */
export interface DynamicRequest {
  /** A CommonJS module source exporting `run(input, context)` (or the named `entry`). */
  readonly code?: { readonly source: string; readonly entry?: string };
  /** A built-in workload of `lib/workloads`. */
  readonly workload?: { readonly name: string; readonly size?: WorkloadSize };
  readonly input?: unknown;
  /** Files unpacked under /tmp and reused while the hash matches. */
  readonly bundle?: { readonly data: string; readonly sha256: string; readonly encoding: 'tar+gzip' };
  /** Hold and reject when the instance runs on one of these CPUs. */
  readonly reject?: { readonly cpus: readonly CpuKey[]; readonly holdMs: number; readonly endInstance?: boolean };
  /** Time budget for user code in ms (default: the Lambda deadline less a margin). */
  readonly timeoutMs?: number;
}

export type DynamicErrorType =
  | 'BadRequest'
  | 'UserCodeError'
  | 'Timeout'
  | 'Unserializable'
  | 'UnknownWorkload'
  | 'OutputCheckFailed'
  /** A fault in the handler itself (never expected; reported instead of crashing the instance). */
  | 'InternalError';

export type DynamicResponse =
  | { readonly status: 'ok'; readonly result: unknown; readonly inspection: Inspection }
  | { readonly status: 'rejected'; readonly inspection: Inspection }
  | {
      readonly status: 'error';
      readonly error: {
        readonly type: DynamicErrorType;
        readonly message: string;
        /** The request field at fault, for `BadRequest`. */
        readonly field?: string;
        readonly stack?: string;
      };
      readonly inspection: Inspection;
    };

/** What a sampler answers: just what the sampling needs. */
export interface SamplerResponse {
  readonly cpuModel: string;
  readonly instanceId: string;
  readonly newInstance: boolean;
  readonly bootTime?: number;
  readonly greeting: string;
  /** Time the handler ran, in ms (what Lambda bills, before rounding up). */
  readonly elapsedMs?: number;
  /** `SKY_AZ_ID` of the sampler's function, when set. */
  readonly azId?: string;
}

/** A request to the fan-out tree: `count` concurrent calls of `target`, `branching` per level. */
export interface FanoutRequest {
  /** Sampler function name or ARN (required unless `targets` is given). */
  readonly target?: string;
  /**
   * Sampler functions to spread the `count` requests over, in about equal parts, one subtree per
   * function: each function's instances land on its own subset of the hosts, so a poll spread over
   * several functions meets more hosts than one function's burst of the same size.
   */
  readonly targets?: readonly string[];
  readonly count: number;
  readonly branching: number;
  /** Per-leaf invoke timeout in ms. */
  readonly leafTimeoutMs?: number;
  /**
   * Payload each leaf sends to the target.
   * @default {}
   */
  readonly leafPayload?: unknown;
  /**
   * Answer with {@link FanoutDetail} (per-instance records and the latency sketch). Set by the tree
   * for its inner calls so that parents merge exactly; a root caller normally leaves it unset.
   * @default false
   */
  readonly includeDetail?: boolean;
  /** Depth of this call in the tree (root 0); set by the tree, bounded as a guard. */
  readonly depth?: number;
}

/** The aggregate a fan-out call answers, with the tree's own cost. */
export type FanoutResponse = PollAggregate & {
  /** Fan-out invocations made below this one (children, recursively). */
  readonly fanoutCalls?: number;
  /**
   * Billed duration of those fan-out invocations, summed, in ms: each one's REPORT record where its caller read it,
   * else its duration as the caller measured it.
   */
  readonly fanoutMs?: number;
};

/** What inner fan-out calls add so that merging is exact (see `lambda/fanout/aggregate.ts`). */
export interface FanoutDetail {
  /**
   * Instance id -> its CPU key, whether any request found it new, its host's boot time (when the
   * sampler reported it) and the sampler function it belongs to.
   */
  readonly instances: Readonly<
    Record<
      string,
      { readonly cpu: CpuKey; readonly new: boolean; readonly bootTime?: number; readonly target?: string }
    >
  >;
  /** Mergeable latency sketch (log buckets, ratio `gamma`). */
  readonly latencySketch: {
    readonly gamma: number;
    readonly buckets: Readonly<Record<string, number>>;
    readonly max: number;
    readonly count: number;
  };
}
