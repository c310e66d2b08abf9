import { fitTailAttempts, MAX_UNFIT_EXHAUSTION } from './call-fit';
import {
  type Candidate,
  type EvaluationParams,
  evaluateMask,
  keepsBeforeLastAttempt,
  type Metrics,
  newMetrics,
} from './candidate';
import { type Choice, fromRanking, isAllowed, scanCandidates, unfitParams } from './candidate-scan';
import { type CompiledView, compileView } from './compiled-view';
import { type InitBilling, initBilledMs } from './cost-model';
import { mergeCounts } from './distribution';
import { CoreInputError, NoPlacementError } from './errors';
import {
  type CpuBeliefs,
  type Exploration,
  type ExplorationGate,
  explorationHorizon,
  exploreRejectSet,
  exploreTargets,
} from './exploration';
import { acceptedCapacity } from './fleet-capacity';
import { initBillingOf } from './init-evidence';
import { DEFAULT_HOLD_MS, DEFAULT_MAX_ATTEMPTS, LAMBDA_MAX_TIMEOUT_MS } from './lambda-limits';
import { fitSummary, overBudgetMaskOf, resolveScope, type Scope, unfitMaskOf } from './placement-scope';
import { hasDraws, withDrawnShares } from './pool-draws';
import { ProfileBook, UNMEASURED_CV } from './profiles';
import { type ProfilingRequest, type ProfilingStep, planProfiling } from './profiling-plan';
import { DEFAULT_RETURN_SHARE, isRejectMode, REJECT_MODES, type RejectMode } from './reject-mode';
import { evaluateRejects, evaluateSchedule, schedulable } from './reject-schedule';
import { shareOfMask, suffixMask } from './reject-set';
import { copyRequest, hashRequest, sameRequest } from './request-key';
import { runtimeLogSd } from './runtime-belief';
import { STRATEGIES } from './strategies';
import type {
  CallExpectation,
  CpuCounts,
  CpuKey,
  Outcome,
  Placement,
  PlacementRequest,
  RejectRelaxation,
  RoutingView,
  StrategyName,
  Target,
} from './types';
import { compileWorkload, type WorkloadPlan } from './workload-plan';
import { isObservedMix, type ResolvedZone, type ZoneMix } from './zone-mix';

/** Options of a `Router`. */
export interface RouterOptions {
  /** How long a rejected attempt holds its instance, ms (the paper's 150). @default 150 */
  readonly holdMs?: number;
  /** Characterizations older than this are blended toward a prior (see `zone-mix.ts`). @default 48 h */
  readonly staleAfterMs?: number;
  /** Attempts including the first, unless a request's limits say otherwise. @default 10 */
  readonly maxAttempts?: number;
  /** The zone of the `baseline`, `retry-slow` and `focus-fastest` strategies. @default - the first allowed zone by AZ ID */
  readonly baselineZone?: string;
  /** Strategy of requests that name none. @default 'optimal' */
  readonly defaultStrategy?: StrategyName;
  /** Runtime assumed for a workload with no profile, ms at one vCPU on the baseline CPU. @default 1000 */
  readonly defaultBaseMs?: number;
  /** Memory of the paper's strategies for a workload with no usual size and no `minMemoryMb`. @default 2048 */
  readonly defaultMemoryMb?: number;
  /**
   * Threads each workload can use (for memory scaling), until a request's `parallelism` says otherwise.
   * @default - 1 for every workload
   */
  readonly parallelism?: Readonly<Record<string, number>>;
  /**
   * Delay of each retry beyond the hold and the network round trip: the Invoke call's own
   * overhead (a warm synchronous invoke inside a region is on the order of 10 ms). @default 10
   */
  readonly retryOverheadMs?: number;
  /**
   * INIT billing (see cost-model.ts): whether Lambda bills a new instance's INIT phase and how long it takes, until
   * the view carries enough INIT reports of the dynamic functions' own new instances (`initBillingOf`), which then
   * replace it. @default { billed: true, initMs: DEFAULT_INIT_MS }
   */
  readonly init?: InitBilling;
  /**
   * Share of first attempts expected to start a new instance (every retry does). 1 suits bursts
   * of concurrent requests, which meet no warm instance. @default 1
   */
  readonly coldStartShare?: number;
  /**
   * What a rejected instance does, unless a request's `pool.rejectMode` says otherwise (see `reject-mode.ts`):
   * priced in every placement (the hold it bills, INIT of the instance that replaces an ended one).
   * @default 'auto'
   */
  readonly rejectMode?: RejectMode;
  /**
   * Share of retries that an instance the call left warm (held in `hold` mode, kept for the last attempt in
   * `auto`) takes back, as the cost model prices it: 1 where the platform hands a call the most recently used idle
   * instance, as the twin does; lower it where retries are seen to move to other instances (a deployment's answers
   * tell: a retry after a hold that reports the same `instanceId` came back). @default 1
   */
  readonly returnShare?: number;
  /**
   * Longest one call may run, ms, unless a request's limits set a shorter `timeoutMs`: the dynamic
   * functions' timeout. A CPU on which the expected runtime (with headroom for the workload's spread) passes it is
   * rejected at every attempt, and a target is placed on only where the others make a call's failure rare
   * (see `call-fit.ts`).
   * @default 900000 (Lambda's maximum timeout)
   */
  readonly timeoutMs?: number;
  /** How many failover targets in other zones a placement lists. @default 3 */
  readonly fallbackCount?: number;
  /**
   * A workload's placements are recomputed once its observations grow by this fraction since they
   * were computed (after every observation while it has few). @default 0.05
   */
  readonly refreshFraction?: number;
  /**
   * Risk aversion toward estimates: a target's objective is ranked as if it were
   * 1 + uncertaintyPenalty × (runtime uncertainty + mix uncertainty) times larger: 1 − each CPU's runtime
   * confidence (see `ProfileBook.runtime`) weighted by its part of the expected runtime, and 1 − its zone mix's
   * confidence (see `ZoneMix.confidence`), for a measured mix scaled by how much the workload's runtimes differ
   * across CPUs (see `Candidate.scoreFactor`). Expectations in placements are not inflated. @default 0.2
   */
  readonly uncertaintyPenalty?: number;
  /** Most cached placements kept; the cache is emptied when full. @default 4096 */
  readonly cacheSize?: number;
  /**
   * Whether `optimal` may accept a CPU its estimates reject, to learn the workload's runtime there, when that is
   * expected to repay its cost over the calls to come (`exploration.ts`). @default true
   */
  readonly explore?: boolean;
}

