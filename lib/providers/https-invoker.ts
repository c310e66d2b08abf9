import { PROVIDERS } from '../catalog/providers';
import type { InvokeOptions, InvokeResult, Invoker } from '../contracts/invoker';
import { parseFunctionName } from '../core/naming';
import type { ExternalZone } from './config';
import { IamTokenError, SecretUnavailableError } from './errors';
import { SIGNATURE_HEADER, signBody } from './hmac';
import { causeOf, IamTokenSource, isTimeout } from './ibm-iam';
import { describeSecret, type SecretResolver } from './secrets';

/**
 * How the router calls a function on another provider: `POST <url>` with the dynamic function's request as
 * JSON, the answer's body is its response (the same protocol as a Lambda invoke's payload).
 *
 * Failures are data, classified so the routing service fails over as it does for Lambda:
 *
 * | what happened | `errorType` | fails over |
 * |---|---|---|
 * | 401 / 403, or the IAM exchange refused the key | `AuthenticationFailed` | yes |
 * | the secret could not be read | `SecretUnavailable` | yes |
 * | 429 | `TooManyRequestsException` | yes (throttled) |
 * | 503 | `ServiceException` | yes |
 * | another 5xx | `ServiceException` | no (the work may have started) |
 * | 404, or no URL configured for the function | `ResourceNotFoundException` | yes |
 * | connection refused, no address or route, a failed TLS handshake, a request fetch could not build | `EndpointUnreachable` | yes |
 * | any other broken connection (a reset, the endpoint closing it), also while the answer is read | `ConnectionBroken` | no (the request may have been delivered) |
 * | no answer within the timeout | `Timeout` | where the call was allowed the function's own timeout |
 * | a request body over the provider's input limit (DigitalOcean's 1 MB), refused before sending | `InputTooLarge` | yes (nothing ran) |
 * | 413 | `RequestTooLargeException` | no |
 * | a 2xx body over the provider's result limit (DigitalOcean's 1 MB) | `ResultTooLarge` | no (the work ran) |
 * | another 4xx, or a 2xx that is not JSON | `EndpointRejected` / `InvalidResponse` | no |
 *
 * Every message names the function, the provider, the region and the endpoint's host, never a secret.
 */
export interface HttpsInvokerOptions {
  /** Reads the zone's secrets. */
  readonly secrets: SecretResolver;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now (for HMAC signatures and IAM token expiry) */
  readonly clock?: () => number;
  /** Time limit when the call sets none, ms. @default 60000 */
  readonly defaultTimeoutMs?: number;
}

/**
 * An {@link Invoker} for one external zone. Never throws.
 *
 * @example
 * const [zone] = parseExternalZones(config.endpoints);
 * const invoker = httpsInvoker(zone, { secrets: new SecretResolver() });
 * await invoker.invoke('sky-do-tor1-x86_64-1024', { workload: { name: 'sha1-hash' } });
 */
