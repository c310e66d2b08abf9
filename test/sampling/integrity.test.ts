import { type LocalSkyStore, startLocalSkyStore } from '../../lib/aws/local-sky-store';
import type { SkyStore } from '../../lib/aws/store';
import type { Characterization, PollAggregate } from '../../lib/core/types';
import {
  createStepsHandler,
  effectiveMaxPolls,
  NO_METRICS,
  type RunState,
  type SamplingStore,
} from '../../lib/sampling';
import { samplingSettings } from './settings';

const SETTINGS = samplingSettings({ samplersPerZone: 2, maxPolls: 6 });

/** A poll whose instances all run on one CPU: consecutive polls on different CPUs never converge. */
function poll(cpu: string, n = 100): PollAggregate {
  return {
    requested: n,
    succeeded: n,
    failures: {},
    cpuCounts: { [cpu]: n },
    cpuModels: {},
    instanceIds: [],
    newInstances: n,
    bootTimes: [],
    latencyMs: { p50: 260, p90: 270, p99: 280, max: 290 },
    billedMs: n * 252,
  };
}

describe('sampling integrity, through the sampling steps and the table store', () => {
  let local: LocalSkyStore;
  let clock = Date.parse('2026-03-01T00:00:00Z');
  beforeAll(async () => {
    local = await startLocalSkyStore();
  });
  afterAll(async () => {
    await local.close();
  });

  const stepsOver = (store: SamplingStore) => {
    const handler = createStepsHandler({ store, now: () => clock, metrics: NO_METRICS });
    const base = (runId: string) => ({ runId, azId: 'usw1-az1', region: 'us-west-1', settings: SETTINGS });
    return {
      start: (runId: string) =>
        handler({
          step: 'start',
          ...base(runId),
          startedAt: new Date(clock).toISOString(),
          input: { force: true },
        }) as Promise<RunState>,
      record: (runId: string, run: RunState, aggregate: PollAggregate) =>
        handler({ step: 'record', ...base(runId), run, poll: aggregate }) as Promise<RunState>,
      decide: (runId: string, run: RunState) => handler({ step: 'decide', ...base(runId), run }) as Promise<RunState>,
      finalize: (runId: string, run: RunState) =>
        handler({ step: 'finalize', ...base(runId), run }) as Promise<RunState>,
      fail: (runId: string) =>
        handler({ step: 'fail', runId, azId: 'usw1-az1', region: 'us-west-1', error: { Error: 'Boom' } }),
    };
  };

  it("refuses to start a run whose ID is another zone's, and leaves that run as it was", async () => {
    const handler = createStepsHandler({ store: local.store, now: () => clock, metrics: NO_METRICS });
    const start = (azId: string, region: string) =>
      handler({
        step: 'start',
        runId: 'shared-name',
        azId,
        region,
        settings: SETTINGS,
        startedAt: new Date(clock).toISOString(),
        input: { force: true },
      });
    await start('usw1-az1', 'us-west-1');
    await expect(start('sae1-az1', 'sa-east-1')).rejects.toThrow(
      /'runId'.*a run ID of this zone's own; run shared-name is one of usw1-az1/,
    );
    expect(await local.store.getRun('shared-name')).toMatchObject({ azId: 'usw1-az1', pollsRecorded: 0 });
  });

  it('refuses to decide on a run no start step made, rather than polling for it again', async () => {
    const steps = stepsOver(local.store);
    const run = await steps.start('known');
    await expect(steps.decide('never-started', run)).rejects.toThrow(/'runId'.*a run the start step made for usw1-az1/);
  });

  it('refuses to finalize a failed run, which stays failed and is not made LATEST', async () => {
    const steps = stepsOver(local.store);
    let run = await steps.start('failed-run');
    run = await steps.record('failed-run', run, poll('a'));
    run = await steps.decide('failed-run', run);
    await steps.fail('failed-run');
    const stop = {
      ...run,
      decision: { action: 'stop' as const, reason: 'converged' as const, estimatedApe: 1, waitSeconds: 0 },
    };
    await expect(steps.finalize('failed-run', stop)).rejects.toThrow(/'runId'.*a run that has not failed/);
    expect(await local.store.getRun('failed-run')).toMatchObject({ status: 'failed' });
  });

  it('refuses a poll whose counts disagree, before it joins the run', async () => {
    const steps = stepsOver(local.store);
    const run = await steps.start('inconsistent');
    await expect(steps.record('inconsistent', run, { ...poll('a', 1), succeeded: 999 })).rejects.toThrow(
      /succeeded.*at most requested/,
    );
    expect(await local.store.getRun('inconsistent')).toMatchObject({ pollsRecorded: 0 });
  });

  it.each<[string, (p: ReturnType<typeof poll>) => object, RegExp]>([
    [
      'more instances counted than succeeded',
      (p) => ({ ...p, cpuCounts: { x: p.succeeded + 1 } }),
      /cpuCounts.*at most succeeded/,
    ],
    ['a negative latency', (p) => ({ ...p, latencyMs: { ...p.latencyMs, p50: -5 } }), /latencyMs/],
  ])('refuses a poll with %s, naming the field, before it joins the run', async (_what, bad, message) => {
    const steps = stepsOver(local.store);
    const run = await steps.start('inconsistent-2');
    await expect(steps.record('inconsistent-2', run, bad(poll('a', 1)) as ReturnType<typeof poll>)).rejects.toThrow(
      message,
    );
    expect(await local.store.getRun('inconsistent-2')).toMatchObject({ pollsRecorded: 0 });
  });

  it('never polls a sampler endpoint twice in a run: 2 samplers and maxPolls 6 stop after 2 polls', async () => {
    // GIVEN 2 samplers, a cap of 6 polls, and polls that never agree
    const steps = stepsOver(local.store);
    let run = await steps.start('rotation');
    const targets: string[] = [];
    // WHEN the steps run until the rule stops
    for (let k = 0; k < SETTINGS.maxPolls; k++) {
      targets.push(run.target);
      run = await steps.record('rotation', run, poll(k % 2 === 0 ? 'a' : 'b'));
      run = await steps.decide('rotation', run);
      if (run.decision?.action === 'stop') break;
    }
    // THEN each endpoint was polled once, and the run stopped at the cap
    expect(effectiveMaxPolls(SETTINGS)).toBe(2);
    expect(targets).toHaveLength(2);
    expect(new Set(targets).size).toBe(2);
    expect(run.decision).toMatchObject({ action: 'stop', reason: 'capped-polls' });
    const done = await steps.finalize('rotation', run);
    expect(done.instancesSeen).toBe(200);
  });

  it('never polls an endpoint twice when each poll spreads over several: 5 samplers, 2 a poll, stop after 2 polls', async () => {
    const spread = { ...SETTINGS, samplersPerZone: 5, samplersPerPoll: 2 };
    const handler = createStepsHandler({ store: local.store, now: () => clock, metrics: NO_METRICS });
    const base = { runId: 'spread', azId: 'usw1-az1', region: 'us-west-1', settings: spread };
    let run = (await handler({
      step: 'start',
      ...base,
      startedAt: new Date(clock).toISOString(),
      input: { force: true },
    })) as RunState;
    const targets: string[] = [];
    for (let k = 0; k < spread.maxPolls; k++) {
      targets.push(...run.targets);
      run = (await handler({ step: 'record', ...base, run, poll: poll(k % 2 === 0 ? 'a' : 'b') })) as RunState;
      run = (await handler({ step: 'decide', ...base, run })) as RunState;
      if (run.decision?.action === 'stop') break;
    }
    expect(targets).toHaveLength(4);
    expect(new Set(targets).size).toBe(4);
    expect(run.decision).toMatchObject({ action: 'stop', reason: 'capped-polls' });
  });

  it('points LATEST only at a finished run: marking the run succeeded fails, LATEST keeps the previous run', async () => {
    // GIVEN a zone whose LATEST is a finished run's characterization
    const steps = stepsOver(local.store);
    const zone = 'usw1-az1';
    let first = await steps.start('latest-ok');
    first = await steps.record('latest-ok', first, poll('a'));
    first = await steps.record('latest-ok', first, poll('a'));
    first = await steps.decide('latest-ok', first);
    await steps.finalize('latest-ok', first);
    const before = (await local.store.latestCharacterizationRecord(zone)) as {
      runId?: string;
      characterization: Characterization;
    };
    expect(before.runId).toBe('latest-ok');

    // WHEN the next run's finalize cannot mark the run succeeded (the table refuses that write)
    let refuse = true;
    const faulty: SamplingStore = Object.assign(Object.create(local.store) as SkyStore, {
      finishRun: async (...args: Parameters<SkyStore['finishRun']>) => {
        if (refuse) throw new Error('ProvisionedThroughputExceededException');
        return local.store.finishRun(...args);
      },
    });
    const broken = stepsOver(faulty);
    clock += 3_600_000;
    let second = await broken.start('latest-broken');
    second = await broken.record('latest-broken', second, poll('b'));
    second = await broken.record('latest-broken', second, poll('b'));
    second = await broken.decide('latest-broken', second);
    await expect(broken.finalize('latest-broken', second)).rejects.toThrow(/ProvisionedThroughput/);
    // and the state machine's catch marks the run failed
    await broken.fail('latest-broken');
    refuse = false;

    // THEN the run is failed and LATEST still points at the finished run
    expect((await local.store.getRun('latest-broken'))?.status).toBe('failed');
    const after = (await local.store.latestCharacterizationRecord(zone)) as { runId?: string };
    expect(after.runId).toBe('latest-ok');
  });

  it('makes a finished run LATEST when a retried finalize finds the run succeeded but LATEST not written', async () => {
    // GIVEN finalize marked the run succeeded, then failed to write LATEST
    let refuse = true;
    const faulty: SamplingStore = Object.assign(Object.create(local.store) as SkyStore, {
      promoteToLatest: async (...args: Parameters<SkyStore['promoteToLatest']>) => {
        if (refuse) throw new Error('RequestTimeout');
        return local.store.promoteToLatest(...args);
      },
    });
    const steps = stepsOver(faulty);
    clock += 3_600_000;
    let run = await steps.start('latest-retry');
    run = await steps.record('latest-retry', run, poll('c'));
    run = await steps.record('latest-retry', run, poll('c'));
    run = await steps.decide('latest-retry', run);
    await expect(steps.finalize('latest-retry', run)).rejects.toThrow(/RequestTimeout/);
    expect((await local.store.getRun('latest-retry'))?.status).toBe('succeeded');
    expect(((await local.store.latestCharacterizationRecord('usw1-az1')) as { runId?: string }).runId).not.toBe(
      'latest-retry',
    );
    // WHEN the step is retried
    refuse = false;
    await steps.finalize('latest-retry', run);
    // THEN the finished run is LATEST
    expect(((await local.store.latestCharacterizationRecord('usw1-az1')) as { runId?: string }).runId).toBe(
      'latest-retry',
    );
  });
});
