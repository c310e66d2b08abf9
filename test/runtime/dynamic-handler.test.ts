import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createDynamicHandler, type DynamicHandler } from '../../lambda/dynamic/handler';
import { INSTANCE_MARKER } from '../../lambda/dynamic/inspector';
import type { WorkloadRunner } from '../../lambda/dynamic/runner';
import { buildDynamicRequest, bundleOf } from '../../lambda/shared/payload-builder';
import type { DynamicResponse } from '../../lib/contracts';
import { MAX_BUNDLE_BASE64_CHARS } from '../../lib/contracts/work-limits';
import { AMD_CPUINFO, FakePlatform, GRAVITON2_CPUINFO, realTmp } from './helpers/fake-platform';

type ErrorAnswer = Extract<DynamicResponse, { status: 'error' }>;

function expectError(answer: DynamicResponse, type: string, field?: string): ErrorAnswer {
  expect(answer.status).toBe('error');
  const error = answer as ErrorAnswer;
  expect(`${error.error.type}: ${error.error.message}`).toMatch(new RegExp(`^${type}`));
  if (field !== undefined) expect(error.error.field).toBe(field);
  expect(error.inspection.instanceId).toBeTruthy();
  return error;
}

function okResult(answer: DynamicResponse): unknown {
  if (answer.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(answer)}`);
  return answer.result;
}

const ENV = {
  AWS_REGION: 'us-west-2',
  SKY_AZ_ID: 'usw2-az1',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '2048',
  AWS_LAMBDA_FUNCTION_NAME: 'sky-usw2-az1-x86_64-2048',
};

describe('dynamic handler: inline code', () => {
  let platform: FakePlatform;
  let handler: DynamicHandler;
  beforeEach(() => {
    platform = new FakePlatform({ env: ENV, tmpDir: realTmp() });
    handler = createDynamicHandler({ platform });
  });

  it('runs run(input, context) and answers with the inspection', async () => {
    const answer = await handler({
      code: { source: 'exports.run = (x, ctx) => ({ twice: x * 2, cpu: ctx.instance.cpuKey })' },
      input: 21,
    });
    expect(okResult(answer)).toEqual({ twice: 42, cpu: 'intel-xeon-2.50' });
    const inspection = answer.inspection;
    expect(inspection).toMatchObject({
      cpuModel: 'Intel(R) Xeon(R) Processor @ 2.50GHz',
      cpuKey: 'intel-xeon-2.50',
      mhz: 2499.998,
      cores: 2,
      arch: 'x86_64',
      newInstance: true,
      instanceCalls: 1,
      bootTime: 1_699_990_000,
      region: 'us-west-2',
      azId: 'usw2-az1',
      memoryMb: 2048,
      functionName: 'sky-usw2-az1-x86_64-2048',
    });
    expect(inspection.timings.totalMs).toBeGreaterThanOrEqual(0);
  });

  it('keeps the instance id in the marker and counts calls', async () => {
    const first = await handler({ code: { source: 'exports.run = () => 1' } });
    const second = await handler({ code: { source: 'exports.run = () => 2' } });
    expect(second.inspection.instanceId).toBe(first.inspection.instanceId);
    expect(second.inspection.newInstance).toBe(false);
    expect(second.inspection.instanceCalls).toBe(2);
    const marker = JSON.parse(platform.files.get(`${platform.tmpDir}/${INSTANCE_MARKER}`)!);
    expect(marker).toEqual({ id: first.inspection.instanceId, createdAt: platform.clock });
    // A handler started later on the same scratch folder (e.g. after a runtime restart) keeps the id.
    const restarted = await createDynamicHandler({ platform })({ code: { source: 'exports.run = () => 3' } });
    expect(restarted.inspection).toMatchObject({ instanceId: first.inspection.instanceId, newInstance: false });
    // A torn marker means a new instance.
    const torn = new FakePlatform({ tmpDir: realTmp() });
    torn.files.set(`${torn.tmpDir}/${INSTANCE_MARKER}`, '{"id":');
    const fresh = await createDynamicHandler({ platform: torn })({ code: { source: 'exports.run = () => 3' } });
    expect(fresh.inspection).toMatchObject({ instanceId: 'inst-1', newInstance: true });
  });

  it('reports CPU tick deltas between the start and end of the call', async () => {
    platform.userTicksPerRead = 7;
    const answer = await handler({ code: { source: 'exports.run = () => 0' } });
    expect(answer.inspection.cpuTime).toEqual({ user: 7, nice: 0, system: 0, idle: 0, iowait: 0, steal: 0 });
  });

  it('uses a named entry and a module that is itself the function', async () => {
    expect(okResult(await handler({ code: { source: 'exports.go = (x) => x + 1', entry: 'go' }, input: 1 }))).toBe(2);
    expect(okResult(await handler({ code: { source: 'module.exports = (x) => x + 3' }, input: 1 }))).toBe(4);
  });

  it('awaits async code and lets code require node built-ins', async () => {
    const source = `const { createHash } = require('node:crypto');
      exports.run = async (s) => { await new Promise((r) => setTimeout(r, 1)); return createHash('sha1').update(s).digest('hex'); };`;
    expect(okResult(await handler({ code: { source }, input: 'abc' }))).toBe(
      'a9993e364706816aba3e25717850c26c9cd0d89d',
    );
  });

  it('compiles once per source hash: module state survives on a hit, a new source starts fresh', async () => {
    const counter = 'let n = 0; exports.run = () => ++n;';
    expect(okResult(await handler({ code: { source: counter } }))).toBe(1);
    expect(okResult(await handler({ code: { source: counter } }))).toBe(2);
    expect(okResult(await handler({ code: { source: `${counter}\n// v2` } }))).toBe(1);
    expect(okResult(await handler({ code: { source: counter } }))).toBe(3);
    // Another instance has its own cache.
    const other = createDynamicHandler({ platform: new FakePlatform({ tmpDir: realTmp() }) });
    expect(okResult(await other({ code: { source: counter } }))).toBe(1);
  });

  it('answers null for undefined', async () => {
    expect(okResult(await handler({ code: { source: 'exports.run = () => undefined' } }))).toBeNull();
  });
});