/** One candidate target as `rank` reports it. */
export interface RankedTarget {
  readonly target: Target;
  readonly rejectCpus: readonly string[];
  readonly maxAttempts: number;
  readonly expected: Placement['expected'];
  readonly evidence: Placement['evidence'];
  /** The objective's value (lower is better; relative to the workload's best no-retry value per metric). */
  readonly score: number;
}

/** The key of `Router`'s calls in flight exploring on one function for one workload. */
function explorationKey(workload: string, functionName: string): string {
  return `${workload}\u0000${functionName}`;
}

interface CacheEntry {
  readonly request: PlacementRequest;
  readonly placement: Placement;
  /** Whether exploring was weighed (`propose`), not left out (`price`). */
  readonly explored: boolean;
  next: CacheEntry | undefined;
}

const HOUR_MS = 3_600_000;

/** Fewest new instances of a zone that trigger a recompile of its mix. */
export const PASSIVE_REFRESH_MIN = 20;

/**
 * The router: places requests on the sky mesh where their expected objective is best, and learns
 * from outcomes. Construct it over a `RoutingView` snapshot; `place` is pure given the view and the
 * observations so far, and answers from a cache after the first call for a request shape.
 *
 * Fallbacks, never a crash: a workload without a profile is placed from relative CPU speeds
 * (noted); a zone without a characterization, or a stale one, uses the documented prior mix
 * (noted); the only error `place` throws is `NoPlacementError`, when no target meets the limits.
 *
 * @example
 * const router = new Router(view, { baselineZone: 'usw1-az3' });
 * const placement = router.place({ workload: 'zipper', objective: 'cost', limits: { regions: ['us-west-1'] } });
 * // ... invoke placement.target.functionName, retrying while the answer is `rejected` ...
 * router.observe({ workload: 'zipper', target: placement.target, cpu: 'intel-xeon-3.00', runtimeMs: 2650, rejected: false });
 */
export class Router {
  /** The runtime profiles, learned from the view's profiles and every observed outcome. */
  readonly profiles: ProfileBook;
  private compiled: CompiledView;
  /** The view as given (the compiled one may add passive counts learned here). */
  private baseView: RoutingView;
  /** New instances met by observed calls since the view was set, per AZ ID and CPU. */
  private readonly learnedPassive = new Map<string, Record<string, number>>();
  /** Per AZ ID: the count of learned new instances that triggers the next recompile of its mix. */
  private readonly passiveRefresh = new Map<string, number>();
  private readonly plans = new Map<string, WorkloadPlan>();
  /** Calls placed to explore a CPU that have not answered yet, per workload and function name, per CPU. */
  private readonly exploring = new Map<string, Map<string, number>>();
  /** Exploring placements counted as calls in flight (`follow`), until answered or withdrawn. */
  private readonly explorations = new WeakSet<Placement>();
  /** Which units other router instances explore now (`shareExploration`); none: every unit is this router's. */
  private gate: ExplorationGate | undefined;
  /** The gate's version the cached placements were computed under. */
  private gateVersion = 0;
  private readonly cache = new Map<number, CacheEntry>();
  private cached = 0;
  private readonly scratch: Metrics = newMetrics();
  private readonly holdMs: number;
  private readonly staleAfterMs: number;
  private readonly maxAttempts: number;
  private readonly retryOverheadMs: number;
  /** INIT as placements price it now: the view's reported INIT, or the configured prior (`initBillingOf`). */
  private init: Required<InitBilling>;
  private initBilledMs: number;
  private readonly coldStartShare: number;
  private readonly rejectMode: RejectMode;
  private readonly returnShare: number;
  private readonly fallbackCount: number;
  private readonly refreshFraction: number;
  private readonly cacheSize: number;
  private readonly defaultBaseMs: number;
  private readonly defaultMemoryMb: number;
  private readonly uncertaintyPenalty: number;
  private readonly timeoutMs: number;

  constructor(
    view: RoutingView,
    private readonly options: RouterOptions = {},
  ) {
    this.holdMs = checked('holdMs', options.holdMs ?? DEFAULT_HOLD_MS, (v) => v >= 0, 'a number >= 0');
    this.staleAfterMs = checked('staleAfterMs', options.staleAfterMs ?? 48 * HOUR_MS, (v) => v > 0, 'a number > 0');
    this.maxAttempts = checked(
      'maxAttempts',
      options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      (v) => Number.isInteger(v) && v >= 1,
      'an integer >= 1',
    );
    this.retryOverheadMs = checked('retryOverheadMs', options.retryOverheadMs ?? 10, (v) => v >= 0, 'a number >= 0');
    this.init = initBillingOf(view.initEvidence, options.init);
    this.initBilledMs = initBilledMs(this.init);
    this.coldStartShare = checked(
      'coldStartShare',
      options.coldStartShare ?? 1,
      (v) => v >= 0 && v <= 1,
      'a number in [0, 1]',
    );
    if (options.rejectMode !== undefined && !isRejectMode(options.rejectMode)) {
      throw new CoreInputError('options.rejectMode', options.rejectMode, REJECT_MODES.join(', '));
    }
    this.rejectMode = options.rejectMode ?? 'auto';
    this.returnShare = checked(
      'returnShare',
      options.returnShare ?? DEFAULT_RETURN_SHARE,
      (v) => v >= 0 && v <= 1,
      'a number in [0, 1]',
    );
    this.fallbackCount = checked(
      'fallbackCount',
      options.fallbackCount ?? 3,
      (v) => Number.isInteger(v) && v >= 0,
      'an integer >= 0',
    );
    this.refreshFraction = checked('refreshFraction', options.refreshFraction ?? 0.05, (v) => v >= 0, 'a number >= 0');
    this.cacheSize = checked(
      'cacheSize',
      options.cacheSize ?? 4096,
      (v) => Number.isInteger(v) && v >= 1,
      'an integer >= 1',
    );
    this.defaultBaseMs = checked('defaultBaseMs', options.defaultBaseMs ?? 1000, (v) => v > 0, 'a number > 0');
    this.uncertaintyPenalty = checked(
      'uncertaintyPenalty',
      options.uncertaintyPenalty ?? 0.2,
      (v) => v >= 0,
      'a number >= 0',
    );
    this.timeoutMs = checked(
      'timeoutMs',
      options.timeoutMs ?? LAMBDA_MAX_TIMEOUT_MS,
      (v) => v > 0 && v <= LAMBDA_MAX_TIMEOUT_MS,
      `a number in (0, ${LAMBDA_MAX_TIMEOUT_MS}]`,
    );
    this.defaultMemoryMb = checked('defaultMemoryMb', options.defaultMemoryMb ?? 2048, (v) => v > 0, 'a number > 0');
    if (options.defaultStrategy !== undefined && !(options.defaultStrategy in STRATEGIES)) {
      throw new CoreInputError('options.defaultStrategy', options.defaultStrategy, Object.keys(STRATEGIES).join(', '));
    }
    this.profiles = new ProfileBook(view.profiles, {
      defaultBaseMs: this.defaultBaseMs,
      parallelism: options.parallelism,
    });
    this.applyStoredParallelism(view);
    this.baseView = view;
    this.compiled = compileView(view, this.staleAfterMs);
  }

