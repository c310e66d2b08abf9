import { corePlacerFactory } from '../../lib/routing/placer';
import type { BatchAnswer } from '../../lib/routing/types';
import { recordingPlacer } from './recording-placer';
import { CPU, ROUTER_SCENARIO, type SkyFixture, startSky } from './sky-fixture';

/**
 * A batch tells each placement how many of its calls are still to come (`PlacementRequest.callsToCome`): what a
 * placement may teach by exploring serves them too, so they bound the exploration horizon from below.
 */
describe("a batch's calls to come (twin)", () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky({ scenario: ROUTER_SCENARIO });
    await sky.observeRuntimes('batch', { [CPU.xeon25]: 1000, [CPU.xeon30]: 880, [CPU.epyc]: 1400 }, 0.01);
  });

  afterAll(async () => {
    await sky?.close();
  });

  it('places the batch for its calls after the first, and each call for the calls not yet started', async () => {
    // GIVEN the core router, with the calls to come of every placement it is asked for recorded
    const asked: Array<number | undefined> = [];
    const core = corePlacerFactory({ holdMs: 150, init: { billed: false } });
    const recording = recordingPlacer(core, (request) => asked.push(request.callsToCome));
    // WHEN a batch of 4 calls runs one at a time
    const answer = (await sky.router({ placerFactory: recording })({
      workload: 'zipper',
      profile: 'batch',
      objective: 'cost',
      limits: { zones: ['usw1-az1'] },
      batch: { count: 4, concurrency: 1 },
    })) as BatchAnswer;
    expect(answer.status).toBe('batch');
    expect(answer.calls.every((call) => call.status === 'ok')).toBe(true);
    // THEN the batch was placed for the 3 calls after its first, and each call's placements for the calls not yet
    // started when it started: 3, 2, 1, 0
    expect(asked[0]).toBe(3);
    const perCall = asked.slice(1);
    expect(perCall.length).toBeGreaterThanOrEqual(4);
    expect([...new Set(perCall)]).toEqual([3, 2, 1, 0]);
  });
});