describe('dynamic handler: inspection on other CPUs', () => {
  it.each([
    [AMD_CPUINFO, 'amd-epyc', 'x86_64', 1],
    [GRAVITON2_CPUINFO, 'graviton2', 'arm64', 2],
  ])('reads the CPU from cpuinfo (%#)', async (cpuinfo, key, arch, cores) => {
    const handler = createDynamicHandler({ platform: new FakePlatform({ cpuinfo, tmpDir: realTmp() }) });
    const answer = await handler({ code: { source: 'exports.run = () => 0' } });
    expect(answer.inspection).toMatchObject({ cpuKey: key, arch, cores });
  });
});

describe('dynamic handler: reject path', () => {
  it('holds, answers rejected without running the code, and runs it on other CPUs', async () => {
    const platform = new FakePlatform({ cpuinfo: AMD_CPUINFO, tmpDir: realTmp() });
    const handler = createDynamicHandler({ platform });
    const source = 'exports.run = () => { globalThis.__skyRejectRan = true; return 1; }';
    const answer = await handler({ code: { source }, reject: { cpus: ['amd-epyc'], holdMs: 150 } });
    expect(answer.status).toBe('rejected');
    expect(answer.inspection.cpuKey).toBe('amd-epyc');
    expect(platform.sleeps).toEqual([150]);
    // The hold is in the total, not in decoding or user time (the fake clock only moves in sleeps).
    expect(answer.inspection.timings).toEqual({ decodeMs: 0, userMs: 0, totalMs: 150 });
    expect(platform.ended).toBe(0);
    expect((globalThis as { __skyRejectRan?: boolean }).__skyRejectRan).toBeUndefined();

    const intel = createDynamicHandler({ platform: new FakePlatform({ tmpDir: realTmp() }) });
    const ran = await intel({ code: { source: 'exports.run = () => 7' }, reject: { cpus: ['amd-epyc'], holdMs: 150 } });
    expect(okResult(ran)).toBe(7);
  });

  it('refuses a hold longer than the call has left, naming reject.holdMs, and holds nothing', async () => {
    const platform = new FakePlatform({ cpuinfo: AMD_CPUINFO, tmpDir: realTmp() });
    const handler = createDynamicHandler({ platform });
    const request = { code: { source: 'exports.run = () => 1' }, reject: { cpus: ['amd-epyc'], holdMs: 900_000 } };
    const answer = expectError(
      await handler(request, { getRemainingTimeInMillis: () => 30_000 }),
      'BadRequest',
      'reject.holdMs',
    );
    expect(answer.error.message).toContain('outlasts the 30000 ms this call has left');
    expect(platform.sleeps).toEqual([]);
  });

  it('ends the instance after answering when asked', async () => {
    const platform = new FakePlatform({ cpuinfo: GRAVITON2_CPUINFO, tmpDir: realTmp() });
    let endedBeforeAnswer = -1;
    const handler = createDynamicHandler({ platform });
    const pending = handler({
      code: { source: 'exports.run = () => 1' },
      reject: { cpus: ['graviton2'], holdMs: 40, endInstance: true },
    });
    endedBeforeAnswer = platform.ended;
    const answer = await pending;
    expect(endedBeforeAnswer).toBe(0);
    expect(answer.status).toBe('rejected');
    expect(platform.ended).toBe(1);
    expect(platform.sleeps).toEqual([40]);
  });
});

