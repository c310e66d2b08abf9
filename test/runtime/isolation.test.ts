import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamicHandler } from '../../lambda/dynamic/index';
import { buildDynamicRequest } from '../../lambda/shared/payload-builder';
import type { DynamicResponse } from '../../lib/contracts';
import { realTmp } from './helpers/fake-platform';

/**
 * The attacks of a caller who may send code to a warm dynamic function, against the Lambda entry itself
 * (`lambda/dynamic/index`, the real platform: process.env, /tmp as SKY_TMP_DIR). Each test passes only
 * while sent code runs apart from the handler and from other callers' code.
 */

const FAKE_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
  AWS_SECRET_ACCESS_KEY: 'fake/secret/key/fake/secret/key/fake/secre',
  AWS_SESSION_TOKEN: 'FAKE-SESSION-TOKEN',
};

function ok(answer: DynamicResponse): unknown {
  if (answer.status !== 'ok') throw new Error(`expected ok, got ${JSON.stringify(answer).slice(0, 500)}`);
  return answer.result;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the dynamic function keeps sent code from credentials and from other calls', () => {
  let handler: DynamicHandler;
  let tmpDir: string;
  const saved = { ...process.env };

  beforeAll(async () => {
    tmpDir = realTmp('sky-isolation-');
    process.env.SKY_TMP_DIR = tmpDir;
    process.env.SKY_AZ_ID = 'usw2-az1';
    process.env.AWS_REGION = 'us-west-2';
    process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '1024';
    // The Lambda entry as Lambda loads it, started by a first call.
    handler = (require('../../lambda/dynamic/index') as { handler: DynamicHandler }).handler;
    ok(await handler({ workload: { name: 'sha1-hash', size: 'test' } }));
    // The role's credentials, present in the handler's environment while calls run (as if they had escaped
    // both the exec wrapper and the scrub at start): sent code must still not see them.
    Object.assign(process.env, FAKE_CREDENTIALS);
  });

  afterAll(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('shows sent code no credential: not in process.env, not in the environment of a child process', async () => {
    const source = `
      const { execFileSync } = require('node:child_process');
      exports.run = () => ({
        env: { ...process.env },
        child: execFileSync('/usr/bin/env', [], { encoding: 'utf8' }),
        shell: execFileSync('/bin/sh', ['-c', 'env'], { encoding: 'utf8' }),
      });`;
    const result = ok(await handler({ code: { source } })) as { env: object; child: string; shell: string };
    const seen = JSON.stringify(result);
    for (const [name, value] of Object.entries(FAKE_CREDENTIALS)) {
      expect(seen).not.toContain(name);
      expect(seen).not.toContain(value);
    }
    expect(result.env).toEqual({});
  });

  it('ends the processes sent code started and left running when its call ends, their children too', async () => {
    // GIVEN sent code that starts a process and a shell whose own child outlives it, and leaves both running
    const source = `
      const { spawn } = require('node:child_process');
      exports.run = async () => {
        const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
        const shell = spawn('/bin/sh', ['-c', 'sleep 31 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
        const grandchild = await new Promise((resolve) => shell.stdout.once('data', (d) => resolve(Number(String(d)))));
        sleeper.unref();
        shell.unref();
        return [sleeper.pid, shell.pid, grandchild];
      };`;
    const pids = ok(await handler({ code: { source } })) as number[];
    expect(pids).toHaveLength(3);
    // THEN none of them runs once the call has answered (gone, or a zombie its parent has not reaped)
    const running = (pid: number): boolean => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
      } catch {
        return false;
      }
    };
    await sleep(50);
    expect(pids.filter(running)).toEqual([]);
  });

  it('keeps a replaced Function.prototype.call from capturing the next caller’s input', async () => {
    // GIVEN an attacker whose code replaces the call machinery to record every argument it sees
    const attacker = `
      const seen = [];
      const apply = Reflect.apply;
      const stringify = JSON.stringify;
      const record = (args) => { try { seen.push(stringify(args).slice(0, 200)); } catch {} };
      for (const name of ['call', 'apply']) {
        const original = Function.prototype[name];
        Function.prototype[name] = function (...args) { record(args); return apply(original, this, args); };
      }
      Reflect.apply = (f, self, args) => { record(args); return apply(f, self, args); };
      exports.run = () => seen;`;
    ok(await handler({ code: { source: attacker } }));
    // WHEN another caller's code runs with a secret input
    const victim = ok(
      await handler({
        code: { source: 'exports.run = (input) => input.secret.length' },
        input: { secret: 'victim-secret-4711' },
      }),
    );
    expect(victim).toBe(18);
    // THEN the attacker's next call saw nothing of it
    const captured = ok(await handler({ code: { source: attacker } }));
    expect(JSON.stringify(captured)).not.toContain('victim-secret-4711');
  });

  it('reports the zone from the trusted side, whatever sent code sets in process.env', async () => {
    const spoof = `exports.run = () => { process.env.SKY_AZ_ID = 'evil-az9'; process.env.AWS_REGION = 'evil-1'; return 1; };`;
    ok(await handler({ code: { source: spoof } }));
    const answer = await handler({ code: { source: 'exports.run = () => 2' } });
    expect(ok(answer)).toBe(2);
    expect(answer.inspection.azId).toBe('usw2-az1');
    expect(answer.inspection.region).toBe('us-west-2');
    expect(process.env.SKY_AZ_ID).toBe('usw2-az1');
  });

  it('never runs a bundle folder planted in /tmp under another caller’s hash', async () => {
    // GIVEN the victim's bundle, whose hash the attacker knows
    const folder = realTmp('sky-victim-');
    writeFileSync(join(folder, 'lib.js'), "exports.value = 'genuine';");
    const victim = buildDynamicRequest({ source: "exports.run = () => require('./lib.js').value;", folder });
    const sha = victim.bundle!.sha256;
    // WHEN the attacker's code plants a folder of that name first
    const plant = `
      const { mkdirSync, writeFileSync } = require('node:fs');
      const { join } = require('node:path');
      exports.run = (sha, ctx) => {
        const dir = join(ctx.tmpDir, 'sky-bundles', sha);
        mkdirSync(dir, { recursive: true });
        writeFileSync(join(dir, 'lib.js'), "exports.value = 'planted';");
        return dir;
      };`;
    const planted = ok(await handler({ code: { source: plant }, input: sha })) as string;
    expect(existsSync(join(planted, 'lib.js'))).toBe(true);
    // THEN the victim's code runs its own bytes
    expect(ok(await handler(victim))).toBe('genuine');

    // AND WHEN the attacker rewrites the unpacked folder itself after the victim's first call
    const rewrite = `
      const { readdirSync, writeFileSync } = require('node:fs');
      const { join } = require('node:path');
      exports.run = (sha, ctx) => {
        const root = join(ctx.tmpDir, 'sky-bundles');
        const found = readdirSync(root).filter((name) => name.startsWith(sha + '-'));
        for (const name of found) writeFileSync(join(root, name, 'lib.js'), "exports.value = 'rewritten';");
        return found.length;
      };`;
    expect(ok(await handler({ code: { source: rewrite }, input: sha }))).toBe(1);
    // THEN the victim's next call (a new module reading lib.js) sees the genuine bytes again
    const reread = buildDynamicRequest({
      source:
        "exports.run = (_, ctx) => require('node:fs').readFileSync(require('node:path').join(ctx.bundleDir, 'lib.js'), 'utf8');",
      folder,
    });
    expect(ok(await handler(reread))).toBe("exports.value = 'genuine';");
  });

  it('gives a timer that sent code leaves running no turn while other code is served', async () => {
    // GIVEN code that leaves a timer behind that would busy-loop and record each run
    const trace = join(tmpDir, 'lingering-trace');
    writeFileSync(trace, '');
    const linger = `
      exports.run = (trace) => {
        setInterval(() => {
          require('node:fs').appendFileSync(trace, 'x');
          const end = Date.now() + 200;
          while (Date.now() < end) {}
        }, 1);
        return 'left a timer';
      };`;
    expect(ok(await handler({ code: { source: linger }, input: trace }))).toBe('left a timer');
    // WHEN other callers' code runs, waiting on timers of its own
    for (let i = 0; i < 3; i++) {
      expect(
        ok(await handler({ code: { source: 'exports.run = () => new Promise((r) => setTimeout(() => r(7), 30))' } })),
      ).toBe(7);
    }
    await sleep(50);
    // THEN the lingering timer never ran
    expect(readFileSync(trace, 'utf8')).toBe('');
  });

  it('does not let process.exit in sent code end the instance', async () => {
    const answer = await handler({ code: { source: 'exports.run = () => { process.exit(3); }' } });
    expect(answer.status).toBe('error');
    expect((answer as { error: { type: string; message: string } }).error).toMatchObject({
      type: 'UserCodeError',
      message: expect.stringContaining('process.exit(3)'),
    });
    expect(ok(await handler({ code: { source: 'exports.run = () => "still here"' } }))).toBe('still here');
  });

  it('really stops asynchronous work that overruns its deadline', async () => {
    // GIVEN code that keeps writing from a timer and never answers
    const trace = join(tmpDir, 'overrun-trace');
    mkdirSync(tmpDir, { recursive: true });
    writeFileSync(trace, '');
    const overrun = `
      exports.run = (trace) => {
        setInterval(() => require('node:fs').appendFileSync(trace, 'x'), 2);
        return new Promise(() => {});
      };`;
    const answer = await handler({ code: { source: overrun }, input: trace, timeoutMs: 1000 });
    expect(answer.status).toBe('error');
    expect((answer as { error: { type: string } }).error.type).toBe('Timeout');
    // THEN once the answer is given, the work has stopped
    await sleep(30);
    const atAnswer = readFileSync(trace, 'utf8').length;
    expect(atAnswer).toBeGreaterThan(0);
    await sleep(200);
    expect(readFileSync(trace, 'utf8').length).toBe(atAnswer);
  });
});

