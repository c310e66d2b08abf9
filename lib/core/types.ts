import type { RejectMode } from './reject-mode';
/**
 * The vocabulary of the router library: what the sampling produces, what the router reads and
 * what it answers. Pure data, no behaviour, so every layer can share it.
 */

import type { RuntimeSource } from './profiles';
import type { MixSource } from './zone-mix';

/** A Lambda instruction-set architecture, spelled as Lambda spells it. */
export type Arch = 'x86_64' | 'arm64';

/** A normalized CPU key (see `cpuKeyOf`), e.g. `intel-xeon-2.50`, `amd-epyc`, `graviton2`. */
export type CpuKey = string;

/** How many instances were seen on each CPU. */
export type CpuCounts = Readonly<Record<CpuKey, number>>;

/** Whether a zone's CPU mix moves from one characterization to the next. */
export type DriftClass = 'stable' | 'drifting' | 'unknown';

/** The aggregate of one poll: N concurrent requests at one sampler endpoint. */
export interface PollAggregate {
  /** Requests sent. */
  readonly requested: number;
  /** Requests that answered with an inspection. */
  readonly succeeded: number;
  /** Requests that failed, by error type (e.g. `TooManyRequestsException`, `Timeout`, `Unhandled`). */
  readonly failures: Readonly<Record<string, number>>;
  /** Instances seen per CPU key, counting each distinct instance once. */
  readonly cpuCounts: CpuCounts;
  /** Raw model string per CPU key, as /proc/cpuinfo printed it. */
  readonly cpuModels: Readonly<Record<CpuKey, string>>;
  /** Distinct instance ids seen in this poll. */
  readonly instanceIds: readonly string[];
  /** How many of those instances were new (cold) when the request reached them. */
  readonly newInstances: number;
  /** Distinct host boot times (`btime`), a hint of how many hosts were met. */
  readonly bootTimes: readonly number[];
  /**
   * The hosts met, one entry per distinct (boot time, CPU) pair: the evidence of the host-level
   * stopping rule. Absent from aggregates of samplers that report no boot time.
   */
  readonly hosts?: readonly HostSighting[];
  /** Sampler functions of the poll that answered at least once (the rule's sampling units). */
  readonly samplers?: number;
  /** Latency of the sampler calls in ms, as measured by the leaves. */
  readonly latencyMs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number };
  /**
   * Billed sampler time in ms, summed over successful calls (for cost): each call's Billed Duration from Lambda's
   * REPORT record where the fan-out read it (a new instance's INIT included, billed since 2025-08-01), else the
   * time the sampler handler measured itself.
   */
  readonly billedMs: number;
  /**
   * Of the new instances, those whose INIT `billedMs` already holds: their first call's REPORT record gave an Init
   * Duration. The others' INIT is estimated (`pollCostUsd`). @default 0
   */
  readonly initsBilled?: number;
}

/** One host a poll met: a host is known by its boot time and CPU (see `lib/core/host-census.ts`). */
export interface HostSighting {
  /** Host boot time (`btime` in /proc/stat, seconds since the epoch). */
  readonly bootTime: number;
  readonly cpu: CpuKey;
  /** Distinct instances of the poll on this host. */
  readonly instances: number;
  /** Distinct sampler functions of the poll with an instance on this host. */
  readonly samplers: number;
}

/** A zone's CPU mix as measured by one completed sampling run (or by passive learning). */
export interface Characterization {
  readonly azId: string;
  readonly region: string;
  /**
   * Architecture of the fleet the samplers measured: a zone has one characterization per sampled
   * architecture. Absent: x86_64 (the samplers' only architecture before arm64 fleets were sampled).
   */
  readonly arch?: Arch;
  /**
   * Distinct hosts seen per CPU key (instances per CPU key when the samplers reported no hosts,
   * and in characterizations written before host counting).
   */
  readonly counts: CpuCounts;
  readonly instancesSeen: number;
  readonly polls: number;
  /** Failed requests over the whole run. */
  readonly failures: number;
  /** ISO-8601 time the run finished. */
  readonly measuredAt: string;
  /** APE (0..200) against the previous characterization of the zone, if there was one. */
  readonly apeVsPrevious?: number;
  readonly driftClass: DriftClass;
  /** Estimated cost of the sampling run in USD. */
  readonly costUsd: number;
  /** Why the run stopped. */
  readonly stoppedBecause?: StopReason;
  /** How sure the run was of the mix when it stopped (absent from older characterizations). */
  readonly confidence?: CharacterizationConfidence;
}

