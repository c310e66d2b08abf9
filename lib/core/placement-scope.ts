import { MAX_UNFIT_EXHAUSTION, runtimeHeadroom, unfitExhaustion } from './call-fit';
import type { EvaluationParams } from './candidate';
import { type CompiledView, UNKNOWN_REGION_RTT_MS } from './compiled-view';
import { networkRttMs } from './geo';
import { resolveObjective } from './objectives';
import { isRejectMode, REJECT_MODES, type RejectMode, rejectModeParams } from './reject-mode';
import { shareOfMask } from './reject-set';
import { STRATEGIES, type StrategyRule } from './strategies';
import type { PlacementRequest, StrategyName, Target } from './types';
import { ARCH_ORDER, type WorkloadPlan } from './workload-plan';

/** Router settings a scope needs. */
export interface ScopeSettings {
  readonly holdMs: number;
  readonly maxAttempts: number;
  readonly retryOverheadMs: number;
  /** Billed INIT of a new instance, ms. */
  readonly initBilledMs: number;
  /** Share of first attempts that start a new instance. */
  readonly coldStartShare: number;
  readonly defaultMemoryMb: number;
  /** The reject mode of requests that name none. */
  readonly rejectMode: RejectMode;
  /** Share of retries that an instance left warm takes back (see `rejectModeParams`). @default DEFAULT_RETURN_SHARE */
  readonly returnShare?: number;
  readonly baselineZone?: string;
  readonly defaultStrategy?: StrategyName;
  /** Longest one call may run when the request's limits set no `timeoutMs`, ms. */
  readonly timeoutMs: number;
}

/** How the call budget narrowed the targets the limits allow (for the error when none is left). */
export interface FitSummary {
  /** Targets within the request's zones, architectures and memory sizes (and the strategy's home configuration). */
  readonly inLimits: number;
  /** Of those, targets whose slowest runtime fits the budget. */
  readonly fitting: number;
  /**
   * The target in limits whose slowest runtime is least, and that runtime (ms), if any: as the budget holds it
   * (`WorkloadPlan.fitMs`), before the headroom for the workload's spread.
   */
  readonly quickest?: { readonly target: Target; readonly slowestMs: number };
}

/** What one placement call allows, resolved once per cache miss. */
export interface Scope {
  readonly rule: StrategyRule;
  readonly rejectMode: RejectMode;
  readonly params: EvaluationParams;
  readonly noRetryParams: EvaluationParams;
  readonly zoneOk: Uint8Array;
  readonly archOk: readonly boolean[];
  readonly memOk: Uint8Array;
  readonly homeArch: number;
  readonly homeMem: number;
  readonly baselineZone: number;
  readonly rtt: Float64Array | undefined;
  readonly notes: string[];
  readonly pure: 'cost' | 'latency' | 'carbon' | undefined;
  /** The call budget held against each target's slowest runtime, ms. */
  readonly timeoutMs: number;
  /** Factor on the expected runtime before it is held against the budget (see `runtimeHeadroom`). */
  readonly headroom: number;
  /** Longest slowest-CPU runtime a target may expect: `timeoutMs / headroom`. */
  readonly fitLimitMs: number;
  /** Whether `assumed` targets may be taken: only when no allowed, fitting target has better evidence. */
  readonly allowAssumed: boolean;
  /** Whether the fit is the one taken when no allowed target fits: see `FitRule.relaxed`. @default false */
  readonly relaxed?: boolean;
}

/**
 * Resolves what one placement call allows: the strategy, objective weights (scaled by the
 * workload's references), attempt budget, latency bound, allowed zones, archs and memory sizes,
 * the paper strategies' home arch and memory, the baseline zone, and round trips from the client.
 * Bad values become notes and defaults, never errors.
 */
