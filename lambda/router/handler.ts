import type { Invoker } from '../../lib/contracts';
import type { Placement, PlacementRequest } from '../../lib/core/types';
import { runBatch } from './batch';
import {
  DEADLINE_MARGIN_MS,
  DEFAULT_CACHE_TTL_MS,
  DEFAULT_INVOKE_TIMEOUT_MS,
  DEFAULT_MAX_ATTEMPTS,
  type RouterConfig,
} from './config';
import { BodyTooLargeError, MethodNotAllowedError, NoTargetError, RouterError, RouterRequestError } from './errors';
import { type FollowContext, followRoute, Route } from './follow';
import { LearningBuffer } from './learning';
import { corePlacerFactory } from './placer';
import { checkPayloadSize, parseRouterRequest, type RouterRequest, SYNC_PAYLOAD_LIMIT_BYTES } from './request';
import { powertoolsTelemetry, type RouterTelemetry } from './telemetry';
import type { PlacerFactory, RoutedCall, RouterAnswer, RouterStore } from './types';
import { type CachedView, ViewCache } from './view-cache';

/** The parts of a Lambda context the router reads. */
export interface RouterContextLike {
  getRemainingTimeInMillis?(): number;
}

/** The answer to a Function URL request (payload format 2.0). */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface RouterHandlerOptions {
  /** The table: characterizations and profiles in, observations out. */
  readonly store: RouterStore;
  /** Invokes the dynamic functions (`sdkInvoker` over a `LambdaClient` in Lambda and in the twin). */
  readonly invoker: Invoker;
  readonly config: RouterConfig;
  /**
   * Builds the placer over each view snapshot.
   * @default - the core `Router`, with the config's hold and attempt budget (see `corePlacerFactory`)
   */
  readonly placerFactory?: PlacerFactory;
  /** @default Date.now */
  readonly clock?: () => number;
  /**
   * How long characterizations and profiles read from the table are reused, ms.
   * @default 60000
   */
  readonly cacheTtlMs?: number;
  /** @default - Powertools Logger and Metrics (EMF, namespace `Skymesh`) */
  readonly telemetry?: RouterTelemetry;
  /**
   * `await`: the handler returns after the call's observations are written (in Lambda the process
   * freezes once the handler returns, so a write still in flight could be lost). `background`: the
   * handler returns at once and the writes proceed; for a long-lived process (the embedded router, the
   * local sky), which calls `flush()` before it exits.
   * @default 'await'
   */
  readonly learning?: 'await' | 'background';
}

/** A router handler with its cache and learning buffer exposed (for tests and the embedded router). */
export interface RouterHandler {
  (event: unknown, context?: RouterContextLike): Promise<RouterAnswer | FunctionUrlResult>;
  readonly cache: ViewCache;
  readonly learning: LearningBuffer;
  /** Routes a request object directly (no Function URL decoding); never throws. */
  route(request: unknown, context?: RouterContextLike): Promise<RouterAnswer>;
  /** Resolves when every observation made so far is written (for `learning: 'background'`). */
  flush(): Promise<void>;
}

/**
 * Creates the router handler: validate → place with the core router over a cached view →
 * invoke the dynamic function and follow the placement → learn → answer.
 *
 * The handler answers a direct invocation with the answer object (errors included, as data with
 * `status: 'error'` and an `httpStatus`), and a Function URL request with `statusCode`, JSON body.
 *
 * @example
 * const store = new SkyStore({ client: createDocumentClient({ region: 'us-west-2' }) });
 * const handler = createRouterHandler({ store, invoker: sdkInvoker(lambdaClientWithLimit()), config });
 * const answer = await handler({ workload: 'zipper', objective: 'cost' });
 */
