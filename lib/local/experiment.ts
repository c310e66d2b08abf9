import { runTwinExperiment, type TwinRun } from '../twin/experiment';
import { parseScenario, type Scenario } from '../twin/scenario';
import type { ProgressTask } from './progress';

/** How the local sky runs the twin's multi-day experiment. */
export interface LocalExperimentOptions {
  /** Requests per workload, strategy and day; undefined keeps the scenario's burst. */
  readonly burst?: number;
  /** Keep polling after the stopping rule to find each zone's saturation point (slow). */
  readonly probeSaturation: boolean;
  readonly task?: ProgressTask;
  /** Stops the experiment and ends its worker threads. */
  readonly signal?: AbortSignal;
}

/**
 * The twin's programmatic experiment on the local sky's scenario: every day, progressive sampling of
 * every zone and a burst of every workload under every strategy, in virtual time. It gives the
 * figures that need many days (drift, polls per day, cost per day), which the live run cannot.
 */
export async function runLocalExperiment(scenario: Scenario, options: LocalExperimentOptions): Promise<TwinRun> {
  const experimentScenario =
    options.burst !== undefined && options.burst !== scenario.burst
      ? parseScenario({ ...withoutDerived(scenario), burst: options.burst }, scenario.name)
      : scenario;
  return runTwinExperiment(experimentScenario, {
    // One thread: the experiment runs beside routing, whose calls are timed on the emulated clock. A second thread
    // took the routing thread's core on two cores, slowing the run by 12–20 s and moving where calls landed; one
    // finishes within the routing step anyway.
    workers: 1,
    sampling: { probeSaturation: options.probeSaturation },
    ...(options.signal ? { signal: options.signal } : {}),
    onProgress: (p) => {
      options.task?.setTotal(p.total);
      options.task?.update(p.done, p.detail);
    },
  });
}

/** The scenario as its file had it (a parsed scenario adds `cpuList`). */
function withoutDerived(scenario: Scenario): Record<string, unknown> {
  const { cpuList: _cpuList, ...raw } = scenario;
  return raw;
}
