import { meanRuntimeMs, scenarioWorkloads } from '../twin/burst';
import { defaultHandlerKit } from '../twin/handlers';
import type { HandlerKit, InstanceHandler } from '../twin/kit';
import { lognormalFactor, normalFactor, rngFor } from '../twin/random';
import type { Scenario } from '../twin/scenario';
import { WORKLOADS } from '../workloads';
import { callTimedPlatform } from './call-timed-platform';

/** Runs `create`'s handler on a call-timed platform (see {@link callTimedPlatform}). */
function callTimed<P, F>(
  create: (platform: P, fn: F) => InstanceHandler,
): (platform: P & Parameters<typeof callTimedPlatform>[0], fn: F) => InstanceHandler {
  return (platform, fn) => {
    const timed = callTimedPlatform(platform);
    const handler = create(timed.platform as P, fn);
    return (event, context) => {
      timed.beginCall();
      return handler(event, context);
    };
  };
}

/**
 * The handlers of the local sky's emulated instances: the real dynamic, sampler and fan-out code,
 * with workload runtimes from the scenario's model (base × relative speed of the instance's CPU ×
 * noise), slept on the emulated clock. The noise is drawn per call from the scenario's seed, so a
 * run's calls differ from each other as real calls do. Samplers and dynamic functions measure
 * their calls on a call-timed platform, so what they report and are billed is their emulated work.
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
        const ms = Math.ceil(meanRuntimeMs(scenario, workload, task.instance.cpuKey) * factor(rng, workload.cv));
        await platform.sleep(ms);
        return { modelledMs: ms };
      },
    }),
  });
  return {
    dynamic: callTimed(kit.dynamic.bind(kit)),
    sampler: callTimed(kit.sampler.bind(kit)),
    fanout: kit.fanout.bind(kit),
  };
}
