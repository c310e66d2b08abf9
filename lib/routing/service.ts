import { setTimeout as delay } from 'node:timers/promises';
import { type Invoker, jsonByteLength } from '../contracts';
import { hostReturnCheck } from '../core/function-mix';
import type { RankedTarget } from '../core/router';
import type { Placement, PlacementRequest, RoutingView } from '../core/types';
import { runBatch, sentWithin } from './batch';
import {
  DEADLINE_MARGIN_MS,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_FUNCTION_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  INVOKE_TIMEOUT_MARGIN_MS,
  type RouterConfig,
} from './config';
import { NoTargetError, RouterError } from './errors';
import { ExplorationLeases } from './exploration-lease';
import { type FollowContext, followRoute, pinnedTo, priceOf, proposalOf, Route } from './follow';
import { HostRoom } from './host-room';
import { LearningBuffer } from './learning';
import { startOnObservedFleet } from './observed-start';
import { type PacedBatch, PacingReviewer, paceBatch, pacedAt } from './pacing';
import { corePlacerFactory } from './placer';
import { usesPerInstance } from './pool';
import { powertoolsTelemetry } from './powertools-telemetry';
import { type ProbedBatch, probePricedPlacer, withProbe, withProbePricing, withSearchUses } from './probe';
import { runProfiling } from './profiling';
import {
  type BatchTarget,
  checkPayloadSize,
  DEFAULT_BATCH_MAX_SLOWDOWN,
  parseRouterRequest,
  type RouterRequest,
  SYNC_PAYLOAD_LIMIT_BYTES,
} from './request';
import type { RouterTelemetry } from './telemetry';
import type { PlacerFactory, RoutedCall, RouterAnswer, RouterStore } from './types';
import { type CachedView, ViewCache } from './view-cache';

/** How much time a call has left: the parts of a Lambda context the routing service reads. */
export interface DeadlineSource {
  getRemainingTimeInMillis?(): number;
}

/** Where `route` would send a request and how the other targets rank, from the same view (see `RoutingService.plan`). */
export interface RoutePlan {
  /** The profile the request is placed by (its workload, or `code:<name>`). */
  readonly profile: string;
  /** The placement `route` would follow, with the view's notes. */
  readonly placement: Placement;
  /** The allowed targets, best first, as the placer ranks them. */
  readonly ranked: readonly RankedTarget[];
  /** The view placed from: characterizations, passive counts and profiles, as the cache holds them. */
  readonly view: RoutingView;
}

/** What a routing service is built from. */
export interface RoutingServiceOptions {
  /** The table: characterizations and profiles in, observations out. */
  readonly store: RouterStore;
  /** Invokes the dynamic functions (`sdkInvoker` over a `LambdaClient` in Lambda; the twin's invoker in the twin). */
  readonly invoker: Invoker;
  /** The mesh the service routes into. */
  readonly config: RouterConfig;
  /**
   * Builds the placer over each view snapshot.
   * @default - the core `Router`, with the config's hold, attempt budget and return share (see `corePlacerFactory`)
   */
  readonly placerFactory?: PlacerFactory;
  /**
   * The clock views are timed with, ms since the epoch.
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * The time the invoked functions run on, and a wait on it: how long a paced batch's probe waits for its attempt to
   * go unanswered (`probe.ts`). The twin and the local sky pass their emulated clock.
   * @default Date.now and setTimeout of node:timers/promises
   */
  readonly timer?: { now(): number; sleep(ms: number): Promise<void> };
  /**
   * How long characterizations and profiles read from the table are reused, ms.
   * @default 60000
   */
  readonly cacheTtlMs?: number;
  /**
   * Where counts, warnings and errors go.
   * @default - Powertools Logger and Metrics (EMF, namespace `Skymesh`)
   */
  readonly telemetry?: RouterTelemetry;
  /**
   * `await`: `route` returns after the call's observations are written (in Lambda the process
   * freezes once the handler returns, so a write still in flight could be lost). `background`:
   * `route` returns at once and the writes proceed; for a long-lived process (the embedded router,
   * the local sky, the twin), which calls `flush()` before it exits.
   * @default 'await'
   */
  readonly learning?: 'await' | 'background';
}

