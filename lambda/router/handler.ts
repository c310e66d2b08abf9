import { decodeStrictBase64 } from '../../lib/contracts';
import { BodyTooLargeError, MethodNotAllowedError, RouterRequestError } from '../../lib/routing/errors';
import { SYNC_PAYLOAD_LIMIT_BYTES } from '../../lib/routing/request';
import { type DeadlineSource, RoutingService, type RoutingServiceOptions } from '../../lib/routing/service';
import type { RouterAnswer } from '../../lib/routing/types';

/** The answer to a Function URL request (payload format 2.0). */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The router Lambda's handler, with its routing service exposed (for tests and the local sky). */
export interface RouterHandler {
  (event: unknown, context?: DeadlineSource): Promise<RouterAnswer | FunctionUrlResult>;
  readonly service: RoutingService;
  /** The service's view cache. */
  readonly cache: RoutingService['cache'];
  /** The service's learning buffer. */
  readonly learning: RoutingService['learning'];
  /** Routes a request object directly (no Function URL decoding); never throws. */
  route(request: unknown, context?: DeadlineSource): Promise<RouterAnswer>;
  /** Resolves when every observation made so far is written. */
  flush(): Promise<void>;
}

/**
 * The router handler: a Function URL event is decoded (POST, JSON body, base64, 6 MB) and answered
 * with a status code and a JSON body; any other event is the request object itself and is answered
 * with the answer object. Everything else is the routing service's work.
 *
 * @example
 * const handler = createRouterHandler({ store, invoker: sdkInvoker(lambdaClientWithLimit()), config });
 * const answer = await handler({ workload: 'zipper', objective: 'cost' });
 */
export function createRouterHandler(options: RoutingServiceOptions | RoutingService): RouterHandler {
  const service = options instanceof RoutingService ? options : new RoutingService(options);
  const handler = async (event: unknown, context?: DeadlineSource): Promise<RouterAnswer | FunctionUrlResult> => {
    if (!isFunctionUrlEvent(event)) return service.route(event, context);
    let body: unknown;
    try {
      body = decodeUrlBody(event);
    } catch (error) {
      return toUrlResult(service.errorAnswer(error));
    }
    return toUrlResult(await service.route(body, context));
  };
  return Object.assign(handler, {
    service,
    cache: service.cache,
    learning: service.learning,
    route: (request: unknown, context?: DeadlineSource) => service.route(request, context),
    flush: () => service.flush(),
  });
}

interface UrlEvent {
  readonly body?: unknown;
  readonly isBase64Encoded?: unknown;
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
  if (typeof raw !== 'string') throw new RouterRequestError('body', `expected a string, got ${kindOf(raw)}`);
  if (raw.length === 0) throw new RouterRequestError('body', 'empty; send the request as JSON');
  const text = event.isBase64Encoded === true ? base64Body(raw) : raw;
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > SYNC_PAYLOAD_LIMIT_BYTES) throw new BodyTooLargeError(bytes, SYNC_PAYLOAD_LIMIT_BYTES);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RouterRequestError('body', `not valid JSON (${error instanceof Error ? error.message : error})`);
  }
}

/** A body Lambda marked base64-encoded, decoded strictly: text that is not base64 is refused, not half-decoded. */
function base64Body(raw: string): string {
  const bytes = decodeStrictBase64(raw);
  if (!bytes) throw new RouterRequestError('body', 'marked base64-encoded (isBase64Encoded) but not valid base64');
  return bytes.toString('utf8');
}

function kindOf(value: unknown): string {
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : `a ${typeof value}`;
}

function toUrlResult(answer: RouterAnswer): FunctionUrlResult {
  const statusCode = answer.status === 'error' ? answer.httpStatus : 200;
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(answer) };
}
