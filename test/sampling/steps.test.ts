import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { type LocalDynamo, startLocalDynamo } from '../../lib/aws/local-dynamo';
import { SkyStore } from '../../lib/aws/store';
import { ensureSkyTable } from '../../lib/aws/table-setup';
import type { PollAggregate } from '../../lib/core/types';
import { samplerStartOf } from '../../lib/sampling/context';
import { StepInputError } from '../../lib/sampling/errors';
import type { RunState } from '../../lib/sampling/events';
import { nextIntervalHours } from '../../lib/sampling/finalize';
import { describeCause } from '../../lib/sampling/mark-failed';
import { NO_METRICS } from '../../lib/sampling/metrics';
import { samplerFaultsOf } from '../../lib/sampling/record';
import { createStepsHandler } from '../../lib/sampling/steps';
import { samplingSettings } from './settings';

const SETTINGS = samplingSettings();
const ZONE = { azId: 'usw1-az1', region: 'us-west-1' };

function poll(counts: Record<string, number>, failures: Record<string, number> = {}): PollAggregate {
  const ok = Object.values(counts).reduce((a, b) => a + b, 0);
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  return {
    requested: ok + failed,
    succeeded: ok,
    failures,
    cpuCounts: counts,
    cpuModels: {},
    instanceIds: [],
    newInstances: ok,
    bootTimes: [],
    // Ten instances a host, the same hosts in every poll (boot time = position in the list).
    hosts: Object.entries(counts).flatMap(([cpu, n], c) =>
      Array.from({ length: Math.ceil(n / 10) }, (_, h) => ({
        bootTime: 1000 * c + h,
        cpu,
        instances: 10,
        samplers: 1,
      })),
    ),
    samplers: 1,
    latencyMs: { p50: 260, p90: 270, p99: 280, max: 290 },
    billedMs: ok * 252,
  };
}