export function httpsInvoker(zone: ExternalZone, options: HttpsInvokerOptions): Invoker {
  const fetchFn = options.fetch ?? fetch;
  const clock = options.clock ?? Date.now;
  const auth = zone.auth;
  const secretRef = auth.type === 'ibm-iam' ? auth.apiKey : auth.secret;
  const maxResultBytes = zone.provider === 'https' ? undefined : PROVIDERS[zone.provider].maxResultBytes;
  const maxInputBytes = zone.provider === 'https' ? undefined : PROVIDERS[zone.provider].maxInputBytes;
  const iam =
    auth.type === 'ibm-iam'
      ? new IamTokenSource({
          apiKey: () => options.secrets.resolve(auth.apiKey),
          fetch: fetchFn,
          clock,
          ...(auth.tokenUrl ? { tokenUrl: auth.tokenUrl } : {}),
        })
      : undefined;

  async function headersFor(body: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
    switch (auth.type) {
      case 'ibm-iam':
        headers.Authorization = `Bearer ${await iam!.get()}`;
        break;
      case 'digitalocean-secret':
        headers['X-Require-Whisk-Auth'] = await options.secrets.resolve(auth.secret);
        break;
      case 'bearer':
        headers.Authorization = `Bearer ${await options.secrets.resolve(auth.secret)}`;
        break;
      case 'hmac':
        headers[SIGNATURE_HEADER] = signBody(await options.secrets.resolve(auth.secret), body, clock());
        break;
    }
    return headers;
  }

  return {
    async invoke(functionName: string, payload: unknown, invokeOptions?: InvokeOptions): Promise<InvokeResult> {
      const started = performance.now();
      const elapsed = () => performance.now() - started;
      const url = urlOf(zone, functionName);
      const where = `${functionName} (${zone.provider} ${zone.region}${url ? `, ${hostOf(url)}` : ''})`;
      const fail = (errorType: string, message: string, retryable: boolean): InvokeResult => ({
        ok: false,
        errorType,
        message: `${where}: ${message}`,
        retryable,
        durationMs: elapsed(),
      });
      if (!url) return fail('ResourceNotFoundException', `no URL is configured for it in zone ${zone.azId}`, true);
      const body = JSON.stringify(payload ?? {});
      const bodyBytes = Buffer.byteLength(body, 'utf8');
      if (maxInputBytes !== undefined && bodyBytes > maxInputBytes) {
        return fail(
          'InputTooLarge',
          `the request is ${bodyBytes} bytes; ${zone.provider} accepts at most ${maxInputBytes} bytes of input ` +
            'to a function, so it was not sent',
          true,
        );
      }
      const timeoutMs = invokeOptions?.timeoutMs ?? options.defaultTimeoutMs ?? 60_000;
      for (let attempt = 0; ; attempt++) {
        let headers: Record<string, string>;
        try {
          headers = await headersFor(body);
        } catch (error) {
          if (error instanceof SecretUnavailableError) return fail('SecretUnavailable', error.message, true);
          if (error instanceof IamTokenError) return fail('AuthenticationFailed', error.message, true);
          return fail('SecretUnavailable', (error as Error).message ?? String(error), true);
        }
        let response: Response;
        try {
          response = await fetchFn(url, {
            method: 'POST',
            headers,
            body,
            signal: AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs - elapsed()))),
          });
        } catch (error) {
          if (isTimeout(error)) return fail('Timeout', `no answer within ${timeoutMs} ms`, true);
          const delivery = deliveryOf(error);
          if (delivery === 'unbuilt') {
            // Its message may quote a header value, which is built from the secret: name the kind of error only.
            return fail(
              'EndpointUnreachable',
              `the request could not be built (${(error as Error).name ?? 'error'}: check the zone's URL and secret)`,
              true,
            );
          }
          if (delivery === 'not-delivered')
            return fail('EndpointUnreachable', `the endpoint could not be reached: ${causeOf(error)}`, true);
          return fail(
            'ConnectionBroken',
            `the connection broke before an answer, after the request may have been sent: ${causeOf(error)}`,
            false,
          );
        }
        let text: string;
        try {
          text = await response.text();
        } catch (error) {
          // The endpoint answered with a status: the request was delivered, and the work may have run.
          if (isTimeout(error)) return fail('Timeout', `no whole answer within ${timeoutMs} ms`, true);
          return fail(
            'ConnectionBroken',
            `the connection broke while the answer (HTTP ${response.status}) was read: ${causeOf(error)}`,
            false,
          );
        }
        const status = response.status;
        if (status >= 200 && status < 300) {
          const bytes = Buffer.byteLength(text, 'utf8');
          if (maxResultBytes !== undefined && bytes > maxResultBytes) {
            return fail(
              'ResultTooLarge',
              `the answer is ${bytes} bytes; ${zone.provider} returns at most ${maxResultBytes} bytes ` +
                'from a function, so the result is refused rather than passed on cut short',
              false,
            );
          }
          try {
            return { ok: true, payload: text.length > 0 ? JSON.parse(text) : null, durationMs: elapsed() };
          } catch {
            return fail('InvalidResponse', `HTTP ${status} with a body that is not JSON`, false);
          }
        }
        if ((status === 401 || status === 403) && iam && attempt === 0) {
          // The token may have been revoked or expired early: exchange the key once more.
          iam.invalidate();
          continue;
        }
        const detail = `HTTP ${status}${summary(text)}`;
        if (status === 401 || status === 403) {
          return fail(
            'AuthenticationFailed',
            `the endpoint refused the credentials from ${describeSecret(secretRef)} (${detail})`,
            true,
          );
        }
        if (status === 429)
          return fail('TooManyRequestsException', `the provider throttled the call (${detail})`, true);
        if (status === 404)
          return fail('ResourceNotFoundException', `the endpoint has no such function (${detail})`, true);
        if (status === 408 || status === 504)
          return fail('Timeout', `the provider timed the call out (${detail})`, true);
        if (status === 413)
          return fail('RequestTooLargeException', `the payload is too large for the provider (${detail})`, false);
        if (status >= 500) return fail('ServiceException', `the provider failed (${detail})`, status === 503);
        return fail('EndpointRejected', `the endpoint rejected the call (${detail})`, false);
      }
    },
  };
}