describe('dynamic handler: bad requests name the field', () => {
  const handler = createDynamicHandler({ platform: new FakePlatform({ tmpDir: realTmp() }) });
  const bundle = { data: Buffer.from('x').toString('base64'), sha256: 'a'.repeat(64), encoding: 'tar+gzip' };

  it.each([
    ['missing code and workload', { input: 1 }, 'code'],
    ['both code and workload', { code: { source: 'exports.run=()=>1' }, workload: { name: 'sha1-hash' } }, 'code'],
    ['empty source', { code: { source: '' } }, 'code.source'],
    ['code without source', { code: {} }, 'code.source'],
    ['bad entry', { code: { source: 'exports.run=()=>1', entry: 'not an id' } }, 'code.entry'],
    ['bad base64', { code: { source: 'exports.run=()=>1' }, bundle: { ...bundle, data: 'ab$d' } }, 'bundle.data'],
    [
      'base64 of wrong length',
      { code: { source: 'exports.run=()=>1' }, bundle: { ...bundle, data: 'abc' } },
      'bundle.data',
    ],
    ['bad hash form', { code: { source: 'exports.run=()=>1' }, bundle: { ...bundle, sha256: 'xyz' } }, 'bundle.sha256'],
    [
      'bad encoding',
      { code: { source: 'exports.run=()=>1' }, bundle: { ...bundle, encoding: 'zip' } },
      'bundle.encoding',
    ],
    [
      'bundle over the limit',
      { code: { source: 'exports.run=()=>1' }, bundle: { ...bundle, data: 'A'.repeat(MAX_BUNDLE_BASE64_CHARS + 4) } },
      'bundle.data',
    ],
    ['reject without holdMs', { code: { source: 'exports.run=()=>1' }, reject: { cpus: [] } }, 'reject.holdMs'],
    ['negative timeout', { code: { source: 'exports.run=()=>1' }, timeoutMs: -5 }, 'timeoutMs'],
    ['unknown field', { code: { source: 'exports.run=()=>1' }, color: 'red' }, 'color'],
    ['not an object', 42, '(body)'],
    ['a string that is not JSON', 'nope', '(body)'],
  ])('%s', async (_name, request, field) => {
    const answer = expectError(await handler(request), 'BadRequest', field);
    expect(answer.error.message.length).toBeGreaterThan(10);
  });

  it.each([
    [{ code: { source: 'x' }, reject: { cpus: [], holdMs: -1 } }, 'reject.holdMs = -1: must be at least 0'],
    [{ workload: { name: 'zipper', size: 'huge' } }, 'workload.size = "huge": allowed "test", "small", "large"'],
    [{ code: { source: 'x' }, timeoutMs: 1.5 }, 'timeoutMs = 1.5: expected int'],
    [{ code: { source: 'x' }, colour: 1 }, 'unknown field(s) colour; allowed: code, workload'],
  ])('says the value and what is allowed (%#)', async (request, text) => {
    expect(expectError(await handler(request), 'BadRequest').error.message).toContain(text);
  });

  it('names the bundle limit in the message', async () => {
    const answer = await handler({
      code: { source: 'exports.run=()=>1' },
      bundle: { ...bundle, data: 'A'.repeat(MAX_BUNDLE_BASE64_CHARS + 4) },
    });
    expect(expectError(answer, 'BadRequest', 'bundle.data').error.message).toContain(String(MAX_BUNDLE_BASE64_CHARS));
  });

  it('rejects a hash that does not match the data', async () => {
    const folder = realTmp();
    writeFileSync(join(folder, 'a.txt'), 'hello');
    const good = bundleOf(folder);
    const answer = await handler({
      code: { source: 'exports.run=()=>1' },
      bundle: { ...good, sha256: 'b'.repeat(64) },
    });
    expect(expectError(answer, 'BadRequest', 'bundle.sha256').error.message).toContain(good.sha256);
  });

  it('rejects data that is base64 but not gzip', async () => {
    const data = Buffer.from('plain text, not gzip').toString('base64');
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(Buffer.from(data, 'base64')).digest('hex');
    const answer = await handler({
      code: { source: 'exports.run=()=>1' },
      bundle: { data, sha256, encoding: 'tar+gzip' },
    });
    expect(expectError(answer, 'BadRequest', 'bundle.data').error.message).toContain('is not gzip data');
  });

  it('rejects gzip data that is not a tar archive', async () => {
    const bytes = gzipSync(Buffer.from('not a tar'));
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const answer = await handler({
      code: { source: 'exports.run=()=>1' },
      bundle: { data: bytes.toString('base64'), sha256, encoding: 'tar+gzip' },
    });
    expect(expectError(answer, 'BadRequest', 'bundle.data').error.message).toContain('not a tar archive');
  });

  it('answers UnknownWorkload with the known names', async () => {
    const answer = expectError(await handler({ workload: { name: 'nope' } }), 'UnknownWorkload', 'workload.name');
    expect(answer.error.message).toContain('sha1-hash');
  });

  it('answers BadRequest for a missing entry, naming the exports', async () => {
    const answer = await handler({ code: { source: 'exports.other = () => 1; exports.more = () => 2' } });
    expect(expectError(answer, 'BadRequest', 'code.entry').error.message).toContain('other, more');
  });
});

