import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { reportLine } from '../contracts';
import { ScaledClock } from './clock';
import { TwinError } from './errors';
import { defaultHandlerKit } from './handlers';
import type { HandlerKit, PlainHandler } from './kit';
import { loadScenario, parseScenario, type Scenario } from './scenario';
import { reportOfCall, Twin, type TwinOptions } from './twin';

/**
 * The Lambda Invoke REST API on loopback, so `@aws-sdk/client-lambda` runs unchanged with only
 * its `endpoint` pointed here (any credentials; signatures are not checked):
 *
 * - `POST /2015-03-31/functions/{name}/invocations` with the name, a full or partial ARN,
 *   URL-encoded; `X-Amz-Invocation-Type` `RequestResponse` (200 with the answer), `Event` (202,
 *   the call runs in the background) or `DryRun` (204).
 * - `X-Amz-Log-Type: Tail` on an answered call: `X-Amz-Log-Result` holds, base64, the REPORT line Lambda writes
 *   (Duration, Billed Duration with a new instance's INIT where billed, Init Duration), as its log tail ends.
 * - A function that throws: 200, `X-Amz-Function-Error: Unhandled`, body `{errorType, errorMessage, trace}`.
 * - A zone with no free slot: 429, `x-amzn-ErrorType: TooManyRequestsException`, body
 *   `{"Type":"User","message":"Rate Exceeded.","Reason":"ConcurrentInvocationLimitExceeded"}` —
 *   the reason Lambda gives when it cannot get an execution environment for the call.
 * - Unknown function: 404 `ResourceNotFoundException`; a body that is not JSON: 400
 *   `InvalidRequestContentException`; a body over 6 MB: 413 `RequestTooLargeException`.
 *
 * Time here is real but scaled (`timeScale`): a sleep of `ms` emulated milliseconds (sampler
 * sleeps, reject holds, cold starts) waits `ms × timeScale` real ms, and instances see emulated
 * time (keep-alive, durations) run `1 / timeScale` times faster than the wall clock.
 */

/** Lambda's synchronous payload limit (6 MB). */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

export interface LambdaApiOptions extends Partial<Omit<TwinOptions, 'scenario' | 'clock' | 'kit'>> {
  /** The scenario (parsed, raw JSON, or a file path) whose zones to emulate. Ignored when `twin` is given. */
  readonly scenario?: Scenario | string | unknown;
  /** Serve an existing twin instead of creating one. */
  readonly twin?: Twin;
  /** Handlers run in emulated instances. @default defaultHandlerKit({ samplerSleepMs }) */
  readonly kit?: HandlerKit;
  /** Sampler sleep in emulated ms, for the default kit. @default 100 */
  readonly samplerSleepMs?: number;
  /** Real ms per emulated ms (0 < timeScale; 1 = real time). @default 1 */
  readonly timeScale?: number;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Extra handlers by function name (e.g. `sky-router`, `sky-steps-<azId>`). */
  readonly functions?: Readonly<Record<string, PlainHandler>>;
}

/** A running loopback Lambda API. */
export interface LambdaApi {
  /** `http://127.0.0.1:<port>`: pass as `endpoint` to `new LambdaClient({...})`. */
  readonly endpoint: string;
  readonly port: number;
  /** The emulated world behind the API (zones, registered handlers, day). */
  readonly twin: Twin;
  /** Registers a plain handler by function name. */
  register(functionName: string, handler: PlainHandler): void;
  /** Installs day `day`'s fleet in every zone. */
  setDay(day: number): void;
  /** Invocations answered so far, by HTTP status. */
  readonly served: Readonly<Record<number, number>>;
  /** Stops accepting connections, closes idle keep-alive sockets and waits for in-flight calls. */
  close(): Promise<void>;
}

const LISTEN_BACKLOG = 4096;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/**
 * Starts the loopback Lambda API.
 * @example
 * const api = await startLambdaApi({ scenario: 'scenarios/paper-ex5.json', timeScale: 0.01 });
 * const lambda = new LambdaClient({ endpoint: api.endpoint, region: 'us-west-1',
 *   credentials: { accessKeyId: 'twin', secretAccessKey: 'twin' } });
 * await lambda.send(new InvokeCommand({ FunctionName: 'sky-usw1-az1-x86_64-2048', Payload: ... }));
 * await api.close();
 */
export async function startLambdaApi(options: LambdaApiOptions = {}): Promise<LambdaApi> {
  const twin = options.twin ?? createTwin(options);
  for (const [name, handler] of Object.entries(options.functions ?? {})) twin.register(name, handler);
  const served: Record<number, number> = {};
  const inFlight = new Set<Promise<void>>();

  const server: Server = createServer((req, res) => {
    const job = handle(twin, req, res)
      .catch((error: unknown) => {
        if (!res.headersSent) sendError(res, 500, 'ServiceException', (error as Error)?.message ?? String(error));
        else res.destroy();
      })
      .finally(() => {
        served[res.statusCode] = (served[res.statusCode] ?? 0) + 1;
        inFlight.delete(job);
      });
    inFlight.add(job);
  });
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // A 1000-way poll opens up to 1000 connections at once: a deep accept backlog avoids SYN retries.
    server.listen(options.port ?? 0, '127.0.0.1', LISTEN_BACKLOG, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    twin,
    served,
    register: (name, handler) => twin.register(name, handler),
    setDay: (day) => twin.setDay(day),
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await Promise.allSettled([...inFlight]);
      await twin.drain();
      server.closeAllConnections();
      await closed;
    },
  };
}

