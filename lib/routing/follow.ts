import {
  type DynamicRequest,
  type DynamicResponse,
  type Inspection,
  type InvocationReport,
  type InvokeResult,
  type Invoker,
  initWasBilled,
} from '../contracts';
import { attemptBilledMs } from '../core/cost-model';
import { perCallMs, relativeObjective, searchesElsewhere } from '../core/pacing';
import { endsRejectedInstance } from '../core/reject-mode';
import { rejectCpusAt } from '../core/reject-schedule';
import type { RankedTarget } from '../core/router';
import type {
  Arch,
  CpuKey,
  DeployedZone,
  HostCheck,
  Placement,
  PlacementRequest,
  PoolContext,
  RegionFacts,
  Target,
} from '../core/types';
import { isObservedMix } from '../core/zone-mix';
import { billedCostUsd, carbonGrams } from './estimate';
import type { ExplorationLeases, ExplorationUnit } from './exploration-lease';
import type { LearningBuffer } from './learning';
import type { Work } from './request';
import type {
  AttemptRecord,
  AttemptStatus,
  FailedCall,
  PlacementSummary,
  Placer,
  RoutedCall,
  RunEstimate,
} from './types';

/**
 * A fleet: the hosts of one architecture in one zone, which every memory size of that architecture there shares
 * (a zone's x86_64 and arm64 instances run on different hosts, so one can be full while the other has room).
 */
export type FleetKey = string;

/** The fleet a target's instances run in. */
export function fleetOf(target: Pick<Target, 'azId' | 'arch'>): FleetKey {
  return `${target.azId} ${target.arch}`;
}

/** Which placements off a route's own function `Route.placementOff` weighs. */
export interface OffFunctionOptions {
  /** Longest a call there may be expected to take, ms (runtime and added latency). @default Infinity */
  readonly maxCallMs?: number;
  /** Whether the other functions of the route's own fleet (its other memory sizes) are weighed. @default true */
  readonly siblings?: boolean;
  /** The function the placement is off, with its fleet. @default the route's own target */
  readonly from?: Pick<Target, 'azId' | 'arch' | 'functionName'>;
  /** Attempts the call has left: the placement's budget. @default the request's */
  readonly maxAttempts?: number;
  /**
   * Whether only placements with no CPU the call could not finish on (`Placement.unfitCpus`) are weighed: a call
   * with few attempts left could meet only those. @default false
   */
  readonly fitting?: boolean;
  /** Smallest memory size weighed, MB. @default none */
  readonly minMemoryMb?: number;
  /**
   * Whether only targets whose every CPU's runtime was observed there are weighed (`PlacementEvidence.runtime`): where
   * the move is priced for a pool not yet met there, the model's most hopeful price, a runtime carried over from other
   * CPUs or sizes must not make it more hopeful still. @default false
   */
  readonly observedRuntimes?: boolean;
  /**
   * How many of the best-ranked targets are placed (for `maxAttempts`), the best of them on the objective taken: the
   * ranking prices the request's whole budget, and with fewer attempts a strict search loses more than a placement
   * that rejects nothing. @default 1
   */
  readonly candidates?: number;
}

/** What `Route.placementFor` prices a batch's call with: how its pool stands on the call's target. */
export interface PoolPlacement {
  /** Calls each instance the call settles on is expected to serve (the batch's work still to come per worker). */
  readonly uses: number;
  /** Calls the call's search serves, where workers share it (`PoolContext.searchUses`). @default uses */
  readonly searchUses?: number;
  /** CPUs of the hosts the batch met new instances on last on the target. @default none: the zone's mix */
  readonly draws?: Readonly<Record<string, number>>;
  /**
   * Attempts a call part-way through its budget has left on the target: it is placed as a request with that budget
   * (its schedule starts afresh). @default the request's
   */
  readonly attemptsLeft?: number;
  /** How often a rejected instance's replacement met its CPU again on the target. @default 0 */
  readonly retryRepeat?: number;
  /** Calls of the batch not yet started (`PlacementRequest.callsToCome`). @default the request's */
  readonly callsToCome?: number;
}

/** Targets a call still searching prices for the attempts it has left before it chooses where to go on. */
export const SEARCH_ELSEWHERE_CANDIDATES = 4;

/**
 * `placer`'s placement of `request` for weighing it against others, without exploring and counting no call
 * (`Placer.price`; `place` for a placer without it).
 */
export function priceOf(placer: Pick<Placer, 'place' | 'price'>, request: PlacementRequest): Placement {
  return placer.price ? placer.price(request) : placer.place(request);
}

/**
 * `placer`'s placement of `request` for a call that may follow it, exploring where a call would, counting no call
 * (`Placer.propose`; `place` for a placer without it): the call is counted when an attempt is sent (`followRoute`).
 */
export function proposalOf(placer: Pick<Placer, 'place' | 'propose'>, request: PlacementRequest): Placement {
  return placer.propose ? placer.propose(request) : placer.place(request);
}

/** `request` limited to `target`'s zone, architecture and memory size (and to `maxAttempts` when given). */
export function pinnedTo(
  request: PlacementRequest,
  target: Pick<Target, 'azId' | 'arch' | 'memoryMb'>,
  maxAttempts?: number,
): PlacementRequest {
  return {
    ...request,
    limits: {
      ...request.limits,
      zones: [target.azId],
      architectures: [target.arch],
      memorySizes: [target.memoryMb],
      ...(maxAttempts !== undefined ? { maxAttempts } : {}),
    },
  };
}

/**
 * The best on `request`'s objective of the first `candidates` (at least 1) targets of `ranked` (best-ranked first)
 * that `allowed` admits, each priced pinned to its target (`priceOf`, for `maxAttempts`, else the request's) and kept
 * where the placer placed it on that target and `accepts` takes it; undefined when none is kept.
 */
export function bestPinnedOf(
  placer: Pick<Placer, 'place' | 'price'>,
  request: PlacementRequest,
  ranked: readonly RankedTarget[],
  options: {
    readonly allowed: (ranked: RankedTarget) => boolean;
    readonly accepts?: (placed: Placement) => boolean;
    readonly candidates: number;
    readonly maxAttempts?: number;
  },
): Placement | undefined {
  const candidates = Math.max(1, options.candidates);
  let kept = 0;
  let best: Placement | undefined;
  for (const r of ranked) {
    if (kept >= candidates) break;
    if (!options.allowed(r)) continue;
    let candidate: Placement;
    try {
      candidate = priceOf(placer, pinnedTo(request, r.target, options.maxAttempts));
    } catch {
      // A target the pinned request cannot place (its fit check, say) is no candidate.
      continue;
    }
    if (candidate.target.functionName !== r.target.functionName) continue;
    if (options.accepts && !options.accepts(candidate)) continue;
    kept++;
    if (!best || relativeObjective(candidate, best, request.objective) < 1) best = candidate;
  }
  return best;
}

