import type {
  Arch,
  Characterization,
  CpuCounts,
  CpuKey,
  HostReturns,
  PollAggregate,
  RuntimeStats,
  StopReason,
  WorkloadProfile,
} from '../core/types';

/**
 * The typed records of the skymesh table (DESIGN.md, "Data model") and the pure conversions
 * between them and the core types. No I/O here: `SkyStore` does the reading and writing.
 */

/** Lifecycle of a sampling run. */
export type RunStatus = 'running' | 'succeeded' | 'failed';

/** What the sampling stores beside a characterization (not part of the core type). */
export interface CharacterizationExtra {
  /** The sampling run that measured it. */
  readonly runId?: string;
  /** When the zone is due to be sampled again (ISO-8601), picked from its drift class. */
  readonly nextSampleAt?: string;
  /** The stopping rule's estimate of the characterization's APE against the saturated truth. */
  readonly estimatedApe?: number;
}

/** The characterization a run is compared against when it finishes. */
export interface PreviousCharacterization {
  readonly measuredAt: string;
  readonly counts: CpuCounts;
  readonly driftClass?: Characterization['driftClass'];
  /** APE of the previous run against the one before it, to classify drift over two steps. */
  readonly apeVsPrevious?: number;
  /** How sure the previous characterization was (its APE bound counts as noise when classing drift). */
  readonly confidence?: Characterization['confidence'];
}

/** What starts a run. */
export interface RunStart {
  /** The state machine execution's name (unique per state machine). */
  readonly runId: string;
  readonly azId: string;
  readonly region: string;
  /** ISO-8601. */
  readonly startedAt: string;
  readonly previous?: PreviousCharacterization;
}

/** Everything a run has observed so far, summed over its recorded polls. */
export interface RunTotals {
  readonly requested: number;
  readonly succeeded: number;
  /** Failed requests by error type. */
  readonly failures: Readonly<Record<string, number>>;
  /** Instances per CPU key; sampler endpoints rotate, so instances of different polls are distinct. */
  readonly cpuCounts: CpuCounts;
  readonly cpuModels: Readonly<Record<CpuKey, string>>;
  readonly instancesSeen: number;
  readonly newInstances: number;
  readonly billedMs: number;
  /** USD spent by the recorded polls (`estimatePollCostUsd`: as billed where the fan-out read REPORT records). */
  readonly costUsd: number;
}

/** `RUN#<id>` / `META`. */
export interface RunRecord extends RunStart {
  readonly status: RunStatus;
  /** Polls merged into `totals`; the next poll to record has this index. */
  readonly pollsRecorded: number;
  readonly totals: RunTotals;
  readonly updatedAt: string;
  /** When the last poll was recorded: the time the run's measurement ends. */
  readonly lastPollAt?: string;
  readonly finishedAt?: string;
  readonly stoppedBecause?: StopReason;
  /** Why the run failed: the error name and message of the step that failed. */
  readonly cause?: string;
  /** `measuredAt` of the characterization the run wrote, if it wrote one. */
  readonly characterizationAt?: string;
}

/** A poll's aggregate as stored: instance ids are capped so that an item stays far below 400 KB. */
export interface StoredPollAggregate extends Omit<PollAggregate, 'instanceIds'> {
  /** The first `MAX_STORED_INSTANCE_IDS` distinct instance ids; `instanceCount` has the real number. */
  readonly instanceIds: readonly string[];
  readonly instanceCount: number;
}

/** Result of recording a poll. */
export interface RecordPollResult {
  readonly run: RunRecord;
  /** True when this poll had already been merged (a retried step): nothing was counted twice. */
  readonly duplicate: boolean;
}

/** `RUN#<id>` / `POLL#<nnnn>`. */
export interface PollRecord {
  readonly runId: string;
  readonly azId: string;
  /** 0-based poll index within the run. */
  readonly index: number;
  /** The sampler endpoint the poll hit. */
  readonly target: string;
  readonly recordedAt: string;
  readonly aggregate: StoredPollAggregate;
  /** USD of this poll (`estimatePollCostUsd`). */
  readonly costUsd: number;
  /** Epoch seconds after which DynamoDB may delete the item. */
  readonly expiresAt: number;
}