function createTwin(options: LambdaApiOptions): Twin {
  if (options.scenario === undefined) throw new TwinError('startLambdaApi needs a scenario (or a twin)');
  const scenario =
    typeof options.scenario === 'string'
      ? loadScenario(options.scenario)
      : isParsed(options.scenario)
        ? options.scenario
        : parseScenario(options.scenario);
  const { kit, samplerSleepMs, timeScale, port: _port, functions: _functions, twin: _twin, ...rest } = options;
  return new Twin({
    ...rest,
    scenario,
    clock: new ScaledClock(timeScale ?? 1),
    kit: kit ?? defaultHandlerKit(samplerSleepMs !== undefined ? { samplerSleepMs } : {}),
  });
}

function isParsed(value: unknown): value is Scenario {
  return typeof value === 'object' && value !== null && Array.isArray((value as Scenario).cpuList);
}

async function handle(twin: Twin, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const raw = req.url ?? '/';
  const query = raw.indexOf('?');
  const pathname = query < 0 ? raw : raw.slice(0, query);
  const match = INVOKE_PATH.exec(pathname);
  if (!match || req.method !== 'POST') {
    await discard(req);
    sendError(res, 404, 'UnknownOperationException', `The twin serves only Invoke, not ${req.method} ${pathname}`);
    return;
  }
  let name: string;
  try {
    name = decodeURIComponent(match[1]);
  } catch {
    await discard(req);
    sendError(res, 400, 'InvalidParameterValueException', `FunctionName is not valid URL encoding: ${match[1]}`);
    return;
  }
  const body = await readBody(req);
  if (body === undefined) {
    sendError(
      res,
      413,
      'RequestTooLargeException',
      `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`,
    );
    return;
  }
  let payload: unknown = {};
  if (body.length > 0) {
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch {
      sendError(
        res,
        400,
        'InvalidRequestContentException',
        'Could not parse request body into json: the payload is not valid JSON',
      );
      return;
    }
  }
  const type = headerOf(req, 'x-amz-invocation-type') ?? 'RequestResponse';
  if (type !== 'RequestResponse' && type !== 'Event' && type !== 'DryRun') {
    sendError(
      res,
      400,
      'InvalidParameterValueException',
      `X-Amz-Invocation-Type must be RequestResponse, Event or DryRun, not ${type}`,
    );
    return;
  }
  const result = await twin.call(name, payload, { invocationType: type });
  const requestId = randomUUID();
  switch (result.kind) {
    case 'not-found':
      sendError(res, 404, 'ResourceNotFoundException', result.message, requestId);
      return;
    case 'throttled':
      send(
        res,
        429,
        { Type: 'User', message: result.message, Reason: result.reason },
        {
          'x-amzn-ErrorType': 'TooManyRequestsException',
          'x-amzn-RequestId': requestId,
        },
      );
      return;
    case 'queued':
      res.writeHead(type === 'Event' ? 202 : 204, { 'x-amzn-RequestId': requestId, 'Content-Length': '0' });
      res.end();
      return;
    case 'timeout':
      send(
        res,
        200,
        { errorType: 'Sandbox.Timedout', errorMessage: result.message },
        {
          'X-Amz-Function-Error': 'Unhandled',
          'X-Amz-Executed-Version': '$LATEST',
          'x-amzn-RequestId': requestId,
        },
      );
      return;
    case 'function-error':
      send(
        res,
        200,
        { errorType: result.errorType, errorMessage: result.errorMessage, trace: result.trace },
        {
          'X-Amz-Function-Error': 'Unhandled',
          'X-Amz-Executed-Version': '$LATEST',
          'x-amzn-RequestId': requestId,
          ...(result.billing ? logTailHeader(req, requestId, result.billing) : {}),
        },
      );
      return;
    case 'ok': {
      const text = JSON.stringify(result.payload ?? null);
      if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
        send(
          res,
          200,
          {
            errorType: 'Function.ResponseSizeTooLarge',
            errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
          },
          {
            'X-Amz-Function-Error': 'Unhandled',
            'X-Amz-Executed-Version': '$LATEST',
            'x-amzn-RequestId': requestId,
          },
        );
        return;
      }
      const headers: Record<string, string> = {
        'X-Amz-Executed-Version': '$LATEST',
        'x-amzn-RequestId': requestId,
        ...logTailHeader(req, requestId, result),
      };
      sendText(res, 200, text, headers);
      return;
    }
  }
}

/** The log tail Lambda returns when asked for it (`X-Amz-Log-Type: Tail`): the invocation's REPORT record. */
function logTailHeader(
  req: IncomingMessage,
  requestId: string,
  run: Parameters<typeof reportOfCall>[0],
): Record<string, string> {
  if (headerOf(req, 'x-amz-log-type') !== 'Tail') return {};
  const tail = `${reportLine(requestId, reportOfCall(run))}\n`;
  return { 'X-Amz-Log-Result': Buffer.from(tail).toString('base64') };
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body, or undefined when it is over the payload limit. */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
    if (!tooLarge) chunks.push(chunk as Buffer);
  }
  return tooLarge ? undefined : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

async function discard(req: IncomingMessage): Promise<void> {
  for await (const _ of req) {
    // drain so the connection can be reused
  }
}

function sendError(res: ServerResponse, status: number, type: string, message: string, requestId = randomUUID()): void {
  send(
    res,
    status,
    { Type: status >= 500 ? 'Service' : 'User', message },
    { 'x-amzn-ErrorType': type, 'x-amzn-RequestId': requestId },
  );
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  sendText(res, status, JSON.stringify(body), headers);
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
