import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { createDynamicHandler, type DynamicHandler } from '../../lambda/dynamic/handler';
import { writeTar } from '../../lambda/shared/tar';
import type { DynamicResponse } from '../../lib/contracts';
import { FakePlatform, realTmp } from '../runtime/helpers/fake-platform';

/** Error types a hostile request may get; anything else (or a throw) is a defect. */
const EXPECTED_TYPES = new Set(['BadRequest', 'UnknownWorkload']);

function bundleOf(gzip: Buffer): { data: string; sha256: string; encoding: 'tar+gzip' } {
  return {
    data: gzip.toString('base64'),
    sha256: createHash('sha256').update(gzip).digest('hex'),
    encoding: 'tar+gzip',
  };
}

function nest(depth: number, leaf: unknown, asObject: boolean): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = asObject ? { a: value } : [value];
  return value;
}

/** One gzip bomb: 257 MiB of zeros in a few hundred KB, past the 256 MiB unpack limit. */
const BOMB = bundleOf(gzipSync(Buffer.alloc(257 * 1024 * 1024), { level: 9 }));

const hostileName = fc.oneof(
  fc.constantFrom('.', './', '..', '../x', '/etc/passwd', 'a/../../b', 'a//b', './a', 'a\0b', '', 'x'.repeat(300)),
  fc.string({ minLength: 1, maxLength: 20 }),
);
const entry = fc.record({
  path: hostileName,
  type: fc.constantFrom('file' as const, 'dir' as const),
  data: fc.uint8Array({ maxLength: 64 }),
});

/** Archives that are wrong in one way or another, gzipped with the right hash so they reach the tar reader. */
const badTar = fc
  .oneof(
    // names duplicated, `.`, escaping, files used as folders
    fc
      .array(entry, { minLength: 1, maxLength: 6 })
      .chain((entries) => fc.constant(entries.length > 0 ? [...entries, entries[0]!] : entries)),
    fc.array(entry, { minLength: 1, maxLength: 4 }),
  )
  .map((entries) => {
    try {
      return writeTar(entries);
    } catch {
      return Buffer.from(JSON.stringify(entries));
    }
  });
const garbage = fc.uint8Array({ minLength: 0, maxLength: 2048 }).map((bytes) => Buffer.from(bytes));
const truncated = badTar.chain((tar) => fc.nat({ max: Math.max(0, tar.length - 1) }).map((n) => tar.subarray(0, n)));
const corrupted = fc.tuple(badTar, fc.nat(), fc.integer({ min: 0, max: 255 })).map(([tar, at, byte]) => {
  const copy = Buffer.from(tar);
  if (copy.length > 0) copy[at % copy.length] = byte;
  return copy;
});

const SOURCE = { source: 'exports.run = () => 1' };
/** A bundle is unpacked before the workload is looked up: an unknown one keeps fine archives from running. */
const NO_WORKLOAD = { name: 'no-such-workload' };

const hostileRequest: fc.Arbitrary<unknown> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .oneof(badTar, garbage, truncated, corrupted)
      .map((tar) => ({ code: SOURCE, bundle: bundleOf(gzipSync(tar)) })),
  },
  // the data is not what the hash says, or not gzip, or not base64
  {
    weight: 2,
    arbitrary: garbage.map((bytes) => ({
      code: SOURCE,
      bundle: { ...bundleOf(bytes), data: bytes.toString('base64') },
    })),
  },
  {
    weight: 1,
    arbitrary: fc
      .string()
      .map((data) => ({ code: SOURCE, bundle: { data, sha256: '0'.repeat(64), encoding: 'tar+gzip' } })),
  },
  { weight: 1, arbitrary: fc.constant({ workload: NO_WORKLOAD, bundle: BOMB }) },
  // deep nesting in the input or anywhere else, as objects or as JSON text
  {
    weight: 3,
    arbitrary: fc
      .tuple(fc.integer({ min: 513, max: 20_000 }), fc.boolean(), fc.constantFrom('input', 'code', 'workload', 'extra'))
      .map(([depth, asObject, field]) => ({ code: SOURCE, [field]: nest(depth, 1, asObject) })),
  },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 513, max: 20_000 })
      .map((depth) => `{"code":${JSON.stringify(SOURCE)},"input":${'['.repeat(depth)}0${']'.repeat(depth)}}`),
  },
  // any JSON, wrong types in every field, prototype names, unknown workloads
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  {
    weight: 3,
    arbitrary: fc.record(
      {
        code: fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.record({ source: fc.oneof(fc.integer(), fc.constant(null), fc.array(fc.string())), entry: fc.string() }),
        ),
        workload: fc.oneof(
          fc.jsonValue({ maxDepth: 2 }),
          fc.record({
            name: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'nope'),
            size: fc.string(),
          }),
        ),
        input: fc.jsonValue({ maxDepth: 3 }),
        reject: fc.jsonValue({ maxDepth: 2 }),
        timeoutMs: fc.oneof(fc.double(), fc.string(), fc.integer({ min: -1000, max: 0 })),
        __proto__: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    ),
  },
);

describe('dynamic function: 1,000 hostile requests', () => {
  let handler: DynamicHandler;

  beforeAll(() => {
    handler = createDynamicHandler({ platform: new FakePlatform({ tmpDir: realTmp('sky-fuzz-') }) });
  });

  it('answers every one with a typed error naming the field, and stays healthy', async () => {
    const seen = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(hostileRequest, async (request) => {
        const answer: DynamicResponse = await handler(request);
        expect(answer.inspection.instanceId).toBeTruthy();
        if (answer.status === 'ok') return; // a request that happened to be valid runs `() => 1`
        expect(answer.status).toBe('error');
        const { type, message, field } = (answer as Extract<DynamicResponse, { status: 'error' }>).error;
        seen.set(type, (seen.get(type) ?? 0) + 1);
        expect(EXPECTED_TYPES.has(type) ? type : `${type}: ${message}`).toBe(type);
        expect(typeof field === 'string' && field.length > 0).toBe(true);
        expect(message).not.toMatch(/Maximum call stack|\[object Object\]|EEXIST|EISDIR|ENOTDIR/);
      }),
      { numRuns: 1000, seed: 4711 },
    );
    expect(seen.get('BadRequest')).toBeGreaterThan(500);
    // nothing a hostile request did breaks the next ordinary call, with or without a bundle
    const ok = await handler({ code: { source: 'exports.run = (x) => x + 1' }, input: 41 });
    expect(ok).toMatchObject({ status: 'ok', result: 42 });
    const tar = writeTar([{ path: 'a.txt', type: 'file', data: Buffer.from('fine') }]);
    const withBundle = await handler({
      code: {
        source:
          "exports.run = (_, c) => require('fs').readFileSync(require('path').join(c.bundleDir, 'a.txt'), 'utf8')",
      },
      bundle: bundleOf(gzipSync(tar)),
    });
    expect(withBundle).toMatchObject({ status: 'ok', result: 'fine' });
  });
});
