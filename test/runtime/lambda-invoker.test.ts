import { LambdaClient } from '@aws-sdk/client-lambda';
import { lambdaClientWithLimit, sdkInvoker } from '../../lib/aws/lambda-invoker';
import { type FakeAnswer, startFakeLambdaApi } from './helpers/fake-lambda-api';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

describe('sdkInvoker over a loopback Lambda API', () => {
  let api: Awaited<ReturnType<typeof startFakeLambdaApi>>;
  let inFlight = 0;
  let peak = 0;
  const script: Record<string, FakeAnswer> = {
    ok: { kind: 'ok', payload: { hello: 'world' } },
    boom: { kind: 'function-error', payload: { errorType: 'RangeError', errorMessage: 'too far', trace: [] } },
    bare: { kind: 'function-error', payload: 'crashed' },
    throttled: { kind: 'service-error', status: 429, type: 'TooManyRequestsException', message: 'Rate exceeded' },
    missing: { kind: 'service-error', status: 404, type: 'ResourceNotFoundException', message: 'Function not found' },
    slow: { kind: 'ok', payload: 1, delayMs: 400 },
    busy: { kind: 'ok', payload: 2, delayMs: 30 },
  };
  beforeAll(async () => {
    api = await startFakeLambdaApi(async (name) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      try {
        if (name === 'busy') await new Promise((r) => setTimeout(r, 30));
        return script[name] ?? { kind: 'ok', payload: null };
      } finally {
        inFlight--;
      }
    });
  });
  afterAll(() => api.close());

  const client = () =>
    lambdaClientWithLimit({ region: 'us-west-2', endpoint: api.endpoint, credentials, maxSockets: 4 });

  it('returns the JSON payload and sends the request payload', async () => {
    const result = await sdkInvoker(client()).invoke('ok', { a: 1 });
    expect(result).toMatchObject({ ok: true, payload: { hello: 'world' } });
    expect(api.requests.at(-1)).toEqual({ name: 'ok', payload: { a: 1 } });
  });

  it('queues an Event invocation and answers at once with no payload', async () => {
    const result = await sdkInvoker(client()).invoke('ok', { b: 2 }, { invocationType: 'Event' });
    expect(result).toMatchObject({ ok: true, payload: null });
    expect(api.requests.at(-1)).toEqual({ name: 'ok', payload: { b: 2 } });
  });

  it('maps a function error to the payload errorType, else Unhandled', async () => {
    const invoker = sdkInvoker(client());
    expect(await invoker.invoke('boom', {})).toMatchObject({
      ok: false,
      errorType: 'RangeError',
      message: 'too far',
      retryable: false,
    });
    expect(await invoker.invoke('bare', {})).toMatchObject({ ok: false, errorType: 'Unhandled', retryable: false });
  });

  it('reports throttling as retryable and a missing function as not', async () => {
    const invoker = sdkInvoker(client());
    expect(await invoker.invoke('throttled', {})).toMatchObject({
      ok: false,
      errorType: 'TooManyRequestsException',
      retryable: true,
    });
    expect(await invoker.invoke('missing', {})).toMatchObject({
      ok: false,
      errorType: 'ResourceNotFoundException',
      retryable: false,
    });
  });

  it('aborts after timeoutMs and reports Timeout', async () => {
    const result = await sdkInvoker(client()).invoke('slow', {}, { timeoutMs: 50 });
    expect(result).toMatchObject({ ok: false, errorType: 'Timeout', retryable: true });
  });

  it('keeps at most maxSockets calls in flight', async () => {
    peak = 0;
    const invoker = sdkInvoker(client(), { maxSockets: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, () => invoker.invoke('busy', {})));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(peak).toBe(3);
  });

  it('reports an unreachable endpoint as data, not a throw', async () => {
    const dead = new LambdaClient({ region: 'us-west-2', endpoint: 'http://127.0.0.1:9', credentials, maxAttempts: 1 });
    const result = await sdkInvoker(dead).invoke('ok', {});
    expect(result.ok).toBe(false);
  });

  it('validates the socket limit', () => {
    expect(() => lambdaClientWithLimit({ maxSockets: 0 })).toThrow(/maxSockets/);
    expect(() => sdkInvoker(client(), { maxSockets: 1.5 })).toThrow(/maxSockets/);
  });
});
