import { Metrics } from '@aws-lambda-powertools/metrics';
import type { FunctionUrlResult } from '../../lambda/router';
import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { SkyStore } from '../../lib/aws/store';
import { ensureSkyTable } from '../../lib/aws/table-setup';
import type { Invoker } from '../../lib/contracts';
import { powertoolsTelemetry } from '../../lib/routing/powertools-telemetry';
import type { BatchAnswer, RoutedCall } from '../../lib/routing/types';
import { rngFor } from '../../lib/twin/random';
import { CPU, type SkyFixture, startSky } from './sky-fixture';

/** A Function URL event (payload format 2.0) as Lambda builds it. */
function urlEvent(body: string | undefined, options: { method?: string; base64?: boolean } = {}) {
  const encoded = options.base64 && body !== undefined ? Buffer.from(body).toString('base64') : body;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    requestContext: { http: { method: options.method ?? 'POST', path: '/' } },
    body: encoded,
    isBase64Encoded: options.base64 ?? false,
  };
}

/** An invoker that records the name of every function it invokes through `inner`. */
function recordingInvoker(inner: Invoker): { invoked: string[]; spy: Invoker } {
  const invoked: string[] = [];
  const spy: Invoker = {
    invoke: (name, payload, options) => {
      invoked.push(name);
      return inner.invoke(name, payload, options);
    },
  };
  return { invoked, spy };
}

function asCall(answer: unknown): RoutedCall {
  expect(answer).toHaveProperty('status');
  expect((answer as { status: string }).status).not.toBe('batch');
  return answer as RoutedCall;
}

