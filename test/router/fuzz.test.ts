import fc from 'fast-check';
import type { RouterHandler } from '../../lambda/router';
import type { RoutedCall, RouterAnswer } from '../../lib/routing/types';
import { type SkyFixture, startSky } from './sky-fixture';

/**
 * Hostile router requests, generated: every one must get a typed answer naming the field at fault
 * (or a real answer), never a crash or a 500 without a message, and nothing it stores may break a
 * later read of the table. Run against the router handler over the twin's loopback Lambda API and
 * dynalite, direct and as Function URL events.
 */

const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'];
const FIELDS = [
  'workload',
  'size',
  'code',
  'input',
  'bundle',
  'timeoutMs',
  'profile',
  'objective',
  'strategy',
  'limits',
  'clientLocation',
  'batch',
];

/** Values nested `depth` levels deep, as arrays or objects. */
function nested(depth: number, asArray: boolean): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = asArray ? [value] : { a: value };
  return value;
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 3, withNullPrototype: true, withBigInt: false }),
  fc.constantFrom(...PROTOTYPE_KEYS),
  fc.integer({ min: 60, max: 3000 }).map((d) => nested(d, d % 2 === 0)),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e308, '', ' ', '\u0000', 'zipper', null, true, []),
);

/** A request object: known fields with hostile values, prototype keys, unknown keys. */
const hostileRequest: fc.Arbitrary<unknown> = fc.oneof(
  fc.dictionary(fc.oneof(fc.constantFrom(...FIELDS), fc.constantFrom(...PROTOTYPE_KEYS), fc.string()), hostileValue, {
    maxKeys: 5,
  }),
  fc.record(
    {
      workload: fc.oneof(fc.constantFrom('zipper', ...PROTOTYPE_KEYS), hostileValue),
      profile: fc.oneof(fc.constantFrom(...PROTOTYPE_KEYS, 'zipper', 'a@constructor', 'x:__proto__'), hostileValue),
      limits: fc.oneof(
        fc.record({ zones: fc.array(fc.constantFrom(...PROTOTYPE_KEYS, 'usw1-az1')), maxAttempts: hostileValue }),
        hostileValue,
      ),
      input: hostileValue,
      batch: fc.oneof(fc.record({ count: hostileValue, includeResults: fc.boolean() }), hostileValue),
    },
    { requiredKeys: [] },
  ),
  fc.record({
    code: fc.record({ source: fc.constantFrom('exports.run = () => 1;'), entry: fc.string() }),
    profile: fc.constantFrom(...PROTOTYPE_KEYS, 'zipper'),
  }),
  hostileValue,
);

/** A Function URL event: a hostile method, body (often not a string) and encoding. */
const hostileUrlEvent: fc.Arbitrary<unknown> = fc.record({
  requestContext: fc.record({ http: fc.record({ method: fc.constantFrom('POST', 'GET', 'post', 'DELETE') }) }),
  body: fc.oneof(
    hostileRequest.map((r) => {
      try {
        return JSON.stringify(r) ?? 'null';
      } catch {
        return '{';
      }
    }),
    hostileValue,
    fc.string(),
    fc.constant('['.repeat(100_000) + ']'.repeat(100_000)),
  ),
  isBase64Encoded: fc.oneof(fc.boolean(), hostileValue),
});

const KNOWN_TYPES = new Set([
  'BadRequest',
  'PayloadTooLarge',
  'NoTarget',
  'NoCapacity',
  'DeadlineExceeded',
  'FunctionError',
]);

/** The checks every answer must pass, whatever was asked. */
function checkAnswer(answer: RouterAnswer): void {
  expect(['ok', 'error', 'batch']).toContain(answer.status);
  if (answer.status !== 'error') return;
  const call = answer as Extract<RoutedCall, { status: 'error' }>;
  expect(call.error.message.length).toBeGreaterThan(0);
  expect(call.httpStatus).not.toBe(500);
  // A refusal of the request names the field at fault; other errors come from the work it ran.
  if (call.error.type === 'BadRequest' || call.error.type === 'PayloadTooLarge') {
    expect(typeof call.error.field).toBe('string');
    expect(call.error.field!.length).toBeGreaterThan(0);
  } else if (!KNOWN_TYPES.has(call.error.type)) {
    // errors of the user's own code, typed by the dynamic function
    expect(call.attempts.length).toBeGreaterThan(0);
  }
}

describe('router fuzz: hostile requests', () => {
  let sky: SkyFixture;
  let handler: RouterHandler;

  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
    handler = sky.router({ config: { ...sky.config, maxAttempts: 2 } });
  }, 60_000);

  afterAll(async () => {
    await sky?.close();
  });

  it('answers 1,000 direct hostile requests with a typed answer naming the field, never a 500', async () => {
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        checkAnswer(await handler.route(request));
      }),
      { numRuns: 1000 },
    );
  }, 600_000);

  it('answers 1,000 hostile Function URL events with a status code and a JSON body naming the field', async () => {
    await fc.assert(
      fc.asyncProperty(hostileUrlEvent, async (event) => {
        const result = (await handler(event)) as { statusCode: number; body: string };
        expect(typeof result.statusCode).toBe('number');
        expect(result.statusCode).not.toBe(500);
        const answer = JSON.parse(result.body) as RouterAnswer;
        checkAnswer(answer);
        if (result.statusCode >= 400) expect(answer.status).toBe('error');
      }),
      { numRuns: 1000 },
    );
  }, 600_000);

  it('refuses prototype-key names, and keeps sent code out of built-in profiles', async () => {
    for (const key of PROTOTYPE_KEYS.filter((k) => k !== 'prototype')) {
      const answer = await handler.route({ code: { source: 'exports.run = () => 1;' }, profile: key });
      expect(answer).toMatchObject({ status: 'error', error: { type: 'BadRequest', field: 'profile' } });
      const byName = await handler.route({ workload: key });
      expect(byName).toMatchObject({ status: 'error', error: { type: 'BadRequest', field: 'workload' } });
    }
    await handler.flush();
    const observations = (profile: { entries: ReadonlyArray<{ stats: { count: number } }> } | undefined): number =>
      profile?.entries.reduce((n, e) => n + e.stats.count, 0) ?? 0;
    const before = observations((await sky.store.profiles()).zipper);
    const answer = await handler.route({ code: { source: 'exports.run = () => 1;' }, profile: 'zipper' });
    expect(answer.status).toBe('ok');
    if (answer.status === 'ok') expect(answer.profile).toBe('code:zipper');
    await handler.flush();
    const profiles = await sky.store.profiles();
    expect(observations(profiles.zipper)).toBe(before);
    expect(observations(profiles['code:zipper'])).toBeGreaterThan(0);
  });

  it('refuses input nested deeper than the limit, naming the field', async () => {
    const answer = await handler.route({ workload: 'zipper', input: nested(100_000, true) });
    expect(answer).toMatchObject({ status: 'error', httpStatus: 400, error: { type: 'BadRequest', field: 'input' } });
  });

  it('leaves the table readable after all of it', async () => {
    await handler.flush();
    await expect(sky.store.profiles()).resolves.toBeDefined();
    await expect(sky.store.latestCharacterizations()).resolves.toHaveLength(sky.config.deployed.length);
    await expect(sky.store.allPassiveCounts()).resolves.toBeDefined();
    // and a well-formed request still routes
    const answer = await sky.router().route({ workload: 'zipper' });
    expect(answer.status).toBe('ok');
  });
});
