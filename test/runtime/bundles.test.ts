import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { buildDynamicRequest } from '../../lambda/shared/payload-builder';
import type { DynamicResponse, FanoutResponse } from '../../lib/contracts';
import { SKY_BUNDLE_TARGET } from '../../lib/infra/node-runtime';
import { bundleHandler, invokeBundle } from './helpers/bundle';
import { startFakeLambdaApi } from './helpers/fake-lambda-api';
import { realTmp } from './helpers/fake-platform';

const root = join(__dirname, '..', '..');

describe('dynamic function as its esbuild bundle', () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = await bundleHandler(join(root, 'lambda/dynamic/index.ts'), realTmp('sky-bundle-dyn-'));
  });

  it('is small and self-contained', () => {
    expect(statSync(bundle).size).toBeLessThan(1_500_000);
  });

  it('holds only its own code, the workloads, the core it needs and zod: no AWS SDK, logger or other layer', async () => {
    const { metafile } = await build({
      absWorkingDir: root,
      entryPoints: ['lambda/dynamic/index.ts'],
      bundle: true,
      platform: 'node',
      target: SKY_BUNDLE_TARGET,
      format: 'cjs',
      write: false,
      metafile: true,
      logLevel: 'silent',
      // Input paths stay under node_modules/ where it is a link (a workspace, pnpm), as the check below expects.
      preserveSymlinks: true,
    });
    const inputs = Object.keys(metafile.inputs);
    expect(inputs).toContain('lib/workloads/index.ts');
    const own = /^(lambda\/(dynamic|shared)\/|lib\/(workloads|core|contracts)\/|node_modules\/zod\/)/;
    expect(inputs.filter((input) => !own.test(input))).toEqual([]);
  });

  it('runs code, a bundle, a workload, errors and the reject path in one instance', async () => {
    const folder = realTmp('sky-src-');
    writeFileSync(join(folder, 'n.txt'), '41');
    const withBundle = buildDynamicRequest({
      source:
        "const fs = require('fs'); exports.run = (x, ctx) => Number(fs.readFileSync(ctx.bundleDir + '/n.txt', 'utf8')) + x;",
      folder,
      input: 1,
    });
    const scratch = realTmp('sky-scratch-');
    const counter = { code: { source: 'let n = 0; exports.run = () => ++n;' } };
    const answers = (await invokeBundle(
      bundle,
      [
        counter,
        counter,
        withBundle,
        withBundle,
        { workload: { name: 'sha1-hash', size: 'test' } },
        { code: { source: 'exports.run = () => { throw new TypeError("nope") }' } },
        { code: { source: 'exports.run = () => { for (;;) {} }' }, timeoutMs: 100 },
        { code: { source: 'exports.run = () => 1' }, reject: { cpus: ['__CPU__'], holdMs: 5 } },
        {
          code: { source: 'exports.run = () => 1' },
          bundle: { data: '!!!!', sha256: 'a'.repeat(64), encoding: 'tar+gzip' },
        },
      ],
      {
        AWS_REGION: 'eu-north-1',
        SKY_AZ_ID: 'eun1-az1',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
        SKY_TMP_DIR: scratch,
      },
      { functionName: 'sky-eun1-az1-x86_64-1024' },
    )) as DynamicResponse[];
    const [c1, c2, b1, b2, w, thrown, loop] = answers;
    expect(c1).toMatchObject({ status: 'ok', result: 1 });
    expect(c2).toMatchObject({ status: 'ok', result: 2 });
    expect(b1).toMatchObject({ status: 'ok', result: 42 });
    expect(b2).toMatchObject({ status: 'ok', result: 42 });
    expect(w).toMatchObject({ status: 'ok', result: { rounds: 10 } });
    expect(thrown).toMatchObject({ status: 'error', error: { type: 'UserCodeError' } });
    expect(loop).toMatchObject({ status: 'error', error: { type: 'Timeout' } });
    expect(answers[7]).toMatchObject({ status: 'ok' }); // '__CPU__' is not this machine's CPU
    expect(answers[8]).toMatchObject({ status: 'error', error: { type: 'BadRequest', field: 'bundle.data' } });
    const ids = new Set(answers.map((a) => a.inspection.instanceId));
    expect(ids.size).toBe(1);
    expect(answers.map((a) => a.inspection.newInstance)).toEqual(answers.map((_, i) => i === 0));
    expect(answers.map((a) => a.inspection.instanceCalls)).toEqual(answers.map((_, i) => i + 1));
    expect(c1!.inspection).toMatchObject({
      region: 'eu-north-1',
      azId: 'eun1-az1',
      memoryMb: 1024,
      functionName: 'sky-eun1-az1-x86_64-1024',
    });

    // Now reject this machine's own CPU.
    const cpu = c1!.inspection.cpuKey;
    const [rejected] = (await invokeBundle(
      bundle,
      [{ code: { source: 'exports.run = () => 1' }, reject: { cpus: [cpu], holdMs: 5 } }],
      { SKY_TMP_DIR: scratch },
    )) as DynamicResponse[];
    // A second process on the same scratch folder is the same instance (the marker persists).
    expect(rejected).toMatchObject({
      status: 'rejected',
      inspection: { cpuKey: cpu, instanceId: c1!.inspection.instanceId, newInstance: false },
    });
  });
});

