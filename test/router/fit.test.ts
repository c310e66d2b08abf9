import type { RoutedCall } from '../../lib/routing/types';
import { CPU, type SkyFixture, startSky } from './sky-fixture';

/**
 * The router Lambda's entry, over the twin's loopback Lambda API and a local DynamoDB: placements keep
 * to the work's budget and its memory floor, and say what they rest on.
 */
const PROFILES = ['fit-evidence', 'fit-budget', 'fit-floor'] as const;

describe('router handler: fit and evidence', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
    // zipper as observed at 2048 MB: 1 s on the 2.5 GHz Xeon, 0.88 s on the 3.0 GHz, 1.35 s on the EPYC, 5% spread
    // One profile per test: the calls a test makes add what they met (the fixture runs the real code).
    for (const profile of PROFILES) {
      await sky.observeRuntimes(profile, { [CPU.xeon25]: 1000, [CPU.xeon30]: 880, [CPU.epyc]: 1350 }, 0.05);
    }
  });

  afterAll(async () => {
    await sky?.close();
  });

  const call = async (body: unknown): Promise<RoutedCall> => (await sky.router()(body)) as RoutedCall;

  it("answers with the placement's evidence", async () => {
    const observed = await call({
      workload: 'zipper',
      profile: 'fit-evidence',
      objective: 'cost',
      limits: { memoryMb: 2048 },
    });
    expect(observed.status === 'error' ? observed.error : 'ok').toBe('ok');
    expect(observed.placement?.evidence).toEqual({ level: 'measured', runtime: 'observed', mix: 'measured' });
    const scaled = await call({
      workload: 'zipper',
      profile: 'fit-evidence',
      objective: 'cost',
      limits: { memoryMb: 1024 },
    });
    expect(scaled.placement?.evidence).toEqual({ level: 'estimated', runtime: 'memory-scaled', mix: 'measured' });
  });

  it("refuses with 400 NoTarget, naming the workload and the budget, when the work's timeoutMs cannot hold on any target", async () => {
    // 1,024 MB: 2.7 s on the EPYC (twice the 2048 MB runtime), 3.9 s with headroom: past a 2 s budget.
    const refused = await call({
      workload: 'zipper',
      profile: 'fit-budget',
      timeoutMs: 2000,
      limits: { memoryMb: 1024 },
    });
    expect(refused.status).toBe('error');
    if (refused.status !== 'error') return;
    expect(refused.httpStatus).toBe(400);
    expect(refused.error.type).toBe('NoTarget');
    expect(refused.error.message).toMatch(/"fit-budget".*timeoutMs 2000/);
    expect(refused.attempts).toEqual([]);
    // With room for the expected runtime, the same request is placed (and runs, whatever it meets).
    const roomy = await call({
      workload: 'zipper',
      profile: 'fit-budget',
      timeoutMs: 5000,
      limits: { memoryMb: 1024 },
    });
    expect(roomy.status === 'error' ? roomy.error.type : 'ok').not.toBe('NoTarget');
    expect(roomy.attempts.length).toBeGreaterThan(0);
  });

  it("keeps to the request's minMemoryMb", async () => {
    const answer = await call({
      workload: 'zipper',
      profile: 'fit-floor',
      objective: 'cost',
      limits: { minMemoryMb: 2048 },
    });
    expect(answer.placement?.target.memoryMb).toBe(2048);
    const none = await call({ workload: 'zipper', profile: 'fit-floor', limits: { minMemoryMb: 4096 } });
    expect(none.status === 'error' && none.error.type).toBe('NoTarget');
  });
});