describe('dynamic handler: user code failures never crash the instance', () => {
  const platform = new FakePlatform({ tmpDir: realTmp() });
  const handler = createDynamicHandler({ platform });
  const healthy = async () =>
    expect(okResult(await handler({ code: { source: 'exports.run = () => "alive"' } }))).toBe('alive');

  it.each([
    ['a sync throw', 'exports.run = () => { throw new RangeError("boom") }', 'RangeError: boom'],
    ['an async rejection', 'exports.run = async () => { await null; throw new Error("later") }', 'Error: later'],
    ['a thrown non-error', 'exports.run = () => { throw { code: 7 } }', '{"code":7}'],
    ['a module body that throws', 'throw new Error("at load"); exports.run = () => 1', 'at load'],
    ['a syntax error', 'exports.run = () => {', 'SyntaxError'],
  ])('%s is a UserCodeError with its message', async (_name, source, text) => {
    const answer = expectError(await handler({ code: { source } }), 'UserCodeError');
    expect(answer.error.message).toContain(text);
    await healthy();
  });

  it.each([
    ['a thrown string', 'exports.run = () => { throw "x".repeat(7e6) }'],
    ['an error whose message is huge', 'exports.run = () => { throw new Error("y".repeat(4e6)) }'],
  ])("cuts %s to fit Lambda's 6 MB answer, saying how much was cut", async (_name, source) => {
    const answer = expectError(await handler({ code: { source } }), 'UserCodeError');
    expect(JSON.stringify(answer).length).toBeLessThan(6 * 1024 * 1024);
    expect(answer.error.message).toMatch(/\.\.\. \(\d+ more characters\)$/);
    await healthy();
  });

  it.each([
    [
      'whose toJSON and toString throw',
      'exports.run = () => { throw { toJSON() { throw 1 }, toString: null, valueOf: null } }',
    ],
    [
      'whose name getter throws',
      'exports.run = () => { const e = new Error("m"); Object.defineProperty(e, "name", { get() { throw 7 } }); throw e }',
    ],
  ])('answers a thrown value %s as such, and the instance lives on', async (_name, source) => {
    const answer = expectError(await handler({ code: { source } }), 'UserCodeError');
    expect(answer.error.message).toBe('threw a value that cannot be described');
    await healthy();
  });

  it('gives the stack of a thrown error', async () => {
    const answer = expectError(
      await handler({ code: { source: 'exports.run = () => { throw new Error("s") }' } }),
      'UserCodeError',
    );
    expect(answer.error.stack).toContain('sky-inline-');
  });

  it.each([
    ['a BigInt', 'exports.run = () => ({ n: 10n })', '$.n is a BigInt'],
    ['a cycle', 'exports.run = () => { const a = { b: {} }; a.b.a = a; return a; }', 'cycle'],
    ['a function', 'exports.run = () => ({ list: [1, () => 2] })', '$.list[1] is a function'],
    ['a Map', 'exports.run = () => new Map([[1, 2]])', 'Map'],
    ['NaN', 'exports.run = () => ({ a: [1, NaN] })', '$.a[1] is NaN (JSON turns it into null)'],
    ['an infinity', 'exports.run = () => ({ d: -Infinity })', '$.d is -Infinity'],
    ['an invalid Date', 'exports.run = () => ({ when: new Date(NaN) })', '$.when is an invalid Date'],
    [
      "more JSON than Lambda's 6 MB answer",
      'exports.run = () => "x".repeat(6 * 1024 * 1024)',
      `Lambda returns at most ${6 * 1024 * 1024} bytes from a synchronous call`,
    ],
  ])('a result with %s is Unserializable', async (_name, source, text) => {
    const answer = expectError(await handler({ code: { source } }), 'Unserializable');
    expect(answer.error.message).toContain(text);
    await healthy();
  });

  it('times out async code that never settles', async () => {
    const answer = await handler({ code: { source: 'exports.run = () => new Promise(() => {})' }, timeoutMs: 50 });
    expect(expectError(answer, 'Timeout').error.message).toContain('50 ms');
    await healthy();
  });

  it('stops a synchronous infinite loop by ending its worker', async () => {
    const answer = await handler({ code: { source: 'exports.run = () => { for (;;) {} }' }, timeoutMs: 100 });
    expect(expectError(answer, 'Timeout').error.message).toContain('100 ms');
    await healthy();
  });

  it('stops an infinite loop in the module body', async () => {
    const answer = await handler({ code: { source: 'while (true) {}' }, timeoutMs: 80 });
    expectError(answer, 'Timeout');
    await healthy();
  });

  it('takes the budget from the Lambda context when the request has none', async () => {
    const context = { functionName: 'f', getRemainingTimeInMillis: () => 330 };
    const answer = await handler({ code: { source: 'exports.run = () => new Promise(() => {})' } }, context);
    expect(expectError(answer, 'Timeout').error.message).toContain('80 ms');
    expect(answer.inspection.functionName).toBe('f');
  });
});

