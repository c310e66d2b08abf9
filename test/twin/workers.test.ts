import { runTwinExperiment } from '../../lib/twin/experiment';
import { runInWorkers } from '../../lib/twin/workers';
import { smallScenario } from './fixtures';

const SAMPLING = { pollConcurrency: 40, samplersPerPoll: 4, fanoutBranching: 8, probeSaturation: false };

describe('a twin run split over worker threads', () => {
  it('stops the other threads once one share fails, so nothing runs on after the error', async () => {
    // GIVEN two shares: 14 days of sampling, and a routing share that starts at day 5 (days must run from the first)
    const scenario = smallScenario({ days: 14 });
    let failed = false;
    let stepsAfterFailure = 0;
    const run = runInWorkers(
      scenario,
      [
        { options: { routing: false, sampling: SAMPLING }, days: Array.from({ length: 14 }, (_, day) => day) },
        { options: { sampling: SAMPLING }, days: [5] },
      ],
      () => {
        if (failed) stepsAfterFailure++;
      },
    );
    // WHEN the second share fails
    await expect(run).rejects.toThrow(/days run in order from the first/);
    failed = true;
    // THEN the sampling share reports no further step: its thread was stopped, not left to run its 14 days
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(stepsAfterFailure).toBe(0);
  });
});

describe('a twin run that is aborted', () => {
  it.each([
    ['split over worker threads', 2],
    ['in this thread', 0],
  ])('%s stops: it rejects with the reason and reports no further step', async (_how, workers) => {
    // GIVEN a 14-day run
    const scenario = smallScenario({ days: 14 });
    const controller = new AbortController();
    const reason = new Error('stopped by the caller');
    let steps = 0;
    let stepsAfterAbort = 0;
    const run = runTwinExperiment(scenario, {
      sampling: SAMPLING,
      workers,
      signal: controller.signal,
      onProgress: () => {
        steps++;
        if (controller.signal.aborted) stepsAfterAbort++;
        // WHEN it is aborted at its first step
        else controller.abort(reason);
      },
    });
    // THEN it rejects with the reason, having run at most the day under way, and runs on no further
    await expect(run).rejects.toBe(reason);
    const stepsPerDay = scenario.zones.length + Object.keys(scenario.workloads).length * 7;
    expect(steps).toBeLessThanOrEqual(stepsPerDay);
    const settled = steps;
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(steps).toBe(settled);
    expect(stepsAfterAbort).toBeLessThanOrEqual(stepsPerDay);
  });
});