  /** Takes the threads the view's store keeps per profile (what their requests last said) over the configured ones. */
  private applyStoredParallelism(view: RoutingView): void {
    for (const [workload, threads] of Object.entries(view.parallelism ?? {})) {
      if (Number.isFinite(threads) && threads > 0 && this.profiles.setParallelism(workload, threads)) {
        this.plans.delete(workload);
      }
    }
  }

  /** The view placements are made from, as given. */
  get view(): RoutingView {
    return this.baseView;
  }

  /**
   * How long a new instance's INIT takes, ms, billed or not: what a cold start waits for. The mean the dynamic
   * functions' new instances reported once enough did (`initBillingOf`), else `RouterOptions.init`.
   */
  get initMs(): number {
    return this.init.initMs;
  }

  /**
   * Every deployed zone's CPU mix per architecture as placements use it now: the characterization,
   * the view's aged passive counts, instances met since the view was set, and the fallbacks, blended
   * by `resolveZones`.
   */
  get zoneMixes(): readonly ResolvedZone[] {
    return this.compiled.zones;
  }

  /**
   * The CPU mix placements price `target` with: its function's own mix where the function has shown hosts
   * (`functionMixes`), else its zone's mix of the target's architecture; undefined for a zone the view does not deploy.
   */
  mixFor(target: Pick<Target, 'azId' | 'arch' | 'functionName'>): ZoneMix | undefined {
    const zone = this.zoneOf(target.azId);
    return zone?.functionMixes?.[target.functionName] ?? zone?.mixes[target.arch];
  }

  private zoneOf(azId: string): ResolvedZone | undefined {
    return this.compiled.zones.find((z) => z.azId === azId);
  }

  /**
   * Instances `placement`'s fleet holds on the CPUs it accepts (`acceptedCapacity`): the fleet's hosts as its
   * characterization estimates them, at the zone's mix of the target's architecture. Infinity where the fleet was never
   * characterized (its size is unknown).
   */
  acceptedCapacity(placement: {
    readonly target: Pick<Target, 'azId' | 'arch' | 'memoryMb'>;
    readonly rejectCpus: readonly CpuKey[];
  }): number {
    const { target } = placement;
    const zone = this.zoneOf(target.azId);
    const mix = zone?.mixes[target.arch];
    if (!mix) return Number.POSITIVE_INFINITY;
    return acceptedCapacity(mix, zone?.hosts?.[target.arch], placement.rejectCpus, target.memoryMb);
  }

  /**
   * What one call of `workload` on a warm instance with `cpu` at `target` is expected to take, as placements price
   * it: that CPU's billed runtime there, its request charge and its carbon, with no retry and no INIT. Undefined
   * where the target is not deployed or its zone's mix has no `cpu`.
   */
  callOn(workload: string, target: Pick<Target, 'functionName'>, cpu: CpuKey): CallExpectation | undefined {
    const candidate = this.planFor(workload).candidates.find((c) => c.target.functionName === target.functionName);
    const j = candidate?.cpus.indexOf(cpu) ?? -1;
    if (!candidate || j < 0) return undefined;
    const billedMs = candidate.billedMs[j];
    return {
      costUsd: billedMs * candidate.usdPerMs + candidate.usdPerRequest,
      runtimeMs: billedMs,
      carbonG: billedMs * candidate.gramsPerMs,
    };
  }

  /**
   * Replaces the view (new characterizations, prices, passive counts, ...). Learned profiles are
   * kept; passive CPU counts learned here are dropped, as the new view is expected to carry them
   * (the router service stores them with ADD and reads them back).
   */
  setView(view: RoutingView): void {
    for (const name of Object.keys(view.profiles)) {
      if (this.profiles.observations(name) === 0) {
        for (const entry of view.profiles[name].entries) this.profiles.add(name, entry, entry.stats);
      }
    }
    this.baseView = view;
    this.applyStoredParallelism(view);
    this.init = initBillingOf(view.initEvidence, this.options.init);
    this.initBilledMs = initBilledMs(this.init);
    this.learnedPassive.clear();
    this.passiveRefresh.clear();
    this.compiled = compileView(view, this.staleAfterMs);
    this.plans.clear();
    this.clearCache();
  }

  /**
   * Places one request for a call about to be sent: `propose`, counted as the call `follow` counts. A placement that
   * explores a CPU counts as a call in flight exploring it until `observe` learns an answer of the workload on its
   * function (or `withdrawExploration`), so that concurrent calls do not all explore what the first will likely
   * teach. With `view`, places on that view instead (the router switches to it).
   * @throws NoPlacementError when no deployed target meets the request's limits.
   */
  place(request: PlacementRequest, view?: RoutingView): Placement {
    const placement = this.propose(request, view);
    this.follow(request.workload, placement);
    return placement;
  }

