import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Duration } from 'aws-cdk-lib';
import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { apeOfCounts } from '../../lib/core/distribution';
import { samplingStepsFunctionName } from '../../lib/core/naming';
import { runLocalExecution } from '../../lib/infra/local-state-machine';
import { synthesizeSamplingDefinitions } from '../../lib/infra/sampling-definitions';
import type { AslDefinition } from '../../lib/infra/state-machine-definition';
import { samplerStartOf } from '../../lib/sampling/context';
import { defaultHandlerKit } from '../../lib/twin/handlers';
import type { HandlerKit } from '../../lib/twin/kit';
import { type SamplingWorld, startSamplingWorld } from './harness';

const REGION = 'us-east-1';
const SAMPLERS = 5;
const POLL = 200;
const ZONES = {
  stable: 'use1-az1',
  drifting: 'use1-az2',
  mixed: 'use1-az3',
  saturating: 'use1-az4',
  tiny: 'use1-az5',
  faulty: 'use1-az6',
} as const;
const CPU_KEYS = { xeon25: 'intel-xeon-2.50', xeon29: 'intel-xeon-2.90', xeon30: 'intel-xeon-3.00' } as const;
const MIXED = { xeon25: 0.6, xeon30: 0.3, xeon29: 0.1 };
const FAULTY_RUN = 'faulty-run';
/** Far longer than a poll of 200 takes here, even on a loaded machine (the state machine times it in real time). */
const POLL_TIMEOUT_SECONDS = 300;
/**
 * The hung-fan-out test's poll timeout, which it waits out: many times what its small poll (one fan-out,
 * HANG_POLL requests) takes on a loaded machine.
 */
const HANG_POLL_TIMEOUT_SECONDS = 8;
const HANG_POLL = 10;

/** While set, the faulty zone's fan-out hangs until released (a fan-out that never answers). */
let hangingFanout: { release: () => void; released: Promise<void> } | undefined;

/**
 * Capacities count instances (hosts × slots). A poll of 200 at branching 10 also holds 31
 * fan-out instances in the zone, so: 300 saturates on the second poll, 120 on the first.
 */
const scenario = {
  name: 'sampling-machine',
  description: 'zones for the sampling state machine tests',
  seed: 5,
  days: 2,
  baselineZone: ZONES.stable,
  cpus: {
    xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
    xeon29: { model: 'Intel(R) Xeon(R) Processor @ 2.90GHz' },
    xeon30: { model: 'Intel(R) Xeon(R) Processor @ 3.00GHz' },
  },
  zones: [
    { azId: ZONES.stable, region: REGION, hosts: 40, slotsPerHost: 50, mix: [{ xeon25: 1 }] },
    {
      azId: ZONES.drifting,
      region: REGION,
      hosts: 40,
      slotsPerHost: 50,
      mix: [
        { xeon25: 0.8, xeon30: 0.2 },
        { xeon25: 0.2, xeon30: 0.8 },
      ],
    },
    { azId: ZONES.mixed, region: REGION, hosts: 40, slotsPerHost: 50, mix: [MIXED] },
    { azId: ZONES.saturating, region: REGION, hosts: 3, slotsPerHost: 100, mix: [MIXED] },
    { azId: ZONES.tiny, region: REGION, hosts: 1, slotsPerHost: 120, mix: [MIXED] },
    { azId: ZONES.faulty, region: REGION, hosts: 40, slotsPerHost: 50, mix: [MIXED] },
  ],
  workloads: { zipper: { memoryMb: 2048, baseMs: 1000, cv: 0.03, relative: { xeon30: 0.88 } } },
  burst: 10,
  holdMs: 150,
};

/**
 * The real kit, except that the faulty zone's sampler for poll 1 of FAULTY_RUN throws, and its
 * fan-out hangs while `hangingFanout` is set.
 */
function kitWithFaults(): HandlerKit {
  const kit = defaultHandlerKit({ samplerSleepMs: 250 });
  const broken = (samplerStartOf(FAULTY_RUN, SAMPLERS) + 1) % SAMPLERS;
  return {
    ...kit,
    fanout(platform, fn, invoker) {
      const real = kit.fanout(platform, fn, invoker);
      return async (event, context) => {
        if (fn.azId === ZONES.faulty && hangingFanout) await hangingFanout.released;
        return real(event, context);
      };
    },
    sampler(platform, fn) {
      if (fn.azId === ZONES.faulty && fn.index === broken) {
        return async () => {
          throw new Error('sampler crashed: cannot read /proc/cpuinfo');
        };
      }
      return kit.sampler(platform, fn);
    },
  };
}