const ARCHITECTURES: readonly Arch[] = ['x86_64', 'arm64'];

/** What a route's calls found of the fleets. */
interface FleetState {
  /** Fleets whose function erred, timed out or is missing. */
  readonly failed: Set<FleetKey>;
  /** Calls of the route a fleet held at once when it throttled (the fewest seen). */
  readonly capacity: Map<FleetKey, number>;
  /** Calls of the route in a fleet now, from their first attempt there until they leave it. */
  readonly running: Map<FleetKey, number>;
}

interface Fleet {
  readonly key: FleetKey;
  readonly azId: string;
  readonly arch: Arch;
}

/**
 * The placement a request (or a whole batch) follows, and what it learned about the fleets (zone ×
 * architecture) on the way. A fleet whose function errs, times out or is missing is down: the route leaves it for
 * good. A fleet that throttles is full, not down: it held as many of the route's calls as were running there when
 * it throttled, so from then on it takes a call only while fewer than that run there, and the calls it cannot take
 * are placed on the next-best fleet with room (`placementOn`), of either architecture, in the same zone or
 * another. Every placement on another fleet is computed afresh for that fleet: its own mix, reject set and
 * expected cost.
 */
export class Route {
  /** What the route's calls found of the fleets; a route moved elsewhere (`movedTo`) shares it. */
  private fleetState: FleetState = { failed: new Set(), capacity: new Map(), running: new Map() };
  /** The fleets the request may run in, zone by zone in the deployed order. */
  private readonly fleets: readonly Fleet[];
  /** The best placement over a subset of the allowed fleets, by the fleets of the subset. */
  private readonly elsewhere = new Map<string, Placement | undefined>();
  /** Every allowed target ranked for `uses` calls per instance (`placementOff`), by `uses`: a batch keeps its view. */
  private readonly ranked = new Map<number, readonly RankedTarget[]>();
  /** Attempts that reach a function a call may make in all, failovers included: the request's `maxAttempts`. */
  readonly attemptBudget: number;
  private own: Placement;
  /** Whether the route's calls keep its placement's reject set (`keptOn`, `settledOn`): it is not chosen again. */
  private keepsRejects = false;

  constructor(
    private readonly placer: Placer,
    readonly request: PlacementRequest,
    placement: Placement,
    private readonly deployed: ReadonlyArray<Pick<DeployedZone, 'azId' | 'region' | 'architectures'>>,
  ) {
    this.own = placement;
    const limits = request.limits ?? {};
    this.attemptBudget = limits.maxAttempts ?? placement.maxAttempts;
    this.fleets = deployed
      .filter((z) => !limits.regions || limits.regions.includes(z.region))
      .filter((z) => !limits.zones || limits.zones.includes(z.azId))
      .flatMap((z) =>
        (z.architectures ?? ARCHITECTURES)
          .filter((arch) => !limits.architectures || limits.architectures.includes(arch))
          .map((arch) => ({ key: fleetOf({ azId: z.azId, arch }), azId: z.azId, arch })),
      );
  }

  /** The route's own placement: where the request is placed when its fleet is up and has room. */
  get placement(): Placement {
    return this.own;
  }

  /**
   * The route placed afresh (its own placement and those on other fleets), as `placementOn` gives it for a call: after
   * a placement's exploration was left to another router instance (`exploration-lease.ts`), which the placer now
   * places as taken. The route's own placement is kept when the request can no longer be placed.
   */
  reconsider(avoid: ReadonlySet<FleetKey> = new Set()): Placement | undefined {
    try {
      this.own = proposalOf(this.placer, this.request);
    } catch {
      // The placement the route has is still a valid one.
    }
    this.elsewhere.clear();
    return this.placementOn(avoid);
  }

  /**
   * The best placement off the route's own function (or off `from`) for a call whose instance is expected to serve
   * `uses` calls, priced for a pool the route has not met there (no draws, no repeat): where a paced batch's review
   * may move the workers still searching (`PacingReviewer`), and where a batch's call still searching may go on
   * (`searchElsewhere`). Another function is another pool: the twin assumes, from what is published of Lambda's
   * placement (`lib/twin/zone.ts`), that a function's cold starts prefer its own share of a fleet's hosts, so another
   * memory size of the same fleet may reach fast hosts that this function's share lacks. Weighed are the targets whose
   * mix was observed there (`isObservedMix`: a mix assumed from other zones prices a pool nobody met, in a fleet that
   * may not exist), in fleets that have not failed and have room, whose call is not expected to take longer than
   * `maxCallMs` (runtime and added latency); of the route's own fleet only when `siblings`; with `fitting`, only where
   * the call can finish on every CPU. The best-ranked `candidates` of them are placed for `maxAttempts`, and the best
   * on the objective is taken. Undefined when none is left, or when the placer cannot rank.
   */
  placementOff(uses: number, options: OffFunctionOptions = {}): Placement | undefined {
    const request = { ...this.request, pool: { ...this.request.pool, usesPerInstance: uses } };
    const ranked = this.rankedFor(uses, request);
    const own = options.from ?? this.own.target;
    const ownFleet = fleetOf(own);
    const maxCallMs = options.maxCallMs ?? Number.POSITIVE_INFINITY;
    return bestPinnedOf(this.placer, request, ranked, {
      allowed: (r) => {
        const fleet = fleetOf(r.target);
        return (
          r.target.functionName !== own.functionName &&
          (options.siblings !== false || fleet !== ownFleet) &&
          isObservedMix(r.evidence.mix) &&
          (options.observedRuntimes !== true || r.evidence.runtime === 'observed') &&
          r.target.memoryMb >= (options.minMemoryMb ?? 0) &&
          !this.fleetState.failed.has(fleet) &&
          this.hasRoom(fleet) &&
          perCallMs(r) <= maxCallMs
        );
      },
      accepts: (placed) => !options.fitting || (placed.unfitCpus ?? []).length === 0,
      candidates: options.candidates ?? 1,
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    });
  }

  /** The placer's ranking of every allowed target for `request` (`uses` calls per instance), ranked once per `uses`. */
  private rankedFor(uses: number, request: PlacementRequest): readonly RankedTarget[] {
    let ranked = this.ranked.get(uses);
    if (!ranked) {
      try {
        ranked = this.placer.rank?.(request, Number.MAX_SAFE_INTEGER) ?? [];
      } catch {
        ranked = [];
      }
      this.ranked.set(uses, ranked);
    }
    return ranked;
  }