  /**
   * The placement `place` would give, exploring where a call would, but counting no call in flight: for a caller that
   * counts the call when it sends it (`follow`), and may send none.
   * @throws NoPlacementError when no deployed target meets the request's limits.
   */
  propose(request: PlacementRequest, view?: RoutingView): Placement {
    return this.placed(request, view, true);
  }

  /**
   * The placement of a request without exploring, counting no call: its price for weighing one placement against
   * another (a batch's pacing, a move, where workers start) and for reports. Exploring is a call's detour to learn a
   * runtime, chosen one call at a time as calls are sent; weighed in, it would price every alternative as the one
   * call that explores.
   * @throws NoPlacementError when no deployed target meets the request's limits.
   */
  price(request: PlacementRequest, view?: RoutingView): Placement {
    return this.placed(request, view, false);
  }

  /** `propose` (`explore`) or `price`, from the cache where it holds the answer. */
  private placed(request: PlacementRequest, view: RoutingView | undefined, explore: boolean): Placement {
    if (view !== undefined && view !== this.baseView) this.setView(view);
    if (this.gate !== undefined && this.gate.version !== this.gateVersion) {
      // Another router took or left a unit: placements cached before may explore it, or may not explore it.
      this.gateVersion = this.gate.version;
      this.clearCache();
    }
    if (request.parallelism !== undefined && this.profiles.setParallelism(request.workload, request.parallelism)) {
      // The workload's runtimes at other memory sizes scale differently now.
      this.plans.delete(request.workload);
      this.clearCache();
    }
    // Draws change with every call of a batch: such placements are computed afresh.
    if (hasDraws(request.pool?.draws)) return this.compute(request, explore);
    const hash = hashRequest(request);
    for (let entry = this.cache.get(hash); entry !== undefined; entry = entry.next) {
      // A proposal that explored nothing is also the price; a price may be what a proposal would explore beyond.
      if ((entry.explored || !explore) && sameRequest(entry.request, request)) return entry.placement;
    }
    const placement = this.compute(request, explore);
    if (placement.explores !== undefined) return placement;
    if (this.cached >= this.cacheSize) this.clearCache();
    this.cache.set(hash, { request: copyRequest(request), placement, explored: explore, next: this.cache.get(hash) });
    this.cached++;
    return placement;
  }

  /**
   * Learns from a call's outcome: its runtime joins the workload's profile, and a new instance
   * (`newInstance`) joins its zone's passive CPU counts. Placements are recomputed once a
   * workload's observations, or a zone's instances, have grown by `refreshFraction` (at least
   * `PASSIVE_REFRESH_MIN` new instances for a zone).
   */
  observe(outcome: Outcome): void {
    if (outcome.newInstance) this.observeInstance(outcome.target.azId, outcome.cpu);
    const { workload, target, cpu } = outcome;
    const firstHere = !outcome.rejected && this.profiles.count(workload, cpu, target.arch, target.memoryMb) === 0;
    this.profiles.observe(outcome);
    if (!outcome.rejected) this.settleExploration(workload, target.functionName, cpu);
    const plan = this.plans.get(workload);
    if (!plan) return;
    const seen = this.profiles.observations(workload);
    const threshold = plan.observations === 0 ? 1 : Math.ceil(plan.observations * (1 + this.refreshFraction));
    // A CPU's first runtime on a target is what exploring it was for: placements follow it at once.
    if (seen >= threshold || (firstHere && this.profiles.count(workload, cpu, target.arch, target.memoryMb) > 0)) {
      this.plans.delete(workload);
      this.clearCache();
    }
  }

  /**
   * Shares exploration with other router instances: a unit `gate` says another instance explores is placed as if one
   * of this router's calls explored it (in flight), so that exploring does not multiply with the instances.
   */
  shareExploration(gate: ExplorationGate | undefined): void {
    if (gate === this.gate) return;
    this.gate = gate;
    this.gateVersion = gate?.version ?? 0;
    this.clearCache();
  }

  /**
   * A call of `workload` follows `placement` (from `propose`): if it explores a CPU, that counts as a call in flight
   * exploring it, as `place` counts it. Counting one placement again changes nothing.
   */
  follow(workload: string, placement: Placement): void {
    const cpu = placement.explores;
    if (cpu === undefined || this.explorations.has(placement)) return;
    const key = explorationKey(workload, placement.target.functionName);
    const pending = this.exploring.get(key) ?? new Map<string, number>();
    pending.set(cpu, (pending.get(cpu) ?? 0) + 1);
    this.exploring.set(key, pending);
    this.explorations.add(placement);
  }

  /**
   * A call counted as following an exploring placement (`place`, `follow`) no longer does, with no answer there: it
   * moved on, ended without one, or left the unit to another router instance that holds its lease. The placement no
   * longer counts as a call in flight exploring its CPU, so that the unit may be explored again.
   */
  withdrawExploration(workload: string, placement: Placement): void {
    const cpu = placement.explores;
    if (cpu === undefined || !this.explorations.has(placement)) return;
    this.explorations.delete(placement);
    const pending = this.exploring.get(explorationKey(workload, placement.target.functionName));
    const left = (pending?.get(cpu) ?? 0) - 1;
    if (!pending) return;
    if (left > 0) {
      pending.set(cpu, left);
      return;
    }
    pending.delete(cpu);
    // Placements cached while it was in flight did not explore because of it.
    this.clearCache();
  }

  /**
   * A call of `workload` answered on `functionName`: one exploring call there is no longer in flight (the one that
   * ran on `cpu` if any explored it, else the one with the most in flight; which call answered is not known), so
   * the CPU it explored may be explored again if it taught nothing.
   */
  private settleExploration(workload: string, functionName: string, cpu: string): void {
    const pending = this.exploring.get(explorationKey(workload, functionName));
    if (!pending) return;
    let settled = pending.has(cpu) ? cpu : undefined;
    if (settled === undefined) {
      for (const [key, n] of pending) if (settled === undefined || n > (pending.get(settled) ?? 0)) settled = key;
    }
    if (settled === undefined) return;
    const left = (pending.get(settled) ?? 0) - 1;
    if (left > 0) pending.set(settled, left);
    else pending.delete(settled);
    // Placements cached while it was in flight did not explore because of it.
    this.clearCache();
  }

