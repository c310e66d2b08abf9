import { meanRuntimeMs, scenarioWorkloads } from '../twin/burst';
import { defaultHandlerKit } from '../twin/handlers';
import type { HandlerKit } from '../twin/kit';
import { lognormalFactor, normalFactor, rngFor } from '../twin/random';
import type { Scenario } from '../twin/scenario';
import { WORKLOADS } from '../workloads';

/**
 * The handlers of the local sky's emulated instances: the real dynamic, sampler and fan-out code,
 * with workload runtimes from the scenario's model (base × relative speed of the instance's CPU at
 * its memory size × noise), slept on the emulated clock. The noise is drawn per call from the scenario's seed, so a
 * run's calls differ from each other as real calls do. Samplers and dynamic functions are timed by
 * their work, so what they measure and are billed is their emulated work, not this host's delays scaled up.
 */
export function localHandlerKit(scenario: Scenario, samplerSleepMs: number): HandlerKit {
  const rng = rngFor(scenario.seed, 'local-sky', 'runtime-noise');
  const factor = scenario.noise === 'normal' ? normalFactor : lognormalFactor;
  const kit = defaultHandlerKit({
    samplerSleepMs,
    workloads: scenarioWorkloads(scenario, WORKLOADS),
    runnerFor: (platform) => ({
      async run(task) {
        const workload = scenario.workloads[task.name];
        if (!workload) return task.invoke();
        // Whole ms: Lambda bills in 1 ms steps.
        const ms = Math.ceil(
          meanRuntimeMs(scenario, workload, task.instance.cpuKey, task.instance.memoryMb) * factor(rng, workload.cv),
        );
        await platform.sleep(ms);
        return { modelledMs: ms };
      },
    }),
  });
  return {
    dynamic: kit.dynamic.bind(kit),
    sampler: kit.sampler.bind(kit),
    fanout: kit.fanout.bind(kit),
    workTimed: ['dynamic', 'sampler'],
  };
}