  /**
   * A route of the same request that places its calls on `placement`, sharing what this route found of the fleets
   * (the fleets that failed, those that throttled and how many calls each holds): where a paced batch moves the
   * workers still searching, while the others keep their instances on this route.
   */
  movedTo(placement: Placement): Route {
    const moved = new Route(this.placer, this.request, placement, this.deployed);
    moved.fleetState = this.fleetState;
    return moved;
  }

  /**
   * This route moved to `placement`, on which its calls take any CPU they can finish on, with the request's budget
   * for failovers: where a batch's bill says searching no longer pays (`runBatch`).
   */
  settledOn(placement: Placement): Route {
    return this.keptOn({ ...placement, rejectCpus: [], relaxations: undefined });
  }

  /**
   * This route moved to `placement`, whose reject set and relaxations its calls keep, not chosen again for the pool:
   * where a wide batch starts the workers its own placement's accepted hosts cannot hold (`spreadOf`).
   */
  keptOn(placement: Placement): Route {
    const kept = this.movedTo(placement);
    kept.keepsRejects = true;
    return kept;
  }

  /** Fleets found failing, in the order found. */
  get failedFleets(): readonly FleetKey[] {
    return [...this.fleetState.failed];
  }

  /**
   * The placement for a call that may not use the fleets in `avoid` (those that throttled it): the route's own
   * when its fleet is up, not avoided and has room, else the best over the fleets that are. When every fleet left
   * is full, the best of those regardless (the call may find a slot freed meanwhile, or be throttled and move on).
   * @returns undefined when no allowed fleet is left.
   */
  placementOn(avoid: ReadonlySet<FleetKey> = new Set()): Placement | undefined {
    const usable = this.fleets.filter((f) => !this.fleetState.failed.has(f.key) && !avoid.has(f.key));
    if (usable.length === 0) return undefined;
    const withRoom = usable.filter((f) => this.hasRoom(f.key));
    return (withRoom.length > 0 ? this.bestOn(withRoom) : undefined) ?? this.bestOn(usable);
  }

  /**
   * The placement of a call on `base`'s target in a batch's pool (`PoolPlacement`): the same target, with the reject
   * set and expectation the pool model gives for it, so the reject set follows the pool as the batch runs down.
   * `base` when that cannot be computed.
   */
  placementFor(
    base: Placement,
    { uses, searchUses, draws, attemptsLeft, retryRepeat, callsToCome }: PoolPlacement,
  ): Placement {
    const { functionName } = base.target;
    // A repeat rate of 0 is the model's own default: leaving it out keeps such placements cacheable.
    const pool = {
      ...(draws ? { draws } : {}),
      ...(retryRepeat !== undefined && retryRepeat > 0 ? { retryRepeat } : {}),
    };
    // Only `optimal` chooses its reject set by cost. The paper's strategies reject by a fixed rule: for them only the
    // expectation follows the pool (the draws, the repeats), with the batch's own sharing of an instance. One that
    // rejects nothing runs its later calls on the instances its first calls met, whatever new instances are drawn now.
    if (this.keepsRejects) return base;
    if (base.strategy !== 'optimal') {
      return Object.keys(pool).length > 0 && base.rejectCpus.length > 0 ? this.pricedByPool(base, pool) : base;
    }
    // In a fleet the route fills, the only free slot is the one a rejected instance leaves, so its replacement would
    // meet the same host: rejecting buys an INIT and no other CPU. There the call takes what it meets (one attempt).
    const full = this.isFull(fleetOf(base.target));
    try {
      const next = proposalOf(
        this.placer,
        pinnedTo(
          {
            ...this.request,
            pool: {
              ...this.request.pool,
              usesPerInstance: uses,
              ...(searchUses !== undefined && searchUses > uses ? { searchUses } : {}),
              ...pool,
            },
            ...(callsToCome !== undefined ? { callsToCome } : {}),
          },
          base.target,
          full ? 1 : attemptsLeft !== undefined ? Math.max(1, attemptsLeft) : undefined,
        ),
      );
      return next.target.functionName === functionName ? next : base;
    } catch {
      return base;
    }
  }

  /**
   * Where a batch's call still searching on `base`'s target goes on, with `attemptsLeft` attempts left and `here` its
   * retry there (`placementFor`: priced for those attempts, on the batch's draws and repeat): the best placement off
   * the target (`placementOff`: another fleet, zone or architecture, at no less memory than the call has, so that the
   * call does not run longer than the batch's pacing was chosen for; where the call can finish on every CPU within its
   * timeout, a runtime carried over from other CPUs or sizes held to its estimate's spread by the core's fit check; of
   * the `SEARCH_ELSEWHERE_CANDIDATES` best-ranked, placed for the same attempts) when the rest of the call is expected
   * to do better there (`searchesElsewhere` in the core), else undefined. Not another memory size of the same fleet: a
   * sibling differs only by the hosts its cold starts prefer, which a call's draws cannot tell, and its price is the
   * model's most hopeful (generated seed 20: searches that went on at a larger size there, meeting the Graviton2 they
   * rejected, took long-cpu-1 from 81% of the oracle's gap to 73%). A burst that fills its function's slots on the CPUs
   * it accepts draws those less and less, and fewer attempts left make a strict search likelier to end on a CPU it
   * rejects, while a fleet that runs the call well on any of its CPUs has nothing to search: the ranking, which prices
   * the request's whole budget, puts such a fleet below a strict search elsewhere that the attempts left no longer pay
   * for. Only `optimal` placements, which choose by price, are weighed.
   */
  searchElsewhere(base: Placement, here: Placement, uses: number, attemptsLeft: number): Placement | undefined {
    if (base.strategy !== 'optimal' || here.rejectCpus.length === 0) return undefined;
    const off = this.placementOff(uses, {
      from: base.target,
      minMemoryMb: base.target.memoryMb,
      siblings: false,
      maxAttempts: Math.max(1, attemptsLeft),
      fitting: true,
      candidates: SEARCH_ELSEWHERE_CANDIDATES,
    });
    return off && searchesElsewhere(here, off, this.request.objective) ? off : undefined;
  }