  private observeInstance(azId: string, cpu: string): void {
    if (!this.compiled.zoneIndex.has(azId) || typeof cpu !== 'string' || cpu.length === 0) return;
    const counts = this.learnedPassive.get(azId) ?? {};
    counts[cpu] = (counts[cpu] ?? 0) + 1;
    this.learnedPassive.set(azId, counts);
    let learned = 0;
    for (const key of Object.keys(counts)) learned += counts[key];
    const step = (known: number): number => Math.max(PASSIVE_REFRESH_MIN, Math.ceil(known * this.refreshFraction));
    const next = this.passiveRefresh.get(azId) ?? step(this.knownInstances(azId));
    this.passiveRefresh.set(azId, next);
    if (learned < next) return;
    this.passiveRefresh.set(azId, learned + step(this.knownInstances(azId) + learned));
    const passive: Record<string, CpuCounts> = { ...this.baseView.passive };
    for (const [zone, extra] of this.learnedPassive) passive[zone] = mergeCounts(passive[zone] ?? {}, extra);
    this.compiled = compileView({ ...this.baseView, passive }, this.staleAfterMs);
    this.plans.clear();
    this.clearCache();
  }

  /** Instances behind a zone's mix in the given view: its characterization's and its passive counts. */
  private knownInstances(azId: string): number {
    let total = 0;
    // one characterization per sampled architecture
    for (const z of this.baseView.zones)
      if (z.azId === azId && Number.isFinite(z.instancesSeen)) total += z.instancesSeen;
    const passive = this.baseView.passive?.[azId];
    if (passive) for (const cpu of Object.keys(passive)) if (passive[cpu] > 0) total += passive[cpu];
    return total;
  }