describe('dynamic handler: bundles', () => {
  function makeFolder(): string {
    const folder = realTmp('sky-src-');
    mkdirSync(join(folder, 'lib'));
    writeFileSync(join(folder, 'data.json'), JSON.stringify({ greeting: 'hi' }));
    writeFileSync(join(folder, 'lib', 'util.js'), 'exports.shout = (s) => s.toUpperCase() + "!";');
    return folder;
  }
  const source = `const { readFileSync, existsSync, writeFileSync } = require('node:fs');
    const { join } = require('node:path');
    exports.run = (input, ctx) => {
      const util = require('./lib/util.js');
      const mark = join(ctx.tmpDir, 'touched-' + require('node:path').basename(ctx.bundleDir));
      const seenBefore = existsSync(mark);
      writeFileSync(mark, '1');
      const data = JSON.parse(readFileSync(join(ctx.bundleDir, 'data.json'), 'utf8'));
      return { text: util.shout(data.greeting), seenBefore, dir: ctx.bundleDir };
    };`;

  it('unpacks into a folder named by hash and a random id, lets code require from it, and reuses it while the hash matches', async () => {
    const platform = new FakePlatform({ tmpDir: realTmp() });
    const handler = createDynamicHandler({ platform });
    const request = buildDynamicRequest({ source, folder: makeFolder() });
    const first = okResult(await handler(request)) as { text: string; seenBefore: boolean; dir: string };
    expect(first).toMatchObject({ text: 'HI!', seenBefore: false });
    expect(first.dir.startsWith(join(platform.tmpDir, 'sky-bundles', `${request.bundle!.sha256}-`))).toBe(true);
    expect(readFileSync(join(first.dir, 'lib', 'util.js'), 'utf8')).toContain('shout');

    const second = okResult(await handler(request)) as { seenBefore: boolean; dir: string };
    expect(second).toMatchObject({ seenBefore: true, dir: first.dir });
  });

  it('does not decode again on a hit: the hash names the content', async () => {
    const handler = createDynamicHandler({ platform: new FakePlatform({ tmpDir: realTmp() }) });
    const request = buildDynamicRequest({ source, folder: makeFolder() });
    okResult(await handler(request));
    // Same hash and length, different bytes: a hit never looks at the data.
    const data = request.bundle!.data;
    const scrambled = `${data.slice(0, -8)}AAAAAAAA`;
    const again = await handler({ ...request, bundle: { ...request.bundle!, data: scrambled } });
    expect(okResult(again)).toMatchObject({ text: 'HI!', seenBefore: true });
  });

  it('unpacks a different bundle to a different folder (a miss)', async () => {
    const platform = new FakePlatform({ tmpDir: realTmp() });
    const handler = createDynamicHandler({ platform });
    const folderA = makeFolder();
    const folderB = makeFolder();
    writeFileSync(join(folderB, 'data.json'), JSON.stringify({ greeting: 'bye' }));
    const a = okResult(await handler(buildDynamicRequest({ source, folder: folderA }))) as {
      text: string;
      dir: string;
    };
    const b = okResult(await handler(buildDynamicRequest({ source, folder: folderB }))) as {
      text: string;
      dir: string;
    };
    expect(a.text).toBe('HI!');
    expect(b.text).toBe('BYE!');
    expect(a.dir).not.toBe(b.dir);
    expect(existsSync(a.dir) && existsSync(b.dir)).toBe(true);
  });

  it('a new handler on the same scratch folder unpacks the bundle again: no folder it did not make is trusted', async () => {
    const tmpDir = realTmp();
    const request = buildDynamicRequest({ source, folder: makeFolder() });
    const first = okResult(await createDynamicHandler({ platform: new FakePlatform({ tmpDir }) })(request)) as {
      dir: string;
    };
    const again = okResult(await createDynamicHandler({ platform: new FakePlatform({ tmpDir }) })(request)) as {
      dir: string;
    };
    expect(again.dir).not.toBe(first.dir);
  });
});