export function resolveScope(
  view: CompiledView,
  plan: WorkloadPlan,
  request: PlacementRequest,
  settings: ScopeSettings,
): Scope {
  const notes: string[] = [...plan.notes];
  const limits = request.limits ?? {};
  const objective = resolveObjective(request.objective);
  if (objective.note) notes.push(objective.note);
  let ruleName: StrategyName = request.strategy ?? settings.defaultStrategy ?? 'optimal';
  if (!(ruleName in STRATEGIES)) {
    notes.push(
      `unknown strategy ${JSON.stringify(ruleName)} (allowed: ${Object.keys(STRATEGIES).join(', ')}); placed as optimal`,
    );
    ruleName = 'optimal';
  }
  const rule = STRATEGIES[ruleName];
  let maxAttempts = settings.maxAttempts;
  if (limits.maxAttempts !== undefined) {
    if (Number.isInteger(limits.maxAttempts) && limits.maxAttempts >= 1) maxAttempts = limits.maxAttempts;
    else notes.push(`maxAttempts ${limits.maxAttempts} is not an integer >= 1; using ${settings.maxAttempts}`);
  }
  const maxAddedLatencyMs =
    typeof limits.maxAddedLatencyMs === 'number' && !Number.isNaN(limits.maxAddedLatencyMs)
      ? limits.maxAddedLatencyMs
      : Number.POSITIVE_INFINITY;
  const w = objective.weights;
  const pool = request.pool ?? {};
  let rejectMode = settings.rejectMode;
  if (pool.rejectMode !== undefined) {
    if (isRejectMode(pool.rejectMode)) rejectMode = pool.rejectMode;
    else
      notes.push(
        `unknown rejectMode ${JSON.stringify(pool.rejectMode)} (allowed: ${REJECT_MODES.join(', ')}); using ${rejectMode}`,
      );
  }
  let usesPerInstance = 1;
  if (pool.usesPerInstance !== undefined) {
    if (
      typeof pool.usesPerInstance === 'number' &&
      Number.isFinite(pool.usesPerInstance) &&
      pool.usesPerInstance >= 1
    ) {
      usesPerInstance = pool.usesPerInstance;
    } else {
      notes.push(`usesPerInstance ${pool.usesPerInstance} is not a number >= 1; using 1`);
    }
  }
  let searchUses = usesPerInstance;
  if (pool.searchUses !== undefined) {
    if (typeof pool.searchUses === 'number' && Number.isFinite(pool.searchUses) && pool.searchUses >= 1) {
      searchUses = Math.max(usesPerInstance, pool.searchUses);
    } else {
      notes.push(`searchUses ${pool.searchUses} is not a number >= 1; using usesPerInstance (${usesPerInstance})`);
    }
  }
  let retryRepeat = 0;
  if (pool.retryRepeat !== undefined) {
    if (typeof pool.retryRepeat === 'number' && pool.retryRepeat >= 0 && pool.retryRepeat <= 1) {
      retryRepeat = pool.retryRepeat;
    } else {
      notes.push(`retryRepeat ${pool.retryRepeat} is not a number in [0, 1]; using 0 (independent draws)`);
    }
  }
  const params: EvaluationParams = {
    wCost: w.cost / plan.references.cost,
    wLatency: w.latency / plan.references.latency,
    wCarbon: w.carbon / plan.references.carbon,
    ...rejectModeParams(rejectMode, settings.holdMs, settings.returnShare),
    maxAttempts,
    retryOverheadMs: settings.retryOverheadMs,
    initBilledMs: settings.initBilledMs,
    coldStartShare: settings.coldStartShare,
    usesPerInstance,
    searchUses,
    retryRepeat,
    maxAddedLatencyMs,
  };
  const zoneOk = new Uint8Array(view.zones.length);
  view.zones.forEach((zone, z) => {
    const inRegion = !limits.regions || limits.regions.includes(zone.region);
    const inZones = !limits.zones || limits.zones.includes(zone.azId);
    zoneOk[z] = inRegion && inZones ? 1 : 0;
  });
  const archOk = ARCH_ORDER.map(
    (arch) => view.architectures.includes(arch) && (!limits.architectures || limits.architectures.includes(arch)),
  );
  const minMemoryMb = typeof request.minMemoryMb === 'number' ? request.minMemoryMb : 0;
  const memOk = Uint8Array.from(view.memorySizes, (mb) =>
    mb >= minMemoryMb && (!limits.memorySizes || limits.memorySizes.includes(mb)) ? 1 : 0,
  );
  const homeArch = archOk[0] ? 0 : archOk[1] ? 1 : -1;
  const homeMem = homeMemoryIndex(view, plan, memOk, request.minMemoryMb, settings.defaultMemoryMb);
  let rtt: Float64Array | undefined;
  const client = limits.clientLocation;
  if (client) {
    if (
      Number.isFinite(client.lat) &&
      Number.isFinite(client.lon) &&
      Math.abs(client.lat) <= 90 &&
      Math.abs(client.lon) <= 180
    ) {
      rtt = Float64Array.from(view.regions, (facts) =>
        Number.isFinite(facts.location.lat) && Number.isFinite(facts.location.lon)
          ? networkRttMs(client, facts.location)
          : UNKNOWN_REGION_RTT_MS,
      );
    } else {
      notes.push(
        `clientLocation ${JSON.stringify(client)} is not a valid point (lat -90..90, lon -180..180); network latency ignored`,
      );
    }
  }
  const baselineZone = settings.baselineZone !== undefined ? (view.zoneIndex.get(settings.baselineZone) ?? -1) : -1;
  let timeoutMs = settings.timeoutMs;
  if (limits.timeoutMs !== undefined) {
    if (typeof limits.timeoutMs === 'number' && limits.timeoutMs > 0) {
      // A call cannot run longer than the functions it runs on, whatever the request allows.
      timeoutMs = Math.min(settings.timeoutMs, limits.timeoutMs);
      if (limits.timeoutMs > settings.timeoutMs) {
        notes.push(
          `timeoutMs ${limits.timeoutMs} is over the router's ${settings.timeoutMs}; using ${settings.timeoutMs}`,
        );
      }
    } else notes.push(`timeoutMs ${limits.timeoutMs} is not a number > 0; using ${settings.timeoutMs}`);
  }
  const headroom = runtimeHeadroom(plan.runtimeCv);
  const fitLimitMs = timeoutMs / headroom;
  const home = rule.configs === 'home' ? { arch: homeArch, mem: homeMem } : undefined;
  const allowAssumed = !hasSupportedFit(view, plan, zoneOk, archOk, memOk, home, { fitLimitMs, timeoutMs, params });
  if (!allowAssumed) {
    const skipped = ARCH_ORDER.filter((_, a) => archOk[a] && plan.assumedArch[a] && (!home || home.arch === a));
    if (skipped.length > 0) {
      notes.push(
        `${skipped.join(' and ')} targets not considered: ${plan.workload} has no runtime observed there, ` +
          'so its speed would be a guess (pin the architecture in the limits to place there)',
      );
    }
  }
  return {
    rule,
    rejectMode,
    params,
    noRetryParams: { ...params, maxAttempts: 1 },
    zoneOk,
    archOk,
    memOk,
    homeArch,
    homeMem,
    baselineZone: baselineZone >= 0 && zoneOk[baselineZone] === 1 ? baselineZone : -1,
    rtt,
    notes,
    pure: objective.pure,
    timeoutMs,
    headroom,
    fitLimitMs,
    allowAssumed,
  };
}

