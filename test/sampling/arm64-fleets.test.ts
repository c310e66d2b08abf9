import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { type LocalSkyStore, startLocalSkyStore } from '../../lib/aws/local-sky-store';
import { SkyStore } from '../../lib/aws/store';
import { InvalidRecordError } from '../../lib/aws/store-errors';
import { keys } from '../../lib/contracts';
import { parseFunctionName, samplerFunctionName, samplingStateMachineName } from '../../lib/core/naming';
import type { Characterization, PollAggregate } from '../../lib/core/types';
import { samplerStartOf } from '../../lib/sampling/context';
import type { RunState, SamplingSettings } from '../../lib/sampling/events';
import { MemorySamplingStore } from '../../lib/sampling/memory-store';
import { NO_METRICS } from '../../lib/sampling/metrics';
import { createStepsHandler } from '../../lib/sampling/steps';
import type { SamplingStore } from '../../lib/sampling/store';
import { ARM64_PRICE_PER_GB_SECOND, samplingSettings } from './settings';

const SETTINGS = samplingSettings();
const ARM64 = samplingSettings({ samplerArch: 'arm64', pricePerGbSecond: ARM64_PRICE_PER_GB_SECOND });
const ZONE = { azId: 'usw2-az1', region: 'us-west-2' };

function poll(counts: Record<string, number>): PollAggregate {
  const ok = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    requested: ok,
    succeeded: ok,
    failures: {},
    cpuCounts: counts,
    cpuModels: {},
    instanceIds: [],
    newInstances: ok,
    bootTimes: [],
    // one instance a host, the same hosts in every poll
    hosts: Object.entries(counts).flatMap(([cpu, n], c) =>
      Array.from({ length: n }, (_, h) => ({ bootTime: 10_000 * c + h, cpu, instances: 1, samplers: 1 })),
    ),
    samplers: 1,
    latencyMs: { p50: 110, p90: 120, p99: 130, max: 140 },
    billedMs: ok * 102,
  };
}

function characterization(measuredAt: string, counts: Record<string, number>): Characterization {
  return {
    ...ZONE,
    counts,
    instancesSeen: Object.values(counts).reduce((a, b) => a + b, 0),
    polls: 2,
    failures: 0,
    measuredAt,
    driftClass: 'unknown',
    costUsd: 0.01,
    stoppedBecause: 'converged',
  };
}

/** One run of the sampling steps over two identical polls of `counts`. */
async function sampleRun(
  store: SamplingStore,
  now: () => number,
  runId: string,
  settings: SamplingSettings,
  counts: Record<string, number>,
): Promise<{ targets: string[]; done: RunState }> {
  const handler = createStepsHandler({ store, now, metrics: NO_METRICS });
  const base = { runId, ...ZONE, settings };
  let run = (await handler({
    step: 'start',
    ...base,
    startedAt: new Date(now()).toISOString(),
    input: { force: true },
  })) as RunState;
  const targets = [run.target];
  for (let k = 0; k < 2; k++) {
    run = (await handler({ step: 'record', ...base, run, poll: poll(counts) })) as RunState;
    run = (await handler({ step: 'decide', ...base, run })) as RunState;
    targets.push(run.target);
  }
  const done = (await handler({ step: 'finalize', ...base, run })) as RunState;
  return { targets, done };
}

describe('arm64 fleet names', () => {
  it('names arm64 samplers and state machines apart from the x86_64 ones, and reads the names back', () => {
    expect(samplerFunctionName('usw2-az1', 7, 100, 'arm64')).toBe('sky-smp-arm64-usw2-az1-07');
    expect(samplerFunctionName('usw2-az1', 7)).toBe('sky-smp-usw2-az1-07');
    expect(samplingStateMachineName('usw2-az1', 'arm64')).toBe('sky-sampling-usw2-az1-arm64');
    expect(samplingStateMachineName('usw2-az1')).toBe('sky-sampling-usw2-az1');
    expect(parseFunctionName('sky-smp-arm64-usw2-az1-07')).toEqual({
      kind: 'sampler',
      azId: 'usw2-az1',
      index: 7,
      arch: 'arm64',
    });
    expect(parseFunctionName('sky-smp-usw2-az1-107')).toEqual({
      kind: 'sampler',
      azId: 'usw2-az1',
      index: 107,
      arch: 'x86_64',
    });
    // a provider zone whose own name ends in -arm64 is still an x86_64 sampler's zone
    expect(parseFunctionName('sky-smp-ext-lab-arm64-03')).toEqual({
      kind: 'sampler',
      azId: 'ext-lab-arm64',
      index: 3,
      arch: 'x86_64',
    });
  });
});