describe('dynamic handler: threads that sent code starts', () => {
  it("ends a module's worker after a call that leaves a thread running, so nothing of it runs between calls", async () => {
    const handler = createDynamicHandler({ platform: new FakePlatform({ env: ENV, tmpDir: realTmp() }) });
    // GIVEN a module that counts its calls, and starts a thread that never ends when asked to
    const source = `let calls = 0;
      const { Worker } = require('node:worker_threads');
      exports.run = (start) => {
        calls++;
        if (start) new Worker('setInterval(() => {}, 1000)', { eval: true });
        return calls;
      };`;
    const call = async (start: boolean) => okResult(await handler({ code: { source }, input: start }));
    // WHEN it runs warm, THEN its state carries over
    expect(await call(false)).toBe(1);
    expect(await call(false)).toBe(2);
    // WHEN a call leaves a thread running, THEN the call still answers, and its worker (with the thread) is ended:
    // the next call loads the module afresh
    expect(await call(true)).toBe(3);
    expect(await call(false)).toBe(1);
    expect(await call(false)).toBe(2);
    // AND so is one whose call fails otherwise: here its result cannot be sent as JSON
    const unsent = `let calls = 0;
      const { Worker } = require('node:worker_threads');
      exports.run = (start) => {
        calls++;
        if (start) new Worker('setInterval(() => {}, 1000)', { eval: true });
        return start ? { f: () => 1 } : calls;
      };`;
    expect(okResult(await handler({ code: { source: unsent }, input: false }))).toBe(1);
    expectError(await handler({ code: { source: unsent }, input: true }), 'Unserializable');
    expect(okResult(await handler({ code: { source: unsent }, input: false }))).toBe(1);
  });
});

