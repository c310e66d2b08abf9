import { Agent } from 'node:http';
import {
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException,
  TooManyRequestsException,
} from '@aws-sdk/client-lambda';
import { sdkInvoker } from '../../lib/aws/lambda-invoker';
import { DEFAULT_SAMPLER_SLEEP_MS, defaultHandlerKit } from '../../lib/twin/handlers';
import { type LambdaApi, startLambdaApi } from '../../lib/twin/lambda-api';
import { smallScenario } from './fixtures';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

describe('loopback Lambda API through the real SDK client', () => {
  let api: LambdaApi;
  let lambda: LambdaClient;

  beforeAll(async () => {
    // GIVEN a twin of the small scenario, sleeps shortened 100×
    api = await startLambdaApi({ scenario: smallScenario(), timeScale: 0.01 });
    api.register('sky-router', async (event) => ({ echo: event }));
    api.register('boom', async () => {
      throw new RangeError('bad things');
    });
    lambda = new LambdaClient({
      endpoint: api.endpoint,
      region: 'us-west-1',
      credentials: { accessKeyId: 'twin', secretAccessKey: 'twin' },
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    lambda.destroy();
    await api.close();
  });

  it('serves a sampler on an emulated instance that reports the emulated CPU', async () => {
    const out = await lambda.send(
      new InvokeCommand({ FunctionName: 'sky-smp-usw1-az3-00', Payload: encoder.encode('{}') }),
    );
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    const answer = JSON.parse(decoder.decode(out.Payload));
    expect([
      'Intel(R) Xeon(R) Processor @ 2.50GHz',
      'Intel(R) Xeon(R) Processor @ 2.90GHz',
      'Intel(R) Xeon(R) Processor @ 3.00GHz',
      'AMD EPYC',
    ]).toContain(answer.cpuModel);
    expect(answer.newInstance).toBe(true);
    expect(answer.azId).toBe('usw1-az3');
    expect(answer.elapsedMs).toBeGreaterThanOrEqual(DEFAULT_SAMPLER_SLEEP_MS);
  });

  it("returns Lambda's REPORT line in the log tail: a new instance's INIT billed, a warm one's not", async () => {
    // GIVEN the SDK invoker the router uses, asking for the log tail (INIT billed, 150 ms: the scenario's default)
    const invoker = sdkInvoker(lambda);
    // WHEN one sampler is called twice in turn: a cold start, then its warm instance
    const cold = await invoker.invoke('sky-smp-usw1-az3-07', {}, { logTail: true });
    const warm = await invoker.invoke('sky-smp-usw1-az3-07', {}, { logTail: true });
    const untold = await invoker.invoke('sky-smp-usw1-az3-07', {});
    // THEN the cold call's billed time is its handler's run plus its INIT, the warm call's its run alone
    if (!cold.ok || !warm.ok || !untold.ok) throw new Error('a sampler call failed');
    expect((cold.payload as { newInstance: boolean }).newInstance).toBe(true);
    expect((warm.payload as { newInstance: boolean }).newInstance).toBe(false);
    expect(cold.report?.initMs).toBe(150);
    expect(cold.report?.durationMs).toBeGreaterThanOrEqual(DEFAULT_SAMPLER_SLEEP_MS);
    // As Lambda's, the line prints Duration to two decimals and bills the exact duration rounded up (142.001 ms prints
    // as 142.00 and bills 143): the billed time is the ceiling of a duration within 0.005 ms of the printed one.
    const billedFor = (printedMs: number, initMs = 0): number[] => [
      Math.ceil(printedMs - 0.005 + initMs),
      Math.ceil(printedMs + 0.005 + initMs),
    ];
    expect(billedFor(cold.report!.durationMs!, 150)).toContain(cold.report?.billedMs);
    expect(warm.report?.initMs).toBeUndefined();
    expect(billedFor(warm.report!.durationMs!)).toContain(warm.report?.billedMs);
    // and a call that does not ask for the tail gets no report
    expect(untold.report).toBeUndefined();
  });

  it('resolves a URL-encoded ARN and runs a registered handler', async () => {
    const out = await lambda.send(
      new InvokeCommand({
        FunctionName: 'arn:aws:lambda:us-west-2:123456789012:function:sky-router',
        Payload: encoder.encode(JSON.stringify({ hello: 'sky' })),
      }),
    );
    expect(JSON.parse(decoder.decode(out.Payload))).toEqual({ echo: { hello: 'sky' } });
  });

  it('reports a function error in X-Amz-Function-Error with errorType and errorMessage', async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: 'boom', Payload: encoder.encode('{}') }));
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe('Unhandled');
    const body = JSON.parse(decoder.decode(out.Payload));
    expect(body).toMatchObject({ errorType: 'RangeError', errorMessage: 'bad things' });
  });

  it('queues an Event invocation with 202 and a DryRun with 204', async () => {
    const event = await lambda.send(
      new InvokeCommand({
        FunctionName: 'sky-smp-sae1-az1-01',
        InvocationType: 'Event',
        Payload: encoder.encode('{}'),
      }),
    );
    expect(event.StatusCode).toBe(202);
    const dry = await lambda.send(new InvokeCommand({ FunctionName: 'sky-fan-sae1-az1', InvocationType: 'DryRun' }));
    expect(dry.StatusCode).toBe(204);
    await api.twin.drain();
    expect(api.twin.zones.get('sae1-az1')?.liveInstances('sky-smp-sae1-az1-01')).toBe(1);
  });

  it('answers 404 ResourceNotFoundException for an unknown function or zone', async () => {
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'nope', Payload: encoder.encode('{}') })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(
      lambda.send(new InvokeCommand({ FunctionName: 'sky-use1-az1-x86_64-2048', Payload: encoder.encode('{}') })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('loopback Lambda API throttling', () => {
  it('answers 429 TooManyRequestsException when the zone has no free slot', async () => {
    // GIVEN samplers that hold their instance until released, in a zone of 10 hosts × 10 slots
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const holding = async () => {
      await gate;
      return { held: true };
    };
    const api = await startLambdaApi({
      scenario: smallScenario(),
      kit: { dynamic: () => holding, sampler: () => holding, fanout: () => holding },
    });
    const lambda = new LambdaClient({
      endpoint: api.endpoint,
      region: 'sa-east-1',
      credentials: { accessKeyId: 'twin', secretAccessKey: 'twin' },
      maxAttempts: 1,
      requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 256 }) },
    });
    try {
      // WHEN 130 calls are in flight at once
      const calls = Array.from({ length: 130 }, () =>
        lambda.send(new InvokeCommand({ FunctionName: 'sky-smp-sae1-az1-02', Payload: encoder.encode('{}') })).then(
          () => 'ok',
          (error: unknown) => error,
        ),
      );
      while ((api.served[429] ?? 0) < 30) await new Promise((resolve) => setTimeout(resolve, 5));
      release();
      const results = await Promise.all(calls);
      // THEN 100 ran and 30 were throttled the way Lambda throttles
      const throttled = results.filter((r) => r instanceof TooManyRequestsException) as TooManyRequestsException[];
      expect(results.filter((r) => r === 'ok')).toHaveLength(100);
      expect(throttled).toHaveLength(30);
      expect(throttled[0].Reason).toBe('ConcurrentInvocationLimitExceeded');
      expect(throttled[0].message).toBe('Rate Exceeded.');
      expect(throttled[0].$metadata.httpStatusCode).toBe(429);
    } finally {
      lambda.destroy();
      await api.close();
    }
  });
});

