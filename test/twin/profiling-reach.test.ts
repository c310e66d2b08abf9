import { Router } from '../../lib/core/router';
import type { VirtualClock } from '../../lib/twin/clock';
import type { TwinRouting } from '../../lib/twin/routing';
import { characterizationOf, routedTwin, smallScenario } from './fixtures';

const EPYC = 'amd-epyc';
const X25 = 'intel-xeon-2.50';
const X29 = 'intel-xeon-2.90';
const PROFILE = 'gemm@small';

/**
 * Profiling a CPU the zone it is measured in does not deliver: the router's mix of that zone holds it (a stale
 * characterization here; in a deployment, as often, a function's hosts that hold few of a rare CPU, since its cold
 * starts fill a host before the next), but the call's attempts meet only other CPUs. The call goes on to the cell's
 * next zone, and the calls after it start there.
 */
describe('profiling a CPU its first zone does not deliver', () => {
  const zones = [
    { azId: 'usw1-az3', region: 'us-west-1', hosts: 20, slotsPerHost: 50, mix: [{ xeon25: 1 }] },
    { azId: 'sae1-az1', region: 'sa-east-1', hosts: 20, slotsPerHost: 50, mix: [{ epyc: 0.5, xeon29: 0.5 }] },
  ];
  const scenario = smallScenario({
    days: 1,
    zones,
    workloads: { gemm: { memoryMb: 2048, baseMs: 600, cv: 0.03, relative: { epyc: 0.8 } } },
  });

  /**
   * The router believes us-west-1 has the most EPYC (40%; it truly holds 2.5 GHz Xeons only) and the most 2.5 GHz
   * Xeon (60%); sa-east-1 a quarter of each and half 2.9 GHz Xeon (truly half EPYC, half 2.9 GHz Xeon).
   */
  function setUp(truth = scenario): { clock: VirtualClock; routing: TwinRouting } {
    const { clock, twin, routing } = routedTwin(truth, {
      memorySizes: [2048],
      routerOptions: { init: { billed: true, initMs: 150 } },
    });
    twin.setDay(0);
    routing.characterize([
      characterizationOf(zones[0], { [X25]: 120, [EPYC]: 80 }),
      characterizationOf(zones[1], { [X25]: 50, [EPYC]: 50, [X29]: 100 }),
    ]);
    return { clock, routing };
  }

  const profile = (env: ReturnType<typeof setUp>, worthOnly: boolean) =>
    env.clock.run(() =>
      env.routing.profile({
        workload: { name: 'gemm', size: 'small' },
        limits: { memorySizes: [2048], architectures: ['x86_64'] },
        profiling: { observations: 3, worthOnly },
      }),
    );

  const routerOf = async (env: ReturnType<typeof setUp>): Promise<Router> => {
    const { placer } = await env.clock.run(() => env.routing.service.cache.get());
    if (!(placer instanceof Router)) throw new Error('not the core router');
    return placer;
  };

  it('goes on to the next zone when its attempts there met only other CPUs', async () => {
    const env = setUp();
    const answer = await profile(env, false);
    // THEN every EPYC call, having met only Xeons in us-west-1, measured EPYC in sa-east-1
    const router = await routerOf(env);
    expect(router.profiles.count(PROFILE, EPYC, 'x86_64', 2048)).toBe(3);
    const at2048 = answer.sizes.find((s) => s.memoryMb === 2048);
    expect(at2048?.cpus[EPYC]?.calls).toBe(3);
    // (the 3 Xeon runtimes wanted, and the 3 EPYC calls' last attempts in us-west-1, which accept any CPU)
    expect(at2048?.cpus[X25]?.calls).toBe(6);
    expect(answer.summary.failed).toBe(0);
    expect(answer.notes).toBeUndefined();
    // and the router's estimate is EPYC's own runtime, not one carried from the Xeon
    expect(router.profiles.runtime(PROFILE, EPYC, 'x86_64', 2048).source).toBe('observed');
  });

  it("sends a cell's later calls past the zone that missed", async () => {
    const env = setUp();
    // One runtime of each cell first, then the rest of the cells that could still win (not the slower Xeons'): the
    // EPYC cell's second round starts in sa-east-1.
    const answer = await profile(env, true);
    expect(answer.summary.skipped).toBe(2);
    const router = await routerOf(env);
    expect(router.profiles.count(PROFILE, EPYC, 'x86_64', 2048)).toBe(3);
    // The 2.5 GHz Xeon cell's one runtime, and the first EPYC call's last attempt in us-west-1: no later EPYC call's.
    expect(router.profiles.count(PROFILE, X25, 'x86_64', 2048)).toBe(2);
  });

  it('stops calling a cell that no zone delivered, and says so', async () => {
    // GIVEN sa-east-1 holds 2.5 GHz Xeons only as well
    const env = setUp(
      smallScenario({
        days: 1,
        zones: [zones[0], { ...zones[1], mix: [{ xeon25: 1 }] }],
        workloads: scenario.workloads,
      }),
    );
    const answer = await profile(env, true);
    // THEN the first EPYC call tried both zones and the first 2.9 GHz Xeon call its one; the 3 more each cell wanted
    // were not made
    expect(answer.notes).toContainEqual(
      `6 call(s) were not made: every zone tried for ${EPYC} at 2048 MB x86_64, ${X29} at 2048 MB x86_64 gave a call only other CPUs`,
    );
    const at2048 = answer.sizes.find((s) => s.memoryMb === 2048);
    expect(at2048?.cpus[EPYC]).toBeUndefined();
    // the 2.5 GHz Xeon's one runtime and the three misses' last attempts
    expect(at2048?.cpus[X25]?.calls).toBe(4);
    expect(answer.summary.calls).toBe(3);
  });
});
