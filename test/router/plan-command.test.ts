import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { SkyStore } from '../../lib/aws/store';
import { explainStoreError, formatPlan, runPlan } from '../../lib/cli/plan-command';
import type { RouterAnswer } from '../../lib/routing/types';
import { runSky } from '../cli/run-sky';
import { CPU, type SkyFixture, startSky } from './sky-fixture';

const DAY_MS = 86_400_000;

/**
 * Passive counts of `countNow` met at an unknown time within [metFrom, metTo] weigh, at `planAt`, as much
 * as a half-life of a day allows for ages between `planAt − metTo` and `planAt − metFrom`. The bounds are
 * exact where the store's clock is: counts that did not decay, or decayed at another rate, fall outside.
 */
function expectDecayed(weight: number | undefined, countNow: number, planAt: number, metFrom: number, metTo: number) {
  // The relative 1e-12 is only floating-point rounding: an age wrong by 1 ms moves the weight by 8e-9.
  expect(weight).toBeDefined();
  expect(weight).toBeGreaterThanOrEqual(countNow * 2 ** (-(planAt - metFrom) / DAY_MS) * (1 - 1e-12));
  expect(weight).toBeLessThanOrEqual(countNow * 2 ** (-(planAt - metTo) / DAY_MS) * (1 + 1e-12));
}