describe('sampling an arm64 fleet (steps in memory)', () => {
  it('polls the arm64 samplers and stores a characterization of its own beside the x86_64 one', async () => {
    // GIVEN a zone whose x86_64 fleet was characterized
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const store = new MemorySamplingStore(() => clock);
    await sampleRun(store, () => clock, 'x1', SETTINGS, { 'intel-xeon-2.50': 80, 'intel-xeon-3.00': 20 });
    clock += 3_600_000;
    // WHEN the arm64 state machine's settings run the same steps
    const { targets, done } = await sampleRun(store, () => clock, 'a1', ARM64, { graviton2: 96, graviton3: 4 });
    // THEN every poll went to an arm64 sampler, in the same rotation
    const first = samplerStartOf('a1', 4);
    expect(targets).toEqual([0, 1, 2].map((k) => `sky-smp-arm64-usw2-az1-0${(first + k) % 4}`));
    expect(done.characterizationAt).toBeDefined();
    // AND the arm64 LATEST says so, while the x86_64 LATEST (no arch: x86_64) is untouched
    const arm = (await store.latestCharacterizationRecord(ZONE.azId, 'arm64'))?.characterization;
    const x86 = (await store.latestCharacterizationRecord(ZONE.azId))?.characterization;
    expect(arm).toMatchObject({ arch: 'arm64', counts: { graviton2: 96, graviton3: 4 } });
    expect(x86?.arch).toBeUndefined();
    expect(x86?.counts).toEqual({ 'intel-xeon-2.50': 80, 'intel-xeon-3.00': 20 });
    expect(store.characterizations(ZONE.azId, 'arm64')).toHaveLength(1);
    expect(store.characterizations(ZONE.azId)).toHaveLength(1);
  });

  it("compares an arm64 run with the fleet's previous arm64 characterization, not the x86_64 one", async () => {
    let clock = Date.parse('2026-03-02T00:00:00Z');
    const store = new MemorySamplingStore(() => clock);
    await sampleRun(store, () => clock, 'x2', SETTINGS, { 'intel-xeon-2.50': 100 });
    await sampleRun(store, () => clock, 'a2', ARM64, { graviton2: 90, graviton3: 10 });
    clock += 22 * 3_600_000;
    const { done } = await sampleRun(store, () => clock, 'a3', ARM64, { graviton2: 90, graviton3: 10 });
    // the same arm64 mix again: 0 APE against the previous arm64 run (against the x86_64 one it would be 200)
    expect(done.apeVsPrevious).toBe(0);
    expect(store.characterizations(ZONE.azId, 'arm64')).toHaveLength(2);
  });
});

describe('arm64 characterizations in the table (local DynamoDB server)', () => {
  let local: LocalSkyStore;
  let store: SkyStore;
  let doc: LocalSkyStore['client'];
  const clock = Date.parse('2026-03-01T00:00:00Z');

  beforeAll(async () => {
    local = await startLocalSkyStore({ tableName: 'skymesh' });
    doc = local.client;
    store = new SkyStore({ client: doc, tableName: 'skymesh', now: () => clock });
  });
  afterAll(async () => {
    await local.close();
  });

  it('keeps a LATEST and a history per architecture, and the router reads both in one query', async () => {
    // GIVEN an x86_64 record written before arm64 fleets were sampled (no arch attribute, the old keys)
    const legacy = characterization('2026-02-28T00:00:00.000Z', { 'intel-xeon-2.50': 40 });
    await doc.send(
      new PutCommand({
        TableName: 'skymesh',
        Item: { pk: keys.zone(ZONE.azId), sk: 'LATEST', type: 'LATEST', ...legacy },
      }),
    );
    // WHEN the steps Lambda's store writes an arm64 characterization, then a newer x86_64 one
    const arm = {
      ...characterization('2026-03-01T00:00:00.000Z', { graviton2: 48, graviton3: 2 }),
      arch: 'arm64' as const,
    };
    await store.putCharacterization(arm);
    const x86 = characterization('2026-03-01T01:00:00.000Z', { 'intel-xeon-2.50': 50 });
    await store.putCharacterization(x86);
    // THEN each architecture's LATEST is its own: the newer x86_64 record did not replace the arm64 one
    expect(await store.latestCharacterization(ZONE.azId, 'arm64')).toEqual(arm);
    expect(await store.latestCharacterization(ZONE.azId)).toEqual(x86);
    const all = await store.latestCharacterizations();
    expect(all.filter((c) => c.azId === ZONE.azId)).toEqual(expect.arrayContaining([arm, x86]));
    expect(all.filter((c) => c.azId === ZONE.azId)).toHaveLength(2);
    // AND the histories are apart
    expect(await store.characterizations(ZONE.azId)).toEqual([x86]);
    expect(await store.characterizations(ZONE.azId, { arch: 'arm64' })).toEqual([arm]);
  });

  it('reads a record without an architecture as x86_64', async () => {
    const azId = 'usw2-az2';
    const legacy = { ...characterization('2026-02-27T00:00:00.000Z', { 'intel-xeon-2.90': 12 }), azId };
    await doc.send(
      new PutCommand({ TableName: 'skymesh', Item: { pk: keys.zone(azId), sk: 'LATEST', type: 'LATEST', ...legacy } }),
    );
    expect(await store.latestCharacterization(azId)).toEqual(legacy);
    expect(await store.latestCharacterization(azId, 'arm64')).toBeUndefined();
  });

  it('fails on an unknown architecture, naming it, and stores nothing', async () => {
    const bad = { ...characterization('2026-03-01T02:00:00.000Z', { graviton2: 1 }), azId: 'usw2-az3', arch: 'riscv' };
    await expect(store.putCharacterization(bad as unknown as Characterization)).rejects.toThrow(InvalidRecordError);
    await expect(store.putCharacterization(bad as unknown as Characterization)).rejects.toThrow(/arch.*riscv/);
    expect(await store.characterizations('usw2-az3')).toEqual([]);
  });
});
