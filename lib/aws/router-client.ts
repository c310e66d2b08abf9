import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Sha256 } from '@aws-crypto/sha256-js';
import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { ROUTER_FUNCTION_NAME } from '../core/naming';
import type { RouterRequestBody } from '../routing/request';
import type { RouterAnswer } from '../routing/types';

/** A call to the router that did not produce a router answer (no credentials, 403, network, ...). */
export class RouterClientError extends Error {
  constructor(
    message: string,
    /** HTTP status for a Function URL call; undefined for network errors and direct invocation. */
    readonly statusCode?: number,
  ) {
    super(message);
    this.name = 'RouterClientError';
  }
}

/** Sends router requests and returns router answers. */
export interface RouterClient {
  /** Routes one request (or a batch); an answer with `status: 'error'` is data, not an exception. */
  invoke(request: RouterRequestBody): Promise<RouterAnswer>;
}

export interface UrlRouterClientOptions {
  /** The router's Function URL, e.g. `https://abc.lambda-url.us-west-2.on.aws/`. */
  readonly url: string;
  /**
   * Region to sign for.
   * @default - read from the URL's host (`<id>.lambda-url.<region>.on.aws`)
   */
  readonly region?: string;
  /**
   * Credentials to sign with.
   * @default - the SDK's default provider chain (environment, profile, SSO, instance role)
   */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /**
   * Give up after this many ms.
   * @default 910000 (the Lambda maximum of 15 minutes, plus a margin)
   */
  readonly timeoutMs?: number;
}

/**
 * A client for the router's IAM-authenticated Function URL: each request is signed with
 * Signature Version 4 for service `lambda`.
 *
 * @example
 * const client = urlRouterClient({ url: 'https://abc.lambda-url.us-west-2.on.aws/' });
 * const answer = await client.invoke({ workload: 'zipper', objective: 'cost' });
 */
export function urlRouterClient(options: UrlRouterClientOptions): RouterClient {
  const url = parseUrl(options.url);
  const region = options.region ?? regionOfFunctionUrl(url);
  if (!region) {
    throw new RouterClientError(`cannot tell the region of ${options.url}; pass the region to sign for`);
  }
  const signer = new SignatureV4({
    service: 'lambda',
    region,
    credentials: options.credentials ?? fromNodeProviderChain(),
    sha256: Sha256,
  });
  const timeoutMs = options.timeoutMs ?? 910_000;
  return {
    async invoke(body) {
      const payload = JSON.stringify(body);
      const query: Record<string, string> = {};
      url.searchParams.forEach((value, key) => {
        query[key] = value;
      });
      let signed: { headers: Record<string, string> };
      try {
        signed = await signer.sign({
          method: 'POST',
          protocol: url.protocol,
          hostname: url.hostname,
          ...(url.port ? { port: Number(url.port) } : {}),
          path: url.pathname || '/',
          query,
          headers: { host: url.host, 'content-type': 'application/json' },
          body: payload,
        });
      } catch (error) {
        throw new RouterClientError(`cannot sign the request: ${describe(error)}`);
      }
      const { statusCode, text } = await post(url, signed.headers, payload, timeoutMs);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new RouterClientError(
          `the router answered ${statusCode} with a body that is not JSON: ${text.slice(0, 200)}`,
          statusCode,
        );
      }
      if (isRouterAnswer(parsed)) return parsed;
      const message =
        (parsed as { Message?: unknown; message?: unknown }).Message ?? (parsed as { message?: unknown }).message;
      throw new RouterClientError(
        `the Function URL answered ${statusCode}: ${typeof message === 'string' ? message : text.slice(0, 200)}`,
        statusCode,
      );
    },
  };
}

export interface FunctionRouterClientOptions {
  readonly client: LambdaClient;
  /** @default 'sky-router' */
  readonly functionName?: string;
}

/**
 * A client that invokes the router function directly with the Lambda `Invoke` API.
 *
 * @example
 * const client = functionRouterClient({ client: new LambdaClient({ region: 'us-west-2' }) });
 */
export function functionRouterClient(options: FunctionRouterClientOptions): RouterClient {
  const functionName = options.functionName ?? ROUTER_FUNCTION_NAME;
  return {
    async invoke(body) {
      let out: InvokeCommandOutput;
      try {
        out = await options.client.send(
          new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(body)) }),
        );
      } catch (error) {
        throw new RouterClientError(`invoking ${functionName} failed: ${describe(error)}`);
      }
      const text = out.Payload ? new TextDecoder().decode(out.Payload) : '';
      if (out.FunctionError)
        throw new RouterClientError(`${functionName} failed (${out.FunctionError}): ${text.slice(0, 500)}`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new RouterClientError(`${functionName} answered with something that is not JSON: ${text.slice(0, 200)}`);
      }
      if (!isRouterAnswer(parsed)) {
        throw new RouterClientError(
          `${functionName} answered with something that is not a router answer: ${text.slice(0, 200)}`,
        );
      }
      return parsed;
    },
  };
}

/** An SDK error in words, with what to do when credentials are missing. */
function describe(error: unknown): string {
  const e = error as { name?: string; message?: string };
  if (e.name === 'CredentialsProviderError') {
    return 'no AWS credentials found; set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or log in with aws sso login)';
  }
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}

/** The region in a Function URL host, `<id>.lambda-url.<region>.on.aws`. */
export function regionOfFunctionUrl(url: URL): string | undefined {
  return /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname)?.[1];
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RouterClientError(
      `${JSON.stringify(text)} is not a URL; expected https://<id>.lambda-url.<region>.on.aws/`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RouterClientError(`${text} is not an http(s) URL`);
  }
  return url;
}

function isRouterAnswer(value: unknown): value is RouterAnswer {
  if (typeof value !== 'object' || value === null) return false;
  const status = (value as { status?: unknown }).status;
  return status === 'ok' || status === 'error' || status === 'batch' || status === 'profiling';
}

function post(
  url: URL,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<{ statusCode: number; text: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', (error) => reject(new RouterClientError(`reading the answer failed: ${error.message}`)));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error) => reject(new RouterClientError(`POST ${url.href} failed: ${error.message}`)));
    req.end(body);
  });
}
