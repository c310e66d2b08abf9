import { ROUTER_TIMEOUT_SECONDS } from '../../lib/contracts';
import type { ProfilingAnswer } from '../../lib/routing/profiling';
import type { RouterRequestBody } from '../../lib/routing/request';
import { MAX_PROFILING_SENDS, profileUntilDone } from '../../lib/twin/profiling-requests';
import { routedTwin, smallScenario, trueMixCharacterizations } from './fixtures';

/** A profiling answer whose summary made `calls` calls and left `notMade`. */
const answerOf = (calls: number, notMade: number): ProfilingAnswer => ({
  status: 'profiling',
  profile: 'zipper',
  sizes: [],
  summary: { cells: 4, skipped: 0, calls, attempts: calls, failed: 0, costUsd: 0, notMade },
});

describe('a profiling request sent until its calls are made', () => {
  const request: RouterRequestBody = { workload: 'zipper', profiling: { observations: 3 } };

  it('is sent again while a send leaves calls and makes some, and no more than the cap', async () => {
    const script = [answerOf(10, 6), answerOf(6, 0), answerOf(99, 0)];
    let sent = 0;
    const answers = await profileUntilDone(async () => script[sent++], request);
    expect(answers.map((a) => a.summary.calls)).toEqual([10, 6]);
    // A send that makes no call ends it: sending again would make none either.
    let stuck = 0;
    await profileUntilDone(async () => (stuck++ === 0 ? answerOf(3, 5) : answerOf(0, 5)), request);
    expect(stuck).toBe(2);
    let endless = 0;
    await profileUntilDone(async () => {
      endless++;
      return answerOf(1, 1);
    }, request);
    expect(endless).toBe(MAX_PROFILING_SENDS);
  });

  it("is stopped by the router Lambda's deadline in the twin and finished by sending it again", async () => {
    // Two-minute calls, one at a time: 10 runtimes take longer than the router's 15 minutes.
    const scenario = smallScenario({
      days: 1,
      zones: [
        { azId: 'usw1-az3', region: 'us-west-1', hosts: 20, slotsPerHost: 10, mix: [{ xeon25: 0.5, xeon30: 0.5 }] },
      ],
      workloads: { zipper: { memoryMb: 4096, baseMs: 120_000, cv: 0.03, relative: { xeon30: 0.88 } } },
    });
    const env = routedTwin(scenario, { memorySizes: [4096] });
    env.twin.setDay(0);
    env.routing.characterize(trueMixCharacterizations(scenario, 200));
    const profiling: RouterRequestBody = {
      workload: { name: 'zipper', size: 'small' },
      objective: 'cost',
      limits: { memorySizes: [4096], architectures: ['x86_64'] },
      profiling: { observations: 10, concurrency: 1, worthOnly: false },
    };
    const answers = await env.clock.run(() => profileUntilDone((r) => env.routing.profile(r), profiling));
    const [first] = answers;
    expect(first.summary.notMade).toBeGreaterThan(0);
    expect(first.summary.calls * 100_000).toBeLessThan(ROUTER_TIMEOUT_SECONDS * 1000);
    expect(answers.length).toBeGreaterThan(1);
    expect(answers.at(-1)!.summary.notMade).toBe(0);
    // Every runtime wanted was made in the end.
    expect(answers.reduce((sum, a) => sum + a.summary.calls, 0)).toBeGreaterThanOrEqual(10);
  });
});