/** How sure a characterization is of its mix: the stopping rule's estimate when the run stopped. */
export interface CharacterizationConfidence {
  /** APE (0..200) the mix is within, against the whole fleet, at the rule's confidence (90%). */
  readonly apeBound: number;
  /** Distinct hosts seen. */
  readonly hostsSeen: number;
  /** Estimated hosts in the zone; absent when fewer than two sampler functions met hosts. */
  readonly fleetEstimate?: number;
}

/** Why progressive sampling stopped. */
export type StopReason = 'converged' | 'saturated' | 'capped-polls' | 'capped-cost';

/** The stopping rule's verdict after a poll. */
export type StopDecision =
  | { readonly action: 'continue'; readonly estimatedApe: number; readonly waitSeconds: number }
  | { readonly action: 'stop'; readonly reason: StopReason; readonly estimatedApe: number };

/** Runtime statistics of one workload on one CPU × arch × memory size (Welford form). */
export interface RuntimeStats {
  readonly count: number;
  readonly meanMs: number;
  /** Sum of squared deviations from the mean (M2). Variance = m2 / (count - 1). */
  readonly m2: number;
}

/** Where a runtime statistic applies. */
export interface ProfileKey {
  readonly cpu: CpuKey;
  readonly arch: Arch;
  readonly memoryMb: number;
}

/** Everything observed about one workload. */
export interface WorkloadProfile {
  readonly workload: string;
  readonly entries: ReadonlyArray<ProfileKey & { readonly stats: RuntimeStats }>;
}

/** What the router objective weighs: 1 on one term for a pure objective. */
export interface ObjectiveWeights {
  readonly cost: number;
  readonly latency: number;
  readonly carbon: number;
}

export type Objective = 'cost' | 'latency' | 'carbon' | ObjectiveWeights;

/** Named placement strategies: the paper's baselines and ours. */
export type StrategyName = 'baseline' | 'regional' | 'retry-slow' | 'focus-fastest' | 'hybrid' | 'optimal';

/** A geographic point in degrees. */
export interface GeoPoint {
  readonly lat: number;
  readonly lon: number;
}

/** What a request allows the router to choose from. All optional: absent means unrestricted. */
export interface PlacementLimits {
  /** Regions the request may run in. @default - every deployed region */
  readonly regions?: readonly string[];
  /** Zones (AZ IDs) the request may run in. @default - every deployed zone */
  readonly zones?: readonly string[];
  /** Architectures the request may run on. @default - every deployed architecture */
  readonly architectures?: readonly Arch[];
  /** Memory sizes (MB) the request may run at. @default - every deployed memory size */
  readonly memorySizes?: readonly number[];
  /** Attempts including the first, failovers included. @default - the router's `maxAttempts` (10) */
  readonly maxAttempts?: number;
  /** Bound on the expected added latency from retries and distance, in ms. @default Infinity (no bound) */
  readonly maxAddedLatencyMs?: number;
  /** Where the client is, to estimate network latency to each region. @default - no network latency counted */
  readonly clientLocation?: GeoPoint;
  /**
   * Longest one call may run, ms: the dynamic function's timeout, or the request's own budget if
   * shorter. A CPU on which the expected runtime, with headroom for the workload's spread, passes it is rejected at
   * every attempt but the last (`Placement.unfitCpus`), the last included where the call is not expected to finish
   * there at all (`Placement.overBudgetCpus`), and a target is placed on only where the others make a call's failure
   * rare (see `call-fit.ts`; a workload that never ran is placed, its answer marked `assumed`).
   * @default - the router's `timeoutMs` (Lambda's 15-minute maximum)
   */
  readonly timeoutMs?: number;
}

