import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { type LocalDynamo, startLocalDynamo } from '../../lib/aws/local-dynamo';
import { SkyStore } from '../../lib/aws/store';
import {
  InvalidRecordError,
  PollOutOfOrderError,
  RunFinishedError,
  RunNotFoundError,
} from '../../lib/aws/store-errors';
import { ensureSkyTable } from '../../lib/aws/table-setup';
import { MAX_STORED_INSTANCE_IDS, runtimeSumsOf } from '../../lib/contracts/table-records';
import type { Characterization, PollAggregate } from '../../lib/core/types';

function aggregate(counts: Record<string, number>, overrides: Partial<PollAggregate> = {}): PollAggregate {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    requested: total,
    succeeded: total,
    failures: {},
    cpuCounts: counts,
    cpuModels: Object.fromEntries(Object.keys(counts).map((k) => [k, `model of ${k}`])),
    instanceIds: Array.from({ length: total }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`),
    newInstances: total,
    bootTimes: [1_700_000_000],
    latencyMs: { p50: 260, p90: 280, p99: 300, max: 310 },
    billedMs: total * 251,
    ...overrides,
  };
}

function characterization(azId: string, measuredAt: string, counts: Record<string, number>): Characterization {
  return {
    azId,
    region: 'us-west-1',
    counts,
    instancesSeen: Object.values(counts).reduce((a, b) => a + b, 0),
    polls: 3,
    failures: 0,
    measuredAt,
    driftClass: 'unknown',
    costUsd: 0.01,
    stoppedBecause: 'converged',
  };
}

describe('SkyStore against a local DynamoDB server', () => {
  let dynamo: LocalDynamo;
  let store: SkyStore;
  let doc: ReturnType<typeof createDocumentClient>;
  let tableCount = 0;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
  });
  afterAll(async () => {
    doc?.destroy();
    await dynamo.close();
  });
  beforeEach(async () => {
    // A fresh table per test keeps the tests independent.
    const tableName = `sky-store-${++tableCount}`;
    doc = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint });
    const raw = new DynamoDBClient({
      region: 'us-west-2',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureSkyTable(raw, tableName);
    raw.destroy();
    store = new SkyStore({ client: doc, tableName, now: () => Date.parse('2026-01-02T03:04:05Z') });
  });

  describe("a profile's threads", () => {
    it('keeps the last threads said for each profile, apart from its entries, and refuses a bad count naming it', async () => {
      await store.addProfileSums(
        'zipper',
        { cpu: 'intel-xeon-2.50', arch: 'x86_64', memoryMb: 2048 },
        runtimeSumsOf([1000]),
      );
      await store.setParallelism('zipper', 2);
      await store.setParallelism('zipper', 1.2);
      await store.setParallelism('pagerank', 1);
      expect(await store.allParallelism()).toEqual({ zipper: 1.2, pagerank: 1 });
      const byKey = await store.profiles(['zipper']);
      const byType = await store.profiles();
      expect(byKey.zipper.entries).toHaveLength(1);
      expect(byType.zipper.entries).toHaveLength(1);
      expect(byType.pagerank).toBeUndefined();
      await expect(store.setParallelism('zipper', 0)).rejects.toMatchObject({ field: 'parallelism' });
      await expect(store.setParallelism('', 2)).rejects.toMatchObject({ field: 'workload' });
      expect((await store.allParallelism()).zipper).toBe(1.2);
    });
  });

  describe('INIT reports', () => {
    it("adds a day's reports into one item with a TTL past the window, and refuses bad sums naming the field", async () => {
      await store.addInitSums({ count: 2, sumMs: 300, billingChecked: 2, billed: 2 });
      await store.addInitSums({ count: 1, sumMs: 383, billingChecked: 1, billed: 0 });
      await store.addInitSums({ count: 0, sumMs: 0, billingChecked: 0, billed: 0 });
      expect(await store.allInitSums()).toEqual([
        { count: 3, sumMs: 683, billingChecked: 3, billed: 2, updatedAt: '2026-01-02T03:04:05.000Z' },
      ]);
      const item = await doc.send(
        new GetCommand({ TableName: store.tableName, Key: { pk: 'INIT', sk: 'DAY#2026-01-02' } }),
      );
      expect(item.Item?.expiresAt).toBe(Date.parse('2026-01-17T00:00:00Z') / 1000);
      for (const [sums, field] of [
        [{ count: 1.5, sumMs: 1, billingChecked: 0, billed: 0 }, 'count'],
        [{ count: 1, sumMs: 1, billingChecked: 1, billed: 2 }, 'billed'],
        [{ count: 1, sumMs: -1, billingChecked: 0, billed: 0 }, 'sumMs'],
      ] as const) {
        await expect(store.addInitSums(sums)).rejects.toMatchObject({ name: 'InvalidRecordError', field });
      }
      expect((await store.allInitSums())[0].count).toBe(3);
    });
  });

  describe('runs and polls', () => {
    it('starts a run once: a repeated start returns the first record', async () => {
      // GIVEN
      const first = await store.startRun({
        runId: 'r1',
        azId: 'usw1-az1',
        region: 'us-west-1',
        startedAt: '2026-01-02T00:00:00Z',
      });
      // WHEN
      const again = await store.startRun({
        runId: 'r1',
        azId: 'other',
        region: 'us-west-1',
        startedAt: '2026-01-03T00:00:00Z',
      });
      // THEN
      expect(first.status).toBe('running');
      expect(again.azId).toBe('usw1-az1');
      expect(again.startedAt).toBe('2026-01-02T00:00:00Z');
    });

    it('merges polls into cumulative totals in order', async () => {
      await store.startRun({ runId: 'r2', azId: 'usw1-az1', region: 'us-west-1', startedAt: '2026-01-02T00:00:00Z' });
      await store.recordPoll('r2', 0, {
        aggregate: aggregate({ a: 6, b: 4 }, { failures: { TooManyRequestsException: 2 }, requested: 12 }),
        target: 'sky-smp-usw1-az1-00',
        costUsd: 0.001,
      });
      const { run, duplicate } = await store.recordPoll('r2', 1, {
        aggregate: aggregate({ a: 3, c: 1 }),
        target: 'sky-smp-usw1-az1-01',
        costUsd: 0.002,
      });
      expect(duplicate).toBe(false);
      expect(run.pollsRecorded).toBe(2);
      expect(run.totals.cpuCounts).toEqual({ a: 9, b: 4, c: 1 });
      expect(run.totals.requested).toBe(16);
      expect(run.totals.succeeded).toBe(14);
      expect(run.totals.failures).toEqual({ TooManyRequestsException: 2 });
      expect(run.totals.instancesSeen).toBe(14);
      expect(run.totals.costUsd).toBeCloseTo(0.003, 10);
      const polls = await store.polls('r2');
      expect(polls.map((p) => [p.index, p.target])).toEqual([
        [0, 'sky-smp-usw1-az1-00'],
        [1, 'sky-smp-usw1-az1-01'],
      ]);
      // TTL: 30 days after the injected clock.
      expect(polls[0].expiresAt).toBe(Date.parse('2026-01-02T03:04:05Z') / 1000 + 30 * 86_400);
    });

    it('never counts a retried poll twice', async () => {
      await store.startRun({ runId: 'r3', azId: 'usw1-az1', region: 'us-west-1', startedAt: '2026-01-02T00:00:00Z' });
      const poll = { aggregate: aggregate({ a: 5 }), target: 'sky-smp-usw1-az1-00', costUsd: 0.001 };
      await store.recordPoll('r3', 0, poll);
      // WHEN the same step runs again, sequentially and concurrently
      const again = await store.recordPoll('r3', 0, poll);
      const racing = await Promise.all([
        store.recordPoll('r3', 1, { ...poll, aggregate: aggregate({ b: 2 }) }),
        store.recordPoll('r3', 1, { ...poll, aggregate: aggregate({ b: 2 }) }),
      ]);
      // THEN
      expect(again.duplicate).toBe(true);
      expect(racing.filter((r) => r.duplicate)).toHaveLength(1);
      const run = await store.getRun('r3');
      expect(run?.pollsRecorded).toBe(2);
      expect(run?.totals.cpuCounts).toEqual({ a: 5, b: 2 });
      expect(await store.polls('r3')).toHaveLength(2);
    });

    it('fails when a poll skips an index, or the run does not exist', async () => {
      await store.startRun({ runId: 'r4', azId: 'usw1-az1', region: 'us-west-1', startedAt: '2026-01-02T00:00:00Z' });
      const poll = { aggregate: aggregate({ a: 1 }), target: 't', costUsd: 0 };
      await expect(store.recordPoll('r4', 2, poll)).rejects.toThrow(PollOutOfOrderError);
      await expect(store.recordPoll('nope', 0, poll)).rejects.toThrow(RunNotFoundError);
      await expect(store.recordPoll('r4', -1, poll)).rejects.toThrow(InvalidRecordError);
    });

    it('caps stored instance ids but keeps their number', async () => {
      await store.startRun({ runId: 'r5', azId: 'usw1-az1', region: 'us-west-1', startedAt: '2026-01-02T00:00:00Z' });
      await store.recordPoll('r5', 0, { aggregate: aggregate({ a: 1200 }), target: 't', costUsd: 0 });
      const [poll] = await store.polls('r5');
      expect(poll.aggregate.instanceIds).toHaveLength(MAX_STORED_INSTANCE_IDS);
      expect(poll.aggregate.instanceCount).toBe(1200);
    });

    it('marks a run failed with its cause and keeps its polls; a failed run takes no more polls', async () => {
      await store.startRun({ runId: 'r6', azId: 'usw1-az1', region: 'us-west-1', startedAt: '2026-01-02T00:00:00Z' });
      const poll = { aggregate: aggregate({ a: 1 }), target: 't', costUsd: 0 };
      await store.recordPoll('r6', 0, poll);
      const failed = await store.failRun('r6', { cause: 'Sampler.Unhandled: boom', azId: 'usw1-az1' });
      expect(failed?.status).toBe('failed');
      expect(failed?.cause).toBe('Sampler.Unhandled: boom');
      expect(failed?.pollsRecorded).toBe(1);
      expect(await store.polls('r6')).toHaveLength(1);
      await expect(store.recordPoll('r6', 1, poll)).rejects.toThrow(RunFinishedError);
      await expect(store.finishRun('r6', { stoppedBecause: 'converged' })).rejects.toThrow(RunFinishedError);
    });

    it('records a failure even for a run that never started, and never overrides a success', async () => {
      const failed = await store.failRun('r7', { cause: 'States.Timeout', azId: 'usw1-az2', region: 'us-west-1' });
      expect(failed).toMatchObject({ runId: 'r7', azId: 'usw1-az2', status: 'failed', pollsRecorded: 0 });
      await store.startRun({ runId: 'r8', azId: 'usw1-az1', region: 'us-west-1', startedAt: '2026-01-02T00:00:00Z' });
      const done = await store.finishRun('r8', { stoppedBecause: 'saturated' });
      expect(done.status).toBe('succeeded');
      expect(await store.failRun('r8', { cause: 'late', azId: 'usw1-az1' })).toBeUndefined();
      expect((await store.getRun('r8'))?.status).toBe('succeeded');
    });
  });

  describe('characterizations', () => {
    it.each<[string, Record<string, unknown>]>([
      ['no counts', { counts: undefined }],
      ['counts that are not numbers', { counts: { a: 'many' } }],
      ['a measuredAt that is not text', { measuredAt: 20260101 }],
      ['no measuredAt', { measuredAt: undefined }],
      ['a measuredAt that is not a time', { measuredAt: 'yesterday' }],
    ])('skips a LATEST item with %s, and a new characterization replaces it', async (_what, bad) => {
      // GIVEN a LATEST item the store did not write, beside a good one of another zone
      await store.putCharacterization(characterization('sae1-az1', '2026-01-01T00:00:00.000Z', { b: 7 }));
      const item = { ...characterization('usw1-az1', '2026-01-01T00:00:00.000Z', { a: 1 }), ...bad };
      await doc.send(
        new PutCommand({
          TableName: store.tableName,
          Item: { pk: 'ZONE#usw1-az1', sk: 'LATEST', type: 'LATEST', ...item },
        }),
      );
      // THEN readers skip it rather than fail, and the zone reads as having no LATEST
      expect((await store.latestCharacterizations()).map((c) => c.azId)).toEqual(['sae1-az1']);
      expect(await store.latestCharacterizationRecord('usw1-az1')).toBeUndefined();
      // WHEN the zone's next run finishes, THEN its characterization replaces the bad item
      await store.putCharacterization(characterization('usw1-az1', '2026-01-02T00:00:00.000Z', { a: 2 }));
      expect((await store.latestCharacterization('usw1-az1'))?.counts).toEqual({ a: 2 });
    });

    it('keeps history and the newest as LATEST, readable in one query across zones', async () => {
      await store.putCharacterization(characterization('usw1-az1', '2026-01-01T00:00:00.000Z', { a: 1 }));
      await store.putCharacterization(characterization('usw1-az1', '2026-01-02T00:00:00.000Z', { a: 2 }), {
        runId: 'r',
      });
      // An older run finishing late does not replace LATEST.
      await store.putCharacterization(characterization('usw1-az1', '2025-12-31T00:00:00.000Z', { a: 3 }));
      await store.putCharacterization(characterization('sae1-az1', '2026-01-01T00:00:00.000Z', { b: 7 }));

      const latest = await store.latestCharacterizations();
      const byZone = Object.fromEntries(latest.map((c) => [c.azId, c]));
      expect(Object.keys(byZone).sort()).toEqual(['sae1-az1', 'usw1-az1']);
      expect(byZone['usw1-az1'].counts).toEqual({ a: 2 });
      expect(byZone['usw1-az1']).not.toHaveProperty('pk');
      expect(byZone['usw1-az1']).not.toHaveProperty('runId');
      expect((await store.latestCharacterization('sae1-az1'))?.counts).toEqual({ b: 7 });

      const history = await store.characterizations('usw1-az1');
      expect(history.map((c) => c.counts.a)).toEqual([3, 1, 2]);
      const newest = await store.characterizations('usw1-az1', { newestFirst: true, limit: 1 });
      expect(newest.map((c) => c.measuredAt)).toEqual(['2026-01-02T00:00:00.000Z']);
    });

    it('fails when measuredAt is not a time', async () => {
      await expect(store.putCharacterization(characterization('usw1-az1', 'yesterday', { a: 1 }))).rejects.toThrow(
        /measuredAt.*yesterday/,
      );
    });
  });

  describe('profiles and passive counts', () => {
    it('merges concurrent runtime observations into mean and M2', async () => {
      const runtimes = [100, 110, 90, 105, 95, 120];
      const key = { cpu: 'intel-xeon-2.50', arch: 'x86_64', memoryMb: 2048 } as const;
      await Promise.all(runtimes.slice(0, 4).map((ms) => store.addProfileObservation('zipper', key, ms)));
      await store.addProfileSums('zipper', key, runtimeSumsOf(runtimes.slice(4)));
      await store.addProfileObservation('graph-bfs', { ...key, cpu: 'amd-epyc' }, 50);

      const all = await store.profiles();
      const mean = runtimes.reduce((a, b) => a + b, 0) / runtimes.length;
      const m2 = runtimes.reduce((a, x) => a + (x - mean) ** 2, 0);
      expect(Object.keys(all).sort()).toEqual(['graph-bfs', 'zipper']);
      const [entry] = all.zipper.entries;
      expect(entry).toMatchObject({ cpu: 'intel-xeon-2.50', arch: 'x86_64', memoryMb: 2048 });
      expect(entry.stats.count).toBe(6);
      expect(entry.stats.meanMs).toBeCloseTo(mean, 9);
      expect(entry.stats.m2).toBeCloseTo(m2, 6);

      const only = await store.profiles(['graph-bfs', 'unknown']);
      expect(Object.keys(only)).toEqual(['graph-bfs']);
      await expect(store.addProfileObservation('zipper', key, Number.NaN)).rejects.toThrow(InvalidRecordError);
    });

    it('adds passive CPU counts atomically per zone', async () => {
      await Promise.all([
        store.addPassiveCpu('usw1-az1', 'intel-xeon-2.50'),
        store.addPassiveCpu('usw1-az1', 'intel-xeon-2.50'),
        store.addPassiveCpu('usw1-az1', { 'amd-epyc': 2, 'intel-xeon-3.00': 1 }),
        store.addPassiveCpu('sae1-az1', 'intel-xeon-3.00', 4),
      ]);
      const zone = await store.passiveCounts('usw1-az1');
      expect(zone?.counts).toEqual({ 'intel-xeon-2.50': 2, 'amd-epyc': 2, 'intel-xeon-3.00': 1 });
      expect(zone?.observations).toBe(5);
      const all = await store.allPassiveCounts();
      expect(all.map((p) => p.azId).sort()).toEqual(['sae1-az1', 'usw1-az1']);
      await expect(store.addPassiveCpu('usw1-az1', 'x', -1)).rejects.toThrow(/count of x/);
    });

    it('writes the item types the type index partitions on', async () => {
      await store.addPassiveCpu('usw1-az1', 'a');
      const out = await doc.send(
        new GetCommand({ TableName: store.tableName, Key: { pk: 'ZONE#usw1-az1', sk: 'PASSIVE#2026-01-02' } }),
      );
      expect(out.Item?.type).toBe('PASSIVE');
    });

    it('dates passive counts per UTC day, with their first and last ADD, and lets them expire after the window', async () => {
      // GIVEN counts added at two times of one day and one time of the next
      const at = { now: Date.parse('2026-01-02T03:00:00Z') };
      const dated = new SkyStore({ client: doc, tableName: store.tableName, now: () => at.now });
      await dated.addPassiveCpu('usw1-az1', { 'intel-xeon-2.50': 2 });
      at.now = Date.parse('2026-01-02T21:00:00Z');
      await dated.addPassiveCpu('usw1-az1', { 'amd-epyc': 1 });
      at.now = Date.parse('2026-01-03T01:00:00Z');
      await dated.addPassiveCpu('usw1-az1', { 'amd-epyc': 4 });
      // WHEN they are read
      const all = await dated.allPassiveCounts();
      const day1 = await doc.send(
        new GetCommand({ TableName: store.tableName, Key: { pk: 'ZONE#usw1-az1', sk: 'PASSIVE#2026-01-02' } }),
      );
      // THEN each day is its own period, dated by its first and last ADD
      expect(all.map((p) => [p.firstAt, p.updatedAt, { ...p.counts }]).sort()).toEqual([
        ['2026-01-02T03:00:00.000Z', '2026-01-02T21:00:00.000Z', { 'intel-xeon-2.50': 2, 'amd-epyc': 1 }],
        ['2026-01-03T01:00:00.000Z', '2026-01-03T01:00:00.000Z', { 'amd-epyc': 4 }],
      ]);
      // the day's item expires by TTL 7 days after the day ends
      expect(day1.Item?.expiresAt).toBe(Date.parse('2026-01-10T00:00:00Z') / 1000);
      // and a zone's total sums every day
      const zone = await dated.passiveCounts('usw1-az1');
      expect({ ...zone?.counts }).toEqual({ 'intel-xeon-2.50': 2, 'amd-epyc': 5 });
      expect(zone).toMatchObject({
        observations: 7,
        firstAt: '2026-01-02T03:00:00.000Z',
        updatedAt: '2026-01-03T01:00:00.000Z',
      });
    });

    it('still reads undated passive items written before counts were dated, beside dated ones', async () => {
      // GIVEN an item as the store wrote it before (sk PASSIVE, no firstAt), one with no date at all, and a new ADD
      const legacy = (azId: string, extra: Record<string, unknown>) =>
        doc.send(
          new PutCommand({
            TableName: store.tableName,
            Item: {
              pk: `ZONE#${azId}`,
              sk: 'PASSIVE',
              type: 'PASSIVE',
              azId,
              observations: 3,
              'cpu#intel-xeon-3.00': 3,
              ...extra,
            },
          }),
        );
      await legacy('usw1-az1', { updatedAt: '2025-12-31T00:00:00.000Z' });
      await legacy('usw1-az3', {});
      await store.addPassiveCpu('usw1-az1', { 'amd-epyc': 2 });
      // WHEN read one zone at a time and all at once
      const zone = await store.passiveCounts('usw1-az1');
      const all = await store.allPassiveCounts();
      // THEN the undated items are read, dated by their last ADD where they have one
      expect({ ...zone?.counts }).toEqual({ 'intel-xeon-3.00': 3, 'amd-epyc': 2 });
      expect(zone?.firstAt).toBe('2025-12-31T00:00:00.000Z');
      const undated = all.filter((p) => p.firstAt === undefined);
      expect(undated.map((p) => [p.azId, p.updatedAt, { ...p.counts }]).sort()).toEqual([
        ['usw1-az1', '2025-12-31T00:00:00.000Z', { 'intel-xeon-3.00': 3 }],
        ['usw1-az3', undefined, { 'intel-xeon-3.00': 3 }],
      ]);
    });
  });
});