  /**
   * Where a call whose attempts on `base`'s target met only CPUs it cannot finish on goes for the `attemptsLeft` it
   * has left: the best placement off the target (another fleet, or another memory size of its own) on which it can
   * finish on every CPU, within the request's limits, for those attempts, whatever the strategy; undefined when there
   * is none. So a request is not lost to a fleet whose CPUs that can run it are full or out of its function's reach.
   */
  fittingOff(base: Placement, uses: number, attemptsLeft: number): Placement | undefined {
    return this.placementOff(uses, {
      from: base.target,
      maxAttempts: Math.max(1, attemptsLeft),
      fitting: true,
      candidates: SEARCH_ELSEWHERE_CANDIDATES,
    });
  }

  /**
   * `base` with its expectation from the zone's mix blended with the batch's draws, and with the repeat rate the
   * batch met; its rule and target unchanged.
   */
  private pricedByPool(base: Placement, pool: Pick<PoolContext, 'draws' | 'retryRepeat'>): Placement {
    const { functionName } = base.target;
    try {
      const next = priceOf(
        this.placer,
        pinnedTo({ ...this.request, pool: { ...this.request.pool, ...pool } }, base.target),
      );
      return next.target.functionName === functionName ? { ...base, expected: next.expected } : base;
    } catch {
      return base;
    }
  }

  /** A call of the route begins in a fleet (its first attempt there). */
  enter(fleet: FleetKey): void {
    this.fleetState.running.set(fleet, (this.fleetState.running.get(fleet) ?? 0) + 1);
  }

  /** A call of the route leaves a fleet (answered there, or moving on). */
  leave(fleet: FleetKey): void {
    this.fleetState.running.set(fleet, Math.max(0, (this.fleetState.running.get(fleet) ?? 0) - 1));
  }

  /**
   * A call in `fleet` was throttled: the fleet is full with the route's other calls running there, so it takes no
   * more than that many at once from now on. Call before the throttled call `leave`s the fleet.
   */
  throttled(fleet: FleetKey): void {
    const others = Math.max(0, (this.fleetState.running.get(fleet) ?? 1) - 1);
    this.fleetState.capacity.set(fleet, Math.min(this.fleetState.capacity.get(fleet) ?? others, others));
  }

  /**
   * Marks a fleet down for the rest of the route (its function erred, timed out or is missing). Only that
   * architecture of the zone: the other runs other functions on other hosts.
   */
  failFleet(fleet: FleetKey): void {
    this.fleetState.failed.add(fleet);
  }

  /** Whether the route's calls fill a fleet: as many run there as it held when it throttled. */
  isFull(fleet: FleetKey): boolean {
    const capacity = this.fleetState.capacity.get(fleet);
    return capacity !== undefined && (this.fleetState.running.get(fleet) ?? 0) >= capacity;
  }

  private hasRoom(fleet: FleetKey): boolean {
    return !this.isFull(fleet);
  }

  /** The best placement over `fleets` (the route's own when its fleet is among them). */
  private bestOn(fleets: readonly Fleet[]): Placement | undefined {
    const keys = new Set(fleets.map((f) => f.key));
    if (keys.has(fleetOf(this.placement.target))) return this.placement;
    const key = [...keys].join(',');
    if (!this.elsewhere.has(key)) this.elsewhere.set(key, this.placeOn(fleets, keys));
    return this.elsewhere.get(key);
  }

  /**
   * The best placement within `fleets`. The placer's limits take zones and architectures separately, so a set that
   * leaves out one architecture of a zone but not of another (an arm64 fleet full, its zone's x86_64 fleet not) is
   * placed over the zones and architectures it spans, then, if that lands outside the set, on the fleet the
   * placer ranks best within it.
   */
  private placeOn(fleets: readonly Fleet[], keys: ReadonlySet<FleetKey>): Placement | undefined {
    const within = (zones: readonly string[], architectures: readonly Arch[]): PlacementRequest => ({
      ...this.request,
      limits: { ...this.request.limits, zones, architectures },
    });
    const spanned = within([...new Set(fleets.map((f) => f.azId))], [...new Set(fleets.map((f) => f.arch))]);
    const inSet = (p: Placement | undefined): Placement | undefined =>
      p !== undefined && keys.has(fleetOf(p.target)) ? p : undefined;
    const tryPlace = (request: PlacementRequest): Placement | undefined => {
      try {
        return inSet(proposalOf(this.placer, request));
      } catch {
        return undefined;
      }
    };
    const direct = tryPlace(spanned);
    if (direct || fleets.length === 1) return direct;
    if (this.placer.rank) {
      let ranked: readonly RankedTarget[];
      try {
        ranked = this.placer.rank(spanned, Number.MAX_SAFE_INTEGER);
      } catch {
        ranked = [];
      }
      const best = ranked.find((r) => keys.has(fleetOf(r.target)));
      return best ? tryPlace(within([best.target.azId], [best.target.arch])) : undefined;
    }
    // A placer that cannot rank: the cheapest of the best placements per fleet.
    let cheapest: Placement | undefined;
    for (const fleet of fleets) {
      const next = tryPlace(within([fleet.azId], [fleet.arch]));
      if (next && (!cheapest || next.expected.costUsd < cheapest.expected.costUsd)) cheapest = next;
    }
    return cheapest;
  }
}