describe('a zone function that crashes, through the real SDK invoker', () => {
  it("carries its REPORT record: Lambda bills a failed run and a new instance's INIT", async () => {
    // GIVEN samplers whose handler throws after 40 ms of work
    const kit = defaultHandlerKit();
    const api = await startLambdaApi({
      scenario: smallScenario(),
      timeScale: 0.01,
      kit: {
        ...kit,
        sampler: (platform) => async () => {
          await platform.sleep(40);
          throw new RangeError('the sampler crashed');
        },
      },
    });
    const lambda = new LambdaClient({
      endpoint: api.endpoint,
      region: 'us-west-1',
      credentials: { accessKeyId: 'twin', secretAccessKey: 'twin' },
      maxAttempts: 1,
    });
    try {
      // WHEN a new instance's call crashes
      const failed = await sdkInvoker(lambda).invoke('sky-smp-usw1-az3-03', {}, { logTail: true });
      // THEN the invoker reads its REPORT: the run and the 150 ms INIT
      if (failed.ok) throw new Error('the crashing sampler answered');
      expect(failed.errorType).toBe('RangeError');
      expect(failed.report?.initMs).toBe(150);
      expect(failed.report?.billedMs).toBeGreaterThanOrEqual(190);
    } finally {
      lambda.destroy();
      await api.close();
    }
  });
});