describe('router handler in the twin, through the SDK clients', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
  });

  afterAll(async () => {
    await sky?.close();
  });

  it('routes a workload and answers with the result, the placement, the attempts and the estimate', async () => {
    // GIVEN a router over the characterized twin
    const handler = sky.router();
    // WHEN a workload is routed for cost
    const call = asCall(await handler({ workload: 'zipper', objective: 'cost' }));
    // THEN it ran where the placement said, on a CPU the zone has
    expect(call.status).toBe('ok');
    if (call.status !== 'ok') return;
    expect(call.result).toMatchObject({ workload: 'zipper' });
    const deployed = sky.config.deployed.map((z) => z.azId);
    expect(deployed).toContain(call.placement.target.azId);
    const last = call.attempts.at(-1)!;
    expect(last.status).toBe('ok');
    expect(last.functionName).toBe(call.placement.target.functionName);
    expect(Object.values(CPU)).toContain(last.cpu);
    expect(call.attempts.length).toBeLessThanOrEqual(call.placement.maxAttempts);
    for (const rejected of call.attempts.slice(0, -1)) expect(rejected.status).toBe('rejected');
    // and the estimate adds up the attempts' costs, with the modelled runtime of the CPU it ran on
    const sum = call.attempts.reduce((s, a) => s + a.costUsd, 0);
    expect(call.estimate.costUsd).toBeCloseTo(sum, 12);
    expect(call.estimate.costUsd).toBeGreaterThan(0);
    expect(call.estimate.carbonG).toBeGreaterThan(0);
    const modelled = (call.result as { modelledMs: number }).modelledMs;
    expect(call.estimate.runtimeMs).toBeGreaterThanOrEqual(modelled * 0.99);
    expect(call.estimate.billedMs).toBeGreaterThanOrEqual(Math.floor(modelled));
  });

  it('learns from every call: the profile and the passive CPU counts are in the table when the handler returns', async () => {
    const handler = sky.router();
    const before = (await sky.store.profiles(['zipper'])).zipper?.entries ?? [];
    const countBefore = before.reduce((s, e) => s + e.stats.count, 0);
    const calls: RoutedCall[] = [];
    for (let i = 0; i < 3; i++) calls.push(asCall(await handler({ workload: 'zipper' })));
    const after = (await sky.store.profiles(['zipper'])).zipper?.entries ?? [];
    const countAfter = after.reduce((s, e) => s + e.stats.count, 0);
    expect(countAfter - countBefore).toBe(calls.filter((c) => c.status === 'ok').length);
    // Each accepted call's CPU × arch × memory has an entry.
    for (const call of calls) {
      if (call.status !== 'ok') continue;
      const { cpu } = call.attempts.at(-1)!;
      const { arch, memoryMb } = call.placement.target;
      expect(after.some((e) => e.cpu === cpu && e.arch === arch && e.memoryMb === memoryMb)).toBe(true);
    }
    // New instances are counted in their zone's passive counts.
    const newInstances = calls.flatMap((c) => c.attempts).filter((a) => a.newInstance);
    for (const attempt of newInstances) {
      const passive = await sky.store.passiveCounts(attempt.azId);
      expect(passive?.counts[attempt.cpu!]).toBeGreaterThanOrEqual(1);
    }
    expect(handler.learning.empty).toBe(true);
    expect(handler.learning.stats.failedWrites).toBe(0);
  });

  it("with learning 'background', flush() completes the writes the answers left pending", async () => {
    const handler = sky.router({ learning: 'background' });
    const before = (await sky.store.profiles(['zipper@test']))['zipper@test']?.entries ?? [];
    expect(before).toEqual([]);
    const calls = await Promise.all(Array.from({ length: 5 }, () => handler({ workload: 'zipper', size: 'test' })));
    expect(calls.every((c) => asCall(c).status === 'ok')).toBe(true);
    await handler.flush();
    const after = (await sky.store.profiles(['zipper@test']))['zipper@test']?.entries ?? [];
    expect(after.reduce((sum, e) => sum + e.stats.count, 0)).toBe(5);
  });

  it('reads the table once per TTL, however many calls', async () => {
    let now = Date.UTC(2026, 0, 1);
    const handler = sky.router({ clock: () => now, cacheTtlMs: 60_000 });
    await Promise.all(Array.from({ length: 20 }, () => handler({ workload: 'zipper' })));
    expect(handler.cache.reads).toBe(1);
    now += 59_000;
    await handler({ workload: 'zipper' });
    expect(handler.cache.reads).toBe(1);
    now += 2_000;
    await handler({ workload: 'zipper' });
    expect(handler.cache.reads).toBe(2);
  });

  describe('Function URL requests', () => {
    it('answers 200 with the JSON answer, base64 bodies included', async () => {
      const handler = sky.router();
      const result = (await handler(
        urlEvent(JSON.stringify({ workload: 'zipper' }), { base64: true }),
      )) as FunctionUrlResult;
      expect(result.statusCode).toBe(200);
      expect(result.headers['content-type']).toBe('application/json');
      expect(JSON.parse(result.body)).toMatchObject({ status: 'ok', result: { workload: 'zipper' } });
    });

    it.each<[string, ReturnType<typeof urlEvent>, number, string]>([
      ['a GET', urlEvent(undefined, { method: 'GET' }), 405, 'method'],
      ['an empty body', urlEvent(''), 400, 'body'],
      ['a body that is not JSON', urlEvent('{"workload": '), 400, 'body'],
      [
        'a body marked base64 that is valid base64 followed by more',
        {
          ...urlEvent(JSON.stringify({ workload: 'zipper' }), { base64: true }),
          body: `${Buffer.from(JSON.stringify({ workload: 'zipper' })).toString('base64')}!!!`,
        },
        400,
        'body',
      ],
      [
        'a body over 6 MB',
        urlEvent(JSON.stringify({ workload: 'zipper', input: 'x'.repeat(6 * 1024 * 1024) })),
        413,
        'body',
      ],
      ['a bad field', urlEvent(JSON.stringify({ workload: 'zipper', objective: 'speed' })), 400, 'objective'],
      ['a missing work', urlEvent(JSON.stringify({ objective: 'cost' })), 400, 'workload'],
    ])('answers %s with its status code, naming the field', async (_what, event, statusCode, field) => {
      const handler = sky.router();
      const result = (await handler(event)) as FunctionUrlResult;
      expect(result.statusCode).toBe(statusCode);
      const body = JSON.parse(result.body);
      expect(body.status).toBe('error');
      expect(body.error.field).toBe(field);
      expect(body.attempts).toEqual([]);
    });
  });

  it.each<[string, Record<string, unknown>, number, string, string]>([
    ['limits naming no deployed region', { limits: { regions: ['eu-north-1'] } }, 400, 'NoTarget', 'limits'],
    ['limits naming no deployed zone', { limits: { zones: ['euw1-az1'] } }, 400, 'NoTarget', 'limits'],
    ['a memory size not deployed', { limits: { memoryMb: 512 } }, 400, 'NoTarget', 'limits'],
    ['an architecture not deployed', { limits: { arch: 'arm64' } }, 400, 'NoTarget', 'limits'],
    ['a payload over 6 MB', { input: 'x'.repeat(6 * 1024 * 1024) }, 413, 'PayloadTooLarge', 'input'],
    [
      'a profiling request whose limits name no deployed zone',
      { profiling: {}, limits: { zones: ['euw1-az1'] } },
      400,
      'NoTarget',
      'limits',
    ],
  ])('refuses %s before invoking anything', async (_what, extra, httpStatus, type, field) => {
    const { invoked, spy } = recordingInvoker(sky.invoker);
    const handler = sky.router({ invoker: spy });
    const call = asCall(await handler({ workload: 'zipper', ...extra }));
    expect(call.status).toBe('error');
    if (call.status !== 'error') return;
    expect(call.httpStatus).toBe(httpStatus);
    expect(call.error.type).toBe(type);
    expect(call.error.field).toBe(field);
    expect(invoked).toEqual([]);
  });

  it("returns a user-code error as the user's error, without retrying", async () => {
    const handler = sky.router();
    const call = asCall(
      await handler({ code: { source: 'exports.run = () => { throw new Error("boom in user code"); };' } }),
    );
    expect(call.status).toBe('error');
    if (call.status !== 'error') return;
    expect(call.error.type).toBe('UserCodeError');
    expect(call.error.message).toContain('boom in user code');
    expect(call.httpStatus).toBe(422);
    expect(call.attempts.filter((a) => a.status !== 'rejected')).toHaveLength(1);
    expect(call.attempts.at(-1)?.status).toBe('user-error');
  });

  it('runs sent code and returns its result', async () => {
    const handler = sky.router();
    const call = asCall(await handler({ code: { source: 'exports.run = (x) => ({ doubled: x * 2 });' }, input: 21 }));
    expect(call.status).toBe('ok');
    if (call.status === 'ok') {
      expect(call.result).toEqual({ doubled: 42 });
      expect(call.profile).toMatch(/^code-/);
    }
  });

  it('answers an unknown workload with 400 from the dynamic function, without retrying', async () => {
    const handler = sky.router();
    const call = asCall(await handler({ workload: 'no_such_workload' }));
    expect(call.status).toBe('error');
    if (call.status !== 'error') return;
    expect(call.error.type).toBe('UnknownWorkload');
    expect(call.httpStatus).toBe(400);
    expect(call.attempts.filter((a) => a.status !== 'rejected')).toHaveLength(1);
  });

  it("answers a user's timeout as the user's error", async () => {
    const handler = sky.router();
    const call = asCall(
      await handler({
        code: { source: 'exports.run = () => new Promise((resolve) => setTimeout(resolve, 2000));' },
        timeoutMs: 50,
      }),
    );
    expect(call.status).toBe('error');
    if (call.status !== 'error') return;
    expect(call.error.type).toBe('Timeout');
    expect(call.attempts.filter((a) => a.status !== 'rejected')).toHaveLength(1);
  });

  it('does not run the work twice: an invoke that times out before the function could have stopped is answered 504, not failed over', async () => {
    const handler = sky.router({ config: { ...sky.config, invokeTimeoutMs: 1, functionTimeoutMs: 300_000 } });
    const call = asCall(
      await handler({ code: { source: 'exports.run = () => new Promise((r) => setTimeout(r, 200));' } }),
    );
    expect(call.status).toBe('error');
    if (call.status !== 'error') return;
    expect(call.error.type).toBe('DeadlineExceeded');
    expect(call.httpStatus).toBe(504);
    expect(call.error.message).toMatch(/may still be running/);
    expect(call.attempts).toHaveLength(1);
  });

  it("fails over when an invoke times out after the function's own timeout, and answers 503 once every allowed zone has failed", async () => {
    const handler = sky.router({ config: { ...sky.config, invokeTimeoutMs: 1, functionTimeoutMs: 1 } });
    const call = asCall(
      await handler({ code: { source: 'exports.run = () => new Promise((r) => setTimeout(r, 200));' } }),
    );
    expect(call.status).toBe('error');
    if (call.status !== 'error') return;
    expect(call.error.type).toBe('NoCapacity');
    expect(call.httpStatus).toBe(503);
    expect(call.attempts.every((a) => a.status === 'timeout')).toBe(true);
    // One attempt per zone: each failed zone is left.
    expect(new Set(call.attempts.map((a) => a.azId)).size).toBe(call.attempts.length);
    expect(call.attempts.length).toBe(sky.config.deployed.length);
  });

  it('answers 504 without invoking when the router is out of time', async () => {
    const handler = sky.router();
    const call = asCall(await handler({ workload: 'zipper' }, { getRemainingTimeInMillis: () => 400 }));
    expect(call.status).toBe('error');
    if (call.status === 'error') {
      expect(call.error.type).toBe('DeadlineExceeded');
      expect(call.httpStatus).toBe(504);
      expect(call.attempts).toEqual([]);
    }
  });

  it('does not fail over when the function itself crashed (a function error)', async () => {
    // GIVEN the placement's target function crashes (registered in the twin in place of the real one)
    const probe = asCall(await sky.router()({ workload: 'zipper', limits: { zones: ['usw1-az3'] } }));
    const target = probe.placement!.target.functionName;
    sky.api.register(target, async () => {
      throw new Error('runtime exited');
    });
    try {
      const call = asCall(await sky.router()({ workload: 'zipper', limits: { zones: ['usw1-az3'] } }));
      expect(call.status).toBe('error');
      if (call.status !== 'error') return;
      expect(call.error.type).toBe('FunctionError');
      expect(call.httpStatus).toBe(502);
      expect(call.attempts).toHaveLength(1);
    } finally {
      sky.api.twin.unregister(target);
    }
  });

  it("answers a fault of the dynamic function's own handler as the function's (502), without retrying", async () => {
    // GIVEN the placement's target answers as its handler does when it fails in itself (`InternalError`), with the
    // inspection a real dynamic function of the same zone reports
    const probe = asCall(await sky.router()({ workload: 'zipper', limits: { zones: ['usw1-az3'] } }));
    const target = probe.placement!.target.functionName;
    const other = target.endsWith('-1024') ? target.replace(/-1024$/, '-2048') : target.replace(/-\d+$/, '-1024');
    sky.api.register(target, async (event) => {
      const real = await sky.api.twin.invoke(other, event);
      if (!real.ok) throw new Error(`the sibling ${other} failed: ${real.message}`);
      const { inspection } = real.payload as { inspection: unknown };
      return { status: 'error', error: { type: 'InternalError', message: 'TypeError: boom' }, inspection };
    });
    try {
      const call = asCall(await sky.router()({ workload: 'zipper', limits: { zones: ['usw1-az3'] } }));
      // THEN the router answers 502 with the handler's error type, after that one attempt
      expect(call.status).toBe('error');
      if (call.status !== 'error') return;
      expect(call.error.type).toBe('InternalError');
      expect(call.httpStatus).toBe(502);
      expect(call.attempts).toHaveLength(1);
      expect(call.attempts[0].status).toBe('zone-error');
    } finally {
      sky.api.twin.unregister(target);
    }
  });

  it('fails over from a function that is not deployed (ResourceNotFoundException)', async () => {
    // GIVEN the router believes a zone is deployed that the twin does not have, and it looks best
    const missing = { azId: 'usw2-az2', region: 'us-west-2' };
    const handler = sky.router({ config: { ...sky.config, deployed: [missing, ...sky.config.deployed] } });
    await sky.characterizeAs(missing, { [CPU.xeon30]: 1000 });
    // `regional` takes the zone with the best CPU mix: the all-3.0 GHz one.
    const call = asCall(
      await handler({ workload: 'zipper', strategy: 'regional', limits: { zones: ['usw2-az2', 'usw1-az3'] } }),
    );
    expect(call.status).toBe('ok');
    if (call.status !== 'ok') return;
    expect(call.attempts[0]).toMatchObject({
      azId: 'usw2-az2',
      status: 'zone-error',
      errorType: 'ResourceNotFoundException',
    });
    expect(call.placement.target.azId).not.toBe('usw2-az2');
  });

  it('fails over when a zone goes down mid-burst, and answers every call', async () => {
    // GIVEN a burst restricted to two zones, and a spy that takes the first-chosen zone down after 60 calls
    const zones = ['usw1-az1', 'usw1-az3'];
    let calls = 0;
    let downZone: string | undefined;
    const spy: Invoker = {
      async invoke(name, payload, options) {
        calls++;
        if (calls === 60 && !downZone) {
          downZone = name.split('-').slice(1, 3).join('-');
          sky.api.twin.zones.get(downZone)!.configure([], rngFor(1, 'down'), Date.now());
        }
        return sky.invoker.invoke(name, payload, options);
      },
    };
    const handler = sky.router({ invoker: spy });
    try {
      const answer = (await handler({
        workload: 'zipper',
        limits: { zones },
        batch: { count: 300, concurrency: 30 },
      })) as BatchAnswer;
      // THEN nothing is lost: every call answered once, and the ones after the outage ran elsewhere
      expect(answer.status).toBe('batch');
      expect(answer.calls).toHaveLength(300);
      expect(answer.calls.map((c) => c.index)).toEqual(Array.from({ length: 300 }, (_, i) => i));
      expect(answer.summary.failed).toBe(0);
      expect(answer.summary.succeeded).toBe(300);
      expect(downZone).toBeDefined();
      const other = zones.find((z) => z !== downZone)!;
      expect(answer.calls.some((c) => c.azId === other)).toBe(true);
      expect(answer.summary.failovers).toBeGreaterThan(0);
      expect(answer.calls.every((c) => c.attempts <= 10)).toBe(true);
    } finally {
      sky.api.setDay(0);
    }
  });

  it('answers a batch with its summary and per-call outcomes', async () => {
    const handler = sky.router();
    const answer = (await handler({
      workload: 'zipper',
      batch: { count: 40, concurrency: 8, includeResults: true },
    })) as BatchAnswer;
    expect(answer.status).toBe('batch');
    const s = answer.summary;
    expect(s.count).toBe(40);
    expect(s.concurrency).toBe(8);
    expect(s.succeeded + s.failed).toBe(40);
    expect(s.succeeded).toBe(40);
    expect(s.costUsd).toBeCloseTo(
      answer.calls.reduce((sum, c) => sum + c.costUsd, 0),
      12,
    );
    expect(s.attemptsPerRequest).toBeCloseTo(answer.calls.reduce((sum, c) => sum + c.attempts, 0) / 40, 10);
    expect(s.rejects).toBe(answer.calls.reduce((sum, c) => sum + c.rejects, 0));
    expect(Object.values(s.byCpu).reduce((a, b) => a + b, 0)).toBe(40);
    expect(
      answer.calls.every((c) => c.status === 'ok' && (c.result as { workload: string }).workload === 'zipper'),
    ).toBe(true);
    expect(s.meanRuntimeMs).toBeGreaterThan(0);
  });

  it('stops a batch whose work the function refuses, and answers the refusal as a 400', async () => {
    // GIVEN a batch of 100 calls of a workload the dynamic function does not have, 5 at a time
    const { invoked, spy } = recordingInvoker(sky.invoker);
    const handler = sky.router({ invoker: spy });
    const call = asCall(await handler({ workload: 'no-such-work', batch: { count: 100, concurrency: 5 } }));
    // THEN the answer is the function's refusal, and no call started once the first refusal came back
    expect(call.status).toBe('error');
    if (call.status !== 'error') return;
    expect(call.error.type).toBe('UnknownWorkload');
    expect(call.httpStatus).toBe(400);
    expect(invoked.length).toBeGreaterThan(0);
    expect(invoked.length).toBeLessThanOrEqual(5);
  });

  it('stops profiling work the function refuses, and answers the refusal as a 400', async () => {
    const { invoked, spy } = recordingInvoker(sky.invoker);
    const call = asCall(
      await sky.router({ invoker: spy })({ workload: 'no-such-work', profiling: { concurrency: 1 } }),
    );
    expect(call.status).toBe('error');
    if (call.status !== 'error') return;
    expect(call.error.type).toBe('UnknownWorkload');
    expect(call.httpStatus).toBe(400);
    // One call was made: its attempts (rejected CPUs, then the refusal) are every invoke.
    expect(invoked).toHaveLength(call.attempts.length);
    expect(call.attempts.at(-1)?.status).toBe('bad-request');
  });

  it('emits Powertools EMF metrics per zone under the Skymesh namespace', async () => {
    const records: Array<Record<string, unknown>> = [];
    const telemetry = powertoolsTelemetry({
      metrics: new Metrics({ namespace: 'Skymesh', serviceName: 'sky-router' }),
      emit: (emf) => records.push(emf as Record<string, unknown>),
    });
    const handler = sky.router({ telemetry });
    const call = asCall(await handler({ workload: 'zipper' }));
    expect(records.length).toBeGreaterThanOrEqual(1);
    const zone = call.attempts.at(-1)!.azId;
    const record = records.find((r) => r.azId === zone)!;
    expect(record).toBeDefined();
    const aws = record._aws as {
      CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }>;
    };
    expect(aws.CloudWatchMetrics[0].Namespace).toBe('Skymesh');
    expect(aws.CloudWatchMetrics[0].Dimensions[0]).toEqual(expect.arrayContaining(['service', 'azId']));
    expect(aws.CloudWatchMetrics[0].Metrics.map((m) => m.Name)).toEqual(
      expect.arrayContaining(['Invocations', 'Rejects', 'Retries', 'Failovers', 'EstimatedCostUsd']),
    );
    expect(record.Invocations).toBe(1);
    expect(record.EstimatedCostUsd).toBeCloseTo(
      call.attempts.filter((a) => a.azId === zone).reduce((s, a) => s + a.costUsd, 0),
      12,
    );
  });
});