describe("dynamic handler: a module's require", () => {
  it("finds its own bundle's packages and the runtime's, never what other code left in the scratch folder", async () => {
    // GIVEN a package another caller's code left in the scratch folder's node_modules
    const tmpDir = realTmp();
    mkdirSync(join(tmpDir, 'node_modules', 'planted'), { recursive: true });
    writeFileSync(join(tmpDir, 'node_modules', 'planted', 'index.js'), "module.exports = 'planted';");
    mkdirSync(join(tmpDir, 'sky-bundles', 'node_modules', 'planted2'), { recursive: true });
    writeFileSync(join(tmpDir, 'sky-bundles', 'node_modules', 'planted2', 'index.js'), "module.exports = 'planted';");
    const handler = createDynamicHandler({ platform: new FakePlatform({ env: ENV, tmpDir }) });
    // WHEN inline code requires it, THEN it is not found
    const inline = await handler({ code: { source: "exports.run = () => require('planted')" } });
    expect(expectError(inline, 'UserCodeError').error.message).toMatch(/Cannot find module 'planted'/);
    // AND a bundle's code finds its own packages, which find each other, but not the scratch folder's
    const folder = realTmp();
    mkdirSync(join(folder, 'node_modules', 'own'), { recursive: true });
    mkdirSync(join(folder, 'node_modules', 'dep'), { recursive: true });
    writeFileSync(join(folder, 'node_modules', 'own', 'index.js'), "module.exports = 'own+' + require('dep');");
    writeFileSync(join(folder, 'node_modules', 'dep', 'index.js'), "module.exports = 'dep';");
    const source = `exports.run = (name) => { try { return require(name); } catch (e) { return e.code; } };`;
    const run = (input: string) => handler({ ...buildDynamicRequest({ source, folder, input }) });
    expect(okResult(await run('own'))).toBe('own+dep');
    expect(okResult(await run('planted'))).toBe('MODULE_NOT_FOUND');
    expect(okResult(await run('planted2'))).toBe('MODULE_NOT_FOUND');
    // AND Node's own modules still load
    const builtIn = await handler({ code: { source: "exports.run = () => require('node:path').join('a', 'b')" } });
    expect(okResult(builtIn)).toBe('a/b');
  });
});

describe('dynamic handler: bundles and the function memory', () => {
  it('unpacks at most an eighth of the function memory, naming bundle.data and the limit', async () => {
    // GIVEN a bundle that unpacks to 20 MiB (a file of zeros, a few KB of gzip)
    const folder = realTmp();
    writeFileSync(join(folder, 'zeros.bin'), Buffer.alloc(20 * 1024 * 1024));
    const request = buildDynamicRequest({ source: 'exports.run = () => 1', folder });
    const at = (memoryMb: number) =>
      createDynamicHandler({
        platform: new FakePlatform({
          env: { ...ENV, AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb) },
          tmpDir: realTmp(),
        }),
      })(request);
    // WHEN a 128 MB function gets it, THEN it refuses it without unpacking: 16 MiB is all it unpacks
    const refused = expectError(await at(128), 'BadRequest', 'bundle.data');
    expect(refused.error.message).toMatch(
      /^bundle\.data unpacks to 2097\d{4} bytes, more than the limit of 16777216 bytes of a 128 MB function \(an eighth of its memory; 268435456 at 2048 MB or more\)$/,
    );
    // AND a 256 MB function unpacks and runs it
    expect(okResult(await at(256))).toBe(1);
  });
});

describe('dynamic handler: injected runner', () => {
  it('hands the runner the task and still checks the deadline on the platform clock', async () => {
    const platform = new FakePlatform({ cpuinfo: AMD_CPUINFO, tmpDir: realTmp() });
    const seen: string[] = [];
    const runner: WorkloadRunner = {
      async run(task) {
        seen.push(`${task.kind}:${task.name}:${task.size}:${task.instance.cpuKey}`);
        await platform.sleep(task.name === 'sha1-hash' ? 1200 : 10);
        return { modelled: true };
      },
    };
    const handler = createDynamicHandler({ platform, runner });
    const answer = await handler({ workload: { name: 'sha1-hash', size: 'small' }, timeoutMs: 2000 });
    expect(okResult(answer)).toEqual({ modelled: true });
    expect(answer.inspection.timings.userMs).toBe(1200);
    const late = await handler({ workload: { name: 'sha1-hash', size: 'small' }, timeoutMs: 1000 });
    expectError(late, 'Timeout');
    expect(seen).toEqual(['workload:sha1-hash:small:amd-epyc', 'workload:sha1-hash:small:amd-epyc']);
    // The reject path does not reach the runner.
    const rejected = await handler({ workload: { name: 'sha1-hash' }, reject: { cpus: ['amd-epyc'], holdMs: 150 } });
    expect(rejected.status).toBe('rejected');
    expect(seen).toHaveLength(2);
  });
});