  /**
   * Every allowed target of a request under its strategy, best first (equal scores: the shorter
   * expected runtime first), with expectations (for `sky plan`). Not cached.
   */
  rank(request: PlacementRequest, count = 10): RankedTarget[] {
    const plan = this.planFor(request.workload);
    const scope = this.scopeOf(plan, request);
    const all: Array<{ choice: Choice }> = [];
    scanCandidates(this.compiled, plan, scope, this.scratch, (choice) => all.push({ choice: { ...choice } }));
    const ranked = all.map(({ choice }): RankedTarget & { readonly index: number } => {
      const built = this.build(plan, scope, choice, []);
      return {
        target: built.target,
        rejectCpus: built.rejectCpus,
        maxAttempts: built.maxAttempts,
        expected: built.expected,
        evidence: built.evidence,
        score: choice.value,
        index: choice.candidate.index,
      };
    });
    // Equal scores (e.g. 128 MB at twice the runtime of 256 MB bills the same) go to the faster target.
    const tied = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b));
    ranked.sort(
      (a, b) =>
        (tied(a.score, b.score) ? 0 : a.score - b.score) ||
        a.expected.runtimeMs - b.expected.runtimeMs ||
        a.index - b.index,
    );
    return ranked.slice(0, count).map(({ index: _index, ...target }) => target);
  }

  /**
   * The calls that would profile a workload across the CPUs, architectures and memory sizes a request
   * allows, for the cells whose runtimes are fewer than it wants (see `profiling-plan.ts`). Not cached.
   */
  profilingSteps(request: ProfilingRequest): ProfilingStep[] {
    const plan = this.planFor(request.workload);
    const scope = this.scopeOf(plan, {
      workload: request.workload,
      strategy: 'optimal',
      ...(request.limits ? { limits: request.limits } : {}),
      ...(request.minMemoryMb !== undefined ? { minMemoryMb: request.minMemoryMb } : {}),
    });
    // Each step is built on the plan it was planned by (expected runtimes): held to its estimate's spread, as a routed
    // call is, a step would reject the very CPU it measures at every attempt, and never measure it. Nor does a step
    // accept the other fit CPUs in its last attempts (`fitTailOf`): it is sent to measure one CPU, not to run anywhere.
    return planProfiling(this.compiled, plan, scope, this.profiles, request, (fitPlan, choice, maxAttempts, note) =>
      this.build(
        fitPlan,
        { ...scope, params: { ...scope.params, maxAttempts }, notes: [...scope.notes, note] },
        choice,
        [],
        undefined,
        false,
      ),
    );
  }

  private clearCache(): void {
    this.cache.clear();
    this.cached = 0;
  }

  private planFor(workload: string): WorkloadPlan {
    let plan = this.plans.get(workload);
    if (!plan) {
      plan = compileWorkload(this.compiled, this.profiles, workload, {
        ...this.evaluationSettings(),
        defaultBaseMs: this.defaultBaseMs,
        uncertaintyPenalty: this.uncertaintyPenalty,
      });
      this.plans.set(workload, plan);
    }
    return plan;
  }

  private compute(request: PlacementRequest, explore = true): Placement {
    const draws = request.pool?.draws;
    const base = this.planFor(request.workload);
    const plan = hasDraws(draws)
      ? { ...base, candidates: base.candidates.map((c) => withDrawnShares(c, draws)) }
      : base;
    let scope = this.scopeOf(plan, request);
    const fallbacks: Choice[] = [];
    let chosen: Choice | undefined;
    const fast =
      scope.rule.reject === 'optimal' &&
      scope.rule.zones === 'any' &&
      scope.rule.configs === 'any' &&
      scope.pure !== undefined &&
      scope.rtt === undefined &&
      scope.params.maxAddedLatencyMs === Number.POSITIVE_INFINITY &&
      scope.params.maxAttempts === this.maxAttempts &&
      scope.rejectMode === this.rejectMode &&
      scope.params.usesPerInstance === 1 &&
      scope.params.searchUses === 1 &&
      scope.params.retryRepeat === 0 &&
      plan === base;
    const ranked =
      fast && scope.pure
        ? fromRanking(this.compiled, plan, scope, scope.pure, this.fallbackCount, this.scratch, fallbacks)
        : 'rescan';
    if (ranked !== 'rescan') {
      chosen = ranked;
    } else {
      chosen = this.scanned(plan, scope, fallbacks);
    }
    if (!chosen && !scope.relaxed) {
      // Nothing keeps a call from meeting only unfit CPUs often enough; where some target keeps it from meeting only
      // CPUs it cannot finish on at all, the call runs there, its last attempt on the unfit CPU it meets.
      const relaxed = { ...scope, relaxed: true };
      chosen = this.scanned(plan, relaxed, fallbacks);
      if (chosen) {
        scope = relaxed;
        scope.notes.push(
          `no allowed target keeps a call from meeting only CPUs it may not finish on (× ${scope.headroom.toFixed(2)} ` +
            `headroom for its spread) in all its ${scope.params.maxAttempts} attempts less often than 1 in ` +
            `${Math.round(1 / MAX_UNFIT_EXHAUSTION).toLocaleString('en-US')}: placed where it meets only CPUs it is not ` +
            'expected to finish on at all that rarely, its last attempt taking the others',
        );
      }
    }
    if (!chosen) throw this.noPlacement(plan, request, scope);
    const exploration =
      explore && scope.rule.reject === 'optimal' && this.options.explore !== false
        ? this.explore(plan, scope, chosen, request.callsToCome)
        : undefined;
    if (exploration?.cpu === undefined) return this.build(plan, scope, chosen, fallbacks);
    const explored = { ...chosen, candidate: exploration.candidate ?? chosen.candidate, mask: exploration.mask };
    return this.build(plan, scope, explored, fallbacks, exploration);
  }

  /**
   * The choice of a full scan of `plan`'s candidates within `scope`: the best per zone ranked (the baseline zone's for
   * a strategy that keeps to it), the next ones into `fallbacks`.
   */
  private scanned(plan: WorkloadPlan, scope: Scope, fallbacks: Choice[]): Choice | undefined {
    fallbacks.length = 0;
    const bestPerZone = new Map<number, Choice>();
    scanCandidates(this.compiled, plan, scope, this.scratch, (choice) => {
      const known = bestPerZone.get(choice.candidate.zone);
      if (!known || choice.value < known.value) bestPerZone.set(choice.candidate.zone, { ...choice });
    });
    const ranked = [...bestPerZone.values()].sort((a, b) => a.value - b.value || a.candidate.zone - b.candidate.zone);
    let chosen: Choice | undefined;
    if (scope.rule.zones === 'baseline') {
      chosen =
        bestPerZone.get(scope.baselineZone) ??
        [...bestPerZone.values()].sort((a, b) => a.candidate.zone - b.candidate.zone)[0];
      if (chosen && chosen.candidate.zone !== scope.baselineZone) {
        scope.notes.push(
          this.options.baselineZone === undefined
            ? `no baseline zone set: using the first allowed zone, ${chosen.candidate.target.azId}`
            : `baseline zone ${this.options.baselineZone} is not deployed, allowed or within the limits: using ${chosen.candidate.target.azId}`,
        );
      }
    } else {
      chosen = ranked[0];
    }
    for (const choice of ranked) {
      if (fallbacks.length >= this.fallbackCount) break;
      if (choice !== chosen) fallbacks.push(choice);
    }
    return chosen;
  }

  /**
   * Whether the chosen target should accept one CPU its estimates reject, to learn its runtime there
   * (`exploration.ts`), from how sure the profiles are of each of its CPUs. Never a CPU the call cannot finish on
   * within its budget: each target's unfit CPUs stay rejected in every reject set weighed.
   */
  private explore(
    plan: WorkloadPlan,
    scope: Scope,
    chosen: Choice,
    callsToCome = 0,
  ): Exploration & { candidate?: Candidate } {
    const c = chosen.candidate;
    const cv = this.profiles.runtimeCv(plan.workload) ?? UNMEASURED_CV;
    const gate = this.gate;
    const beliefsOf = (t: Candidate): CpuBeliefs => {
      const fn = t.target.functionName;
      const inFlight = this.exploring.get(explorationKey(plan.workload, fn));
      // A unit another router instance explores counts as a call of this one in flight.
      const elsewhere = (cpu: CpuKey): number => (gate && !gate.mayExplore(plan.workload, fn, cpu) ? 1 : 0);
      return {
        logSd: t.cpus.map((cpu) => runtimeLogSd(this.profiles, plan.workload, cpu, t.arch, t.memoryMb, cv)),
        pending: t.cpus.map((cpu) => (inFlight?.get(cpu) ?? 0) + elsewhere(cpu)),
        cv,
      };
    };
    const rttOf = (t: Candidate): number => (scope.rtt ? scope.rtt[t.region] : 0);
    const horizon = explorationHorizon(this.profiles.observations(plan.workload), callsToCome);
    const unfitOf = (t: Candidate): number => unfitMaskOf(plan, t.index, scope.fitLimitMs);
    const unfit = unfitOf(c);
    const own = exploreRejectSet(
      c,
      chosen.mask,
      beliefsOf(c),
      horizon,
      rttOf(c),
      unfit !== 0 ? unfitParams(scope.params) : scope.params,
      scope.noRetryParams,
      this.scratch,
      unfit,
    );
    if (own.cpu !== undefined || scope.rule.zones !== 'any' || scope.rule.configs !== 'any') return own;
    // The chosen target's CPUs are known well enough: CPUs of the other fleets at its memory size may not be.
    const others = plan.candidates
      .filter(
        (t) =>
          t !== c &&
          t.memoryMb === c.memoryMb &&
          // Only CPUs of a fleet someone met are explored on other targets (`isObservedMix`).
          isObservedMix(plan.evidence[t.index].mix) &&
          isAllowed(this.compiled, plan, t, scope),
      )
      .map((t) => ({ candidate: t, beliefs: beliefsOf(t), rttMs: rttOf(t), unfit: unfitOf(t) }));
    const chosenValue = evaluateMask(
      c,
      chosen.mask,
      rttOf(c),
      chosen.mask === 0 ? scope.noRetryParams : scope.params,
      this.scratch,
    ).value;
    const elsewhere = exploreTargets(chosenValue, others, horizon, scope.params, scope.noRetryParams, this.scratch);
    return elsewhere.cpu === undefined ? own : elsewhere;
  }

  /** What a workload's plan and a placement's scope both price attempts by: the router's own settings. */
  private evaluationSettings() {
    return {
      holdMs: this.holdMs,
      maxAttempts: this.maxAttempts,
      retryOverheadMs: this.retryOverheadMs,
      initBilledMs: this.initBilledMs,
      coldStartShare: this.coldStartShare,
      rejectMode: this.rejectMode,
      returnShare: this.returnShare,
    };
  }

  private scopeOf(plan: WorkloadPlan, request: PlacementRequest): Scope {
    return resolveScope(this.compiled, plan, request, {
      ...this.evaluationSettings(),
      defaultMemoryMb: this.defaultMemoryMb,
      baselineZone: this.options.baselineZone,
      defaultStrategy: this.options.defaultStrategy,
      timeoutMs: this.timeoutMs,
    });
  }

  private build(
    plan: WorkloadPlan,
    scope: Scope,
    choice: Choice,
    fallbacks: readonly Choice[],
    exploration?: Exploration & { readonly candidate?: Candidate },
    withFitTail = true,
  ): Placement {
    const c = choice.candidate;
    const rtt = scope.rtt ? scope.rtt[c.region] : 0;
    // An explored CPU is accepted at every attempt: exploring follows the single reject set it was chosen against.
    const schedule =
      choice.scheduled === true && exploration?.cpu === undefined ? scheduleOf(c, rtt, scope) : undefined;
    const unfitMask = unfitMaskOf(plan, c.index, scope.fitLimitMs);
    const mask = (schedule ? schedule.mask : choice.mask) | unfitMask;
    const retrying = mask !== 0;
    const params = unfitMask !== 0 ? unfitParams(scope.params) : retrying ? scope.params : scope.noRetryParams;
    const unfitCpus = rejectedOf(c, unfitMask);
    // The last attempt rejects only the CPUs a call cannot finish on; it runs on the other unfit ones rather than fail.
    const overBudgetCpus = rejectedOf(c, overBudgetMaskOf(plan, c.index, scope.timeoutMs) & unfitMask);
    const fitTail =
      withFitTail && unfitMask !== 0 && mask !== unfitMask ? fitTailOf(c, mask, unfitMask, rtt, params) : undefined;
    // A tail as long as the budget leaves the call rejecting only the unfit CPUs from its first attempt.
    const rejectCpus = fitTail?.fromAttempt === 1 ? unfitCpus : rejectedOf(c, mask);
    const m =
      fitTail?.metrics ??
      (schedule && unfitMask === 0 ? schedule.metrics : evaluateMask(c, mask, rtt, params, newMetrics()));
    const relaxations =
      fitTail && fitTail.fromAttempt > 1
        ? [{ fromAttempt: fitTail.fromAttempt, rejectCpus: Object.freeze(unfitCpus) }]
        : schedule && unfitMask === 0
          ? schedule.relaxations
          : undefined;
    const notes = [
      ...scope.notes,
      ...this.compiled.zones[c.zone].notes[c.arch],
      ...this.compiled.regionNotes[c.region],
    ];
    if (choice.retriesDropped) {
      notes.push(
        `${scope.rule.name} retries dropped: they would exceed maxAddedLatencyMs ${scope.params.maxAddedLatencyMs}`,
      );
    }
    const evidence = plan.evidence[c.index];
    if (evidence.level === 'assumed') {
      notes.push(
        plan.observations === 0
          ? `assumed: ${plan.workload} has never run, so its runtime on ${c.target.functionName} is a guess`
          : `assumed: ${plan.workload} has not run on ${c.arch}, so its runtime there is a guess`,
      );
    }
    if (exploration?.cpu !== undefined && exploration.candidate !== undefined) {
      notes.push(
        `explores ${exploration.cpu}: sent to ${c.target.functionName} to learn its runtime there, which is only estimated ` +
          (exploration.cost > 0
            ? `(what it may teach is expected to repay ${(exploration.value / exploration.cost).toFixed(1)}× its cost over the calls to come)`
            : '(at no expected cost)'),
      );
    } else if (exploration?.cpu !== undefined) {
      notes.push(
        `explores ${exploration.cpu}: accepted on ${c.target.functionName} to learn its runtime there, although its estimate says reject ` +
          (exploration.cost > 0
            ? `(what it may teach is expected to repay ${(exploration.value / exploration.cost).toFixed(1)}× its cost over the calls to come)`
            : '(at no expected cost)'),
      );
    }
    if (overBudgetCpus.length > 0) {
      notes.push(
        `${overBudgetCpus.join(', ')} rejected at every attempt, the last included: ${plan.workload} is not expected to ` +
          `finish there within timeoutMs ${scope.timeoutMs}`,
      );
    }
    const marginCpus = unfitCpus.filter((cpu) => !overBudgetCpus.includes(cpu));
    if (marginCpus.length > 0) {
      notes.push(
        `${marginCpus.join(', ')} rejected at every attempt but the last: ${plan.workload} may not finish there within ` +
          `timeoutMs ${scope.timeoutMs} (× ${scope.headroom.toFixed(2)} headroom for its spread), and the last attempt ` +
          'runs there rather than fail the call',
      );
    }
    if (plan.observations > 0 && c.confidence < 0.5) {
      notes.push(`runtimes on ${c.target.functionName} are partly estimated (confidence ${c.confidence.toFixed(2)})`);
    }
    return Object.freeze({
      target: c.target,
      strategy: scope.rule.name,
      rejectCpus: Object.freeze(rejectCpus),
      holdMs: params.holdMs,
      rejectMode: scope.rejectMode,
      // A schedule never keeps a rejected instance for the last attempt: accepting it one attempt earlier costs less.
      keepBeforeLastAttempt: !schedule && retrying && params.keepBeforeLastAttempt && keepsLastOf(c, mask, params),
      maxAttempts: retrying ? scope.params.maxAttempts : 1,
      ...(relaxations ? { relaxations: Object.freeze(relaxations) } : {}),
      ...(unfitCpus.length > 0 ? { unfitCpus: Object.freeze(unfitCpus) } : {}),
      ...(overBudgetCpus.length > 0 ? { overBudgetCpus: Object.freeze(overBudgetCpus) } : {}),
      expected: Object.freeze({
        costUsd: m.costUsd,
        runtimeMs: m.runtimeMs,
        attempts: m.attempts,
        addedLatencyMs: m.addedLatencyMs,
        carbonG: m.carbonG,
      }),
      evidence,
      fallbacks: Object.freeze(fallbacks.map((f) => f.candidate.target)),
      notes: Object.freeze([...new Set(notes)]),
      ...(exploration?.cpu !== undefined ? { explores: exploration.cpu } : {}),
    });
  }

  private noPlacement(plan: WorkloadPlan, request: PlacementRequest, scope: Scope): NoPlacementError {
    const view = this.compiled;
    const limits = request.limits ?? {};
    let reason: string;
    const fit = fitSummary(view, plan, scope);
    if (view.zones.length === 0) reason = 'the view has no deployed zone';
    else if (!scope.zoneOk.includes(1)) {
      reason = `no deployed zone matches regions ${JSON.stringify(limits.regions ?? 'any')} and zones ${JSON.stringify(limits.zones ?? 'any')}`;
    } else if (!scope.archOk.some(Boolean)) {
      reason = `no allowed architecture: asked ${JSON.stringify(limits.architectures)}, deployed ${JSON.stringify(view.architectures)}`;
    } else if (!scope.memOk.includes(1)) {
      reason = `no deployed memory size ${JSON.stringify(view.memorySizes)} is allowed by memorySizes ${JSON.stringify(limits.memorySizes ?? 'any')} and at least minMemoryMb ${request.minMemoryMb ?? 0}`;
    } else if (fit.inLimits > 0 && fit.fitting === 0) {
      const { quickest } = fit;
      const { headroom, timeoutMs } = scope;
      const needs = quickest
        ? `; the quickest, ${quickest.target.functionName}, needs ${Math.round(quickest.slowestMs * headroom)} ms on its slowest CPU with headroom`
        : '';
      reason =
        `no allowed target runs it within timeoutMs ${timeoutMs}: on every one, its expected runtime with headroom ` +
        `(× ${headroom.toFixed(2)} for its spread, more where the runtime is carried over from other CPUs or memory ` +
        `sizes) passes it on every CPU of the zone, or on CPUs so common that a call would meet only ` +
        `those in all its ${scope.params.maxAttempts} attempts more often than 1 in ${Math.round(1 / MAX_UNFIT_EXHAUSTION).toLocaleString('en-US')}` +
        `${needs}; allow more memory, a longer timeout or more attempts`;
    } else {
      reason = `every allowed target's expected added latency exceeds maxAddedLatencyMs ${limits.maxAddedLatencyMs}`;
    }
    return new NoPlacementError(
      plan.workload,
      { ...limits, minMemoryMb: request.minMemoryMb, timeoutMs: scope.timeoutMs },
      reason,
    );
  }
}

