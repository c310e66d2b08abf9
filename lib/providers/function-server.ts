import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallerCheck } from './verify';

/** What the function behind an endpoint answered. */
export type FunctionAnswer =
  | { readonly kind: 'ok'; readonly payload: unknown }
  /** The platform could not start an instance for the call. */
  | { readonly kind: 'throttled'; readonly message: string }
  | { readonly kind: 'not-found'; readonly message: string }
  /** The handler crashed or timed out: the platform's own failure, not a dynamic-function error. */
  | { readonly kind: 'failed'; readonly status: 500 | 502 | 503 | 504; readonly message: string };

/** The largest request body an endpoint reads (DigitalOcean's 1 MB is smaller; Code Engine takes more). */
export const MAX_ENDPOINT_BODY_BYTES = 6 * 1024 * 1024;

/**
 * The HTTP side of a function speaking the dynamic function's protocol over HTTPS: `POST` a JSON request,
 * get a JSON answer. The caller is checked before the body is parsed or anything runs; a refused caller
 * gets 401, a throttle 429, a platform failure 5xx, a body that is not JSON 400. The packaged function for
 * IBM Code Engine and for endpoints users run serves this listener, and so does the twin on loopback.
 *
 * @example
 * createServer(functionListener({ check: bearerCheck(secret), call: (_path, request) => runDynamic(request) }))
 *   .listen(8080);
 */
export function functionListener(options: {
  readonly check: (path: string) => CallerCheck | undefined;
  readonly call: (path: string, payload: unknown) => Promise<FunctionAnswer>;
}): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(req, res, options).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, { error: 'InternalError', message: (error as Error)?.message ?? String(error) });
      else res.destroy();
    });
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: Parameters<typeof functionListener>[0],
): Promise<void> {
  const path = (req.url ?? '/').split('?')[0];
  const body = await readBody(req);
  if (req.method !== 'POST') {
    send(res, 405, { error: 'MethodNotAllowed', message: `POST a JSON request, not ${req.method}` });
    return;
  }
  if (body === undefined) {
    send(res, 413, { error: 'RequestTooLarge', message: `the body is over ${MAX_ENDPOINT_BODY_BYTES} bytes` });
    return;
  }
  const check = options.check(path);
  if (!check) {
    send(res, 404, { error: 'NotFound', message: `no function at ${path}` });
    return;
  }
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value[0] : value;
  const refused = await check.check(headers, body);
  if (refused !== undefined) {
    send(res, 401, { error: 'Unauthorized', message: refused });
    return;
  }
  let payload: unknown = {};
  if (body.length > 0) {
    try {
      payload = JSON.parse(body);
    } catch {
      send(res, 400, { error: 'BadRequest', message: 'the body is not JSON' });
      return;
    }
  }
  const answer = await options.call(path, payload);
  switch (answer.kind) {
    case 'ok':
      send(res, 200, answer.payload ?? null);
      return;
    case 'throttled':
      send(res, 429, { error: 'TooManyRequests', message: answer.message });
      return;
    case 'not-found':
      send(res, 404, { error: 'NotFound', message: answer.message });
      return;
    case 'failed':
      send(res, answer.status, { error: 'FunctionFailed', message: answer.message });
      return;
  }
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_ENDPOINT_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_ENDPOINT_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}