export interface FollowContext {
  readonly invoker: Invoker;
  readonly learning: LearningBuffer;
  readonly placer: Placer;
  readonly regionFacts: (region: string) => RegionFacts;
  readonly invokeTimeoutMs: number;
  /** The dynamic functions' configured timeout, ms: after it the platform has stopped the function. */
  readonly functionTimeoutMs: number;
  /** ms left before the router must answer; Infinity outside Lambda. */
  readonly remainingMs: () => number;
  /**
   * Exploration shared with the router's other instances: a placement that explores is followed only once it holds
   * the unit's lease (`exploration-lease.ts`). @default - each router explores on its own
   */
  readonly exploration?: ExplorationLeases;
  /**
   * Whether a new instance's host is one its function met earlier today in the view the call started with, and the
   * chance it would be (`hostReturnCheck`): how the router measures a function's affinity. @default - not measured
   */
  readonly hostReturn?: (functionName: string, cpu: CpuKey, bootTime: number) => HostCheck | undefined;
  /** The clock the invoked functions run on, ms (`RoutingServiceOptions.timer`). @default - a batch does not probe */
  readonly now?: () => number;
  /** Waits `ms` on that clock. @default - a batch does not probe */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Most leases one placement of a call tries to take: each lost race places the call again without that unit. */
const MAX_LEASE_CLAIMS = 4;

/** How a batch follows the pool from inside a call (all optional: a lone call uses the route's placements as they are). */
export interface PoolHooks {
  /**
   * Calls each instance the call settles on is expected to serve (the pool model's `usesPerInstance`): every
   * placement of the call, on whichever fleet, is refined for it (`Route.placementFor`). @default - not refined
   */
  readonly uses?: number;
  /** Calls the call's search serves, where workers share it (`PoolContext.searchUses`). @default uses */
  readonly searchUses?: number;
  /**
   * The batch's calls not yet started: what a placement of this call may teach by exploring serves them too
   * (`PlacementRequest.callsToCome`). @default 0
   */
  readonly callsToCome?: number;
  /** CPUs of the hosts the batch met new instances on last, on a function: what its next new instance is likely to be. */
  readonly draws?: (functionName: string) => Readonly<Record<string, number>> | undefined;
  /** How often a rejected instance's replacement meets the rejected CPU again on a function (`PoolContext.retryRepeat`). */
  readonly retryRepeat?: (functionName: string) => number | undefined;
  /** Told of every attempt that reached a dynamic function (its CPU, instance, whether new), and of its target. */
  readonly onAttempt?: (attempt: AttemptRecord, target: Target) => void;
  /**
   * Whether a call still searching may go on off its function (`Route.searchElsewhere`). Not for a batch whose pacing
   * a review weighs: the review moves its searching workers (`PacingReviewer`), and a call moving on its own would
   * undo that, back to the function the review left (priced there for a pool not met). @default false
   */
  readonly searchesElsewhere?: boolean;
  /**
   * Whether the call keeps to its target's function even where every attempt met a CPU it cannot finish on: a
   * profiling call measures one cell (zone, memory size, architecture), which another function would not.
   * @default false: its last attempt goes where every CPU finishes it (`Route.fittingOff`)
   */
  readonly keepsToFunction?: boolean;
}

/**
 * Runs one piece of work by following a route: a `rejected` answer is retried on the same target
 * (the rejected instance ends, or is held, or is kept for the last attempt, as the placement's reject
 * mode says: `endsRejectedInstance`), or, where the batch allows it (`PoolHooks.searchesElsewhere`), once
 * off its function where the rest of the search is expected to cost less (`Route.searchElsewhere`); a
 * throttle, a zone error, a timeout or a missing function fails over to the next-best fleet, of either architecture, in the same zone or another (a throttle leaves the
 * fleet to this call only and tells the route how many calls the fleet holds; the others leave it to the
 * whole route), placed afresh there with that fleet's own mix; a user-code error is the user's answer and
 * is not retried. The last attempt of the budget rejects only the CPUs the call is not expected to finish on at all
 * (`Placement.overBudgetCpus`, usually none), so a request that has met only rejected CPUs still runs rather than
 * failing; where every attempt of its leg met a CPU it is not held to finish on in time (`Placement.unfitCpus`), or
 * where the last attempt would refuse some CPU, that last attempt goes off its function, to the best placement on
 * which every CPU can finish it (`Route.fittingOff`), when there is one (`PoolHooks.keepsToFunction`).
 * The answer's placement is the one the call followed in the fleet it ended in, as it stood at its first attempt
 * there: what the call was expected to cost.
 */
export async function followRoute(
  context: FollowContext,
  work: Work,
  profile: string,
  route: Route,
  pool: PoolHooks = {},
): Promise<RoutedCall> {
  const attempts: AttemptRecord[] = [];
  /** The target of each attempt, for its price. */
  const targets: Target[] = [];
  /** Fleets that throttled this call: full for it, though the route may still send others there. */
  const avoid = new Set<FleetKey>();
  const refined = (base: Placement, attemptsLeft?: number): Placement =>
    pool.uses === undefined
      ? base
      : route.placementFor(base, {
          uses: pool.uses,
          ...(pool.searchUses !== undefined ? { searchUses: pool.searchUses } : {}),
          draws: pool.draws?.(base.target.functionName),
          attemptsLeft,
          retryRepeat: pool.retryRepeat?.(base.target.functionName),
          callsToCome: pool.callsToCome,
        });
  /** Units this call holds the exploration lease of. */
  const leased: ExplorationUnit[] = [];
  /**
   * The exploring placement this call is counted as following (`Placer.follow`: a call in flight exploring its CPU,
   * which keeps concurrent calls from exploring it too), its own copy so that each call counts once. A call's
   * placements are proposed (`proposalOf`) and weighed ones priced (`priceOf`), neither counted: only the placement
   * an attempt is sent with counts, and only while the call follows it. An answer settles it (the placer's
   * `observe`); a call that moves on, or ends without one, withdraws it.
   */
  let counted: Placement | undefined;
  const uncount = (): void => {
    if (counted) context.placer.withdrawExploration?.(profile, counted);
    counted = undefined;
  };
  /** Counts the call as following `p` (`leasedPlacement` uncounts what it followed before). */
  const count = (p: Placement): void => {
    if (p.explores === undefined || !context.placer.follow) return;
    counted = { ...p };
    context.placer.follow(profile, counted);
  };
  /**
   * `b` refined for the pool, once the unit it explores (if any) is leased to this call: a unit another router
   * instance explores is placed again, now as taken (on the route's placement afresh for a lone call). The call is
   * counted as following what it returns; what it followed before no longer counts, so that a retry of an exploring
   * call may explore again rather than be held back by its own count.
   */
  const leasedPlacement = async (
    b: Placement,
    attemptsLeft?: number,
  ): Promise<{ base: Placement; placement: Placement }> => {
    uncount();
    let p = refined(b, attemptsLeft);
    const leases = context.exploration;
    const leftToOthers: string[] = [];
    for (let tries = 0; leases && p.explores !== undefined && tries < MAX_LEASE_CLAIMS; tries++) {
      const unit: ExplorationUnit = { workload: profile, functionName: p.target.functionName, cpu: p.explores };
      const callMs = Math.min(context.remainingMs(), Math.max(1, route.attemptBudget) * context.invokeTimeoutMs);
      const outcome = await leases.claim(unit, callMs);
      if (outcome === 'leased') leased.push(unit);
      if (outcome !== 'held-elsewhere') break;
      if (pool.uses === undefined) {
        const again = route.reconsider(avoid);
        if (!again) break;
        b = again;
        p = again;
      } else {
        p = refined(b, attemptsLeft);
      }
      leftToOthers.push(
        `exploring ${unit.cpu} on ${unit.functionName} is left to another router instance, which holds its lease`,
      );
    }
    count(p);
    if (leftToOthers.length > 0) p = { ...p, notes: [...p.notes, ...leftToOthers] };
    return { base: b, placement: p };
  };
  const first = route.placementOn(avoid);
  if (!first) {
    const message = `no allowed fleet (zone and architecture) is left to place on (failed: ${route.failedFleets.join(', ')})`;
    return failure(context, profile, route.placement, attempts, targets, 'NoCapacity', 503, message);
  }
  /** The route's placement on the fleet the call is in now; `placement` is it refined for the pool. */
  let { base, placement } = await leasedPlacement(first);
  let inFleet: FleetKey | undefined = fleetOf(base.target);
  route.enter(inFleet);
  /** The placement at the call's first attempt in the fleet it is in now (its expectation is the call's). */
  let legStart = placement;
  try {
    return await followLegs();
  } finally {
    // An answer settled the count (the placer's `observe`); without one, the call no longer explores anything.
    if (attempts.at(-1)?.status === 'ok') counted = undefined;
    uncount();
    if (inFleet !== undefined) route.leave(inFleet);
    await Promise.all(
      leased.map((unit) =>
        context.exploration?.end(
          unit,
          attempts.some((a) => a.status === 'ok' && a.cpu === unit.cpu && a.functionName === unit.functionName),
        ),
      ),
    );
  }

  async function followLegs(): Promise<RoutedCall> {
    // Rejects are retried within the placement's own budget; failovers within the request's.
    const budget = Math.max(route.attemptBudget, 1);
    /**
     * Attempts that reached a function, which the budget counts. One the function never started (a throttle, a missing
     * function) ran nothing and bills nothing: it leaves its fleet for the rest of the call, so there are at most as
     * many as fleets. Counted, a search's rejects followed by a throttle or two failed calls while fleets had room
     * (generated seed 289 at seed 1289: a call rejected 8 Graviton2s, its last two attempts were throttled in two
     * full fleets, and it failed with NoCapacity).
     */
    let ran = 0;
    let onPlacement = 0;
    /** Attempts `placement` has left on this leg: its own budget, less the attempts already made under it. */
    let left = placement.maxAttempts;
    /** Whether the call's search went on off the function it started on (once a call, for a pool it meets anew). */
    let searchMoved = false;
    /** Whether the call's last attempts went where it can finish on every CPU (once a call). */
    let fitMoved = false;
    /** Starts a leg on `next` (another fleet or function), with at most `attemptsLeft` attempts. */
    const enterLeg = async (next: Placement, attemptsLeft: number): Promise<void> => {
      ({ base, placement } = await leasedPlacement(next));
      inFleet = fleetOf(base.target);
      route.enter(inFleet);
      legStart = placement;
      onPlacement = 0;
      left = Math.min(attemptsLeft, placement.maxAttempts);
    };
    while (ran < budget) {
      const remaining = context.remainingMs();
      const timeoutMs = Math.min(context.invokeTimeoutMs, remaining);
      if (timeoutMs <= 0) {
        return failure(
          context,
          profile,
          legStart,
          attempts,
          targets,
          'DeadlineExceeded',
          504,
          'the router ran out of time',
        );
      }
      if (onPlacement > 0 && pool.uses !== undefined) {
        // A retry on the same target: its reject set follows the pool as it stands now, for the attempts left.
        placement = (await leasedPlacement(base, left)).placement;
        left = Math.min(left, placement.maxAttempts);
        const elsewhere =
          pool.searchesElsewhere && !searchMoved ? route.searchElsewhere(base, placement, pool.uses, left) : undefined;
        if (elsewhere) {
          // The rest of this call's search is expected to cost less off its function than here.
          searchMoved = true;
          route.leave(fleetOf(base.target));
          await enterLeg(elsewhere, left);
        }
      }
      if (
        !fitMoved &&
        onPlacement > 0 &&
        (left <= 1 || ran >= budget - 1) &&
        !pool.keepsToFunction &&
        (metOnlyUnfit(attempts.slice(-onPlacement), placement) || (placement.overBudgetCpus ?? []).length > 0)
      ) {
        // Either every attempt here met a CPU the call cannot finish on, which independent draws all but never do (the
        // fit check holds a whole budget of them under once in a million): the CPUs it can finish on are full or out
        // of this function's reach, and its last attempt here would refuse the same. Or its last attempt here would
        // refuse a CPU of the fleet, and so fail if it met one: the fit check bounds a call that meets only unfit CPUs,
        // not one whose search the reject set ran down to a last attempt that meets one (generated seed 274's
        // long-io-1 in its fixed zone alone, run 274 calls at a time at 1,024 MB, where the 2.9 GHz Xeon is over
        // budget, lost 17 to 34 calls a day so in a trial that did not pace it after its first day). It goes where
        // every CPU finishes it.
        const fitting = route.fittingOff(base, pool.uses ?? 1, budget - ran);
        if (fitting) {
          fitMoved = true;
          route.leave(fleetOf(base.target));
          await enterLeg(fitting, budget - ran);
        }
      }
      const target = placement.target;
      const last = left <= 1 || ran >= budget - 1;
      const nextIsLast = left - 1 <= 1 || ran + 1 >= budget - 1;
      const endInstance = endsRejectedInstance(placement.rejectMode, nextIsLast, placement.keepBeforeLastAttempt);
      const rejectCpus = withUnfit(rejectCpusAt(placement, placement.maxAttempts - left + 1), placement.unfitCpus);
      const payload = payloadFor(work, placement, rejectCpus, last, endInstance);
      onPlacement++;
      left--;
      const result = await context.invoker.invoke(target.functionName, payload, { timeoutMs, logTail: true });
      targets.push(target);
      if (!result.ok) {
        const status = failedStatus(result);
        // A throttled call never ran; a timed-out one ran (and was billed) at least this long; one that ran and failed
        // was billed what its REPORT record says.
        const billedMs = result.report
          ? reportedBilledMs(context, target, result.report)
          : status === 'timeout'
            ? Math.ceil(result.durationMs)
            : undefined;
        if (result.report) observeInitOf(context, result.report);
        attempts.push({
          functionName: target.functionName,
          azId: target.azId,
          status,
          roundTripMs: result.durationMs,
          errorType: result.errorType,
          errorMessage: result.message,
          ...(billedMs !== undefined ? { billedMs } : {}),
          costUsd: billedMs !== undefined ? costOf(context, target, billedMs) : 0,
        });
        // Fail over only when the work cannot be running anywhere: the function never started, or its own
        // configured timeout has passed (Lambda stopped it). Anything else could run the work twice.
        if (status === 'timeout' && timeoutMs < context.functionTimeoutMs) {
          const message =
            `${target.functionName} did not answer within ${Math.round(timeoutMs)} ms and may still be running ` +
            `(its timeout is ${context.functionTimeoutMs} ms), so the work is not sent to another zone`;
          return failure(context, profile, legStart, attempts, targets, 'DeadlineExceeded', 504, message);
        }
        if (status === 'zone-error' && !neverStarted(result)) {
          const message = `${target.functionName} failed with ${result.errorType}: ${result.message}`;
          return failure(context, profile, legStart, attempts, targets, 'FunctionError', 502, message);
        }
        // The function never started here, or ran out its own timeout (billed, so counted).
        if (status === 'timeout') ran++;
        const fleet = fleetOf(target);
        if (status === 'throttled') {
          route.throttled(fleet);
          avoid.add(fleet);
        } else {
          route.failFleet(fleet);
        }
        route.leave(fleet);
        inFleet = undefined;
        const next = route.placementOn(avoid);
        if (!next) {
          const full = [...avoid].filter((f) => !route.failedFleets.includes(f));
          const message =
            `no allowed fleet (zone and architecture) is left to fail over to (failed: ${route.failedFleets.join(', ')}` +
            `${full.length > 0 ? `; throttled this call: ${full.join(', ')}` : ''}); last: ${result.errorType}: ${result.message}`;
          return failure(context, profile, legStart, attempts, targets, 'NoCapacity', 503, message);
        }
        await enterLeg(next, Number.POSITIVE_INFINITY);
        continue;
      }
      ran++;
      const response = asDynamicResponse(result.payload);
      if (!response) {
        const billedMs = result.report ? reportedBilledMs(context, target, result.report) : undefined;
        if (result.report) observeInitOf(context, result.report);
        attempts.push({
          functionName: target.functionName,
          azId: target.azId,
          status: 'zone-error',
          roundTripMs: result.durationMs,
          errorType: 'FunctionError',
          ...(billedMs !== undefined ? { billedMs } : {}),
          costUsd: billedMs !== undefined ? costOf(context, target, billedMs) : 0,
        });
        const message = `${target.functionName} answered with something that is not a dynamic function response`;
        return failure(context, profile, legStart, attempts, targets, 'FunctionError', 502, message);
      }
      const inspection = response.inspection;
      const status: AttemptStatus =
        response.status === 'ok'
          ? 'ok'
          : response.status === 'rejected'
            ? 'rejected'
            : response.error.type === 'BadRequest' || response.error.type === 'UnknownWorkload'
              ? 'bad-request'
              : response.error.type === 'InternalError'
                ? 'zone-error'
                : 'user-error';
      attempts.push(attemptOf(context, target, status, inspection, result, response));
      pool.onAttempt?.(attempts[attempts.length - 1], target);
      learn(context, profile, target, response, inspection, result.report);
      if (response.status === 'ok') {
        return {
          status: 'ok',
          result: response.result,
          profile,
          placement: summarize(legStart),
          attempts,
          estimate: estimateOf(context, attempts, targets, inspection.timings.userMs),
        };
      }
      if (response.status === 'error') {
        const { type, message, field, stack } = response.error;
        return {
          status: 'error',
          error: { type, message, ...(field ? { field } : {}), ...(stack ? { stack } : {}) },
          // A fault of the dynamic function's own handler is the function's, not the user's; like a crash, it is not
          // retried, as the work may have run.
          httpStatus: status === 'bad-request' ? 400 : status === 'zone-error' ? 502 : 422,
          profile,
          placement: summarize(legStart),
          attempts,
          estimate: estimateOf(context, attempts, targets),
        };
      }
    }
    const lastAttempt = attempts[attempts.length - 1];
    const unfit = placement.overBudgetCpus ?? [];
    const message =
      lastAttempt?.status === 'rejected' && lastAttempt.cpu !== undefined && unfit.includes(lastAttempt.cpu)
        ? `every one of ${attempts.length} attempts met a CPU on which ${profile} is not expected to finish within ` +
          `the time budget (${unfit.join(', ')}), so it ran nowhere: allow more memory, a longer timeout or more attempts`
        : `every one of ${attempts.length} attempts was rejected or failed`;
    return failure(context, profile, legStart, attempts, targets, 'NoCapacity', 503, message);
  }
}

/** Whether the dynamic function refused the call's work itself (`BadRequest`, `UnknownWorkload`): every call would be. */
export function isRefusedWork(call: RoutedCall): call is FailedCall {
  return call.status === 'error' && call.attempts.at(-1)?.status === 'bad-request';
}

/** Whether each of `attempts` was refused on a CPU `placement` cannot finish the call on. */
function metOnlyUnfit(attempts: readonly AttemptRecord[], placement: Placement): boolean {
  const unfit = placement.unfitCpus ?? [];
  return (
    unfit.length > 0 &&
    attempts.length > 0 &&
    attempts.every((a) => a.status === 'rejected' && a.cpu !== undefined && unfit.includes(a.cpu))
  );
}

/** An attempt's reject set with the placement's unfit CPUs, which every attempt rejects (`Placement.unfitCpus`). */
export function withUnfit(rejectCpus: readonly string[], unfitCpus: readonly string[] | undefined): readonly string[] {
  if (!unfitCpus || unfitCpus.length === 0) return rejectCpus;
  return [...new Set([...rejectCpus, ...unfitCpus])].sort();
}

/**
 * The request an attempt sends: with its reject set, except on the last attempt, which rejects only the CPUs the
 * call is not expected to finish on at all (`Placement.overBudgetCpus`) and otherwise takes whatever it meets.
 */
function payloadFor(
  work: Work,
  placement: Placement,
  rejectCpus: readonly string[],
  last: boolean,
  endInstance: boolean,
): DynamicRequest {
  if (last) rejectCpus = placement.overBudgetCpus ?? [];
  if (rejectCpus.length === 0) return work;
  return {
    ...work,
    reject: { cpus: rejectCpus, holdMs: placement.holdMs, ...(endInstance ? { endInstance: true } : {}) },
  };
}

/**
 * Failures that prove the function never started, so another zone may run the work: throttles, a
 * missing or not-ready function, networking Lambda could not set up, credentials refused by another
 * provider's endpoint, an endpoint that could not be reached or answered 503. A connection that broke
 * after the request was sent proves nothing, and is not among them.
 */
const NEVER_STARTED = new Set([
  'TooManyRequestsException',
  'ResourceNotFoundException',
  'ResourceNotReadyException',
  'ResourceConflictException',
  'EC2ThrottledException',
  'ENILimitReachedException',
  'SubnetIPAddressLimitReachedException',
  'AuthenticationFailed',
  'SecretUnavailable',
  'EndpointUnreachable',
  'InputTooLarge',
]);

function neverStarted(result: Extract<InvokeResult, { ok: false }>): boolean {
  return (
    NEVER_STARTED.has(result.errorType) ||
    /ECONNREFUSED/.test(`${result.errorType} ${result.message}`) ||
    (result.errorType === 'ServiceException' && /\bHTTP 503\b/.test(result.message))
  );
}

function failedStatus(result: Extract<InvokeResult, { ok: false }>): AttemptStatus {
  if (result.errorType === 'TooManyRequestsException') return 'throttled';
  if (result.errorType === 'Timeout' || result.errorType === 'TimeoutError') return 'timeout';
  return 'zone-error';
}

function asDynamicResponse(payload: unknown): DynamicResponse | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const candidate = payload as Partial<DynamicResponse>;
  if (candidate.status !== 'ok' && candidate.status !== 'rejected' && candidate.status !== 'error') return undefined;
  const inspection = candidate.inspection as Partial<Inspection> | undefined;
  if (!inspection || typeof inspection.cpuKey !== 'string' || typeof inspection.timings !== 'object') return undefined;
  if (candidate.status === 'error' && typeof (candidate as { error?: unknown }).error !== 'object') return undefined;
  return candidate as DynamicResponse;
}