/** The CPUs of a reject mask, sorted by key. */
function rejectedOf(c: Candidate, mask: number): CpuKey[] {
  return c.cpus.filter((_, j) => (mask & (1 << j)) !== 0).sort();
}

/**
 * A candidate's reject schedule (`reject-schedule.ts`) as a placement carries it: the first attempt's reject mask,
 * the stages where the set narrows, and the expected metrics.
 */
function scheduleOf(
  c: Candidate,
  rttMs: number,
  scope: Scope,
): { mask: number; relaxations: RejectRelaxation[]; metrics: Metrics } {
  const attempts = scope.params.maxAttempts;
  const accepts = new Int32Array(attempts);
  const metrics = evaluateSchedule(c, rttMs, scope.params, newMetrics(), accepts);
  const relaxations: RejectRelaxation[] = [];
  for (let i = 1; i < attempts - 1; i++) {
    if (accepts[i] === accepts[i - 1]) continue;
    relaxations.push({
      fromAttempt: i + 1,
      rejectCpus: Object.freeze(rejectedOf(c, suffixMask(c.cpus.length, accepts[i]))),
    });
  }
  return { mask: suffixMask(c.cpus.length, accepts[0]), relaxations, metrics };
}

/**
 * Where a placement that rejects fit CPUs as well as unfit ones (`unfitMask`) must accept every fit CPU so that a call
 * fails no more often than `MAX_UNFIT_EXHAUSTION` (`fitTailAttempts`), and its metrics so: the reject set `mask` until
 * then, the unfit CPUs alone from then on. Undefined where the last attempt alone does (the usual placement) or where
 * the reject mode keeps rejected instances warm (a retry may return to one: no schedule applies).
 */
