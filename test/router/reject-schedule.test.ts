import { corePlacerFactory } from '../../lib/routing/placer';
import type { BatchAnswer, RoutedCall } from '../../lib/routing/types';
import { recordingPlacer } from './recording-placer';
import { CPU, ROUTER_SCENARIO, type SkyFixture, startSky } from './sky-fixture';

/**
 * The router follows a placement's reject schedule (`Placement.relaxations`): the reject set narrows at the attempt
 * the schedule says, for a lone call and for a batch's call re-placed at every retry with the attempts it has left.
 */

/** One zone whose hosts are all 2.5 GHz Xeons, characterized (wrongly, on purpose) as 10% 3.0 GHz and 30% EPYC. */
const SCENARIO = {
  name: 'router-reject-schedule',
  seed: 3,
  days: 1,
  baselineZone: 'use1-az1',
  cpus: ROUTER_SCENARIO.cpus,
  zones: [{ azId: 'use1-az1', region: 'us-east-1', hosts: 20, slotsPerHost: 20, mix: [{ xeon25: 1 }] }],
  workloads: { zipper: { memoryMb: 2048, baseMs: 1000, cv: 0, relative: { xeon25: 1, xeon30: 0.88, epyc: 1.4 } } },
  holdMs: 150,
  pricing: { initBilled: false },
};

const LIMITS = { zones: ['use1-az1'], memoryMb: 2048 };

describe('reject schedules in the router (twin)', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky({ scenario: SCENARIO });
    await sky.characterizeAs('use1-az1', { [CPU.xeon30]: 100, [CPU.xeon25]: 600, [CPU.epyc]: 300 });
    for (const profile of ['lone', 'batch']) {
      await sky.observeRuntimes(profile, { [CPU.xeon25]: 1000, [CPU.xeon30]: 880, [CPU.epyc]: 1400 }, 0.01);
    }
  });

  afterAll(async () => {
    await sky?.close();
  });

  // INIT unbilled and rejected instances ended: a reject costs about 7 ms of the call's price, a 3.0 GHz Xeon saves
  // 120 ms at 10% of the draws, so the router rejects the 2.5 GHz Xeon until the budget runs low.
  const router = () =>
    sky.router({
      config: { ...sky.config, rejectMode: 'end' },
      placerFactory: corePlacerFactory({ holdMs: 150, init: { billed: false }, explore: false }),
    });

  it('rejects the 2.5 GHz Xeon until the relaxation its placement names, then runs there', async () => {
    // WHEN a lone call meets only 2.5 GHz Xeons
    const call = (await router()({
      workload: 'zipper',
      profile: 'lone',
      objective: 'cost',
      limits: LIMITS,
    })) as RoutedCall;
    // THEN its placement rejects the 2.5 GHz Xeon at first and accepts it from a later attempt on
    expect(call.status === 'error' ? call.error : 'ok').toBe('ok');
    const placement = call.placement;
    expect(placement?.rejectCpus).toEqual([CPU.epyc, CPU.xeon25]);
    const relaxed = placement?.relaxations?.find((r) => !r.rejectCpus.includes(CPU.xeon25));
    expect(relaxed?.fromAttempt).toBeGreaterThan(1);
    expect(relaxed?.fromAttempt).toBeLessThan(placement?.maxAttempts ?? 0);
    // and the call was rejected on every attempt before it, and ran at it: not at the budget's last attempt
    expect(call.attempts.map((a) => a.status)).toEqual([
      ...Array.from({ length: (relaxed?.fromAttempt ?? 0) - 1 }, () => 'rejected'),
      'ok',
    ]);
    expect(call.attempts.every((a) => a.cpu === CPU.xeon25)).toBe(true);
  });

  it("re-places a batch's retries for the attempts they have left, so they relax before the last attempt", async () => {
    // GIVEN the core router, with the budget of every placement it is asked for recorded
    const budgets: Array<number | undefined> = [];
    const core = corePlacerFactory({ holdMs: 150, init: { billed: false }, explore: false });
    const recording = recordingPlacer(core, (request) => budgets.push(request.limits?.maxAttempts));
    // WHEN a batch of one call meets only 2.5 GHz Xeons (each retry re-placed with what the batch met)
    const answer = (await sky.router({ config: { ...sky.config, rejectMode: 'end' }, placerFactory: recording })({
      workload: 'zipper',
      profile: 'batch',
      objective: 'cost',
      limits: LIMITS,
      batch: { count: 1, concurrency: 1 },
    })) as BatchAnswer;
    // THEN the call runs on a 2.5 GHz Xeon once few attempts are left, not only when the budget forces it
    expect(answer.status).toBe('batch');
    const [call] = answer.calls;
    expect(call.status).toBe('ok');
    expect(call.cpu).toBe(CPU.xeon25);
    expect(call.rejects).toBeGreaterThan(0);
    expect(call.attempts).toBeLessThan(answer.placement.maxAttempts);
    // and each retry was placed for the attempts it had left: 9 after the first reject, then 8, ...
    const retries = budgets.slice(-call.rejects);
    expect(retries).toEqual(Array.from({ length: call.rejects }, (_, i) => 9 - i));
  });
});
