import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildSync } from 'esbuild';
import { type SkyFixture, startSky } from './sky-fixture';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');

/**
 * The deployable artifact: `lambda/router/index.ts` bundled with esbuild as the control stack does,
 * loaded in a child process the way Lambda loads it, with only environment variables to configure
 * it. The SDK's service endpoint variables point it at the twin and dynalite.
 */
describe('router Lambda bundle', () => {
  let sky: SkyFixture;
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
    dir = mkdtempSync(join(tmpdir(), 'sky-router-bundle-'));
    bundle = join(dir, 'router.js');
    buildSync({
      entryPoints: [join(ROOT, 'lambda', 'router', 'index.ts')],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      // Not minified: an init error prints its source line, which minified is the whole bundle.
      minify: false,
      logLevel: 'silent',
    });
  });

  afterAll(async () => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    await sky?.close();
  });

  function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH,
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'twin',
      AWS_SECRET_ACCESS_KEY: 'twin',
      AWS_ENDPOINT_URL_LAMBDA: sky.api.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: sky.dynamo.endpoint,
      SKY_ZONES: sky.config.deployed.map((z) => z.azId).join(','),
      SKY_MEMORY_SIZES: '1024,2048',
      SKY_ARCHITECTURES: 'x86_64',
      SKY_TABLE_NAME: 'skymesh',
      SKY_TABLE_REGION: 'us-west-2',
      POWERTOOLS_METRICS_NAMESPACE: 'Skymesh',
      POWERTOOLS_SERVICE_NAME: 'sky-router',
      ...extra,
    };
  }

  async function invoke(
    event: unknown,
    extraEnv?: Record<string, string>,
  ): Promise<{ answer: unknown; stdout: string }> {
    const script = `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event)}).then((a) => process.stdout.write('\\nANSWER ' + JSON.stringify(a)))`;
    const { stdout } = await run(process.execPath, ['-e', script], { env: env(extraEnv), maxBuffer: 16 * 1024 * 1024 });
    const line = stdout.split('\n').find((l) => l.startsWith('ANSWER '));
    return { answer: JSON.parse((line ?? 'ANSWER null').slice('ANSWER '.length)), stdout };
  }

  it('routes a request end to end from its environment, and emits EMF metrics on stdout', async () => {
    const { answer, stdout } = await invoke({ workload: 'zipper', objective: 'cost' });
    expect(answer).toMatchObject({ status: 'ok', result: { workload: 'zipper' } });
    const emf = stdout
      .split('\n')
      .filter((l) => l.startsWith('{') && l.includes('"_aws"'))
      .map((l) => JSON.parse(l));
    expect(emf.length).toBeGreaterThanOrEqual(1);
    expect(emf[0]._aws.CloudWatchMetrics[0].Namespace).toBe('Skymesh');
    expect(emf[0].service).toBe('sky-router');
    expect(emf[0].Invocations).toBe(1);
  });

  it('answers a Function URL request with a status code', async () => {
    const { answer } = await invoke({ requestContext: { http: { method: 'GET' } }, body: '' });
    expect(answer).toMatchObject({ statusCode: 405 });
  });

  it('fails at init with the variable at fault when its configuration is missing', async () => {
    const failure = await invoke({ workload: 'zipper' }, { SKY_ZONES: '' }).catch((e: { stderr: string }) => e);
    expect((failure as { stderr: string }).stderr).toContain('router configuration SKY_ZONES=');
  });
});