/**
 * The routing service: validate a request → place it with the core router over a cached view →
 * invoke the dynamic function and follow the placement (retries on rejection, failover, deadline)
 * → learn from what the calls met → answer. The router Lambda, the twin, the local sky,
 * `sky invoke` and `sky plan` all route through this class.
 *
 * Errors are answers, never exceptions: `route` resolves to `status: 'error'` with an
 * `httpStatus` and a message naming the field at fault.
 *
 * @example
 * const service = new RoutingService({ store, invoker, config });
 * const answer = await service.route({ workload: 'zipper', objective: 'cost' });
 * if (answer.status === 'ok') console.log(answer.placement.target.functionName, answer.estimate.costUsd);
 */
export class RoutingService {
  /** The view cache (characterizations, profiles and passive counts, re-read once per TTL). */
  readonly cache: ViewCache;
  /** Observations waiting to be written. */
  readonly learning: LearningBuffer;
  private readonly hostChecks = new WeakMap<RoutingView, NonNullable<FollowContext['hostReturn']>>();
  /** Exploration shared with the router's other instances through leases in the table (`exploration-lease.ts`). */
  readonly exploration: ExplorationLeases;
  /** How many of a function's instances a host takes, as this instance's probed batches showed it (`host-room.ts`). */
  readonly hostRoom = new HostRoom();
  private readonly telemetry: RouterTelemetry;
  private readonly awaitLearning: boolean;

  constructor(private readonly options: RoutingServiceOptions) {
    const telemetry = options.telemetry ?? powertoolsTelemetry();
    this.telemetry = telemetry;
    const clock = options.clock ?? Date.now;
    const ttlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
    // A lease stays held one view TTL after its call taught something: by then every instance has re-read the profile.
    const exploration = new ExplorationLeases({
      store: options.store,
      clock,
      settleMs: ttlMs,
      onError: (error, what) => telemetry.error('an exploration lease write failed', error, { what }),
    });
    this.exploration = exploration;
    const placerFactory =
      options.placerFactory ??
      corePlacerFactory({
        holdMs: options.config.holdMs,
        maxAttempts: options.config.maxAttempts,
        returnShare: options.config.returnShare,
      });
    this.cache = new ViewCache({
      store: options.store,
      config: options.config,
      placerFactory: (view) => {
        const placer = placerFactory(view);
        placer.shareExploration?.(exploration);
        return placer;
      },
      clock,
      ttlMs,
      onLoadError: (error) => telemetry.error('reading characterizations and profiles failed', error),
    });
    this.learning = new LearningBuffer(options.store, (error, what) =>
      telemetry.error('a learning write failed', error, { what }),
    );
    this.awaitLearning = (options.learning ?? 'await') === 'await';
  }