export function createRouterHandler(options: RouterHandlerOptions): RouterHandler {
  const clock = options.clock ?? Date.now;
  const telemetry = options.telemetry ?? powertoolsTelemetry();
  const cache = new ViewCache({
    store: options.store,
    config: options.config,
    placerFactory:
      options.placerFactory ??
      corePlacerFactory({ holdMs: options.config.holdMs, maxAttempts: options.config.maxAttempts }),
    clock,
    ttlMs: options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS,
    onLoadError: (error) => telemetry.error('reading characterizations and profiles failed', error),
  });
  const learning = new LearningBuffer(options.store, (error, what) =>
    telemetry.error('a learning write failed', error, { what }),
  );
  const config = options.config;
  const awaitLearning = (options.learning ?? 'await') === 'await';

  async function route(body: unknown, context?: RouterContextLike): Promise<RouterAnswer> {
    try {
      const request = parseRouterRequest(body);
      const cached = await cache.get();
      const placementRequest = placementRequestOf(request, config);
      const placement = place(cached, placementRequest);
      checkPayloadSize({ ...request.work, reject: { cpus: placement.rejectCpus, holdMs: placement.holdMs } });
      const deadline = remainingTime(context);
      const follow: FollowContext = {
        invoker: options.invoker,
        learning,
        placer: cached.placer,
        regionFacts: (region) => cache.regionFacts(region),
        invokeTimeoutMs: config.invokeTimeoutMs ?? DEFAULT_INVOKE_TIMEOUT_MS,
        rejectMode: config.rejectMode ?? 'auto',
        remainingMs: deadline,
      };
      const route = new Route(cached.placer, placementRequest, withNotes(placement, cached), config.deployed);
      let answer: RouterAnswer;
      if (request.batch) {
        answer = await runBatch(follow, request.work, request.profile, route, {
          ...request.batch,
          onCall: (call) => telemetry.recordAttempts(call.attempts),
        });
      } else {
        const call = await followRoute(follow, request.work, request.profile, route);
        telemetry.recordAttempts(call.attempts);
        answer = call;
      }
      return answer;
    } catch (error) {
      return errorAnswer(error, telemetry);
    } finally {
      // Observations are written after the answer is computed: before the handler returns, or in the background.
      if (awaitLearning) await learning.flush();
      else void learning.flush();
      telemetry.publish();
    }
  }

  const handler = async (event: unknown, context?: RouterContextLike): Promise<RouterAnswer | FunctionUrlResult> => {
    if (!isFunctionUrlEvent(event)) return route(event, context);
    let body: unknown;
    try {
      body = decodeUrlBody(event);
    } catch (error) {
      return toUrlResult(errorAnswer(error, telemetry));
    }
    return toUrlResult(await route(body, context));
  };
  return Object.assign(handler, { cache, learning, route, flush: () => learning.flush() });
}

function placementRequestOf(request: RouterRequest, config: RouterConfig): PlacementRequest {
  return {
    workload: request.profile,
    ...(request.objective !== undefined ? { objective: request.objective } : {}),
    ...(request.strategy !== undefined ? { strategy: request.strategy } : {}),
    limits: { maxAttempts: config.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, ...request.limits },
  };
}

function place(cached: CachedView, request: PlacementRequest): Placement {
  try {
    return cached.placer.place(request);
  } catch (error) {
    // The core router throws NoPlacementError, saying which limit left no target.
    if (error instanceof Error && error.name === 'NoPlacementError') throw new NoTargetError(error.message);
    throw error;
  }
}

function withNotes(placement: Placement, cached: CachedView): Placement {
  return cached.notes.length === 0 ? placement : { ...placement, notes: [...placement.notes, ...cached.notes] };
}

function remainingTime(context: RouterContextLike | undefined): () => number {
  const get = context?.getRemainingTimeInMillis;
  if (typeof get !== 'function') return () => Number.POSITIVE_INFINITY;
  return () => get.call(context) - DEADLINE_MARGIN_MS;
}

function errorAnswer(error: unknown, telemetry: RouterTelemetry): RoutedCall {
  if (error instanceof RouterError) {
    return {
      status: 'error',
      error: {
        type: error.type,
        message: error.message,
        ...(error.field ? { field: error.field } : {}),
      },
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

interface UrlEvent {
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext: { readonly http: { readonly method: string } };
}

function isFunctionUrlEvent(event: unknown): event is UrlEvent {
  if (typeof event !== 'object' || event === null) return false;
  const http = (event as { requestContext?: { http?: { method?: unknown } } }).requestContext?.http;
  return typeof http?.method === 'string';
}

function decodeUrlBody(event: UrlEvent): unknown {
  const method = event.requestContext.http.method.toUpperCase();
  if (method !== 'POST') throw new MethodNotAllowedError(method);
  const raw = event.body ?? '';
  if (raw.length === 0) throw new RouterRequestError('body', 'empty; send the request as JSON');
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > SYNC_PAYLOAD_LIMIT_BYTES) throw new BodyTooLargeError(bytes, SYNC_PAYLOAD_LIMIT_BYTES);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RouterRequestError('body', `not valid JSON (${error instanceof Error ? error.message : error})`);
  }
}

function toUrlResult(answer: RouterAnswer): FunctionUrlResult {
  const statusCode = answer.status === 'error' ? answer.httpStatus : 200;
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) };
}