async function invokeThroughLoopback(functionName: string, input: unknown): Promise<unknown> {
  const lambda = new LambdaClient({
    endpoint: world.api.endpoint,
    region: REGION,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  try {
    const answer = await lambda.send(
      new InvokeCommand({ FunctionName: functionName, Payload: new TextEncoder().encode(JSON.stringify(input)) }),
    );
    return JSON.parse(new TextDecoder().decode(answer.Payload));
  } finally {
    lambda.destroy();
  }
}

let world: SamplingWorld;

const SHORT_WAITS = { waitTimeOverrides: { Stagger: 0, Pause: 0 } };
const SHORT_RETRIES = { Start: 0, Poll: 0, Record: 0, Decide: 0, Finalize: 0, MarkFailed: 0 };

describe('the synthesized sampling state machine, run locally against the twin and dynalite', () => {
  let definitions: Record<string, AslDefinition>;
  /** The same zones with every poll spread over two samplers. */
  let spreadDefinitions: Record<string, AslDefinition>;
  /** The faulty zone with small polls and a short poll timeout, for the hung fan-out. */
  let hangDefinitions: Record<string, AslDefinition>;

  type RunExtra = Partial<Parameters<typeof runLocalExecution>[1]>;
  /** A forced run of `definition` against the twin, with no waits and no pause between retries. */
  const execute = (definition: AslDefinition, executionName: string, extra: RunExtra = {}) =>
    runLocalExecution(definition, {
      lambdaEndpoint: world.api.endpoint,
      region: REGION,
      executionName,
      input: { force: true },
      ...SHORT_WAITS,
      retryIntervalOverrides: SHORT_RETRIES,
      ...extra,
    });
  const run = (azId: string, executionName: string, extra: RunExtra = {}) =>
    execute(definitions[azId], executionName, extra);

  beforeAll(async () => {
    definitions = synthesizeSamplingDefinitions({
      region: REGION,
      azIds: Object.values(ZONES),
      samplersPerZone: SAMPLERS,
      // One sampler a poll: the tests below count polls, samplers and capacity per poll.
      sampling: {
        pollConcurrency: POLL,
        samplersPerPoll: 1,
        fanoutBranching: 10,
        maxPolls: 12,
        pollTimeout: Duration.seconds(POLL_TIMEOUT_SECONDS),
      },
    });
    spreadDefinitions = synthesizeSamplingDefinitions({
      region: REGION,
      azIds: [ZONES.mixed],
      samplersPerZone: SAMPLERS,
      sampling: { pollConcurrency: POLL, samplersPerPoll: 2, fanoutBranching: 10, maxPolls: 12 },
    });
    hangDefinitions = synthesizeSamplingDefinitions({
      region: REGION,
      azIds: [ZONES.faulty],
      samplersPerZone: SAMPLERS,
      sampling: {
        pollConcurrency: HANG_POLL,
        samplersPerPoll: 1,
        fanoutBranching: 10,
        maxPolls: 12,
        // All its 5 polls of 10 can see: its runs fail before they finish.
        minInstancesForCharacterization: SAMPLERS * HANG_POLL,
        pollTimeout: Duration.seconds(HANG_POLL_TIMEOUT_SECONDS),
      },
    });
    world = await startSamplingWorld({
      scenario,
      azIds: Object.values(ZONES),
      // Real time: the instances bill what they really took. On a scaled clock every real millisecond
      // the machine loses would bill 1 / timeScale ms, and a loaded machine would stop runs at the cost cap.
      timeScale: 1,
      kit: kitWithFaults(),
    });
  });

  afterAll(async () => {
    await world?.close();
  });

  it('validates the synthesized definition with asl-validator', () => {
    // asl-validator ships no type declarations.
    const aslValidator = require('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };
    for (const definition of Object.values(definitions)) {
      const { isValid, errors } = aslValidator(definition);
      expect(errors).toEqual([]);
      expect(isValid).toBe(true);
    }
    expect(JSON.stringify(definitions[ZONES.stable])).toContain(
      `arn:aws:lambda:${REGION}:123456789012:function:${samplingStepsFunctionName(ZONES.stable)}`,
    );
  });

  it('characterizes a stable zone in few polls, then classifies it stable and samples it less often', async () => {
    // WHEN the zone is sampled on day 0 and again on day 1
    world.api.setDay(0);
    const first = await run(ZONES.stable, 'stable-0');
    world.api.setDay(1);
    const second = await run(ZONES.stable, 'stable-1');

    // THEN
    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    const runRecord = await world.store.getRun('stable-0');
    expect(runRecord).toMatchObject({ status: 'succeeded', stoppedBecause: 'converged' });
    expect(runRecord?.pollsRecorded).toBeLessThanOrEqual(3);
    const history = await world.store.characterizations(ZONES.stable);
    expect(history).toHaveLength(2);
    expect(history[0]).toMatchObject({ driftClass: 'unknown', counts: { [CPU_KEYS.xeon25]: expect.any(Number) } });
    expect(history[1]).toMatchObject({ driftClass: 'stable', apeVsPrevious: 0 });
    // A stable zone is due after 2 × 22 h, counted from the scheduled start of its run.
    const latest = await world.store.latestCharacterizationRecord(ZONES.stable);
    const started = Date.parse(((await world.store.getRun('stable-1')) as { startedAt: string }).startedAt);
    expect(Date.parse(latest?.nextSampleAt ?? '')).toBe(started + 44 * 3_600_000);
    // Each poll hit the next sampler endpoint.
    const polls = await world.store.polls('stable-0');
    const start = samplerStartOf('stable-0', SAMPLERS);
    expect(polls.map((p) => p.target)).toEqual(
      polls.map((_, k) => `sky-smp-${ZONES.stable}-${String((start + k) % SAMPLERS).padStart(2, '0')}`),
    );
  });

  it('skips a scheduled tick while the zone is not due, without creating a run', async () => {
    const out = await run(ZONES.stable, 'stable-tick', { input: {} });
    expect(out).toEqual({ status: 'SUCCEEDED', output: expect.anything() });
    expect(await world.store.getRun('stable-tick')).toBeUndefined();
    expect(await world.store.characterizations(ZONES.stable)).toHaveLength(2);
  });

  it('classifies a zone whose mix changed as drifting and samples it more often', async () => {
    world.api.setDay(0);
    await run(ZONES.drifting, 'drift-0');
    world.api.setDay(1);
    const out = await run(ZONES.drifting, 'drift-1');
    expect(out.status).toBe('SUCCEEDED');
    const latest = await world.store.latestCharacterizationRecord(ZONES.drifting);
    expect(latest?.characterization.driftClass).toBe('drifting');
    expect(latest?.characterization.apeVsPrevious).toBeGreaterThan(50);
    expect(latest?.runId).toBe('drift-1');
    const started = Date.parse(((await world.store.getRun('drift-1')) as { startedAt: string }).startedAt);
    expect(Date.parse(latest?.nextSampleAt ?? '')).toBe(started + 11 * 3_600_000);
  });

  it('stops a zone that saturates with reason saturated and stores what it saw', async () => {
    world.api.setDay(0);
    const out = await run(ZONES.saturating, 'saturate-0');
    expect(out.status).toBe('SUCCEEDED');
    const record = await world.store.getRun('saturate-0');
    expect(record).toMatchObject({ status: 'succeeded', stoppedBecause: 'saturated' });
    const polls = await world.store.polls('saturate-0');
    const last = polls[polls.length - 1].aggregate;
    expect(last.requested - last.succeeded).toBeGreaterThan(POLL / 2);
    expect(last.failures.TooManyRequestsException).toBeGreaterThan(0);
    const latest = await world.store.latestCharacterization(ZONES.saturating);
    expect(latest).toMatchObject({ stoppedBecause: 'saturated', instancesSeen: record?.totals.instancesSeen });
    expect(latest?.instancesSeen).toBeGreaterThanOrEqual(100);
  });

  it('ends a run that saturates on its first poll cleanly, without a characterization from too few instances', async () => {
    world.api.setDay(0);
    const out = await run(ZONES.tiny, 'tiny-0');
    expect(out.status).toBe('SUCCEEDED');
    expect(await world.store.getRun('tiny-0')).toMatchObject({
      status: 'succeeded',
      stoppedBecause: 'saturated',
      pollsRecorded: 1,
    });
    expect(await world.store.latestCharacterization(ZONES.tiny)).toBeUndefined();
  });

  it('fails a run cleanly when a sampler breaks mid-run, keeping every recorded poll', async () => {
    world.api.setDay(0);
    const out = await run(ZONES.faulty, FAULTY_RUN);
    expect(out).toMatchObject({ status: 'FAILED', error: 'SamplerFaultError' });
    const record = await world.store.getRun(FAULTY_RUN);
    expect(record?.status).toBe('failed');
    expect(record?.cause).toMatch(/^SamplerFaultError: Sampler sky-smp-use1-az6-\d\d failed 200 of 200 requests/);
    const polls = await world.store.polls(FAULTY_RUN);
    expect(polls).toHaveLength(2);
    expect(polls[0].aggregate.succeeded).toBe(POLL);
    expect(polls[1].aggregate.failures).toEqual({ Unhandled: POLL });
    expect(record?.pollsRecorded).toBe(2);
    expect(await world.store.latestCharacterization(ZONES.faulty)).toBeUndefined();
  });

  it('fails a run cleanly when the fan-out does not answer in time, keeping the polls before', async () => {
    // GIVEN the first poll answers, the second hangs
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const polled: number[] = [];
    const firstPollOnly = async (input: unknown): Promise<unknown> => {
      polled.push(polled.length);
      if (polled.length === 2) hangingFanout = { release, released };
      return invokeThroughLoopback(`sky-fan-${ZONES.faulty}`, input);
    };
    world.api.setDay(0);
    // WHEN
    const out = await execute(hangDefinitions[ZONES.faulty], 'hang-run', { taskOverrides: { Poll: firstPollOnly } });
    hangingFanout = undefined;
    release();
    // THEN
    expect(out).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(polled).toHaveLength(2);
    expect(await world.store.getRun('hang-run')).toMatchObject({
      status: 'failed',
      cause: 'States.Timeout',
      pollsRecorded: 1,
    });
    expect(await world.store.polls('hang-run')).toHaveLength(1);
  });

  it('retries a step whose answer was lost without counting its poll twice', async () => {
    // GIVEN the Record step of poll 1 runs, then its answer is lost (a Lambda service error)
    let lost = 0;
    const recordThroughLoopback = async (input: unknown): Promise<unknown> => {
      const payload = await invokeThroughLoopback(samplingStepsFunctionName(ZONES.mixed), input);
      if ((input as { run: { pollIndex: number } }).run.pollIndex === 1 && lost === 0) {
        lost += 1;
        throw Object.assign(new Error('connection reset after the function ran'), {
          name: 'Lambda.SdkClientException',
        });
      }
      return payload;
    };
    world.api.setDay(0);

    // WHEN
    const out = await run(ZONES.mixed, 'mixed-0', { taskOverrides: { Record: recordThroughLoopback } });

    // THEN the run succeeded, poll 1 was recorded twice by the handler but counted once
    expect(out.status).toBe('SUCCEEDED');
    expect(lost).toBe(1);
    const recordCalls = world.stepCalls.filter(
      (c) =>
        c.azId === ZONES.mixed && c.event.step === 'record' && (c.event.run as { pollIndex: number }).pollIndex === 1,
    );
    expect(recordCalls).toHaveLength(2);
    const record = await world.store.getRun('mixed-0');
    const polls = await world.store.polls('mixed-0');
    expect(record?.pollsRecorded).toBe(polls.length);
    const summed: Record<string, number> = {};
    for (const poll of polls) {
      for (const [cpu, n] of Object.entries(poll.aggregate.cpuCounts)) summed[cpu] = (summed[cpu] ?? 0) + n;
    }
    expect(record?.totals.cpuCounts).toEqual(summed);
    expect(record?.totals.requested).toBe(POLL * polls.length);
    // AND the characterization is accurate against the zone's true mix
    expect(record?.stoppedBecause).toBe('converged');
    const latest = await world.store.latestCharacterization(ZONES.mixed);
    const truth = Object.fromEntries(
      Object.entries(MIXED).map(([k, share]) => [CPU_KEYS[k as keyof typeof CPU_KEYS], share]),
    );
    expect(apeOfCounts(latest?.counts ?? {}, truth)).toBeLessThan(10);
  });

  it('spreads each poll over several samplers and characterizes the hosts it met, with its confidence', async () => {
    world.api.setDay(0);
    const out = await execute(spreadDefinitions[ZONES.mixed], 'mixed-spread');
    expect(out.status).toBe('SUCCEEDED');
    const polls = await world.store.polls('mixed-spread');
    const start = samplerStartOf('mixed-spread', SAMPLERS);
    expect(polls[0].target).toBe(`sky-smp-${ZONES.mixed}-0${start}`);
    for (const poll of polls) expect(poll.aggregate.samplers).toBe(2);
    expect(await world.store.getRun('mixed-spread')).toMatchObject({ stoppedBecause: 'converged' });
    // The characterization counts each (boot time, CPU) met once: at most the zone's 40 hosts.
    const hosts = new Set(polls.flatMap((p) => (p.aggregate.hosts ?? []).map((h) => `${h.cpu}@${h.bootTime}`)));
    const latest = await world.store.latestCharacterization(ZONES.mixed);
    const counted = Object.values(latest?.counts ?? {}).reduce((a, b) => a + b, 0);
    expect(counted).toBe(hosts.size);
    expect(counted).toBeLessThanOrEqual(40);
    expect(latest?.confidence).toMatchObject({ hostsSeen: hosts.size });
    expect(latest?.confidence?.apeBound).toBeLessThanOrEqual(5);
  });

  it('never re-sends a burst that may have run: a Poll whose answer is lost ends the run, uncounted bursts none', async () => {
    // GIVEN the fan-out runs the first burst, then its answer is lost (a Lambda service error)
    let bursts = 0;
    const lostAnswer = async (input: unknown): Promise<unknown> => {
      bursts += 1;
      await invokeThroughLoopback(`sky-fan-${ZONES.mixed}`, input);
      throw Object.assign(new Error('service error after the burst ran'), { name: 'Lambda.ServiceException' });
    };
    world.api.setDay(0);
    // WHEN
    const out = await run(ZONES.mixed, 'lost-burst', { taskOverrides: { Poll: lostAnswer } });
    // THEN the burst was sent once, and the run failed instead of paying for bursts its cost cap never saw
    expect(bursts).toBe(1);
    expect(out).toMatchObject({ status: 'FAILED' });
    expect(await world.store.getRun('lost-burst')).toMatchObject({ status: 'failed', pollsRecorded: 0 });
  });

  it('retries a Poll that Lambda refused (no burst was sent) and counts every burst it sent', async () => {
    // GIVEN the first fan-out call is throttled before it starts
    let refused = 0;
    let bursts = 0;
    const throttledOnce = async (input: unknown): Promise<unknown> => {
      if (refused === 0) {
        refused += 1;
        throw Object.assign(new Error('Rate exceeded'), { name: 'Lambda.TooManyRequestsException' });
      }
      bursts += 1;
      return invokeThroughLoopback(`sky-fan-${ZONES.mixed}`, input);
    };
    world.api.setDay(0);
    // WHEN
    const out = await run(ZONES.mixed, 'throttled-poll', { taskOverrides: { Poll: throttledOnce } });
    // THEN the run went on and recorded one poll per burst sent
    expect(out.status).toBe('SUCCEEDED');
    expect(refused).toBe(1);
    expect((await world.store.getRun('throttled-poll'))?.pollsRecorded).toBe(bursts);
  });

  it('leaves records an SDK reader finds: polls with a TTL, runs and LATEST in the type index', async () => {
    const doc = createDocumentClient({ region: 'us-west-2', endpoint: world.dynamo.endpoint });
    const polls = await doc.send(
      new QueryCommand({
        TableName: 'skymesh',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': 'RUN#stable-0' },
      }),
    );
    const items = polls.Items ?? [];
    expect(items.find((i) => i.sk === 'META')).toMatchObject({ type: 'RUN', status: 'succeeded' });
    const pollItems = items.filter((i) => String(i.sk).startsWith('POLL#'));
    expect(pollItems.length).toBeGreaterThan(0);
    for (const item of pollItems) expect(item.expiresAt).toBeGreaterThan(Date.now() / 1000);
    const latest = await doc.send(
      new QueryCommand({
        TableName: 'skymesh',
        IndexName: 'byType',
        KeyConditionExpression: '#t = :latest',
        ExpressionAttributeNames: { '#t': 'type' },
        ExpressionAttributeValues: { ':latest': 'LATEST' },
      }),
    );
    expect((latest.Items ?? []).map((i) => i.pk).sort()).toEqual(
      [ZONES.stable, ZONES.drifting, ZONES.mixed, ZONES.saturating].map((z) => `ZONE#${z}`).sort(),
    );
    doc.destroy();
  });
});