/**
 * The record of an attempt that reached a dynamic function. Its billed time is what Lambda billed where the invoke
 * returned the REPORT record (INIT included since 2025-08-01), else the handler's own total (no INIT: a handler cannot
 * time the phase before it), and at least the provider's minimum billed time per call.
 */
function attemptOf(
  context: FollowContext,
  target: Target,
  status: AttemptStatus,
  inspection: Inspection,
  result: Extract<InvokeResult, { ok: true }>,
  response: DynamicResponse,
): AttemptRecord {
  const billedMs = attemptBilledMs(
    result.report?.billedMs ?? inspection.timings.totalMs,
    context.regionFacts(target.region).minBilledMs,
  );
  return {
    functionName: target.functionName,
    azId: target.azId,
    status,
    cpu: inspection.cpuKey,
    instanceId: inspection.instanceId,
    newInstance: inspection.newInstance,
    ...(Number.isFinite(inspection.bootTime) ? { bootTime: inspection.bootTime } : {}),
    billedMs,
    ...(result.report?.initMs !== undefined ? { initMs: result.report.initMs } : {}),
    roundTripMs: result.durationMs,
    costUsd: costOf(context, target, billedMs),
    ...(response.status === 'error' ? { errorType: response.error.type } : {}),
  };
}

function learn(
  context: FollowContext,
  profile: string,
  target: Target,
  response: DynamicResponse,
  inspection: Inspection,
  report: InvocationReport | undefined,
): void {
  const newInstance = inspection.newInstance === true;
  if (report) observeInitOf(context, report);
  if (newInstance) {
    const boot = inspection.bootTime;
    const check =
      boot !== undefined && Number.isFinite(boot)
        ? context.hostReturn?.(target.functionName, inspection.cpuKey, boot)
        : undefined;
    context.learning.observeInstance(target.azId, inspection.cpuKey, {
      functionName: target.functionName,
      arch: target.arch,
      bootTime: boot,
      ...(check ? { check } : {}),
    });
  }
  if (response.status === 'ok') {
    const runtimeMs = inspection.timings.userMs;
    context.learning.observeRuntime(
      profile,
      { cpu: inspection.cpuKey, arch: target.arch, memoryMb: target.memoryMb },
      runtimeMs,
    );
    context.placer.observe?.({
      workload: profile,
      target,
      cpu: inspection.cpuKey,
      runtimeMs,
      rejected: false,
      newInstance,
    });
  } else {
    // A rejected or failed call met an instance too: its CPU counts toward the zone's mix.
    context.placer.observe?.({ workload: profile, target, cpu: inspection.cpuKey, rejected: true, newInstance });
  }
}