/** What the fit of a candidate is judged by: the budget per CPU, the evidence rule and the attempts a call has. */
export interface FitRule {
  readonly fitLimitMs: number;
  /** The call budget, ms: what a call must be expected to finish within at all (`overBudgetMaskOf`). */
  readonly timeoutMs: number;
  readonly allowAssumed: boolean;
  readonly params: Pick<EvaluationParams, 'maxAttempts' | 'rejectedStayWarm' | 'returnShare' | 'retryRepeat'>;
  /**
   * Whether only the CPUs a call is not expected to finish on at all count against the bound on meeting only such CPUs
   * in all its attempts, not every unfit one: the rule taken where no allowed target fits the usual one. Such a call
   * is still expected to finish on its last attempt, which runs on the unfit CPU it meets; refusing every target would
   * fail every call. @default false
   */
  readonly relaxed?: boolean;
}

/**
 * A candidate's unfit CPUs as a mask over its CPUs (bit j for `cpus[j]`), as reject masks are: those whose runtime, with
 * headroom, passes the budget. Not always the slowest: a CPU expected faster than another is unfit before it where its
 * estimate is less sure (carried over from other CPUs or memory sizes, so widened more). None for a workload that never
 * ran (its runtime is only a guess: no ground to refuse a CPU).
 */
export function unfitMaskOf(plan: WorkloadPlan, index: number, fitLimitMs: number): number {
  return maskPast(plan, index, plan.fitMs, fitLimitMs);
}

/**
 * A candidate's CPUs on which a call is not expected to finish at all, as a mask (bit j for `cpus[j]`): those whose
 * runtime, widened only for how far its estimate may be off (`WorkloadPlan.finishMs`), passes the budget. A subset of
 * the unfit CPUs (`unfitMaskOf`), which also hold the call's own spread. A call's last attempt rejects only these: on
 * an unfit CPU outside them the call is still expected to finish, and rejecting it there fails the call for certain
 * (generated seed 382's long-io-2 in its fixed zone alone, where the 2.9 GHz Xeon and the AMD EPYC ran a call in an
 * estimated 223 s against 300 s: half of a day's calls met only those two in all their attempts, and failed).
 */
export function overBudgetMaskOf(plan: WorkloadPlan, index: number, timeoutMs: number): number {
  return maskPast(plan, index, plan.finishMs, timeoutMs);
}

/** The candidate's CPUs whose runtime in `runtimesMs` passes `limitMs`, as a mask; none for a workload never run. */
function maskPast(plan: WorkloadPlan, index: number, runtimesMs: readonly Float64Array[], limitMs: number): number {
  if (plan.evidence[index].runtime === 'prior') return 0;
  const ms = runtimesMs[index];
  let mask = 0;
  for (let j = 0; j < ms.length; j++) if (!(ms[j] <= limitMs)) mask |= 1 << j;
  return mask;
}