  /**
   * Routes one request object (already decoded from JSON); never throws.
   * @param deadline - where the time left comes from (a Lambda context); none: no deadline.
   */
  async route(body: unknown, deadline?: DeadlineSource): Promise<RouterAnswer> {
    const { config } = this.options;
    try {
      const request = parseRouterRequest(body);
      const cached = await this.cache.get();
      if (request.parallelism !== undefined && cached.view.parallelism?.[request.profile] !== request.parallelism) {
        // Stored, so that every router instance scales this profile's runtimes by what its requests say.
        this.learning.observeParallelism(request.profile, request.parallelism);
      }
      const functionTimeoutMs = config.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS;
      const placementRequest = placementRequestOf(request, config, functionTimeoutMs);
      if (request.profiling) {
        // Limits that leave no target are the request's fault, as for a call: a 400 naming them, not an empty profile.
        place(cached, placementRequest, 'price');
        return await runProfiling(
          this.followContext(cached, functionTimeoutMs, deadline),
          request.work,
          request.profile,
          cached.placer,
          {
            workload: request.profile,
            limits: { ...request.limits, timeoutMs: placementRequest.limits?.timeoutMs ?? functionTimeoutMs },
            ...(request.minMemoryMb !== undefined ? { minMemoryMb: request.minMemoryMb } : {}),
            ...(request.profiling.observations !== undefined ? { observations: request.profiling.observations } : {}),
          },
          placementRequest,
          config.deployed,
          request.profiling,
        );
      }
      const placeBatch = (r: PlacementRequest): Placement => {
        const placed = placeKeeping(cached, r, request.batch?.target, placedHowFor(request));
        // A batch sent again keeps where it ran; a new one does not start on a fleet priced on other zones' mixes.
        return request.batch && !request.batch.target ? startOnObservedFleet(cached.placer, r, placed) : placed;
      };
      const paced =
        request.batch &&
        pacedBatch(placeBatch, cached, placementRequest, request.batch, remainingTime(deadline)(), this.hostRoom);
      const placement = paced?.placement ?? placeBatch(placementRequest);
      checkPayloadSize({ ...request.work, reject: { cpus: placement.rejectCpus, holdMs: placement.holdMs } });
      const follow = this.followContext(cached, functionTimeoutMs, deadline);
      const route = new Route(
        cached.placer,
        paced?.request ?? placementRequest,
        withNotes(placement, cached),
        config.deployed,
      );
      if (request.batch) {
        return await runBatch(follow, request.work, request.profile, route, {
          ...request.batch,
          ...(paced
            ? {
                concurrency: paced.concurrency,
                pacing: paced.pacing,
                review: new PacingReviewer(cached.placer, paced.request, placement, paced.pacing.givenConcurrency),
                ...(paced.probe ? { probe: paced.probe, hostRoom: this.hostRoom } : {}),
              }
            : {}),
          resumable: request.batch.resumable,
          onCall: (call) => this.telemetry.recordAttempts(call.attempts),
        });
      }
      const call = await followRoute(follow, request.work, request.profile, route);
      this.telemetry.recordAttempts(call.attempts);
      return withinResponseLimit(call);
    } catch (error) {
      return errorAnswer(error, this.telemetry);
    } finally {
      // Observations are written after the answer is computed: before `route` returns, or in the background.
      if (this.awaitLearning) await this.learning.flush();
      else void this.learning.flush();
      this.telemetry.publish();
    }
  }

  /** One check of new instances' hosts per view, so its sets of known hosts are built once, not per call. */
  private hostReturnOf(view: RoutingView): FollowContext['hostReturn'] {
    let check = this.hostChecks.get(view);
    if (!check) {
      check = hostReturnCheck(view);
      this.hostChecks.set(view, check);
    }
    return check;
  }

  private followContext(cached: CachedView, functionTimeoutMs: number, deadline?: DeadlineSource): FollowContext {
    const { config, invoker, timer } = this.options;
    return {
      invoker,
      learning: this.learning,
      placer: cached.placer,
      regionFacts: (region) => this.cache.regionFacts(region),
      invokeTimeoutMs: config.invokeTimeoutMs ?? functionTimeoutMs + INVOKE_TIMEOUT_MARGIN_MS,
      functionTimeoutMs,
      remainingMs: remainingTime(deadline),
      exploration: this.exploration,
      hostReturn: this.hostReturnOf(cached.view),
      now: timer ? () => timer.now() : Date.now,
      sleep: timer ? (ms) => timer.sleep(ms) : (ms) => delay(ms),
    };
  }

  /**
   * Where `route` would place a request, and every allowed target ranked, invoking nothing: the same
   * request parsing, the same cached view (characterizations merged with passive counts) and the same
   * placer as `route`. Unlike `route` it throws: a `RouterError` naming the field at fault, `NoTargetError`,
   * or the table read's own error when there was no good view to fall back on.
   * @param count - how many ranked targets to return
   */
  async plan(body: unknown, count = Number.MAX_SAFE_INTEGER): Promise<RoutePlan> {
    const request = parseRouterRequest(body);
    const cached = await this.cache.get();
    if (cached.readError !== undefined) throw cached.readError;
    if (!cached.placer.rank) throw new Error('the placer of this routing service cannot rank targets');
    const placementRequest = placementRequestOf(request, this.options.config);
    const placement = withNotes(place(cached, placementRequest, placedHowFor(request)), cached);
    return {
      profile: request.profile,
      placement,
      ranked: cached.placer.rank(placementRequest, count),
      view: cached.view,
    };
  }

  /** Resolves when every observation made so far is written (for `learning: 'background'`). */
  flush(): Promise<void> {
    return this.learning.flush();
  }