/** What a REPORT record says the attempt was billed, at least the platform's shortest billed duration. */
function reportedBilledMs(
  context: Pick<FollowContext, 'regionFacts'>,
  target: Target,
  report: InvocationReport,
): number {
  return attemptBilledMs(report.billedMs, context.regionFacts(target.region).minBilledMs);
}

/** Learns the INIT a REPORT record gives (a new instance's, whatever its call then did). */
function observeInitOf(context: Pick<FollowContext, 'learning'>, report: InvocationReport): void {
  if (report.initMs !== undefined) context.learning.observeInit(report.initMs, initWasBilled(report));
}

function costOf(context: Pick<FollowContext, 'regionFacts'>, target: Target, billedMs: number): number {
  return billedCostUsd(billedMs, target.memoryMb, target.arch, context.regionFacts(target.region));
}

/** Cost and carbon of the attempts made, each at its own target's price (`targets[i]` is attempt i's). */
export function estimateOf(
  context: Pick<FollowContext, 'regionFacts'>,
  attempts: readonly AttemptRecord[],
  targets: readonly Target[],
  runtimeMs?: number,
): RunEstimate {
  let costUsd = 0;
  let billedMs = 0;
  let carbonG = 0;
  attempts.forEach((attempt, i) => {
    costUsd += attempt.costUsd;
    if (attempt.billedMs === undefined) return;
    const target = targets[i];
    carbonG += carbonGrams(attempt.billedMs, target.memoryMb, context.regionFacts(target.region).carbonGPerKwh);
    billedMs += attempt.billedMs;
  });
  return { costUsd, billedMs, carbonG, ...(runtimeMs !== undefined ? { runtimeMs } : {}) };
}

export function summarize(placement: Placement): PlacementSummary {
  return {
    target: placement.target,
    strategy: placement.strategy,
    rejectCpus: placement.rejectCpus,
    holdMs: placement.holdMs,
    rejectMode: placement.rejectMode,
    keepBeforeLastAttempt: placement.keepBeforeLastAttempt,
    maxAttempts: placement.maxAttempts,
    ...(placement.relaxations ? { relaxations: placement.relaxations } : {}),
    ...(placement.unfitCpus ? { unfitCpus: placement.unfitCpus } : {}),
    ...(placement.overBudgetCpus ? { overBudgetCpus: placement.overBudgetCpus } : {}),
    expected: placement.expected,
    evidence: placement.evidence,
    notes: placement.notes,
  };
}

function failure(
  context: FollowContext,
  profile: string,
  placement: Placement,
  attempts: AttemptRecord[],
  targets: readonly Target[],
  type: 'NoCapacity' | 'DeadlineExceeded' | 'FunctionError',
  httpStatus: number,
  message: string,
): RoutedCall {
  return {
    status: 'error',
    error: { type, message },
    httpStatus,
    profile,
    placement: summarize(placement),
    attempts,
    estimate: estimateOf(context, attempts, targets),
  };
}