/**
 * Whether a candidate fits the call budget and the evidence rule: some CPU of its zone runs the call within the
 * budget, with headroom, and a call is unlikely to meet only the others in all its attempts (`MAX_UNFIT_EXHAUSTION`;
 * see `call-fit.ts`), unless the workload never ran, so its runtime is only a guess: no ground to refuse it. An
 * `assumed` candidate fits only when nothing allowed has better evidence (a guess never beats data).
 */
export function fitsScope(plan: WorkloadPlan, index: number, rule: FitRule): boolean {
  if (!fitsBudget(plan, index, rule)) return false;
  return rule.allowAssumed || plan.evidence[index].level !== 'assumed';
}

/** Whether a candidate's fit CPUs hold enough of its mix for a call's attempts (see `fitsScope`). */
function fitsBudget(plan: WorkloadPlan, index: number, rule: Omit<FitRule, 'allowAssumed'>): boolean {
  const { params } = rule;
  const c = plan.candidates[index];
  const unfit = unfitMaskOf(plan, index, rule.fitLimitMs);
  const unfitMask = rule.relaxed ? overBudgetMaskOf(plan, index, rule.timeoutMs) & unfit : unfit;
  if (unfitMask === 0) return true;
  if (unfitMask === (1 << c.cpus.length) - 1) return false;
  const share = shareOfMask(c.shares, unfitMask);
  if (share === undefined) return false;
  const returnShare = params.rejectedStayWarm ? params.returnShare : 0;
  return unfitExhaustion(share, params.maxAttempts, returnShare, params.retryRepeat) <= MAX_UNFIT_EXHAUSTION;
}

/** Whether some allowed candidate fits the budget with evidence better than `assumed` (stops at the first). */
function hasSupportedFit(
  view: CompiledView,
  plan: WorkloadPlan,
  zoneOk: Uint8Array,
  archOk: readonly boolean[],
  memOk: Uint8Array,
  home: { readonly arch: number; readonly mem: number } | undefined,
  rule: Omit<FitRule, 'allowAssumed'>,
): boolean {
  if (!ARCH_ORDER.some((_, a) => archOk[a] && plan.assumedArch[a])) return true;
  const memCount = view.memorySizes.length;
  for (let z = 0; z < view.zones.length; z++) {
    if (zoneOk[z] !== 1) continue;
    for (let a = 0; a < ARCH_ORDER.length; a++) {
      if (!archOk[a] || (home && a !== home.arch)) continue;
      for (let m = 0; m < memCount; m++) {
        if (memOk[m] !== 1 || (home && m !== home.mem)) continue;
        const index = plan.candidateAt[(z * ARCH_ORDER.length + a) * memCount + m];
        if (index >= 0 && plan.evidence[index].level !== 'assumed' && fitsBudget(plan, index, rule)) return true;
      }
    }
  }
  return false;
}

/** How the call budget narrowed the targets within the limits (a full scan: for the error when none is left). */
export function fitSummary(view: CompiledView, plan: WorkloadPlan, scope: Scope): FitSummary {
  let inLimits = 0;
  let fitting = 0;
  let quickest: FitSummary['quickest'];
  const home = scope.rule.configs === 'home';
  for (const c of plan.candidates) {
    const a = ARCH_ORDER.indexOf(c.arch);
    const m = view.memorySizes.indexOf(c.memoryMb);
    if (scope.zoneOk[c.zone] !== 1 || !scope.archOk[a] || scope.memOk[m] !== 1) continue;
    if (home && (a !== scope.homeArch || m !== scope.homeMem)) continue;
    inLimits++;
    const slowestMs = plan.slowestMs[c.index];
    if (!quickest || slowestMs < quickest.slowestMs) quickest = { target: c.target, slowestMs };
    if (fitsScope(plan, c.index, { ...scope, allowAssumed: true })) fitting++;
  }
  return { inLimits, fitting, ...(quickest ? { quickest } : {}) };
}

/**
 * The memory of the paper's strategies: the smallest allowed size ≥ `minMemoryMb` if given, else
 * the size the workload was observed at most, else the smallest allowed size ≥ `defaultMemoryMb`
 * (else the largest allowed).
 */
function homeMemoryIndex(
  view: CompiledView,
  plan: WorkloadPlan,
  memOk: Uint8Array,
  minMemoryMb: number | undefined,
  defaultMemoryMb: number,
): number {
  const sizes = view.memorySizes;
  const allowed = sizes.map((_, i) => i).filter((i) => memOk[i] === 1);
  if (allowed.length === 0) return -1;
  if (minMemoryMb !== undefined) return allowed[0];
  const usual = plan.usualMemoryMb !== undefined ? allowed.find((i) => sizes[i] === plan.usualMemoryMb) : undefined;
  if (usual !== undefined) return usual;
  return allowed.find((i) => sizes[i] >= defaultMemoryMb) ?? allowed[allowed.length - 1];
}
