import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildSync } from 'esbuild';
import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { type LocalDynamo, startLocalDynamo } from '../../lib/aws/local-dynamo';
import { SkyStore } from '../../lib/aws/store';
import { ensureSkyTable } from '../../lib/aws/table-setup';
import { samplingSettings } from './settings';

const run = promisify(execFile);

describe('the sampling steps Lambda entry, bundled with esbuild and run as Lambda would', () => {
  let dynamo: LocalDynamo;
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    const raw = new DynamoDBClient({
      region: 'us-west-2',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureSkyTable(raw, 'sky-bundle');
    raw.destroy();
    dir = mkdtempSync(join(tmpdir(), 'sky-steps-bundle-'));
    bundle = join(dir, 'sampling.js');
    buildSync({
      entryPoints: [resolve(__dirname, '../../lambda/sampling/index.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'silent',
    });
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dynamo.close();
  });

  /** Calls `handler(event)` of the bundle in a fresh Node process with Lambda's environment. */
  async function invoke(event: unknown, env: Record<string, string>): Promise<unknown> {
    const script = `require(${JSON.stringify(bundle)}).handler(${JSON.stringify(event)})
      .then((r) => process.stdout.write('RESULT' + JSON.stringify(r)))
      .catch((e) => process.stdout.write('ERROR' + JSON.stringify({ name: e.name, message: e.message })));`;
    const { stdout } = await run(process.execPath, ['-e', script], {
      env: {
        PATH: process.env.PATH ?? '',
        AWS_LAMBDA_FUNCTION_NAME: 'sky-steps-usw1-az1',
        AWS_REGION: 'us-west-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        ...env,
      },
    });
    const at = stdout.search(/RESULT|ERROR/);
    const failed = stdout.startsWith('ERROR', at);
    const body = JSON.parse(stdout.slice(at + (failed ? 5 : 6)));
    return failed ? { error: body } : body;
  }

  it('starts a run in the table named by SKY_TABLE_NAME in SKY_TABLE_REGION', async () => {
    const answer = await invoke(
      {
        step: 'start',
        runId: 'bundled-1',
        azId: 'usw1-az1',
        region: 'us-west-1',
        startedAt: '2026-01-01T00:00:00Z',
        input: { force: true },
        settings: samplingSettings({ samplersPerZone: 3, pollConcurrency: 10, maxPolls: 5 }),
      },
      { SKY_TABLE_NAME: 'sky-bundle', SKY_TABLE_REGION: 'us-west-2' },
    );
    expect(answer).toMatchObject({ skipped: false, pollIndex: 0 });
    const doc = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint });
    const store = new SkyStore({ client: doc, tableName: 'sky-bundle' });
    expect(await store.getRun('bundled-1')).toMatchObject({ status: 'running', azId: 'usw1-az1' });
    doc.destroy();
  });

  it('fails with an error naming the missing table variable', async () => {
    const answer = await invoke({ step: 'start' }, { SKY_TABLE_REGION: 'us-west-2' });
    expect(answer).toEqual({
      error: {
        name: 'StepsConfigError',
        message: expect.stringMatching(/^Environment variable SKY_TABLE_NAME is not set/),
      },
    });
  });
});
