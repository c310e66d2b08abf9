import type { Invoker } from '../../lib/contracts';
import type { Placement } from '../../lib/core/types';
import { corePlacerFactory } from '../../lib/routing/placer';
import type { BatchAnswer, Placer, PlacerFactory } from '../../lib/routing/types';
import { CPU, type SkyFixture, startSky } from './sky-fixture';

/**
 * Only a call sent counts as exploring a CPU (`Placer.follow`). The router weighs many placements it never sends: where
 * a batch starts, each pacing it prices, where a call would go on, what a profiling answer reports. Placed as calls,
 * each of them that explored counted as a call in flight exploring its CPU, and kept the calls that were sent from
 * exploring it until as many answers had come.
 */
describe('exploration counted by the calls sent (local sky)', () => {
  let sky: SkyFixture;
  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
  });
  afterAll(async () => {
    await sky.close();
  });

  /** The core placer, with what the router asked of it recorded. */
  function recordingCore(asked: { placed: number; followed: Placement[] }): PlacerFactory {
    const core = corePlacerFactory({ holdMs: sky.config.holdMs });
    return (view) => {
      const placer = core(view);
      return Object.assign(Object.create(placer) as Placer, {
        place: (request: Parameters<Placer['place']>[0]) => {
          asked.placed++;
          return placer.place(request);
        },
        follow: (workload: string, placement: Placement) => {
          asked.followed.push(placement);
          placer.follow?.(workload, placement);
        },
      });
    };
  }

  function countingInvoker(sent: { attempts: number }): Invoker {
    return {
      invoke: (functionName, payload, options) => {
        sent.attempts++;
        return sky.invoker.invoke(functionName, payload, options);
      },
    };
  }

  it('counts an exploring placement only when an attempt is sent with it, never where placements are weighed', async () => {
    // GIVEN zipper measured on usw1-az1's two Xeons at 2048 MB and never on its EPYC (30% of the zone), which the
    // router explores
    await sky.observeRuntimes('count-batch', { [CPU.xeon25]: 1000, [CPU.xeon30]: 880 }, 0.02, 100);
    const asked = { placed: 0, followed: [] as Placement[] };
    const sent = { attempts: 0 };
    const route = sky.router({ placerFactory: recordingCore(asked), invoker: countingInvoker(sent) });
    // WHEN a batch of 12 calls runs paced, within 10 times its unpaced duration, at most 3 at a time
    const answer = (await route({
      workload: 'zipper',
      profile: 'count-batch',
      objective: 'cost',
      strategy: 'optimal',
      limits: { zones: ['usw1-az1'], memorySizes: [2048] },
      batch: { count: 12, concurrency: 3, maxSlowdown: 10 },
    })) as BatchAnswer;
    expect(answer.status).toBe('batch');
    expect(answer.calls.every((call) => call.status === 'ok')).toBe(true);
    // THEN the batch's start was weighed without exploring, and its calls explored EPYC: an attempt was sent to learn it
    expect(answer.placement.notes.some((note) => note.startsWith('explores '))).toBe(false);
    expect(asked.followed.length).toBeGreaterThan(0);
    // and nothing was counted but the attempts sent: the router placed no request as a call, only priced them, and
    // counted each exploring placement an attempt followed, once
    expect(asked.placed).toBe(0);
    expect(asked.followed.every((p) => p.explores === CPU.epyc)).toBe(true);
    expect(new Set(asked.followed).size).toBe(asked.followed.length);
    expect(asked.followed.length).toBeLessThanOrEqual(sent.attempts);
  });
});