describe('sampling steps against a local DynamoDB server', () => {
  let dynamo: LocalDynamo;
  let store: SkyStore;
  let doc: ReturnType<typeof createDocumentClient>;
  let clock = Date.parse('2026-03-01T00:00:00Z');
  let handler: ReturnType<typeof createStepsHandler>;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    const raw = new DynamoDBClient({
      region: 'us-west-2',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureSkyTable(raw, 'skymesh');
    raw.destroy();
    doc = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint });
    store = new SkyStore({ client: doc, tableName: 'skymesh', now: () => clock });
    handler = createStepsHandler({ store, now: () => clock, metrics: NO_METRICS });
  });
  afterAll(async () => {
    doc.destroy();
    await dynamo.close();
  });

  const base = (runId: string) => ({ runId, ...ZONE, settings: SETTINGS });
  const start = (runId: string, input: Record<string, unknown> = { force: true }) =>
    handler({
      step: 'start',
      ...base(runId),
      startedAt: new Date(clock).toISOString(),
      staggerSeconds: 600,
      input,
    }) as Promise<RunState>;
  const record = (runId: string, run: RunState, aggregate: PollAggregate) =>
    handler({ step: 'record', ...base(runId), run, poll: aggregate }) as Promise<RunState>;
  const decide = (runId: string, run: RunState) =>
    handler({ step: 'decide', ...base(runId), run }) as Promise<RunState>;
  const finalize = (runId: string, run: RunState) =>
    handler({ step: 'finalize', ...base(runId), run }) as Promise<RunState>;

  it('fails on a malformed event, naming the field', async () => {
    await expect(
      handler({ step: 'record', ...base('bad'), settings: { ...SETTINGS, pollConcurrency: 0 } }),
    ).rejects.toThrow(StepInputError);
    await expect(handler({ step: 'start', ...base('bad'), azId: 'us-west-1a' })).rejects.toThrow(
      /at 'azId': "us-west-1a"; expected an AZ ID such as usw1-az1/,
    );
    await expect(handler({ step: 'explode' })).rejects.toThrow(/at 'step'/);
    await expect(
      handler({ step: 'start', ...base('bad'), region: 'eu-west-1', startedAt: new Date(clock).toISOString() }),
    ).rejects.toThrow(/at 'region': "eu-west-1"; .* is a zone of /);
  });

  it('names the step, run, zone and table where the table fails, under the error name the state machine matches', async () => {
    const missing = createStepsHandler({
      store: new SkyStore({ client: doc, tableName: 'no-such-table', now: () => clock }),
      storeName: 'table no-such-table in us-west-2',
      now: () => clock,
      metrics: NO_METRICS,
    });
    const failure = missing({
      step: 'start',
      ...base('r-missing'),
      startedAt: new Date(clock).toISOString(),
      staggerSeconds: 600,
      input: { force: true },
    });
    await expect(failure).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringMatching(
        /^Sampling step 'start' of run r-missing in zone usw1-az1 failed on table no-such-table in us-west-2: ResourceNotFoundException: /,
      ),
    });
    // The store's own errors already say what was wrong, and pass unchanged.
    const run = await start('r-started');
    await expect(record('r-never-started', run, poll({ a: 10 }))).rejects.toThrow(
      /^Run 'r-never-started' has no record; start it with startRun\(\)/,
    );
  });

  it('runs start → record → decide → finalize, rotating samplers and writing LATEST once', async () => {
    // GIVEN a forced run: no stagger
    let run = await start('r1');
    expect(run).toMatchObject({ skipped: false, pollIndex: 0, staggerSeconds: 0 });
    expect(run.target).toBe(`sky-smp-usw1-az1-0${samplerStartOf('r1', 4)}`);
    // WHEN two identical polls are recorded
    for (let k = 0; k < 2; k++) {
      run = await record('r1', run, poll({ a: 600, b: 400 }));
      run = await decide('r1', run);
    }
    expect(run.decision).toMatchObject({ action: 'stop', reason: 'converged' });
    expect(run.target).toBe(`sky-smp-usw1-az1-0${(samplerStartOf('r1', 4) + 2) % 4}`);
    const done = await finalize('r1', run);
    // THEN
    expect(done).toMatchObject({ driftClass: 'unknown', instancesSeen: 2000 });
    expect(done.nextSampleAt).toBe(new Date(clock + 22 * 3_600_000).toISOString());
    // AND a retried finalize writes nothing new
    clock += 60_000;
    expect(await finalize('r1', run)).toMatchObject({ characterizationAt: done.characterizationAt });
    expect(await store.characterizations(ZONE.azId)).toHaveLength(1);
    expect((await store.getRun('r1'))?.status).toBe('succeeded');
  });

  it('skips a scheduled start until the zone is due, and staggers a due one', async () => {
    const notDue = await start('r2', {});
    expect(notDue).toMatchObject({ skipped: true });
    expect(await store.getRun('r2')).toBeUndefined();
    clock += 22 * 3_600_000 - 10 * 60_000; // within the tolerance before nextSampleAt
    const due = await start('r3', {});
    expect(due).toMatchObject({ skipped: false, staggerSeconds: 600 });
    // The characterization counts hosts: 60 and 40 distinct hosts behind 1,200 and 800 instances.
    expect((await store.getRun('r3'))?.previous?.counts).toEqual({ a: 60, b: 40 });
    expect((await store.getRun('r3'))?.previous?.confidence).toEqual({
      apeBound: 0,
      hostsSeen: 100,
      fleetEstimate: 100,
    });
    // A retried start resumes where the run is.
    await record('r3', due, poll({ a: 10 }));
    expect(await start('r3', {})).toMatchObject({ pollIndex: 1 });
  });

  it('fails the run when the sampler itself broke on most of a poll, after storing the poll', async () => {
    const run = await start('r4');
    await expect(record('r4', run, poll({ a: 40 }, { Unhandled: 60 }))).rejects.toThrow(
      /Sampler sky-smp-usw1-az1-\d\d failed 60 of 100 requests with its own errors \(Unhandled × 60\)/,
    );
    expect(await store.polls('r4')).toHaveLength(1);
    const failed = await handler({
      step: 'fail',
      runId: 'r4',
      ...ZONE,
      error: {
        Error: 'SamplerFaultError',
        Cause: JSON.stringify({ errorType: 'SamplerFaultError', errorMessage: 'Sampler x failed' }),
      },
    });
    expect(failed).toEqual({ runId: 'r4', status: 'failed', cause: 'SamplerFaultError: Sampler x failed' });
  });

  it('treats throttling as saturation, not as a sampler fault', () => {
    expect(samplerFaultsOf({ TooManyRequestsException: 900, Timeout: 3, Unhandled: 2, 'Lambda.Unhandled': 1 })).toEqual(
      {
        Unhandled: 2,
        'Lambda.Unhandled': 1,
      },
    );
  });

  it('writes no characterization for a first-poll saturation below the instance minimum', async () => {
    let run = await start('r5');
    run = await record('r5', run, poll({ a: 30 }, { TooManyRequestsException: 70 }));
    run = await decide('r5', run);
    expect(run.decision).toMatchObject({ action: 'stop', reason: 'saturated' });
    const before = await store.characterizations(ZONE.azId);
    const done = await finalize('r5', run);
    expect(done.characterizationAt).toBeUndefined();
    expect(await store.characterizations(ZONE.azId)).toHaveLength(before.length);
    expect(await store.getRun('r5')).toMatchObject({ status: 'succeeded', stoppedBecause: 'saturated' });
  });

  /** A run of `zone` capped at one poll that sees 40 instances, up to its stop decision; `step` runs its next steps. */
  const cappedRun = async (runId: string, zone: { azId: string; region: string }) => {
    const settings = { ...SETTINGS, maxPolls: 1 };
    const step = (name: string, extra: Record<string, unknown>) =>
      handler({ step: name, runId, ...zone, settings, ...extra }) as Promise<RunState>;
    let run = await step('start', {
      startedAt: new Date(clock).toISOString(),
      staggerSeconds: 0,
      input: { force: true },
    });
    run = await step('record', { run, poll: poll({ a: 10, b: 30 }) });
    run = await step('decide', { run });
    return { run, step };
  };

  it('keeps a capped run below the instance minimum in the history, not as LATEST, where the zone has a LATEST', async () => {
    // GIVEN the zone's LATEST from r1 (2,000 instances), and a run capped at one poll that sees 40
    const latestBefore = await store.latestCharacterizationRecord(ZONE.azId);
    const { run, step } = await cappedRun('r6', ZONE);
    expect(run.decision).toMatchObject({ action: 'stop', reason: 'capped-polls' });
    const before = await store.characterizations(ZONE.azId);
    // WHEN it finishes
    const done = await step('finalize', { run });
    // THEN its characterization is in the history, the run points at it, and LATEST is still r1's
    expect(done.characterizationAt).toBeDefined();
    expect(done.nextSampleAt).toBeUndefined();
    const history = await store.characterizations(ZONE.azId);
    expect(history).toHaveLength(before.length + 1);
    expect(history.at(-1)).toMatchObject({ instancesSeen: 40, stoppedBecause: 'capped-polls' });
    expect(await store.getRun('r6')).toMatchObject({
      status: 'succeeded',
      characterizationAt: done.characterizationAt,
    });
    expect(await store.latestCharacterizationRecord(ZONE.azId)).toEqual(latestBefore);
  });

  it('makes a capped run below the instance minimum LATEST where the zone has none', async () => {
    const zone = { azId: 'usw1-az3', region: 'us-west-1' };
    const { run, step } = await cappedRun('r7', zone);
    const done = await step('finalize', { run });
    expect(done.nextSampleAt).toBe(new Date(clock + 22 * 3_600_000).toISOString());
    expect((await store.latestCharacterizationRecord(zone.azId))?.characterization).toMatchObject({
      instancesSeen: 40,
      stoppedBecause: 'capped-polls',
      measuredAt: done.characterizationAt,
    });
  });

  it('keeps the next sampling time within [base / 2, 2 × base], and at base when not adaptive', () => {
    expect(nextIntervalHours('stable', SETTINGS)).toBe(44);
    expect(nextIntervalHours('drifting', SETTINGS)).toBe(11);
    expect(nextIntervalHours('unknown', SETTINGS)).toBe(22);
    expect(nextIntervalHours('stable', { ...SETTINGS, adaptiveSchedule: false })).toBe(22);
  });

  it('reads a plain or JSON cause', () => {
    expect(describeCause({ Error: 'States.Timeout' })).toBe('States.Timeout');
    expect(describeCause({ Error: 'States.Timeout', Cause: 'States.Timeout' })).toBe('States.Timeout');
    expect(describeCause({ Error: 'X', Cause: 'X: boom' })).toBe('X: boom');
    expect(describeCause({ Error: 'X', Cause: '{"errorMessage":"m"}' })).toBe('X: m');
  });
});