/** One request to place. */
export interface PlacementRequest {
  /** The workload (profile key) whose runtimes the placement is computed from, e.g. `zipper`. */
  readonly workload: string;
  /** What to minimize: `cost`, `latency`, `carbon` or weights of the three. @default 'cost' */
  readonly objective?: Objective;
  /** The strategy (`optimal` or one of the paper's baselines). @default - the router's `defaultStrategy` ('optimal') */
  readonly strategy?: StrategyName;
  /** Where and how the request may run. @default - no limits beyond what is deployed */
  readonly limits?: PlacementLimits;
  /** Memory the workload needs at least (e.g. its profile's size). @default - any memory size */
  readonly minMemoryMb?: number;
  /**
   * Threads the workload can run at once: how its runtime scales with memory (`memory-scaling.ts`). The router keeps
   * it, and the routing service stores it (`RoutingView.parallelism`), for the workload's later requests that do not
   * say. @default - what the workload's last request said, else 1
   */
  readonly parallelism?: number;
  /** The instance pool the calls meet (see `pool-model.ts`). @default - the router's reject mode, one call per instance */
  readonly pool?: PoolContext;
  /**
   * Calls of the same work still to be placed after this one (a batch's calls not yet started): what this placement
   * may teach by exploring serves them too, so they bound the horizon exploration is weighed over from below
   * (`explorationHorizon`). @default 0
   */
  readonly callsToCome?: number;
}

/** How the calls of a request meet the platform's instances: the pool model's inputs. */
export interface PoolContext {
  /** What a rejected instance does (see `reject-mode.ts`). @default - the router's `rejectMode` ('auto') */
  readonly rejectMode?: RejectMode;
  /**
   * Calls each instance a call settles on is expected to serve: 1 for a lone call; about count/concurrency in a
   * batch, whose finished calls leave their instances warm for the next ones. A number >= 1. @default 1
   */
  readonly usesPerInstance?: number;
  /**
   * Calls one search for an accepted instance serves (its rejected attempts and the new instances its retries start),
   * where workers share it: a probed batch's probe searches once for every worker whose instance its host then takes,
   * while each worker still starts an instance of its own, whose INIT its own `usesPerInstance` calls pay. A shared
   * search is not searched again: one that runs out of attempts is priced as leaving the workers on the CPU it ended
   * on. A number >= `usesPerInstance`. @default usesPerInstance (each worker searches for itself)
   */
  readonly searchUses?: number;
  /**
   * Hosts the calls met new instances on most recently, per CPU (each host once, however many instances it started;
   * an instance whose host is unknown as a host of its own): the shares new instances are drawn from now, blended
   * into the zone's mix (see `pool-draws.ts`). Placements with draws are not cached. @default - none
   */
  readonly draws?: Readonly<Record<CpuKey, number>>;
  /**
   * Chance that the new instance replacing a rejected one runs on the same host, and so on the same CPU, as the
   * instance it replaces: the platform packs a function's cold starts onto the host it last started one on, so a
   * retry is no fresh draw from the mix. With it, the attempt after a reject meets the rejected CPU again with
   * probability `retryRepeat`, and otherwise draws from the mix. In [0, 1]. @default 0 (independent draws)
   */
  readonly retryRepeat?: number;
}

/** A deployed dynamic function the router may target. */
export interface Target {
  readonly azId: string;
  readonly region: string;
  readonly arch: Arch;
  readonly memoryMb: number;
  /** Deterministic name, `sky-<azId>-<arch>-<memoryMb>`. */
  readonly functionName: string;
}

/**
 * How much of a placement's expectation rests on data:
 * - `measured`: the workload's runtimes were observed on every CPU of the target (its architecture and
 *   memory), and the zone's mix was measured (sampled or met by routed calls);
 * - `estimated`: derived from observations by a documented model (other CPUs by relative speed,
 *   other memory sizes by Lambda's CPU share per MB) or from a prior mix (region or global average);
 * - `assumed`: nothing observed supports the target's runtime: the workload never ran on this
 *   architecture (its speed there is a neutral guess) or never ran at all.
 */
export type EvidenceLevel = 'measured' | 'estimated' | 'assumed';

/** What one call on a warm instance is expected to take: no retry, no INIT (`Router.callOn`). */
export interface CallExpectation {
  readonly costUsd: number;
  /** Billed runtime, ms. */
  readonly runtimeMs: number;
  readonly carbonG: number;
}

/** What a placement's expectation rests on. */
export interface PlacementEvidence {
  readonly level: EvidenceLevel;
  /** The weakest source among the runtimes of the target's CPUs. */
  readonly runtime: RuntimeSource;
  /** Where the zone's CPU mix for the target's architecture comes from. */
  readonly mix: MixSource;
}