describe('dynamic function bundle: ending a rejected instance', () => {
  it('answers first, then the process exits (Lambda then replaces the instance)', async () => {
    const dir = realTmp('sky-bundle-end-');
    const bundle = await bundleHandler(join(root, 'lambda/dynamic/index.ts'), dir);
    const runner = join(dir, 'end-runner.js');
    writeFileSync(
      runner,
      `const { handler } = require(${JSON.stringify(bundle)});
(async () => {
  const probe = await handler({ code: { source: 'exports.run = () => 1' } });
  const answer = await handler({ code: { source: 'exports.run = () => 1' }, reject: { cpus: [probe.inspection.cpuKey], holdMs: 1, endInstance: true } });
  process.stdout.write(JSON.stringify(answer) + '\\n');
  setTimeout(() => process.stdout.write('still alive\\n'), 2000);
})();
`,
    );
    const { execFile } = await import('node:child_process');
    const output = await new Promise<string>((resolve, reject) =>
      execFile(
        process.execPath,
        [runner],
        { env: { PATH: process.env.PATH ?? '', SKY_TMP_DIR: realTmp() } },
        (error, stdout) => (error ? reject(error) : resolve(stdout)),
      ),
    );
    const lines = output.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ status: 'rejected' });
  });
});

describe('fan-out tree as its esbuild bundle, over a loopback Lambda API', () => {
  let bundle: string;
  let api: Awaited<ReturnType<typeof startFakeLambdaApi>>;
  let samplerCalls = 0;

  beforeAll(async () => {
    bundle = await bundleHandler(join(root, 'lambda/fanout/index.ts'), realTmp('sky-bundle-fan-'));
    api = await startFakeLambdaApi(async (name, payload) => {
      if (name === 'sky-fanout') {
        // A child fan-out runs the same bundle in its own process, as another Lambda instance would.
        const [answer] = await invokeBundle(bundle, [payload], envFor(api.endpoint), { functionName: 'sky-fanout' });
        return { kind: 'ok', payload: answer };
      }
      samplerCalls++;
      if (samplerCalls % 10 === 0) {
        return { kind: 'service-error', status: 429, type: 'TooManyRequestsException', message: 'Rate exceeded' };
      }
      return {
        kind: 'ok',
        payload: {
          cpuModel: samplerCalls % 3 ? 'Intel(R) Xeon(R) Processor @ 3.00GHz' : 'AMD EPYC',
          instanceId: `i${samplerCalls}`,
          newInstance: true,
          greeting: 'hi',
          elapsedMs: 250,
        },
      };
    });
  });
  afterAll(() => api.close());

  function envFor(endpoint: string): Record<string, string> {
    return {
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_ENDPOINT_URL_LAMBDA: endpoint,
    };
  }

  it('polls 30 samplers through child fan-outs and counts the throttles', async () => {
    const [poll] = (await invokeBundle(
      bundle,
      [{ target: 'sky-smp-usw2-az1-00', count: 30, branching: 10 }],
      envFor(api.endpoint),
      {
        functionName: 'sky-fanout',
      },
    )) as FanoutResponse[];
    expect(poll).toMatchObject({
      requested: 30,
      succeeded: 27,
      failures: { TooManyRequestsException: 3 },
      fanoutCalls: 3,
    });
    expect(poll!.cpuCounts).toEqual({ 'intel-xeon-3.00': 18, 'amd-epyc': 9 });
    expect(poll!.billedMs).toBe(27 * 250);
    expect(api.requests.filter((r) => r.name === 'sky-fanout')).toHaveLength(3);
  });
});