  /** The answer a failure turns into (for callers that decode events themselves). */
  errorAnswer(error: unknown): RoutedCall {
    return errorAnswer(error, this.telemetry);
  }
}

/**
 * A single call's answer as Lambda can return it: a result that would take the answer over the 6 MB
 * response limit is left out, with a note (the work ran and is billed; the answer says so rather than be lost).
 */
function withinResponseLimit(call: RoutedCall): RoutedCall {
  if (call.status !== 'ok' || call.result === undefined) return call;
  const bytes = jsonByteLength(call);
  if (bytes <= SYNC_PAYLOAD_LIMIT_BYTES) return call;
  const { result: _omitted, ...rest } = call;
  const resultBytes = jsonByteLength(call.result);
  return {
    ...rest,
    resultOmitted: {
      bytes: resultBytes,
      limitBytes: SYNC_PAYLOAD_LIMIT_BYTES,
      note: `the result (${resultBytes} bytes) does not fit Lambda's ${SYNC_PAYLOAD_LIMIT_BYTES}-byte response; return less, or store it and return a reference`,
    },
  };
}

/**
 * What the core router places: the request's limits, the attempt budget, and the call budget (the
 * work's own `timeoutMs` if shorter than the functions' timeout), so no placement is made where the
 * work would time out; for a batch, its calls after the first (`callsToCome`), which what it explores serves too.
 */
export function placementRequestOf(
  request: RouterRequest,
  config: RouterConfig,
  functionTimeoutMs: number = config.functionTimeoutMs ?? DEFAULT_FUNCTION_TIMEOUT_MS,
): PlacementRequest {
  return {
    workload: request.profile,
    pool: {
      rejectMode: config.rejectMode ?? 'auto',
      usesPerInstance: request.batch ? usesPerInstance(request.batch.count, request.batch.concurrency) : 1,
    },
    ...(request.batch && request.batch.count > 1 ? { callsToCome: request.batch.count - 1 } : {}),
    ...(request.objective !== undefined ? { objective: request.objective } : {}),
    ...(request.strategy !== undefined ? { strategy: request.strategy } : {}),
    ...(request.minMemoryMb !== undefined ? { minMemoryMb: request.minMemoryMb } : {}),
    ...(request.parallelism !== undefined ? { parallelism: request.parallelism } : {}),
    limits: {
      maxAttempts: config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
      timeoutMs: Math.min(request.work.timeoutMs ?? functionTimeoutMs, functionTimeoutMs),
      ...request.limits,
    },
  };
}

/**
 * How a batch runs: at the pacing an earlier send of it chose (`pacedConcurrency`), or, given a time budget
 * (`maxSlowdown`), at as many calls at a time as the pool model prices best within it and within the router's time
 * left (`remainingMs`) unless the batch is resumable, with its probe where it probes (`withProbe`, priced for as many
 * workers as a host takes: `hostRoom`), or paced as priced for its probe where that scores better
 * (`withProbePricing`); otherwise unpaced (undefined).
 */
function pacedBatch(
  placeIn: (request: PlacementRequest) => Placement,
  cached: CachedView,
  request: PlacementRequest,
  batch: NonNullable<RouterRequest['batch']>,
  remainingMs: number,
  hostRoom: HostRoom,
): ProbedBatch | undefined {
  const initMs = cached.placer.initMs ?? 0;
  // A resumable batch outlasts the router's time left in several sends, each ending with its workers' last calls.
  const sent = batch.resumable ? sentWithin(remainingMs) : {};
  if (batch.pacedConcurrency !== undefined && batch.pacedConcurrency < batch.concurrency) {
    return pacedAt(placeIn, request, { ...batch, pacedConcurrency: batch.pacedConcurrency, initMs, ...sent });
  }
  const maxSlowdown = batch.maxSlowdown ?? DEFAULT_BATCH_MAX_SLOWDOWN;
  if (maxSlowdown <= 1 || batch.pacedConcurrency !== undefined) return undefined;
  const budgetMs = batch.resumable ? Number.POSITIVE_INFINITY : remainingMs;
  const paceWith =
    (placer: (r: PlacementRequest) => Placement) =>
    (slowdown: number, remaining: number): PacedBatch =>
      paceBatch(placer, request, { ...batch, maxSlowdown: slowdown, initMs, ...sent }, remaining);
  const placeOn = (r: PlacementRequest, target: Placement['target']) => placeIn(pinnedTo(r, target));
  const probePacing = {
    repace: paceWith(placeIn),
    placeProbe: (probed: PacedBatch, uses: number) =>
      placeOn(withSearchUses(probed.request, uses), probed.placement.target),
    budget: { count: batch.count, maxSlowdown, remainingMs: budgetMs },
    initMs,
    hostRoom: (memoryMb: number) => hostRoom.at(memoryMb),
  };
  const chosen = withProbe(probePacing.repace(maxSlowdown, budgetMs), probePacing);
  const pricedForProbe = {
    ...probePacing,
    repace: paceWith(probePricedPlacer(placeIn, placeOn, batch.count, probePacing.hostRoom)),
  };
  return withProbePricing(chosen, pricedForProbe, request.objective);
}