describe('sky plan', () => {
  let sky: SkyFixture;
  const base = { top: 5, table: 'skymesh', region: 'us-west-2' };

  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
  });

  afterAll(async () => {
    await sky?.close();
  });

  it('plans from the stored characterizations: the chosen target first, then the ranking with reject sets', async () => {
    const plan = await runPlan(
      { ...base, workload: 'zipper', objective: 'cost', memory: [1024, 2048], arch: 'x86_64' },
      sky.store,
    );
    expect(plan.zonesRead).toBe(3);
    expect(plan.candidates.length).toBe(5);
    expect(plan.candidates.filter((c) => c.chosen)).toHaveLength(1);
    expect(plan.candidates[0].chosen).toBe(true);
    expect(plan.candidates[0].target.functionName).toBe(plan.chosen.target.functionName);
    // Ranked best first by the objective, and every candidate's zone mix is the stored one.
    for (let i = 1; i < plan.candidates.length; i++) {
      expect(plan.candidates[i].score).toBeGreaterThanOrEqual(plan.candidates[i - 1].score);
    }
    const usw1az1 = plan.candidates.find((c) => c.target.azId === 'usw1-az1');
    if (usw1az1) expect(usw1az1.mix?.[CPU.epyc]).toBeCloseTo(0.3, 5);
    const text = formatPlan(plan);
    expect(text).toContain(`zipper -> ${plan.chosen.target.functionName}`);
    expect(text.split('\n').filter((l) => /^\d+\*? +sky-/.test(l))).toHaveLength(5);
    expect(text).not.toMatch(/\de-\d/);
    expect(text.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });

  it('places only on the deployed zones, memory sizes and architectures (the router settings invoke uses)', async () => {
    const env = {
      SKY_ZONES: 'us-west-1:usw1-az1,sa-east-1:sae1-az1',
      SKY_MEMORY_SIZES: '512,2048',
      SKY_ARCHITECTURES: 'x86_64',
    };
    const plan = await runPlan({ ...base, top: 50, workload: 'zipper', objective: 'cost' }, sky.store, Date.now(), env);
    expect(plan.candidates.length).toBeGreaterThan(1);
    for (const { target } of plan.candidates) {
      expect(['usw1-az1', 'sae1-az1']).toContain(target.azId);
      expect([512, 2048]).toContain(target.memoryMb);
      expect(target.arch).toBe('x86_64');
    }
    expect(plan.candidates[0].chosen).toBe(true);
    // After the chosen one: by score, equal scores by the shorter runtime
    for (let i = 2; i < plan.candidates.length; i++) {
      const [a, b] = [plan.candidates[i - 1], plan.candidates[i]];
      const tied = Math.abs(a.score - b.score) <= 1e-9 * Math.max(a.score, b.score);
      if (tied) expect(b.expected.runtimeMs).toBeGreaterThanOrEqual(a.expected.runtimeMs);
      else expect(b.score).toBeGreaterThan(a.score);
    }
  });

  it('honours the limits it is given', async () => {
    const plan = await runPlan(
      { ...base, workload: 'zipper', regions: ['sa-east-1'], arch: 'x86_64', memory: [2048] },
      sky.store,
    );
    expect(plan.chosen.target.region).toBe('sa-east-1');
    expect(plan.candidates.every((c) => c.target.region === 'sa-east-1' && c.target.memoryMb === 2048)).toBe(true);
  });

  it('marks a placement nothing observed supports (a workload never run) as assumed, in the plan and its text', async () => {
    const plan = await runPlan({ ...base, workload: 'zipper', arch: 'x86_64', memory: [1024, 2048] }, sky.store);
    expect(plan.chosen.evidence).toMatchObject({ level: 'assumed', runtime: 'prior', mix: 'measured' });
    expect(plan.candidates.every((c) => c.evidence.level === 'assumed')).toBe(true);
    const text = formatPlan(plan);
    expect(text).toMatch(/evidence: assumed \(runtimes prior, zone mix measured\): nothing observed supports/);
    expect(text.split('\n').filter((l) => /^\d+\*? +sky-.* assumed$/.test(l))).toHaveLength(5);
    expect(text.split('\n').filter((line) => line.length > 100)).toEqual([]);
  });

  it("keeps to the deployed functions' timeout: no target where the work would pass it, and an error naming it when none is left", async () => {
    // zipper as observed at 2048 MB: 1 s on the 2.5 GHz Xeon, 1.35 s on the EPYC (3 s at 1024 MB), 10% spread
    const stats = (meanMs: number) => ({ count: 50, meanMs, m2: 49 * (0.1 * meanMs) ** 2 });
    const entry = (cpu: string, meanMs: number) => ({
      cpu,
      arch: 'x86_64' as const,
      memoryMb: 2048,
      stats: stats(meanMs),
    });
    const zipper = {
      workload: 'zipper',
      entries: [entry(CPU.xeon25, 1000), entry(CPU.xeon30, 880), entry(CPU.epyc, 1350)],
    };
    const store = {
      latestCharacterizations: () => sky.store.latestCharacterizations(),
      profiles: async () => ({ zipper }),
      allPassiveCounts: () => sky.store.allPassiveCounts(),
    };
    const env = { SKY_FUNCTION_TIMEOUT_MS: '2000' };
    const plan = await runPlan(
      { ...base, top: 50, workload: 'zipper', arch: 'x86_64', memory: [1024, 2048] },
      store,
      Date.now(),
      env,
    );
    expect(plan.candidates.length).toBeGreaterThan(0);
    for (const { target } of plan.candidates) expect(target.memoryMb).toBe(2048);
    expect(plan.chosen.evidence.level).toBe('measured');
    const tight = runPlan({ ...base, workload: 'zipper', arch: 'x86_64', memory: [1024] }, store, Date.now(), env);
    await expect(tight).rejects.toThrow(
      /cannot place workload "zipper": no allowed target runs it within timeoutMs 2000/,
    );
  });

  it('explains a missing table instead of failing obscurely', async () => {
    const doc = createDocumentClient({ region: 'us-west-2', endpoint: sky.dynamo.endpoint });
    const missing = new SkyStore({ client: doc, tableName: 'nope' });
    const error = await runPlan({ ...base, workload: 'zipper', table: 'nope' }, missing).catch((e: unknown) => e);
    expect(explainStoreError(error, { table: 'nope', region: 'us-west-2', endpointUrl: sky.dynamo.endpoint })).toBe(
      `table nope not found at ${sky.dynamo.endpoint}; deploy the control stack, or pass --table / --region / --endpoint-url`,
    );
    expect(explainStoreError({ name: 'CredentialsProviderError' }, base)).toMatch(/no AWS credentials found/);
    // Any other failure names the table and where it was read.
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { name: 'Error' });
    expect(explainStoreError(refused, { table: 't', region: 'us-west-2', endpointUrl: 'http://127.0.0.1:9' })).toBe(
      'reading table t at http://127.0.0.1:9: connect ECONNREFUSED 127.0.0.1:9',
    );
  });

  it('runs as `sky plan` against a DynamoDB endpoint', async () => {
    const { stdout } = await runSky(
      [
        'plan',
        '--workload',
        'zipper',
        '--endpoint-url',
        sky.dynamo.endpoint,
        '--top',
        '3',
        '--arch',
        'x86_64',
        '--memory',
        '1024,2048',
      ],
      { ...process.env, AWS_REGION: 'us-west-2' },
    );
    expect(stdout).toMatch(/^zipper -> sky-[a-z0-9-]+-x86_64-(1024|2048) \(/);
    expect(stdout).toContain('The 3 best targets');
  });

  it("prices INIT and scales runtimes by what the table holds, as the router does: the instances' reports, the threads", async () => {
    const options = { ...base, workload: 'zipper', profile: 'plan-threads', arch: 'x86_64' as const, memory: [1024] };
    const env = { SKY_ZONES: 'us-west-1:usw1-az1', SKY_MEMORY_SIZES: '1024,2048', SKY_ARCHITECTURES: 'x86_64' };
    await sky.observeRuntimes('plan-threads', { [CPU.xeon25]: 1000, [CPU.xeon30]: 880, [CPU.epyc]: 1350 }, 0.01);
    // GIVEN a table with no INIT reported and no threads said
    const before = await runPlan(options, sky.store, Date.now(), env);
    expect(before.init).toEqual({ initMs: 150, billed: true, reports: 0 });
    expect(before.parallelism).toBeUndefined();
    expect(formatPlan(before)).toContain("INIT priced at 150 ms, billed (the router's prior: 0 of the 5 reports");
    // WHEN a request said the profile runs two threads, THEN at 1,024 MB it runs 2048/1769 times as long as one thread
    await sky.store.setParallelism('plan-threads', 2);
    const threads = await runPlan(options, sky.store, Date.now(), env);
    expect(threads.parallelism).toBe(2);
    expect(threads.chosen.expected.runtimeMs / before.chosen.expected.runtimeMs).toBeCloseTo(2048 / 1769, 2);
    // WHEN new instances reported a 400 ms INIT, THEN plan prices it, and each call's new instance costs more
    await sky.store.addInitSums({ count: 8, sumMs: 3200, billingChecked: 8, billed: 8 });
    const after = await runPlan(options, sky.store, Date.now(), env);
    expect(after.init).toEqual({ initMs: 400, billed: true, reports: 8 });
    expect(after.chosen.expected.costUsd).toBeGreaterThan(threads.chosen.expected.costUsd);
    expect(formatPlan(after)).toContain('INIT priced at 400 ms, billed (as 8 new instances reported); threads: 2');
  });

  // Last: it adds passive counts to the shared table.
  it('places from the view the router places from: characterizations merged with passive counts', async () => {
    // GIVEN the router's settings (as the control stack sets them) and its handler over the same table
    const env = {
      SKY_ZONES: 'us-west-1:usw1-az1,us-west-1:usw1-az3,sa-east-1:sae1-az1',
      SKY_MEMORY_SIZES: '1024,2048',
      SKY_ARCHITECTURES: 'x86_64',
    };
    const options = { ...base, top: 50, workload: 'zipper', objective: 'cost' as const };
    const before = await runPlan(options, sky.store, Date.now(), env);
    const az3Before = before.candidates.find((c) => c.target.functionName === 'sky-usw1-az3-x86_64-2048');
    expect(az3Before?.passiveInstances).toBeUndefined();
    // WHEN routed calls have met mostly slow instances in the zone sampled as the fastest
    const metFrom = Date.now();
    await sky.store.addPassiveCpu('usw1-az3', { [CPU.epyc]: 4000 });
    const metTo = Date.now();
    const planAt = Date.now();
    const after = await runPlan(options, sky.store, planAt, env);
    const routed = (await sky.router()({ workload: 'zipper', objective: 'cost' })) as RouterAnswer;
    // THEN plan sees the merged mix (the zone got dearer) and places where the router does
    const az3After = after.candidates.find((c) => c.target.functionName === 'sky-usw1-az3-x86_64-2048');
    // Met a moment ago, at a time the test knows only to within [metFrom, metTo]: their weight has
    // decayed by that age at a half-life of a day, and halves once more a day later.
    expectDecayed(az3After?.passiveInstances, 4000, planAt, metFrom, metTo);
    const dayLater = await runPlan(options, sky.store, planAt + DAY_MS, env);
    const az3DayLater = dayLater.candidates.find((c) => c.target.functionName === 'sky-usw1-az3-x86_64-2048');
    expectDecayed(az3DayLater?.passiveInstances, 2000, planAt, metFrom, metTo);
    expect(az3After!.expected.costUsd).toBeGreaterThan(az3Before!.expected.costUsd);
    if (routed.status !== 'ok') throw new Error(`routing failed: ${JSON.stringify(routed)}`);
    expect(after.chosen.target.functionName).toBe(routed.placement!.target.functionName);
    expect(after.chosen.rejectCpus).toEqual(routed.placement!.rejectCpus);
    expect(after.chosen.expected.costUsd).toBeCloseTo(routed.placement!.expected.costUsd, 12);
    expect(formatPlan(after)).toContain('usw1-az3: ');
    expect(formatPlan(after).replace(/\s+/g, ' ')).toContain(
      'merged with 4000 instances met by routed calls (weighed by age)',
    );
  });

  it('fails with a clear message when the table is missing', async () => {
    const error = await runSky([
      'plan',
      '--workload',
      'zipper',
      '--endpoint-url',
      sky.dynamo.endpoint,
      '--table',
      'absent',
    ]).catch((e: { code: number; stderr: string }) => e);
    expect((error as { code: number }).code).toBe(1);
    expect((error as { stderr: string }).stderr).toContain('table absent not found');
  });
});
