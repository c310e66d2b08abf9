import { Router } from '../../lib/core/router';
import { parseRouterRequest } from '../../lib/routing/request';
import type { VirtualClock } from '../../lib/twin/clock';
import type { TwinRouting } from '../../lib/twin/routing';
import { modelRuntimeMs } from '../../lib/twin/workload-model';
import { routedTwin, smallScenario, trueMixCharacterizations } from './fixtures';

const EPYC = 'amd-epyc';
const X25 = 'intel-xeon-2.50';
const PROFILE = 'gemm@small';

/**
 * Profiling across memory sizes, closed: a profiling request sent to the routing service the router Lambda
 * runs (as `sky invoke --profiling` sends it), followed through the real dynamic handler on emulated
 * instances, teaches the router a workload whose fastest CPU depends on memory (as late-2025 measurements
 * found for a matrix multiply: AMD EPYC 0.55× the 2.5 GHz Xeon's runtime at 128 MB, 1.03× at 2 GB), and
 * the router then places it where that pays, including at memory sizes it never ran at.
 */
describe('profiling across memory sizes', () => {
  const scenario = smallScenario({
    days: 1,
    zones: [
      { azId: 'usw1-az3', region: 'us-west-1', hosts: 40, slotsPerHost: 200, mix: [{ xeon25: 0.7, epyc: 0.3 }] },
      { azId: 'sae1-az1', region: 'sa-east-1', hosts: 20, slotsPerHost: 200, mix: [{ xeon25: 1 }] },
    ],
    workloads: {
      gemm: {
        memoryMb: 2048,
        baseMs: 600,
        cv: 0.03,
        vcpus: 1,
        minMemoryMb: 128,
        relative: { epyc: 1.03 },
        relativeAtMemory: { '128': { xeon25: 1.4, epyc: 0.77 } },
      },
    },
  });
  const truth = (cpu: string, mb: number): number => modelRuntimeMs(scenario, scenario.workloads.gemm, cpu, mb);

  function setUp(): { clock: VirtualClock; routing: TwinRouting } {
    const { clock, twin, routing } = routedTwin(scenario, {
      memorySizes: [128, 256, 2048],
      routerOptions: { init: { billed: true, initMs: 150 }, parallelism: { [PROFILE]: 1 } },
    });
    twin.setDay(0);
    // What sampling would have measured: each zone's true mix.
    routing.characterize(trueMixCharacterizations(scenario, 400, { polls: 2, driftClass: 'unknown' }));
    return { clock, routing };
  }

  const profileAt = (env: ReturnType<typeof setUp>, memorySizes: number[]) =>
    env.clock.run(() =>
      env.routing.profile({
        workload: { name: 'gemm', size: 'small' },
        limits: { memorySizes, architectures: ['x86_64'] },
        profiling: { observations: 3 },
      }),
    );

  const routerOf = async (env: ReturnType<typeof setUp>): Promise<Router> => {
    const { placer } = await env.clock.run(() => env.routing.service.cache.get());
    if (!(placer instanceof Router)) throw new Error('not the core router');
    return placer;
  };

  const cheapest = (env: ReturnType<typeof setUp>, memorySizes: number[]) =>
    env.clock.run(() =>
      env.routing.service.plan({
        workload: { name: 'gemm', size: 'small' },
        objective: 'cost',
        limits: { memorySizes, minMemoryMb: 128, architectures: ['x86_64'] },
      }),
    );

  it('measures every CPU at every size asked, each where it is most common, and places by it', async () => {
    const env = setUp();
    const answer = await profileAt(env, [128, 2048]);
    // 2 CPUs × 2 sizes: one runtime of each, then 3 of each cell that could still win. At 2048 MB even the
    // fastest CPU bills more than EPYC at 128 MB, so those 2 cells keep their one runtime.
    expect(answer.summary.cells).toBe(4);
    expect(answer.summary.skipped).toBe(2);
    expect(answer.summary.calls).toBeGreaterThanOrEqual(8);
    expect(answer.summary.failed).toBe(0);
    expect(answer.notes).toEqual([expect.stringMatching(/^2 cell\(s\) got fewer than 3 runtimes/)]);
    expect(answer.sizes.map((s) => s.memoryMb)).toEqual([128, 2048]);
    const router = await routerOf(env);
    for (const [mb, wanted] of [
      [128, 3],
      [2048, 1],
    ]) {
      for (const cpu of [X25, EPYC]) {
        expect(router.profiles.count(PROFILE, cpu, 'x86_64', mb)).toBeGreaterThanOrEqual(wanted);
        const estimate = router.profiles.runtime(PROFILE, cpu, 'x86_64', mb).meanMs;
        expect(Math.abs(estimate - truth(cpu, mb)) / truth(cpu, mb)).toBeLessThan(0.1);
      }
    }
    // EPYC was measured in the zone that has it, with the 2.5 GHz Xeon rejected.
    const at128 = answer.sizes.find((s) => s.memoryMb === 128);
    expect(at128?.cpus[EPYC]?.calls).toBeGreaterThanOrEqual(3);
    // THEN the cheapest placement is 128 MB in the EPYC zone, rejecting the Xeon (EPYC there bills 0.55× the Xeon).
    const plan = await cheapest(env, [128, 2048]);
    expect(plan.placement.target.functionName).toBe('sky-usw1-az3-x86_64-128');
    expect(plan.placement.rejectCpus).toEqual([X25]);
    expect(plan.placement.evidence.level).toBe('measured');
  });

  it('a router that learned only at the usual size does not find it', async () => {
    const env = setUp();
    await profileAt(env, [2048]);
    const plan = await cheapest(env, [128, 2048]);
    // Scaled by CPU share and the prior (EPYC slow), 128 MB looks like no gain from EPYC.
    expect(plan.placement.rejectCpus).not.toEqual([X25]);
  });

  it('estimates a size it never ran at from the ratios learned at the nearest one', async () => {
    const env = setUp();
    await profileAt(env, [128, 2048]);
    const router = await routerOf(env);
    // 256 MB never ran: EPYC's ratio to the Xeon learned at 128 MB carries over (the prior would say 1.35×).
    expect(router.profiles.count(PROFILE, EPYC, 'x86_64', 256)).toBe(0);
    const epyc = router.profiles.runtime(PROFILE, EPYC, 'x86_64', 256);
    const xeon = router.profiles.runtime(PROFILE, X25, 'x86_64', 256);
    expect(epyc.meanMs).toBeLessThan(0.75 * xeon.meanMs);
    expect(Math.abs(epyc.meanMs - truth(EPYC, 256)) / truth(EPYC, 256)).toBeLessThan(0.1);
  });

  it('makes no call for cells that hold the runtimes wanted', async () => {
    const env = setUp();
    await profileAt(env, [128, 2048]);
    const again = await profileAt(env, [128, 2048]);
    // (the 2048 MB cells still want runtimes, and still are not worth them)
    expect(again.summary).toEqual({ cells: 0, skipped: 2, calls: 0, attempts: 0, failed: 0, costUsd: 0, notMade: 0 });
    expect(again.sizes).toEqual([]);
  });
});

describe('profiling requests', () => {
  it.each([
    [{ workload: 'zipper', profiling: { observations: 3 }, batch: { count: 2 } }, 'profiling'],
    [{ workload: 'zipper', profiling: { observations: 0 } }, 'profiling.observations'],
    [{ workload: 'zipper', profiling: { concurrency: 5000 } }, 'profiling.concurrency'],
    [{ workload: 'zipper', profiling: { calls: 3 } }, 'profiling.calls'],
  ])('fails when %j names field %s', (body, field) => {
    expect(() => parseRouterRequest(body)).toThrow(expect.objectContaining({ field }));
  });

  it('fills in the defaults', () => {
    expect(parseRouterRequest({ workload: 'zipper', profiling: {} }).profiling).toEqual({
      concurrency: 20,
      maxCalls: 2000,
      worthOnly: true,
    });
  });
});