/** The router's answer. */
export interface Placement {
  readonly target: Target;
  readonly strategy: StrategyName;
  /** CPUs on which the dynamic function holds and rejects the request. */
  readonly rejectCpus: readonly CpuKey[];
  /** How long a rejected attempt holds its instance, in ms (0 where the instance ends or is kept for the retry). */
  readonly holdMs: number;
  /** What a rejected instance does (the reject mode the placement was priced under). */
  readonly rejectMode: RejectMode;
  /**
   * Whether an instance rejected just before the call's last attempt is kept warm (not ended), so the last attempt
   * runs on it without INIT: the `auto` mode's keep-or-end choice, true where that bills less than a new instance.
   */
  readonly keepBeforeLastAttempt: boolean;
  /** Attempts allowed including the first. */
  readonly maxAttempts: number;
  /**
   * Where the reject set narrows as the attempt budget runs down (the optimal policy under a finite budget,
   * `reject-schedule.ts`; or, where some CPUs are unfit, the last attempts that must accept every fit CPU,
   * `fitTailAttempts`): from attempt `fromAttempt` (1-based) on, the call rejects only that stage's `rejectCpus`.
   * Absent when `rejectCpus` serves every attempt but the last, which never rejects (but `overBudgetCpus`).
   */
  readonly relaxations?: readonly RejectRelaxation[];
  /**
   * CPUs on which the call is not held to finish within its time budget, with headroom for its spread and for how far
   * its runtime estimate may be off (`call-fit.ts`): rejected at every attempt but the last, which rejects only those
   * of them in `overBudgetCpus`. Absent when none.
   */
  readonly unfitCpus?: readonly CpuKey[];
  /**
   * The unfit CPUs on which the call is not expected to finish at all: its runtime there, with headroom only for how
   * far the estimate may be off, passes the budget. Rejected at every attempt, the last included, so a call that meets
   * only these fails rather than time out; on the other unfit CPUs the last attempt runs the call rather than fail it.
   * Absent when none.
   */
  readonly overBudgetCpus?: readonly CpuKey[];
  readonly expected: {
    readonly costUsd: number;
    /** Mean billed runtime of the accepted attempt in ms. */
    readonly runtimeMs: number;
    readonly attempts: number;
    /** Added latency from retries and network distance, in ms. */
    readonly addedLatencyMs: number;
    readonly carbonG: number;
  };
  /**
   * What the expectation rests on. The router places on an `assumed` target only when no allowed
   * target has better evidence, so `assumed` here means nothing better was allowed.
   */
  readonly evidence: PlacementEvidence;
  /** Other targets in order of preference, for failover. */
  readonly fallbacks: readonly Target[];
  /** Human-readable reasons (fallbacks used, stale data, ...). */
  readonly notes: readonly string[];
  /**
   * The CPU this placement accepts, against its estimates, to learn the workload's runtime there (`exploration.ts`);
   * absent when it explores nothing. A router that shares exploration with others leases it before the call.
   */
  readonly explores?: CpuKey;
}

/** One stage of a placement's reject schedule (`Placement.relaxations`). */
export interface RejectRelaxation {
  /** The first attempt (1-based) that rejects only `rejectCpus`. */
  readonly fromAttempt: number;
  readonly rejectCpus: readonly CpuKey[];
}

/** What the router learns after a call. */
export interface Outcome {
  readonly workload: string;
  readonly target: Target;
  readonly cpu: CpuKey;
  /** Billed runtime of the user code in ms; absent for a rejected attempt. */
  readonly runtimeMs?: number;
  readonly rejected: boolean;
  /**
   * Whether the call started a new instance (a cold start). Only new instances count toward the
   * zone's passive CPU counts, as a poll counts each distinct instance once. Absent: not counted.
   */
  readonly newInstance?: boolean;
}

