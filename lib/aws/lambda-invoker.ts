import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type InvokeOptions, type InvokeResult, type Invoker, reportOfLogTail } from '../contracts';

/** Service errors worth failing over or retrying: the function never ran or the zone could not serve it. */
const RETRYABLE = new Set([
  'TooManyRequestsException',
  'ServiceException',
  'ResourceNotReadyException',
  'EC2ThrottledException',
  'EC2UnexpectedException',
  'ENILimitReachedException',
  'SubnetIPAddressLimitReachedException',
  'ResourceConflictException',
  'Timeout',
  'ThrottlingException',
  'TimeoutError',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
]);

export interface SdkInvokerOptions {
  /**
   * Most invocations in flight at once; further calls wait their turn here, so that a leaf's
   * timeout measures the call, not the wait for a socket. Match the client's socket limit.
   * @default - unlimited (the client's own pool queues)
   */
  readonly maxSockets?: number;
}

/**
 * An {@link Invoker} over `@aws-sdk/client-lambda`'s `InvokeCommand`. Payloads are JSON. Never throws:
 * - the function threw (`FunctionError` set): `errorType` from the payload's `errorType`, else `Unhandled`;
 * - a service error: its name (`TooManyRequestsException` and other capacity errors are `retryable`);
 * - `timeoutMs` passed: the request is aborted and reported as `Timeout` (retryable).
 * With `logTail`, an answered call, and one whose function failed, carries the REPORT record of its log tail (`report`:
 * what Lambda billed).
 *
 * @example
 * const invoker = sdkInvoker(lambdaClientWithLimit({ region: 'us-west-2', maxSockets: 50 }), { maxSockets: 50 });
 * const result = await invoker.invoke('sky-smp-usw2-az1-00', {});
 */
export function sdkInvoker(client: LambdaClient, options: SdkInvokerOptions = {}): Invoker {
  const gate = options.maxSockets !== undefined ? new Gate(options.maxSockets) : undefined;
  return {
    async invoke(functionName, payload, invokeOptions) {
      if (gate) await gate.acquire();
      try {
        return await invokeOnce(client, functionName, payload, invokeOptions);
      } finally {
        gate?.release();
      }
    },
  };
}

async function invokeOnce(
  client: LambdaClient,
  functionName: string,
  payload: unknown,
  options: InvokeOptions | undefined,
): Promise<InvokeResult> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const abort = options?.timeoutMs !== undefined ? new AbortController() : undefined;
  const timer = abort ? setTimeout(() => abort.abort(), options!.timeoutMs) : undefined;
  try {
    const invocationType = options?.invocationType ?? 'RequestResponse';
    const logTail = options?.logTail === true && invocationType === 'RequestResponse';
    const response = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: invocationType,
        Payload: new TextEncoder().encode(JSON.stringify(payload ?? {})),
        ...(logTail ? { LogType: 'Tail' as const } : {}),
      }),
      abort ? { abortSignal: abort.signal } : {},
    );
    const text = response.Payload ? new TextDecoder().decode(response.Payload) : '';
    let body: unknown = null;
    if (text.length > 0) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const report = logTail && response.LogResult ? reportOfLogTail(response.LogResult, 'base64') : undefined;
    if (response.FunctionError) {
      const fields = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
      return {
        ok: false,
        errorType: typeof fields.errorType === 'string' ? fields.errorType : 'Unhandled',
        message: typeof fields.errorMessage === 'string' ? fields.errorMessage : `${response.FunctionError}: ${text}`,
        retryable: false,
        durationMs: elapsed(),
        ...(report ? { report } : {}),
      };
    }
    return { ok: true, payload: body, durationMs: elapsed(), ...(report ? { report } : {}) };
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string };
    const aborted = abort?.signal.aborted === true;
    const errorType = aborted ? 'Timeout' : (e.name && e.name !== 'Error' ? e.name : e.code) || 'UnknownError';
    return {
      ok: false,
      errorType,
      message: aborted ? `no answer within ${options!.timeoutMs} ms` : (e.message ?? String(error)),
      retryable: RETRYABLE.has(errorType) || RETRYABLE.has(e.code ?? ''),
      durationMs: elapsed(),
    };
  } finally {
    clearTimeout(timer);
  }
}

/** A counting semaphore. */
class Gate {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`maxSockets must be an integer >= 1, got ${limit}`);
  }
  async acquire(): Promise<void> {
    if (this.active < this.limit) {
      this.active++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

export interface LambdaClientLimitOptions extends Omit<LambdaClientConfig, 'requestHandler'> {
  /** Most open connections to the Lambda endpoint. @default 50 */
  readonly maxSockets?: number;
  /** Socket connect timeout in ms. @default 3000 */
  readonly connectionTimeoutMs?: number;
}

/**
 * A `LambdaClient` whose HTTP handler keeps at most `maxSockets` connections (keep-alive) and retries
 * nothing itself beyond the SDK's standard retry mode, so throttles surface to the caller to count.
 */
export function lambdaClientWithLimit(options: LambdaClientLimitOptions = {}): LambdaClient {
  const { maxSockets = 50, connectionTimeoutMs = 3000, ...config } = options;
  if (!Number.isInteger(maxSockets) || maxSockets < 1) {
    throw new RangeError(`maxSockets must be an integer >= 1, got ${maxSockets}`);
  }
  return new LambdaClient({
    maxAttempts: 1,
    ...config,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: connectionTimeoutMs,
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets }),
      httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets }),
    }),
  });
}
