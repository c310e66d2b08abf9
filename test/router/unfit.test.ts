import { corePlacerFactory } from '../../lib/routing/placer';
import type { ProfilingAnswer } from '../../lib/routing/profiling';
import type { PlacerFactory, RoutedCall } from '../../lib/routing/types';
import { recordingPlacer } from './recording-placer';
import { allEpycScenario, CPU, CPU_MODELS, type SkyFixture, startSky } from './sky-fixture';

/**
 * CPUs a call is not held to finish on within its budget (`Placement.unfitCpus`): the router rejects them at every
 * attempt; at the last one too where the call is not expected to finish at all (`Placement.overBudgetCpus`), so a call
 * never runs where it would time out, and one that meets only those fails with an error that says so, instead of
 * running there.
 */

/** One zone whose hosts are all AMD EPYC, characterized (wrongly, on purpose) as 99.5% 3.0 GHz Xeon. */
const SCENARIO = allEpycScenario('router-unfit', 3);

// Observed at 2048 MB with a 5% spread (headroom for a call's spread, `CALL_FIT_SIGMAS`: × 1.24): 44 ms on the Xeon
// (54.5 ms with headroom), 67.5 ms on the EPYC (83.5 ms). A 60 ms budget holds the Xeon, not the EPYC.
const BUDGET_MS = 60;

describe('router handler: CPUs a call cannot finish on', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky({ scenario: SCENARIO, timeScale: 1 });
    await sky.characterizeAs('usw2-az1', { [CPU.xeon30]: 995, [CPU.epyc]: 5 });
    await sky.observeRuntimes('unfit', { [CPU.xeon30]: 44, [CPU.epyc]: 67.5 }, 0.05);
    // At a 30% spread the headroom for a call's spread is × 2.43: the EPYC needs 164 ms with it, 76 ms without.
    await sky.observeRuntimes('spread', { [CPU.xeon30]: 44, [CPU.epyc]: 67.5 }, 0.3);
  });

  afterAll(async () => {
    await sky?.close();
  });

  it('rejects the unfit CPU at every attempt, the last included, and fails naming it when it met nothing else', async () => {
    // GIVEN the baseline strategy, which rejects nothing of its own, and three attempts
    const handler = sky.router();
    // WHEN every instance the call meets is an EPYC
    const answer = (await handler({
      workload: 'zipper',
      profile: 'unfit',
      strategy: 'baseline',
      timeoutMs: BUDGET_MS,
      limits: { zones: ['usw2-az1'], memoryMb: 2048, maxAttempts: 3 },
    })) as RoutedCall;
    // THEN the placement says the EPYC is unfit, the call never ran on it, and the error says why
    expect(answer.placement?.unfitCpus).toEqual([CPU.epyc]);
    expect(answer.placement?.overBudgetCpus).toEqual([CPU.epyc]);
    expect(answer.placement?.rejectCpus).toEqual([CPU.epyc]);
    expect(answer.placement?.keepBeforeLastAttempt).toBe(false);
    expect(answer.attempts.map((a) => a.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(answer.status).toBe('error');
    if (answer.status !== 'error') return;
    expect(answer.error.type).toBe('NoCapacity');
    expect(answer.error.message).toMatch(/every one of 3 attempts met a CPU on which unfit is not expected to finish/);
    expect(answer.error.message).toContain(CPU.epyc);
  });

  it('runs its last attempt on an unfit CPU it is still expected to finish on, rather than fail', async () => {
    // GIVEN a 150 ms budget: the EPYC is unfit for the workload's wide spread, though a call there takes 67.5 ms
    const answer = (await sky.router()({
      workload: 'zipper',
      profile: 'spread',
      strategy: 'baseline',
      timeoutMs: 150,
      limits: { zones: ['usw2-az1'], memoryMb: 2048, maxAttempts: 3 },
    })) as RoutedCall;
    // THEN the call rejects it until its last attempt, which runs there
    expect(answer.placement?.unfitCpus).toEqual([CPU.epyc]);
    expect(answer.placement?.overBudgetCpus).toBeUndefined();
    expect(answer.attempts.map((a) => [a.status, a.cpu])).toEqual([
      ['rejected', CPU.epyc],
      ['rejected', CPU.epyc],
      ['ok', CPU.epyc],
    ]);
    expect(answer.status === 'error' ? answer.error : 'ok').toBe('ok');
  });

  it('runs where the budget holds every CPU: no unfit CPU, and the last attempt takes what it meets', async () => {
    const answer = (await sky.router()({
      workload: 'zipper',
      profile: 'unfit',
      strategy: 'baseline',
      timeoutMs: 1000,
      limits: { zones: ['usw2-az1'], memoryMb: 2048, maxAttempts: 3 },
    })) as RoutedCall;
    expect(answer.status === 'error' ? answer.error : 'ok').toBe('ok');
    expect(answer.placement?.unfitCpus).toBeUndefined();
    expect(answer.attempts.map((a) => [a.status, a.cpu])).toEqual([['ok', CPU.epyc]]);
  });
});