function fitTailOf(
  c: Candidate,
  mask: number,
  unfitMask: number,
  rttMs: number,
  params: EvaluationParams,
): { fromAttempt: number; metrics: Metrics } | undefined {
  if (!schedulable(params)) return undefined;
  const attempts = params.maxAttempts;
  const k = fitTailAttempts(shareOfMask(c.shares, unfitMask) ?? 1, attempts, 0, params.retryRepeat);
  if (k <= 1) return undefined;
  const rejects = new Int32Array(attempts);
  rejects.fill(mask, 0, attempts - k);
  rejects.fill(unfitMask, attempts - k, attempts - 1);
  rejects[attempts - 1] = 0;
  return { fromAttempt: attempts - k + 1, metrics: evaluateRejects(c, rttMs, params, newMetrics(), rejects) };
}

/** Whether the placement keeps an instance rejected just before the last attempt (see `keepsBeforeLastAttempt`). */
function keepsLastOf(c: Candidate, mask: number, params: EvaluationParams): boolean {
  let q = 0;
  let rejectedMs = 0;
  let allMs = 0;
  for (let j = 0; j < c.cpus.length; j++) {
    allMs += c.shares[j] * c.billedMs[j];
    if (mask & (1 << j)) {
      q += c.shares[j];
      rejectedMs += c.shares[j] * c.billedMs[j];
    }
  }
  return q > 0 && keepsBeforeLastAttempt(rejectedMs / q, allMs, params.initBilledMs, params.retryRepeat);
}

function checked(name: string, value: number, ok: (v: number) => boolean, allowed: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !ok(value)) {
    throw new CoreInputError(`options.${name}`, value, allowed);
  }
  return value;
}