describe('router handler without good characterizations (documented fallbacks)', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky();
  });

  afterAll(async () => {
    await sky?.close();
  });

  it('routes with no characterization at all, on the prior mix, and says so', async () => {
    const call = asCall(await sky.router()({ workload: 'zipper' }));
    expect(call.status).toBe('ok');
    if (call.status !== 'ok') return;
    const zone = call.placement.target.azId;
    expect(call.placement.notes.some((n) => n.startsWith(`${zone} has no x86_64 characterization`))).toBe(true);
  });

  it('routes on stale characterizations', async () => {
    await sky.characterize({ measuredAt: new Date(Date.now() - 40 * 86_400_000).toISOString() });
    const call = asCall(await sky.router()({ workload: 'zipper' }));
    expect(call.status).toBe('ok');
    if (call.status !== 'ok') return;
    const zone = call.placement.target.azId;
    expect(call.placement.notes.some((n) => n.startsWith(`${zone} was characterized`) && n.includes('stale'))).toBe(
      true,
    );
  });

  it('routes when the table cannot be read, and says so in the placement notes', async () => {
    const doc = createDocumentClient({ region: 'us-west-2', endpoint: sky.dynamo.endpoint });
    const missing = new SkyStore({ client: doc, tableName: 'no-such-table' });
    const errors: string[] = [];
    const handler = sky.router({
      store: missing,
      telemetry: { recordAttempts() {}, publish() {}, warn() {}, error: (m) => errors.push(m) },
    });
    const call = asCall(await handler({ workload: 'zipper' }));
    expect(call.status).toBe('ok');
    if (call.status !== 'ok') return;
    expect(call.placement.notes.some((n) => n.includes('table read failed'))).toBe(true);
    expect(errors.length).toBeGreaterThan(0);
    // Learning writes to the missing table fail: logged, never thrown at the caller.
    expect(handler.learning.stats.failedWrites).toBeGreaterThan(0);
  });

  it('keeps the last good view when a later read fails', async () => {
    const doc = createDocumentClient({ region: 'us-west-2', endpoint: sky.dynamo.endpoint });
    await ensureSkyTable(doc, 'flaky');
    const real = new SkyStore({ client: doc, tableName: 'flaky' });
    let fail = false;
    const flaky = {
      latestCharacterizations: () =>
        fail ? Promise.reject(new Error('network down')) : real.latestCharacterizations(),
      profiles: () => real.profiles(),
      addProfileSums: real.addProfileSums.bind(real),
      addPassiveCpu: real.addPassiveCpu.bind(real),
      allPassiveCounts: () => real.allPassiveCounts(),
    };
    let now = 1_000_000;
    const handler = sky.router({ store: flaky, clock: () => now, cacheTtlMs: 1000 });
    await handler({ workload: 'zipper' });
    fail = true;
    now += 5000;
    const call = asCall(await handler({ workload: 'zipper' }));
    expect(call.status).toBe('ok');
    if (call.status === 'ok')
      expect(call.placement.notes.some((n) => n.includes('using data read 5 s ago'))).toBe(true);
  });
});