/**
 * A sky of two zones of 4 hosts in us-west-2: usw2-az1 with `mix` (scenario CPU keys), believed 99.5% 3.0 GHz Xeon and
 * 0.5% AMD EPYC, and usw2-az2, every host a 2.5 GHz Xeon and known so. The 'unfit' profile is observed at a 5% spread
 * (× 1.24 headroom): the 3.0 GHz Xeon 54.5 ms, the 2.5 GHz one 59.4 ms, the EPYC 83.5 ms, so a 60 ms budget holds
 * the Xeons, not the EPYC.
 */
async function twoZoneSky(name: string, seed: number, mix: Record<string, number>): Promise<SkyFixture> {
  const scenario = allEpycScenario(name, seed);
  const sky = await startSky({
    scenario: {
      ...scenario,
      cpus: { ...scenario.cpus, xeon25: { model: CPU_MODELS.xeon25 } },
      zones: [
        { azId: 'usw2-az1', region: 'us-west-2', hosts: 4, slotsPerHost: 20, mix: [mix] },
        { azId: 'usw2-az2', region: 'us-west-2', hosts: 4, slotsPerHost: 20, mix: [{ xeon25: 1 }] },
      ],
    },
    timeScale: 1,
  });
  await sky.characterizeAs('usw2-az1', { [CPU.xeon30]: 995, [CPU.epyc]: 5 });
  await sky.characterizeAs('usw2-az2', { [CPU.xeon25]: 1000 });
  await sky.observeRuntimes('unfit', { [CPU.xeon30]: 44, [CPU.xeon25]: 48, [CPU.epyc]: 67.5 }, 0.05);
  return sky;
}

/**
 * One call of the 'unfit' profile on a `twoZoneSky`, by `strategy`, over both zones at 2,048 MB within `BUDGET_MS` and
 * three attempts; placed by `placerFactory` where given.
 */
async function callAcrossZones(
  sky: SkyFixture,
  strategy: 'optimal' | 'baseline',
  placerFactory?: PlacerFactory,
): Promise<RoutedCall> {
  return (await sky.router(placerFactory ? { placerFactory } : {})({
    workload: 'zipper',
    profile: 'unfit',
    strategy,
    timeoutMs: BUDGET_MS,
    limits: { zones: ['usw2-az1', 'usw2-az2'], memoryMb: 2048, maxAttempts: 3 },
  })) as RoutedCall;
}

describe('router handler: a call whose fleet shows only CPUs it cannot finish on', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    // usw2-az1: every host an AMD EPYC. usw2-az2's 2.5 GHz Xeon is slower than the believed 3.0 GHz Xeon (so usw2-az1
    // ranks first) but within the budget.
    sky = await twoZoneSky('router-unfit-elsewhere', 5, { epyc: 1 });
  });

  afterAll(async () => {
    await sky?.close();
  });

  it('takes its last attempt where every CPU can finish it, rather than failing', async () => {
    const answer = await callAcrossZones(sky, 'optimal');
    expect(answer.status === 'error' ? answer.error : 'ok').toBe('ok');
    // The first two attempts met the EPYC in usw2-az1; the last ran in usw2-az2, on the 2.5 GHz Xeon.
    expect(answer.attempts.map((a) => [a.azId, a.status, a.cpu])).toEqual([
      ['usw2-az1', 'rejected', CPU.epyc],
      ['usw2-az1', 'rejected', CPU.epyc],
      ['usw2-az2', 'ok', CPU.xeon25],
    ]);
    expect(answer.placement?.unfitCpus).toBeUndefined();
  });
});

