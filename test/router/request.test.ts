import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { MAX_BUNDLE_BASE64_CHARS, MAX_SOURCE_CHARS } from '../../lib/contracts/work-limits';
import { PayloadTooLargeError, RouterRequestError } from '../../lib/routing/errors';
import {
  checkPayloadSize,
  MAX_BATCH_COUNT,
  parseRouterRequest,
  profileKeyOf,
  SYNC_PAYLOAD_LIMIT_BYTES,
} from '../../lib/routing/request';

/** A bundle whose `sha256` is the SHA-256 of its decoded bytes, as the dynamic function checks it. */
function bundleOf(bytes: Buffer): { data: string; sha256: string; encoding: 'tar+gzip' } {
  return {
    data: bytes.toString('base64'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
    encoding: 'tar+gzip',
  };
}

/** An array nested `depth` levels deep. */
function deeplyNested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('parseRouterRequest', () => {
  it('normalizes a workload given by name with a size, the limits shorthands and the client location', () => {
    // GIVEN a request in the CLI's style
    const request = parseRouterRequest({
      workload: 'zipper',
      size: 'large',
      objective: 'latency',
      limits: { regions: ['us-west-1'], arch: 'arm64', memoryMb: 2048, maxAttempts: 4 },
      clientLocation: { lat: 47.6, lon: -122.3 },
    });
    // THEN the work and the limits are in the dynamic function's and the core's shapes
    expect(request.work).toEqual({ workload: { name: 'zipper', size: 'large' } });
    expect(request.profile).toBe('zipper@large');
    expect(request.objective).toBe('latency');
    expect(request.limits).toEqual({
      regions: ['us-west-1'],
      architectures: ['arm64'],
      memorySizes: [2048],
      maxAttempts: 4,
      clientLocation: { lat: 47.6, lon: -122.3 },
    });
    expect(request.batch).toBeUndefined();
  });

  it('places a bundle only on memory that can unpack it, by the size its gzip declares', () => {
    const code = { source: 'exports.run = () => 1;' };
    // 1 KiB unpacks anywhere: no memory floor beyond the request's own
    expect(parseRouterRequest({ code, bundle: bundleOf(gzipSync(Buffer.alloc(1024))) }).minMemoryMb).toBeUndefined();
    // 40 MiB takes a function of 320 MB (an eighth of its memory unpacks), or the request's own floor where higher
    const big = bundleOf(gzipSync(Buffer.alloc(40 * 1024 * 1024)));
    expect(parseRouterRequest({ code, bundle: big }).minMemoryMb).toBe(320);
    expect(parseRouterRequest({ code, bundle: big, limits: { minMemoryMb: 1024 } }).minMemoryMb).toBe(1024);
    expect(parseRouterRequest({ code, bundle: big, limits: { memorySizes: [128, 512] } }).minMemoryMb).toBe(320);
    // where the limits allow no such memory, it is refused naming bundle.data
    expect(() => parseRouterRequest({ code, bundle: big, limits: { memorySizes: [128, 256] } })).toThrow(
      /bundle\.data.*unpacks to 41943040 bytes, which only a function of at least 320 MB unpacks \(an eighth of its memory\); the limits allow at most 256 MB/,
    );
    // and a gzip that declares more than 256 MiB is refused before any call, as the function would refuse it
    const bomb = gzipSync(Buffer.alloc(1024));
    bomb.writeUInt32LE(300 * 1024 * 1024, bomb.length - 4);
    expect(() => parseRouterRequest({ code, bundle: bundleOf(bomb) })).toThrow(
      /bundle\.data.*unpacks to 314572800 bytes, more than the limit of 268435456 bytes/,
    );
  });

  it('keeps code, input, bundle and timeout and derives a stable profile key from the code', () => {
    const body = {
      code: { source: 'exports.run = (x) => x * 2;' },
      input: 21,
      bundle: bundleOf(gzipSync(Buffer.alloc(1024))),
      timeoutMs: 5000,
      objective: { cost: 1, latency: 0.5, carbon: 0 },
    };
    const request = parseRouterRequest(body);
    expect(request.work).toEqual({
      code: body.code,
      input: 21,
      bundle: body.bundle,
      timeoutMs: 5000,
    });
    expect(request.profile).toMatch(/^code-[0-9a-f]{16}$/);
    expect(parseRouterRequest(body).profile).toBe(request.profile);
    expect(parseRouterRequest({ ...body, code: { source: 'exports.run = () => 1;' } }).profile).not.toBe(
      request.profile,
    );
    expect(request.objective).toEqual({ cost: 1, latency: 0.5, carbon: 0 });
  });

  it('uses an explicit profile name and fills batch defaults', () => {
    const request = parseRouterRequest({
      workload: { name: 'sha1_hash' },
      profile: 'my-hash',
      batch: { count: 50 },
    });
    expect(request.profile).toBe('my-hash');
    expect(request.parallelism).toBeUndefined();
    expect(parseRouterRequest({ workload: 'zipper', parallelism: 1.2 }).parallelism).toBe(1.2);
    expect(request.batch).toEqual({ count: 50, concurrency: 50, includeResults: false, resumable: false });
    expect(parseRouterRequest({ workload: 'zipper', batch: { count: 5000, concurrency: 200 } }).batch).toEqual({
      count: 5000,
      concurrency: 200,
      includeResults: false,
      resumable: false,
    });
  });

  // Every malformed request is refused with the path of the field at fault.
  it.each<[string, unknown, string]>([
    ['not an object', 'zipper', 'request'],
    ['null', null, 'request'],
    ['neither workload nor code', { objective: 'cost' }, 'workload'],
    ['both workload and code', { workload: 'zipper', code: { source: 'x' } }, 'workload'],
    ['a workload name with a space', { workload: 'zip per' }, 'workload'],
    ['a workload object without a name', { workload: { size: 'small' } }, 'workload.name'],
    ['a workload object with an unknown size', { workload: { name: 'zipper', size: 'huge' } }, 'workload.size'],
    ['an unknown size', { workload: 'zipper', size: 'huge' }, 'size'],
    ['a size beside a workload object', { workload: { name: 'zipper' }, size: 'small' }, 'size'],
    ['a size and an input', { workload: 'zipper', size: 'large', input: { files: 1 } }, 'input'],
    [
      'a bundle with a built-in workload',
      { workload: 'zipper', bundle: bundleOf(gzipSync(Buffer.alloc(1024))) },
      'bundle',
    ],
    ["a built-in workload writing into sent code's profiles", { workload: 'zipper', profile: 'code:myfn' }, 'profile'],
    [
      "a built-in workload writing into a code hash's profile",
      { workload: 'zipper', profile: 'code-0123456789abcdef' },
      'profile',
    ],
    ['empty code', { code: { source: '' } }, 'code.source'],
    [
      'a bad bundle hash',
      { code: { source: 'x' }, bundle: { data: 'x', sha256: 'xyz', encoding: 'tar+gzip' } },
      'bundle.sha256',
    ],
    [
      'a bundle encoding other than tar+gzip',
      { code: { source: 'x' }, bundle: { data: 'x', sha256: 'a'.repeat(64), encoding: 'zip' } },
      'bundle.encoding',
    ],
    // What the dynamic function would refuse is refused before any invoke.
    ['an entry that is not an identifier', { code: { source: 'x', entry: 'not-an-id' } }, 'code.entry'],
    ["code over the function's limit", { code: { source: 'x'.repeat(MAX_SOURCE_CHARS + 1) } }, 'code.source'],
    [
      'bundle data that is not base64',
      { code: { source: 'x' }, bundle: { ...bundleOf(Buffer.from('abc')), data: '!!!***==' } },
      'bundle.data',
    ],
    [
      'bundle data over 5 MiB of base64',
      {
        code: { source: 'x' },
        bundle: { ...bundleOf(Buffer.from('abc')), data: 'A'.repeat(MAX_BUNDLE_BASE64_CHARS + 4) },
      },
      'bundle.data',
    ],
    [
      "a bundle hash that is not the data's",
      { code: { source: 'x' }, bundle: { ...bundleOf(Buffer.from('abc')), sha256: 'a'.repeat(64) } },
      'bundle.sha256',
    ],
    [
      'both arch and architectures',
      { workload: 'zipper', limits: { arch: 'arm64', architectures: ['x86_64'] } },
      'limits.arch',
    ],
    [
      'both memoryMb and memorySizes',
      { workload: 'zipper', limits: { memoryMb: 1024, memorySizes: [2048] } },
      'limits.memoryMb',
    ],
    [
      'a client location twice',
      { workload: 'zipper', clientLocation: { lat: 1, lon: 2 }, limits: { clientLocation: { lat: 3, lon: 4 } } },
      'clientLocation',
    ],
    ['an unknown objective', { workload: 'zipper', objective: 'speed' }, 'objective'],
    ['weights missing a key', { workload: 'zipper', objective: { cost: 1 } }, 'objective.latency'],
    [
      'a weight so large that weights overflow',
      { workload: 'zipper', objective: { cost: 1e308, latency: 1e308, carbon: 1e308 } },
      'objective.cost',
    ],
    ['all-zero weights', { workload: 'zipper', objective: { cost: 0, latency: 0, carbon: 0 } }, 'objective'],
    ['a negative weight', { workload: 'zipper', objective: { cost: -1, latency: 0, carbon: 1 } }, 'objective.cost'],
    ['an unknown strategy', { workload: 'zipper', strategy: 'fastest' }, 'strategy'],
    ['a bad region', { workload: 'zipper', limits: { regions: ['mars-1'] } }, 'limits.regions.0'],
    ['an empty region list', { workload: 'zipper', limits: { regions: [] } }, 'limits.regions'],
    ['an AZ name instead of an AZ ID', { workload: 'zipper', limits: { zones: ['us-west-1a'] } }, 'limits.zones.0'],
    ['an unknown architecture', { workload: 'zipper', limits: { arch: 'sparc' } }, 'limits.arch'],
    ['memory below 128 MB', { workload: 'zipper', limits: { memoryMb: 64 } }, 'limits.memoryMb'],
    ['memory above 10240 MB', { workload: 'zipper', limits: { memorySizes: [20000] } }, 'limits.memorySizes.0'],
    ['zero attempts', { workload: 'zipper', limits: { maxAttempts: 0 } }, 'limits.maxAttempts'],
    ['fractional attempts', { workload: 'zipper', limits: { maxAttempts: 2.5 } }, 'limits.maxAttempts'],
    ['a negative latency bound', { workload: 'zipper', limits: { maxAddedLatencyMs: -1 } }, 'limits.maxAddedLatencyMs'],
    ['an unknown limit', { workload: 'zipper', limits: { budget: 3 } }, 'limits.budget'],
    ['a latitude out of range', { workload: 'zipper', clientLocation: { lat: 91, lon: 0 } }, 'clientLocation.lat'],
    ['an unknown top-level field', { workload: 'zipper', color: 'blue' }, 'color'],
    ['no threads', { workload: 'zipper', parallelism: 0 }, 'parallelism'],
    ['more threads than the router takes', { workload: 'zipper', parallelism: 65 }, 'parallelism'],
    ['threads as text', { workload: 'zipper', parallelism: '2' }, 'parallelism'],
    ['a batch of zero', { workload: 'zipper', batch: { count: 0 } }, 'batch.count'],
    ['a batch too large', { workload: 'zipper', batch: { count: MAX_BATCH_COUNT + 1 } }, 'batch.count'],
    [
      'a batch concurrency too high',
      { workload: 'zipper', batch: { count: 10, concurrency: 5000 } },
      'batch.concurrency',
    ],
    ['a zero timeout', { workload: 'zipper', timeoutMs: 0 }, 'timeoutMs'],
    ['a bad profile name', { workload: 'zipper', profile: 'a b' }, 'profile'],
    ['deep nesting under a key that is a dot', { '.': deeplyNested(70) }, '.'],
    ['deep nesting under a dotted key', { 'a.b': deeplyNested(70) }, 'a.b'],
  ])('refuses %s, naming the field', (_what, body, field) => {
    let caught: unknown;
    try {
      parseRouterRequest(body);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RouterRequestError);
    const error = caught as RouterRequestError;
    expect(error.httpStatus).toBe(400);
    expect(error.type).toBe('BadRequest');
    expect(error.field).toBe(field);
    expect(error.message.startsWith(`${field}: `)).toBe(true);
  });
});

describe('profileKeyOf', () => {
  it('is the workload name at the default size and name@size otherwise', () => {
    expect(profileKeyOf({ workload: { name: 'zipper' } })).toBe('zipper');
    expect(profileKeyOf({ workload: { name: 'zipper', size: 'test' } })).toBe('zipper@test');
  });

  it("is a key of its own for a built-in workload given an input: another input's runtimes are not the workload's", () => {
    const one = profileKeyOf({ workload: { name: 'zipper' }, input: { files: 1 } });
    expect(one).toMatch(/^zipper@input-[0-9a-f]{16}$/);
    expect(profileKeyOf({ workload: { name: 'zipper' }, input: { files: 1 } })).toBe(one);
    expect(profileKeyOf({ workload: { name: 'zipper' }, input: { files: 2 } })).not.toBe(one);
    expect(parseRouterRequest({ workload: 'zipper', input: { files: 1 } }).profile).toBe(one);
  });
});

describe('an objective the router does not know', () => {
  it('is refused with the names and weights it takes', () => {
    expect(() => parseRouterRequest({ workload: 'zipper', objective: 'speed' })).toThrow(
      /^objective: expected cost, latency, carbon or weights \{ cost, latency, carbon \}, each a number from 0 to 1000000$/,
    );
  });
});

describe('checkPayloadSize', () => {
  it('accepts a payload under 6 MB and reports its size', () => {
    const bytes = checkPayloadSize({ workload: { name: 'zipper' }, input: 'x'.repeat(1000) });
    expect(bytes).toBeGreaterThan(1000);
    expect(bytes).toBeLessThan(1100);
  });

  it('refuses a payload over 6 MB with 413, naming the largest field', () => {
    const big = 'x'.repeat(SYNC_PAYLOAD_LIMIT_BYTES);
    expect(() => checkPayloadSize({ code: { source: 'x' }, input: big })).toThrow(PayloadTooLargeError);
    try {
      checkPayloadSize({ code: { source: 'x' }, bundle: { data: big, sha256: 'a'.repeat(64), encoding: 'tar+gzip' } });
    } catch (error) {
      expect((error as PayloadTooLargeError).field).toBe('bundle');
      expect((error as PayloadTooLargeError).httpStatus).toBe(413);
    }
  });
});