/** A region's facts as the router needs them. */
export interface RegionFacts {
  readonly region: string;
  readonly location: GeoPoint;
  /** USD per GB-second per architecture (first tier). */
  readonly pricePerGbSecond: Readonly<Record<Arch, number>>;
  /** USD per request. */
  readonly pricePerRequest: number;
  /** Grid carbon intensity, gCO2e per kWh. */
  readonly carbonGPerKwh: number;
  /**
   * USD per vCPU-second, for a provider that bills CPU apart from memory (IBM Code Engine). Absent: 0.
   */
  readonly pricePerVcpuSecond?: number;
  /** vCPUs a function gets per GB of memory where `pricePerVcpuSecond` applies. Absent: 0. */
  readonly vcpusPerGb?: number;
  /** Shortest duration billed per call, ms (DigitalOcean bills at least 100 ms). Absent: 0. */
  readonly minBilledMs?: number;
}

/** A deployed zone: where it is and, for a provider that offers fewer, which configurations it has. */
export interface DeployedZone {
  readonly azId: string;
  readonly region: string;
  /** Architectures deployed in this zone. Absent: the view's `architectures`. */
  readonly architectures?: readonly Arch[];
  /** Memory sizes deployed in this zone, MB. Absent: the view's `memorySizes`. */
  readonly memorySizes?: readonly number[];
}

/**
 * New instances of a function checked against its hosts met earlier the same day: `returned` of `checked` landed on
 * one, where chance would have given `chance` (per instance, the known hosts' share of the zone's fleet, summed).
 */
export interface HostReturns {
  readonly checked: number;
  readonly returned: number;
  readonly chance: number;
}

/** One new instance's host checked against its function's hosts met earlier today (`hostReturnCheck`). */
export interface HostCheck {
  readonly returned: boolean;
  readonly chance: number;
}

/** What a function's hosts say about its mix now. */
export interface FunctionEvidence {
  readonly azId: string;
  readonly arch: Arch;
  /** Per CPU, the hosts met, each weighed by its age and (met before today) by `persistence` per day. */
  readonly hosts: CpuCounts;
  /** Distinct hosts met within the window. */
  readonly distinctHosts: number;
  /** Chance a host met on an earlier day is still one of the function's, per day (0..1). */
  readonly persistence: number;
  /** Share of its zone's fleet the function's new instances keep to, measured by their returns (0..1, 1: any host). */
  readonly windowShare: number;
  /** The hosts met today (`<cpu>@<boot time>`), which the next batch's new instances are checked against. */
  readonly metToday: readonly string[];
}

/** Everything the router reads to place: a snapshot, so placing is pure. */
export interface RoutingView {
  /** Current characterization per AZ ID (the `LATEST` records). */
  readonly zones: ReadonlyArray<Characterization>;
  /** Zones that are deployed, even those with no characterization yet. */
  readonly deployed: ReadonlyArray<DeployedZone>;
  readonly architectures: readonly Arch[];
  readonly memorySizes: readonly number[];
  readonly profiles: Readonly<Record<string, WorkloadProfile>>;
  readonly regions: Readonly<Record<string, RegionFacts>>;
  /** ms since epoch; characterizations older than `staleAfterMs` are treated as stale. */
  readonly now: number;
  /**
   * Passive CPU counts per AZ ID: new instances met by routed calls since the zone's latest
   * characterization. Merged into the zone's counts like one more poll. Absent: none.
   */
  readonly passive?: Readonly<Record<string, CpuCounts>>;
  /**
   * Per dynamic function (by name), the hosts its new instances met, aged (`functionEvidenceOf`): each target is
   * priced with its own function's mix, its zone's mix moved toward these hosts (`functionMixOf`). Absent: none.
   */
  readonly functionHosts?: Readonly<Record<string, FunctionEvidence>>;
  /**
   * What the dynamic functions' new instances reported of their INIT phase (`initEvidenceOf`): its price replaces
   * the router's configured prior once enough reported (`initBillingOf`). Absent: none reported.
   */
  readonly initEvidence?: InitEvidence;
  /**
   * The threads each profile's work runs at once, as its requests last said and the store keeps them: the core scales
   * runtimes across memory sizes by them until a request says otherwise. Absent: none stored.
   */
  readonly parallelism?: Readonly<Record<string, number>>;
}

/** INIT phases the dynamic functions' new instances reported (REPORT `Init Duration`), within the window. */
export interface InitEvidence {
  /** New instances that reported an INIT duration. */
  readonly count: number;
  /** Their mean INIT duration, ms. */
  readonly meanMs: number;
  /** Share of the reports that tell billing whose billed duration covered the INIT; absent: none told. */
  readonly billedShare?: number;
}