describe('router handler: profiling where the budget is tight', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    // usw2-az1: every host an AMD EPYC. Runtimes observed at 2048 MB with a 5% spread; at 1024 MB, with about 0.58 of
    // the vCPU, the router expects about 77 ms on the 3.0 GHz Xeon, 88 ms on the 2.5 GHz one and 118 ms on the EPYC.
    sky = await startSky({ scenario: allEpycScenario('router-unfit-profiling', 7), timeScale: 1 });
    await sky.observeRuntimes('unfit', { [CPU.xeon30]: 44, [CPU.xeon25]: 50, [CPU.epyc]: 67.5 }, 0.05);
    // The same runtimes under a profile no other test measures, so that nothing is observed at 1024 MB.
    await sky.observeRuntimes('unfit-unmeasured', { [CPU.xeon30]: 44, [CPU.xeon25]: 50, [CPU.epyc]: 67.5 }, 0.05);
  });

  afterAll(async () => {
    await sky?.close();
  });

  const profileAt1024 = (timeoutMs: number, profile = 'unfit') =>
    sky.router()({
      workload: 'zipper',
      profile,
      timeoutMs,
      limits: { zones: ['usw2-az1'], memorySizes: [1024, 2048], maxAttempts: 3 },
      profiling: { observations: 1, worthOnly: false },
    }) as Promise<ProfilingAnswer>;

  /** The cells the answer measured, as `memoryMb/cpu`. */
  const measuredCells = (answer: ProfilingAnswer): string[] =>
    answer.sizes.flatMap((size) =>
      Object.entries(size.cpus)
        .filter(([, cpu]) => cpu.calls > 0)
        .map(([cpu]) => `${size.memoryMb}/${cpu}`),
    );

  it('measures a CPU whose expected runtime fits the budget, though not with its estimate held to its spread', async () => {
    // GIVEN the zone believed 99.5% 3.0 GHz Xeon, and a 180 ms budget: the EPYC's expected 118 ms at 1024 MB fits
    // it with a call's own headroom, so profiling plans a call to measure it there, while a routed call, holding a
    // runtime carried over from 2048 MB to how far it may be off, rejects the EPYC there as unfit
    await sky.characterizeAs('usw2-az1', { [CPU.xeon30]: 995, [CPU.epyc]: 5 });
    // WHEN the router profiles the workload
    const answer = await profileAt1024(180);
    // THEN the EPYC was measured at 1024 MB, and no call failed rejecting the CPU it was sent to measure
    expect(answer.status).toBe('profiling');
    expect(answer.summary.failed).toBe(0);
    expect(measuredCells(answer)).toContain(`1024/${CPU.epyc}`);
  });

  it('keeps a call to the cell it measures: its last attempt is not moved to a size where every CPU fits', async () => {
    // GIVEN the zone believed about half 3.0 GHz and half 2.5 GHz Xeon with 0.5% EPYC, and a 130 ms budget: both
    // Xeons fit it at 1024 MB, the EPYC does not (a call would meet only it in all 3 attempts 1.25e-7 of the time,
    // within the fit check's 1 in a million), and each Xeon's call has 3 attempts to reach it. Carried over from
    // 2048 MB, the EPYC's runtime is not expected to finish within 130 ms even without a call's own headroom (160 ms),
    // so a last attempt rejects it too.
    await sky.characterizeAs('usw2-az1', { [CPU.xeon30]: 995, [CPU.xeon25]: 995, [CPU.epyc]: 10 });
    // WHEN the router profiles the workload, and every instance its calls meet at 1024 MB is an EPYC
    const answer = await profileAt1024(130, 'unfit-unmeasured');
    // THEN its calls failed there, rather than run at 2048 MB, where the EPYC fits: a cell they were not sent to
    // measure (a routed call would take its last attempt there)
    expect(answer.status).toBe('profiling');
    expect(answer.summary.calls).toBeGreaterThan(0);
    expect(answer.summary.attempts).toBeGreaterThan(answer.summary.calls);
    expect(answer.summary.failed).toBe(answer.summary.calls);
    expect(measuredCells(answer)).toEqual([]);
  });
});

describe('router handler: a last attempt that would refuse a CPU its fleet runs', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    // usw2-az1: three of four hosts a 2.5 GHz Xeon, one an AMD EPYC.
    sky = await twoZoneSky('router-over-budget-last', 7, { xeon25: 0.75, epyc: 0.25 });
  });

  afterAll(async () => {
    await sky?.close();
  });

  it('takes its last attempt where every CPU can finish it, though it met a CPU it could finish on', async () => {
    // GIVEN placements in usw2-az1 that also reject the 2.5 GHz Xeon (a CPU the call can finish on), three attempts
    const rejectingXeon25 = recordingPlacer(
      corePlacerFactory(),
      () => undefined,
      (placement) =>
        placement.target.azId === 'usw2-az1'
          ? { ...placement, rejectCpus: [...new Set([...placement.rejectCpus, CPU.xeon25])].sort() }
          : placement,
    );
    const answer = await callAcrossZones(sky, 'baseline', rejectingXeon25);
    // THEN the first two attempts were rejected in usw2-az1, at least one of them on the 2.5 GHz Xeon (so not every
    // attempt met a CPU the call cannot finish on), and the last ran in usw2-az2, where it met no EPYC to refuse
    expect(answer.status === 'error' ? answer.error : 'ok').toBe('ok');
    const [first, second, last] = answer.attempts;
    expect([first.azId, first.status, second.azId, second.status]).toEqual([
      'usw2-az1',
      'rejected',
      'usw2-az1',
      'rejected',
    ]);
    expect([first.cpu, second.cpu]).toContain(CPU.xeon25);
    expect([last.azId, last.status, last.cpu]).toEqual(['usw2-az2', 'ok', CPU.xeon25]);
    expect(answer.attempts).toHaveLength(3);
  });
});
