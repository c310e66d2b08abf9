import type { DynamicErrorType, FunctionHostsRecord } from '../contracts';
import type { ExplorationGate } from '../core/exploration';
import type { DatedInitSums } from '../core/init-evidence';
import type { ProfilingRequest, ProfilingStep } from '../core/profiling-plan';
import type { RankedTarget } from '../core/router';
import type {
  Arch,
  CallExpectation,
  Characterization,
  CpuCounts,
  CpuKey,
  HostReturns,
  Outcome,
  Placement,
  PlacementRequest,
  ProfileKey,
  RoutingView,
  StrategyName,
  Target,
  WorkloadProfile,
} from '../core/types';
import type { ZoneMix } from '../core/zone-mix';
import type { ExplorationLeaseStore } from './exploration-lease';
import type { RetryRepeatTally } from './pool';
import type { ProfilingAnswer } from './profiling';
import type { BatchTarget } from './request';

/** Summed runtime observations of one profile entry (what one atomic ADD writes). */
export interface RuntimeSums {
  readonly count: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/** INIT phases new instances reported, summed (what one atomic ADD writes; see `DatedInitSums`). */
export type InitSums = Omit<DatedInitSums, 'lastAt'>;

/** The INIT reports of one stored period (UTC day): the sums, and when the last was added (ISO time). */
export interface InitPeriod extends InitSums {
  readonly updatedAt?: string;
}

/**
 * New instances met by routed calls in one zone over one period, per CPU (one of the zone's
 * `PASSIVE#<day>` items, or its undated `PASSIVE` item written before counts were dated).
 */
export interface PassiveZoneCounts {
  readonly azId: string;
  readonly counts: CpuCounts;
  /** ISO time of the first instance counted, when known. */
  readonly firstAt?: string;
  /** ISO time of the last instance counted; absent when the counts carry no date. */
  readonly updatedAt?: string;
}

/**
 * The hosts one dynamic function's new instances met in one UTC day, per CPU (one of the zone's `FNHOSTS#` items):
 * each host by its boot time as text (a host is its boot time and CPU, as in the host census).
 */
export type FunctionHostsPeriod = FunctionHostsRecord;

/** Hosts a function's new instances met, per CPU, to add to its current period. */
export interface FunctionHostsAddition {
  readonly functionName: string;
  readonly azId: string;
  readonly arch: Arch;
  /** Per CPU, the boot times (as text) of the hosts met. */
  readonly hosts: Readonly<Record<CpuKey, readonly string[]>>;
  /** New instances checked against the function's hosts met earlier that day, to add to the day's sums. */
  readonly returns?: HostReturns;
}

/**
 * What the router reads from and writes to the table: the subset of `SkyStore` (`lib/aws/store.ts`)
 * it uses, so tests and the embedded router can hand in any store with these methods.
 */
export interface RouterStore {
  /** Every zone's `LATEST` characterization. */
  latestCharacterizations(): Promise<readonly Characterization[]>;
  /** Every workload's profile, keyed by workload. */
  profiles(): Promise<Readonly<Record<string, WorkloadProfile>>>;
  /** Adds summed runtime observations of one workload on one CPU × arch × memory (atomic ADD). */
  addProfileSums(workload: string, key: ProfileKey, sums: RuntimeSums): Promise<void>;
  /** Adds instances seen per CPU to a zone's passive counts of the current day (atomic ADD, dated by the store's clock). */
  addPassiveCpu(azId: string, cpus: CpuCounts): Promise<void>;
  /** Every zone's passive counts, one entry per stored period (aged and merged into the view the router places from). */
  allPassiveCounts(): Promise<readonly PassiveZoneCounts[]>;
  /**
   * Adds hosts a function's new instances met to its hosts of the current day (a set: a host added twice is there
   * once). Optional: a store without it learns no function mixes, and targets are priced with their zone's mix.
   */
  addFunctionHosts?(addition: FunctionHostsAddition): Promise<void>;
  /** Every function's hosts, one entry per stored period (aged into `RoutingView.functionHosts`). Optional, as above. */
  allFunctionHosts?(): Promise<readonly FunctionHostsPeriod[]>;
  /**
   * Takes a lease to explore a unit, shared by every router instance (`exploration-lease.ts`); a store without it
   * leaves each instance to explore on its own.
   */
  takeExplorationLease?: ExplorationLeaseStore['takeExplorationLease'];
  /** Ends a lease `takeExplorationLease` took. */
  endExplorationLease?: ExplorationLeaseStore['endExplorationLease'];
  /**
   * Adds the INIT phases the dynamic functions' new instances reported to the current day's sums (atomic ADD).
   * Optional: a store without it learns no INIT, and placements price the router's configured INIT.
   */
  addInitSums?(sums: InitSums): Promise<void>;
  /** Every stored day's INIT sums (summed into `RoutingView.initEvidence` within `INIT_WINDOW_MS`). Optional, as above. */
  allInitSums?(): Promise<readonly InitPeriod[]>;
  /**
   * Stores the threads a request said a profile's work runs at once (`parallelism`), replacing what was stored, so that
   * every router instance scales its runtimes by them. Optional: a store without it keeps them in each router only.
   */
  setParallelism?(workload: string, threads: number): Promise<void>;
  /** The threads stored per profile (`RoutingView.parallelism`). Optional, as above. */
  allParallelism?(): Promise<Readonly<Record<string, number>>>;
}

/** The placing part of the core `Router`, built over one view snapshot. */
export interface Placer {
  /** Places a request for a call about to be sent, counting an exploring placement as a call in flight. */
  place(request: PlacementRequest): Placement;
  /**
   * The placement `place` would give, exploring where a call would, counting no call in flight (the core
   * `Router.propose`): for a call that is counted when it is sent (`follow`). @default - `place`
   */
  propose?(request: PlacementRequest): Placement;
  /** Counts a call of `workload` that follows `placement` (from `propose`) as `place` counts one (`Router.follow`). */
  follow?(workload: string, placement: Placement): void;
  /**
   * The placement of a request without exploring, counting no call (the core `Router.price`): for weighing one
   * placement against another, and for reports. @default - `place`
   */
  price?(request: PlacementRequest): Placement;
  observe?(outcome: Outcome): void;
  /** Every allowed target, best first (for `RoutingService.plan`). */
  rank?(request: PlacementRequest, count?: number): readonly RankedTarget[];
  /** The calls that would profile a workload across CPUs, architectures and memory sizes (for profiling requests). */
  profilingSteps?(request: ProfilingRequest): ProfilingStep[];
  /** How long a new instance's INIT takes, ms (the core `Router.initMs`): a paced batch's duration counts it. @default 0 */
  readonly initMs?: number;
  /** The CPU mix placements on `target` are priced with (the core `Router.mixFor`). @default - unknown */
  mixFor?(target: Pick<Target, 'azId' | 'arch' | 'functionName'>): ZoneMix | undefined;
  /**
   * Instances `placement`'s fleet holds on the CPUs it accepts (the core `Router.acceptedCapacity`). @default - unknown
   */
  acceptedCapacity?(placement: {
    readonly target: Pick<Target, 'azId' | 'arch' | 'memoryMb'>;
    readonly rejectCpus: readonly CpuKey[];
  }): number;
  /**
   * What one call of `workload` on a warm instance with `cpu` at `target` is expected to take (the core
   * `Router.callOn`). @default - unknown
   */
  callOn?(workload: string, target: Pick<Target, 'functionName'>, cpu: CpuKey): CallExpectation | undefined;
  /** Places a unit `gate` says another router instance explores as if this one explored it already. */
  shareExploration?(gate: ExplorationGate | undefined): void;
  /** A call of `workload` counted as following `placement` no longer does, and had no answer there. */
  withdrawExploration?(workload: string, placement: Placement): void;
}

/** Builds a placer over a view; default: the core `Router`. */
export type PlacerFactory = (view: RoutingView) => Placer;

/** What became of one attempt. */
export type AttemptStatus = 'ok' | 'rejected' | 'user-error' | 'bad-request' | 'throttled' | 'zone-error' | 'timeout';

/** One invocation of a dynamic function made while following a placement. */
export interface AttemptRecord {
  readonly functionName: string;
  readonly azId: string;
  readonly status: AttemptStatus;
  /** CPU the instance ran on (absent when the call never reached an instance). */
  readonly cpu?: CpuKey;
  readonly instanceId?: string;
  readonly newInstance?: boolean;
  /**
   * Boot time of the instance's host as the instance reported it (`btime` of /proc/stat, seconds since the epoch):
   * with `cpu`, the host the instance runs on (`hostKeyOf`). Absent when the handler does not report it (older
   * handlers, other providers).
   */
  readonly bootTime?: number;
  /**
   * Billed time of the attempt in ms, when known: what Lambda billed where the invoke returned its REPORT record (a
   * new instance's INIT included, as billed since 2025-08-01), else the handler's own total, rounded up.
   */
  readonly billedMs?: number;
  /** INIT of the new instance the attempt started, ms, where the REPORT record gave it. */
  readonly initMs?: number;
  /** Round trip of the invoke as the router saw it, in ms. */
  readonly roundTripMs: number;
  /** Estimated cost of the attempt (billed time and request charge), USD; 0 for a call that never ran. */
  readonly costUsd: number;
  /** The error type for failed attempts (`TooManyRequestsException`, `Timeout`, `UserCodeError`, ...). */
  readonly errorType?: string;
  /** What went wrong, naming the target (for a call that failed before an answer: a throttle, a refused secret, ...). */
  readonly errorMessage?: string;
}

/** The placement the router took, in a compact form for the answer. */
export interface PlacementSummary {
  readonly target: Target;
  readonly strategy: StrategyName;
  readonly rejectCpus: readonly CpuKey[];
  readonly holdMs: number;
  /** What a rejected instance does (see `RejectMode`). */
  readonly rejectMode: Placement['rejectMode'];
  /** Whether an instance rejected just before the last attempt is kept for it (`Placement.keepBeforeLastAttempt`). */
  readonly keepBeforeLastAttempt: boolean;
  readonly maxAttempts: number;
  /** Where the reject set narrows as the attempts run down (`Placement.relaxations`); absent when it never does. */
  readonly relaxations?: Placement['relaxations'];
  /** CPUs rejected at every attempt but the last: the call is not held to finish there in time (`Placement.unfitCpus`). */
  readonly unfitCpus?: Placement['unfitCpus'];
  /** CPUs rejected at every attempt, the last included: the call is not expected to finish there at all. */
  readonly overBudgetCpus?: Placement['overBudgetCpus'];
  readonly expected: Placement['expected'];
  /** What the expectation rests on (`assumed`: nothing observed supports the target's runtime). */
  readonly evidence: Placement['evidence'];
  readonly notes: readonly string[];
}

/** Estimated cost, runtime and carbon of what actually ran, from the attempts. */
export interface RunEstimate {
  /** Billed cost of every attempt plus request charges, USD. */
  readonly costUsd: number;
  /** Runtime of the user code in the accepted attempt, ms. */
  readonly runtimeMs?: number;
  /** Billed time summed over attempts, ms. */
  readonly billedMs: number;
  /** Operational emissions of the billed time, gCO2e. */
  readonly carbonG: number;
}

export type RouterErrorType =
  | 'BadRequest'
  | 'PayloadTooLarge'
  | 'NoTarget'
  | 'NoCapacity'
  | 'DeadlineExceeded'
  | 'FunctionError'
  | 'Internal'
  | DynamicErrorType;

export interface RouterErrorBody {
  readonly type: RouterErrorType;
  readonly message: string;
  readonly field?: string;
  readonly stack?: string;
}

/** The router's answer to one routed call. */
export type RoutedCall =
  | {
      readonly status: 'ok';
      /** What the code returned; absent when it did not fit Lambda's 6 MB response (see `resultOmitted`). */
      readonly result?: unknown;
      /** Why `result` is absent: its size and the limit. The work ran and is billed. */
      readonly resultOmitted?: { readonly bytes: number; readonly limitBytes: number; readonly note: string };
      readonly profile: string;
      /** Placement followed; when a failover happened, the last one. */
      readonly placement: PlacementSummary;
      readonly attempts: readonly AttemptRecord[];
      readonly estimate: RunEstimate;
    }
  | {
      readonly status: 'error';
      readonly error: RouterErrorBody;
      readonly httpStatus: number;
      readonly profile?: string;
      readonly placement?: PlacementSummary;
      readonly attempts: readonly AttemptRecord[];
      readonly estimate?: RunEstimate;
    };

/** A routed call that ended in an error. */
export type FailedCall = Extract<RoutedCall, { status: 'error' }>;

/** One call of a batch, compact. */
export interface BatchCallOutcome {
  readonly index: number;
  readonly status: 'ok' | 'error';
  readonly azId?: string;
  readonly functionName?: string;
  readonly cpu?: CpuKey;
  readonly attempts: number;
  readonly rejects: number;
  readonly failovers: number;
  /** Attempts that started a new instance (each billed its INIT where INIT is billed). */
  readonly newInstances: number;
  readonly runtimeMs?: number;
  /** Time the call spent before its last attempt began (rejections with their holds, throttles, failovers), ms. */
  readonly addedLatencyMs: number;
  /**
   * Billed time of the attempts before the last (a rejected instance's INIT where INIT is billed, its CPU check and
   * hold, a platform's minimum), ms, as the platform's clock counts it, where their billing was known: what the
   * functions ran of the call's added latency, without the network's round trips.
   */
  readonly billedBeforeLastMs?: number;
  readonly costUsd: number;
  readonly carbonG: number;
  readonly errorType?: string;
  readonly result?: unknown;
  /** Size of a result left out because the answer could not carry it (Lambda's 6 MB response limit), bytes. */
  readonly resultOmittedBytes?: number;
}

/** A batch's search stopped by its bill (`BatchSummary.searchStopped`). */
export interface SearchStop {
  /** Calls started when it stopped. */
  readonly atCall: number;
  readonly functionName: string;
  /** What a call was to cost from then on, searching as the batch had, from its bill, USD. */
  readonly searchUsdPerCall: number;
  /** The price of a call that accepts any CPU there (one attempt, no search), USD. */
  readonly acceptAnyUsdPerCall: number;
}

export interface BatchSummary {
  readonly count: number;
  readonly concurrency: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly costUsd: number;
  readonly meanRuntimeMs?: number;
  readonly attemptsPerRequest: number;
  readonly rejects: number;
  readonly failovers: number;
  /** Attempts that started a new instance: the rest met an instance an earlier call left warm. */
  readonly newInstances: number;
  /**
   * What the calls were expected to cost in all, USD: each call's placement's expectation, from the pool model with
   * the calls its worker still had to send.
   */
  readonly expectedCostUsd: number;
  /**
   * Per function that had a retry: how often a rejected instance's replacement met the rejected CPU and host again, and the estimate
   * the batch's placements were priced with (`RetryRepeats` in `pool.ts`). Absent when no call was retried.
   */
  readonly retryRepeats?: Readonly<Record<string, RetryRepeatTally>>;
  /**
   * Calls whose search went on off the function it was on, where the rest of it was expected to cost less
   * (`Route.searchElsewhere`): a rejected attempt followed by one on another function. Absent when none did.
   */
  readonly searchMoves?: number;
  /**
   * Calls that started where a batch wider than its own fleet's accepted capacity spread its workers: another fleet,
   * or its own function on the CPUs a full pool leaves (`lib/routing/spread.ts`). Absent when none did.
   */
  readonly spreadStarts?: number;
  /**
   * Where the batch stopped searching because its own bill said the search no longer paid (`SearchBill` in
   * `lib/routing/search-bill.ts`): from call `atCall` on, the workers that held no accepted instance accepted any CPU
   * on `functionName`. Absent when the search paid to the end.
   */
  readonly searchStopped?: SearchStop;
  readonly carbonG: number;
  /** Calls per function name that answered. */
  readonly byFunction: Readonly<Record<string, number>>;
  /** Accepted calls per CPU. */
  readonly byCpu: Readonly<Record<CpuKey, number>>;
}

/** How the router paced a batch sent with `maxSlowdown` (see `choosePacing` in the core). */
export interface BatchPacing {
  /** The time budget over the unpaced batch's expected duration. */
  readonly maxSlowdown: number;
  /** Most calls at a time the request allowed (its concurrency after `waves`). */
  readonly givenConcurrency: number;
  /** Calls the router ran at a time. */
  readonly concurrency: number;
  /** Rounds the batch runs in: ceil(count / concurrency). */
  readonly rounds: number;
  /** Expected duration of the batch as paced, ms. */
  readonly expectedDurationMs: number;
  /** Expected duration at `givenConcurrency`, ms, as one send: the time budget is weighed on it. */
  readonly unpacedDurationMs: number;
  /**
   * Sends a resumable batch (`batch.resumable`) is expected to take as paced: the router's deadline ends each but the
   * last, each ends with its workers' last calls, and `expectedDurationMs` counts that. Absent: one.
   */
  readonly expectedSends?: number;
  /** Expected cost per call as paced, and at `givenConcurrency`, USD. */
  readonly expectedCostUsd: number;
  readonly unpacedCostUsd: number;
  /**
   * Where the batch left its pacing (`PacingReviewer`): from call `atCall` (0-based) on it ran `concurrency` calls
   * at a time, the request's, because at the repeat its retries met (`retryRepeat`, see `PoolContext.retryRepeat`)
   * the pacing cost more than not pacing. Absent: kept.
   */
  readonly widened?: { readonly atCall: number; readonly concurrency: number; readonly retryRepeat: number };
  /**
   * Where the batch left its pacing for the router's deadline: from call `atCall` (0-based) on it ran `concurrency`
   * calls at a time, the request's, because at its pace the calls left would not all have been answered within the
   * `remainingMs` the router Lambda had left then. Absent: the deadline never pressed.
   */
  readonly deadlineWidened?: { readonly atCall: number; readonly concurrency: number; readonly remainingMs: number };
  /**
   * Where the batch ran more calls at a time to end within its time budget (`TimeBudget`): from call `atCall` (0-based)
   * on, because at its pace the calls left would not all have been answered within the `budgetLeftMs` left of the
   * budget then; `concurrency`, the most calls at a time it ran for it (the fewest that were projected to end them in
   * time, up to the caller's). Absent: the budget never pressed.
   */
  readonly budgetWidened?: { readonly atCall: number; readonly concurrency: number; readonly budgetLeftMs: number };
  /**
   * How long the batch expected its probe to search alone, ms (`probeSearchMs`), which `expectedDurationMs` counts.
   * Absent: the batch was not to probe.
   */
  readonly probeSearchMs?: number;
  /**
   * The probe (`probe.ts`): the batch's first call searched alone, over `attempts` attempts, and the other workers
   * started `afterMs` ms after it, once its attempt in flight had gone unanswered for longer than a rejected one
   * takes (`by: 'unanswered'`) or once the call was answered (`by: 'answered'`). `rejectCpus`: the CPUs the probe
   * rejected, priced for every call of the batch (`probeUses`), so it may hold out for more than the batch's own
   * placement does; absent when the call ended before it was placed. Absent: every worker started at once.
   */
  readonly probe?: {
    readonly attempts: number;
    readonly afterMs: number;
    readonly by: 'unanswered' | 'answered';
    readonly rejectCpus?: readonly CpuKey[];
  };
  /**
   * Where the batch moved (`PacingReviewer`): from call `atCall` (0-based) on, the workers that held no accepted
   * instance ran on `functionName` (zone `azId`, `arch`, `memoryMb`) at the same pacing, because at the repeat its
   * retries met (`retryRepeat`) searching there was priced lower than searching on where it was, paced or widened.
   * Those that held one kept it. Absent: not moved. A moved batch may widen afterwards where it moved (`widened`).
   */
  readonly moved?: {
    readonly atCall: number;
    readonly functionName: string;
    readonly azId: string;
    readonly arch: Arch;
    readonly memoryMb: number;
    readonly retryRepeat: number;
  };
}

/** The router's answer to a batch. */
export interface BatchAnswer {
  readonly status: 'batch';
  readonly profile: string;
  readonly placement: PlacementSummary;
  readonly summary: BatchSummary;
  readonly calls: readonly BatchCallOutcome[];
  /** How the router paced the batch (present when the request gave `maxSlowdown`). */
  readonly pacing?: BatchPacing;
  /**
   * The `batch` to send, with the rest of the request unchanged, for the calls a resumable batch (`batch.resumable`)
   * did not start before the router's deadline. Absent: every call was started.
   */
  readonly resume?: BatchResume;
  /** Where each later send of a batch sent again with `resume` started (0-based calls; `mergeBatchAnswers`). */
  readonly resumedAtCalls?: readonly number[];
  /** What the answer leaves out and why (results over the response limit, calls left for `resume`). */
  readonly notes?: readonly string[];
}

/** The `batch` of the request that runs the calls a resumable batch left (`BatchAnswer.resume`). */
export interface BatchResume {
  /** Calls left. */
  readonly count: number;
  /** The calls at a time the caller allowed. */
  readonly concurrency: number;
  /** The calls at a time a paced batch ran at when it stopped (`concurrency` once it widened). Absent: not paced. */
  readonly pacedConcurrency?: number;
  /** The caller's time budget. */
  readonly maxSlowdown?: number;
  /**
   * What was left of a paced batch's time budget when this send stopped, ms, which the next send holds the calls left
   * to. The time between the sends is not counted. Absent: not paced.
   */
  readonly budgetLeftMs?: number;
  /**
   * Calls of the batch this send and the earlier ones started, so that the next send weighs the time budget from the
   * middle of the whole batch rather than of its own calls. Absent: not paced.
   */
  readonly callsStarted?: number;
  /** Where the batch ran (where its review moved it, if it did), which the next send keeps. */
  readonly target: BatchTarget;
  readonly includeResults: boolean;
  readonly resumable: true;
}

export type RouterAnswer = RoutedCall | BatchAnswer | ProfilingAnswer;