/**
 * Error codes of a request that cannot have reached the endpoint: no address or route, a refused or timed-out
 * connect, a TLS handshake that failed. Any other broken connection (a reset, the endpoint closing it, a socket
 * timeout) may have delivered the request, so the function may be running it.
 */
const NOT_DELIVERED =
  /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|UND_ERR_CONNECT_TIMEOUT|ERR_TLS_CERT_ALTNAME_INVALID|ERR_TLS_HANDSHAKE_TIMEOUT|ERR_SSL_(WRONG_VERSION_NUMBER|UNSUPPORTED_PROTOCOL|NO_PROTOCOLS_AVAILABLE|SSLV3_ALERT_HANDSHAKE_FAILURE|TLSV1_ALERT_\w+)|CERT_\w+|UNABLE_TO_\w+|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_INVALID_URL)$/;

/**
 * What a failed fetch says of its request. `unbuilt`: fetch refused it before any connection (an invalid URL or
 * header: an error with neither a cause nor a code). `not-delivered`: every connection it tried failed before the
 * request went out (several addresses tried are all connect attempts; one, by its code in `NOT_DELIVERED`).
 * `maybe-delivered`: anything else.
 */
function deliveryOf(error: unknown): 'unbuilt' | 'not-delivered' | 'maybe-delivered' {
  type Failure = { code?: unknown; errors?: unknown[] };
  const e = error as (Failure & { cause?: Failure }) | undefined;
  const failure = e?.cause ?? (typeof e?.code === 'string' ? e : undefined);
  if (!failure) return 'unbuilt';
  if (Array.isArray(failure.errors) && failure.errors.length > 1) return 'not-delivered';
  const [only] = Array.isArray(failure.errors) && failure.errors.length === 1 ? failure.errors : [failure];
  const code = (only as Failure | undefined)?.code;
  return typeof code === 'string' && NOT_DELIVERED.test(code) ? 'not-delivered' : 'maybe-delivered';
}

/** The URL of a function of the zone: a dynamic function by memory size, a sampler by index. */
export function urlOf(zone: ExternalZone, functionName: string): string | undefined {
  const parsed = parseFunctionName(functionName);
  if (!parsed || !('azId' in parsed) || parsed.azId !== zone.azId) return undefined;
  if (parsed.kind === 'dynamic') return parsed.arch === 'x86_64' ? zone.functions.get(parsed.memoryMb) : undefined;
  if (parsed.kind === 'sampler') return zone.samplers[parsed.index];
  return undefined;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The start of an error body, for the message (providers put the reason there). */
function summary(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length === 0) return '';
  return `: ${flat.length > 160 ? `${flat.slice(0, 157)}...` : flat}`;
}