/** Mergeable runtime sums of one workload on one CPU × arch × memory (`PROFILE#` items). */
export interface RuntimeSums {
  readonly count: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/**
 * A zone's passively learned CPU counts of one UTC day (`ZONE#<azId>` / `PASSIVE#<yyyy-mm-dd>`), or
 * the undated total written before counts were dated (`PASSIVE`, then dated by its `updatedAt`).
 */
export interface PassiveCounts {
  readonly azId: string;
  readonly counts: CpuCounts;
  readonly observations: number;
  /** ISO time of the first ADD (absent on undated items). */
  readonly firstAt?: string;
  /** ISO time of the last ADD. */
  readonly updatedAt?: string;
}

/**
 * The hosts one dynamic function's new instances met in one UTC day (`ZONE#<azId>` /
 * `FNHOSTS#<functionName>#<yyyy-mm-dd>`): per CPU, a string set of the hosts' boot times (a host is its boot time
 * and CPU). A set, so a host met twice is stored once; about 11 bytes a host, so even thousands of hosts a day
 * stay far below DynamoDB's 400 KB item limit.
 */
export interface FunctionHostsRecord {
  readonly functionName: string;
  readonly azId: string;
  readonly arch: Arch;
  readonly hosts: Readonly<Record<CpuKey, readonly string[]>>;
  /** How often the day's new instances came back to hosts the function had met earlier that day (ADDed sums). */
  readonly returns?: HostReturns;
  /** ISO time of the first ADD. */
  readonly firstAt?: string;
  /** ISO time of the last ADD. */
  readonly updatedAt?: string;
}

/** 36-character UUIDs: 500 of them take about 20 KB. */
export const MAX_STORED_INSTANCE_IDS = 500;
/** Distinct boot times kept per poll. */
export const MAX_STORED_BOOT_TIMES = 1000;

export const EMPTY_TOTALS: RunTotals = {
  requested: 0,
  succeeded: 0,
  failures: {},
  cpuCounts: {},
  cpuModels: {},
  instancesSeen: 0,
  newInstances: 0,
  billedMs: 0,
  costUsd: 0,
};

/** Drops what cannot be stored in full (instance ids beyond the cap). */
export function storedAggregate(aggregate: PollAggregate): StoredPollAggregate {
  return {
    ...aggregate,
    instanceIds: aggregate.instanceIds.slice(0, MAX_STORED_INSTANCE_IDS),
    // cpuCounts counts each distinct instance once, so its sum is the instance count even when
    // a caller leaves the id list out.
    instanceCount: Math.max(aggregate.instanceIds.length, failureTotal(aggregate.cpuCounts)),
    bootTimes: aggregate.bootTimes.slice(0, MAX_STORED_BOOT_TIMES),
  };
}

/**
 * Sums two count records. Counted in a Map, so a key such as `__proto__` or `constructor` is a count like
 * any other; `Object.fromEntries` makes every key an own property (and the result a plain object the
 * DynamoDB marshaller accepts).
 */
function addCounts(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): Record<string, number> {
  const sums = new Map(Object.entries(a));
  for (const [key, n] of Object.entries(b)) sums.set(key, (sums.get(key) ?? 0) + n);
  return Object.fromEntries(sums);
}

/** Sum of a count record (failures of a poll or run, instances per CPU). */
export function failureTotal(failures: Readonly<Record<string, number>>): number {
  return Object.values(failures).reduce((sum, n) => sum + n, 0);
}

/** Merges one poll into a run's totals (pure; the store makes it happen once). */
export function mergeTotals(totals: RunTotals, poll: StoredPollAggregate, costUsd: number): RunTotals {
  return {
    requested: totals.requested + poll.requested,
    succeeded: totals.succeeded + poll.succeeded,
    failures: addCounts(totals.failures, poll.failures),
    cpuCounts: addCounts(totals.cpuCounts, poll.cpuCounts),
    cpuModels: { ...totals.cpuModels, ...poll.cpuModels },
    instancesSeen: totals.instancesSeen + poll.instanceCount,
    newInstances: totals.newInstances + poll.newInstances,
    billedMs: totals.billedMs + poll.billedMs,
    costUsd: totals.costUsd + costUsd,
  };
}

/**
 * Welford form of mergeable sums: mean = sum / n, M2 = Σx² − (Σx)²/n (clamped at 0 against
 * rounding). Runtimes in ms and counts up to millions keep this well within double precision.
 */
export function runtimeStatsOf(sums: RuntimeSums): RuntimeStats {
  if (sums.count <= 0) return { count: 0, meanMs: 0, m2: 0 };
  const meanMs = sums.sum / sums.count;
  const m2 = Math.max(0, sums.sumSquares - (sums.sum * sums.sum) / sums.count);
  return { count: sums.count, meanMs, m2 };
}

/** Sums of a batch of runtimes, ready to ADD to a profile entry. */
export function runtimeSumsOf(runtimesMs: readonly number[]): RuntimeSums {
  let sum = 0;
  let sumSquares = 0;
  for (const x of runtimesMs) {
    sum += x;
    sumSquares += x * x;
  }
  return { count: runtimesMs.length, sum, sumSquares };
}

/**
 * Builds the profiles map the router's view expects from flat entries. Workload names come from stored
 * items, which requests named: grouped in a Map and returned as a null-prototype record, so that a
 * workload called `constructor`, `__proto__` or `toString` is one more profile, and looking up a name that
 * has no profile finds nothing (not `Object.prototype`'s members).
 */
export function groupProfiles(
  entries: ReadonlyArray<{ workload: string } & WorkloadProfile['entries'][number]>,
): Record<string, WorkloadProfile> {
  const byWorkload = new Map<string, Array<WorkloadProfile['entries'][number]>>();
  for (const { workload, ...entry } of entries) {
    const list = byWorkload.get(workload);
    if (list) list.push(entry);
    else byWorkload.set(workload, [entry]);
  }
  const out = Object.create(null) as Record<string, WorkloadProfile>;
  for (const [workload, list] of byWorkload) out[workload] = { workload, entries: list };
  return out;
}