describe('the dynamic function entry', () => {
  const saved = { ...process.env };

  let endIsolatedWorkers: () => Promise<void> = async () => {};

  afterAll(async () => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
    await endIsolatedWorkers();
  });

  it('changes nothing when imported, and drops the credentials from its environment before the first code runs', async () => {
    // GIVEN an instance that starts with the role's credentials (no exec wrapper)
    process.env.SKY_TMP_DIR = realTmp('sky-entry-');
    process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE = '256';
    Object.assign(process.env, FAKE_CREDENTIALS);
    let entry: { handler: DynamicHandler } | undefined;
    jest.isolateModules(() => {
      entry = require('../../lambda/dynamic/index') as { handler: DynamicHandler };
      // This registry's own copy of the isolation module: the setup's `endAllWorkers` does not reach its workers.
      endIsolatedWorkers = require('../../lambda/dynamic/isolation').endAllWorkers;
    });
    // WHEN the module is only loaded (as the twin and the local sky load it), the environment is untouched
    for (const [name, value] of Object.entries(FAKE_CREDENTIALS)) expect(process.env[name]).toBe(value);
    // THEN the first call drops them before it runs sent code
    const seen = ok(
      await entry!.handler({
        code: {
          source:
            "exports.run = () => require('node:child_process').execFileSync('/usr/bin/env', [], { encoding: 'utf8' })",
        },
      }),
    );
    for (const name of Object.keys(FAKE_CREDENTIALS)) {
      expect(process.env[name]).toBeUndefined();
      expect(seen).not.toContain(name);
    }
  });
});