/**
 * A batch's placement on `target`, where an earlier send of it ran (`batch.target`), when the limits allow it there;
 * else placed afresh, with a note saying why the target was not kept. Only the first placement is pinned: its calls
 * fail over from there as any batch's do.
 */
function placeKeeping(
  cached: CachedView,
  request: PlacementRequest,
  target: BatchTarget | undefined,
  how: PlacedHow,
): Placement {
  if (!target) return place(cached, request, how);
  let why = "the request's limits exclude it";
  if (allows(request.limits, target)) {
    try {
      return place(cached, pinnedTo(request, target), how);
    } catch (error) {
      if (!(error instanceof NoTargetError)) throw error;
      why = error.message;
    }
  }
  const placed = place(cached, request, how);
  const named = `${target.azId} ${target.arch} ${target.memoryMb} MB`;
  return { ...placed, notes: [...placed.notes, `batch.target ${named} was not kept (${why}): placed afresh`] };
}

/** Whether the request's own limits of zones, architectures and memory sizes take `target`. */
function allows(limits: PlacementRequest['limits'], target: BatchTarget): boolean {
  return (
    (limits?.zones?.includes(target.azId) ?? true) &&
    (limits?.architectures?.includes(target.arch) ?? true) &&
    (limits?.memorySizes?.includes(target.memoryMb) ?? true)
  );
}

/**
 * How a placement is asked of the placer: `propose`d for a lone call, which follows it and may explore (as `plan`
 * shows); `price`d for a batch, whose start and pacing are weighed without exploring (each call's own placement may
 * explore). No call is counted in flight here; a call is counted as it is sent (`followRoute`).
 */
type PlacedHow = 'propose' | 'price';

/** A batch's placements are priced, a lone call's proposed (`PlacedHow`). */
function placedHowFor(request: Pick<RouterRequest, 'batch'>): PlacedHow {
  return request.batch ? 'price' : 'propose';
}

/** The view's placement of `request`, asked `how`. */
function place(cached: CachedView, request: PlacementRequest, how: PlacedHow): Placement {
  try {
    return how === 'price' ? priceOf(cached.placer, request) : proposalOf(cached.placer, request);
  } catch (error) {
    // The core router throws NoPlacementError, saying which limit left no target.
    if (error instanceof Error && error.name === 'NoPlacementError') throw new NoTargetError(error.message);
    throw error;
  }
}

function withNotes(placement: Placement, cached: CachedView): Placement {
  return cached.notes.length === 0 ? placement : { ...placement, notes: [...placement.notes, ...cached.notes] };
}

function remainingTime(deadline: DeadlineSource | undefined): () => number {
  const get = deadline?.getRemainingTimeInMillis;
  if (typeof get !== 'function') return () => Number.POSITIVE_INFINITY;
  return () => get.call(deadline) - DEADLINE_MARGIN_MS;
}

function errorAnswer(error: unknown, telemetry: RouterTelemetry): RoutedCall {
  if (error instanceof RouterError) {
    return {
      status: 'error',
      error: { type: error.type, message: error.message, ...(error.field ? { field: error.field } : {}) },
      httpStatus: error.httpStatus,
      attempts: [],
    };
  }
  telemetry.error('the router failed', error);
  return {
    status: 'error',
    error: { type: 'Internal', message: error instanceof Error ? error.message : String(error) },
    httpStatus: 500,
    attempts: [],
  };
}
