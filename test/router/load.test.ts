import type { RoutedCall } from '../../lib/routing/types';
import { type SkyFixture, startSky } from './sky-fixture';

/**
 * Load: 10,000 requests, 1,000 at a time, through one router handler, against the twin's loopback
 * Lambda API with the real SDK client, learning into dynalite. Asserts counts, never times.
 */
describe('router under load', () => {
  let sky: SkyFixture;
  // Should the test end early (a failed expectation, jest's timeout on a starved machine), its callers stop taking
  // requests and the ones in flight finish before the servers close, so nothing of it runs on into later suites.
  let stopped = false;
  let callers: Promise<unknown> | undefined;

  beforeAll(async () => {
    // 1,000 calls in flight share 250 sockets, as a router process keeps a bounded pool: a thousand
    // simultaneous connects would overflow the loopback server's listen backlog (511).
    // At the fixture's 1/20 of real time the instances' deadlines stay seconds of real time away
    // even on a loaded machine.
    sky = await startSky({ maxSockets: 250 });
    await sky.characterize();
  });

  afterAll(async () => {
    stopped = true;
    await callers?.catch(() => undefined);
    await sky?.close();
  });

  it('answers 10,000 requests at 1,000 concurrency exactly once, with bounded attempts and nothing lost', async () => {
    const total = 10_000;
    const concurrency = 1_000;
    const handler = sky.router({ cacheTtlMs: 3_600_000 });
    const servedBefore = Object.values(sky.api.served).reduce((a, b) => a + b, 0);
    const profileBefore = await profileCount(sky);
    const answers: Array<RoutedCall | undefined> = new Array(total);
    const answeredTimes = new Array<number>(total).fill(0);
    let next = 0;
    callers = Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < total && !stopped) {
          const index = next++;
          const answer = (await handler({ workload: 'zipper', objective: 'cost' })) as RoutedCall;
          answers[index] = answer;
          answeredTimes[index]++;
        }
      }),
    );
    await callers;
    // Every request answered exactly once, successfully.
    expect(answeredTimes.every((n) => n === 1)).toBe(true);
    const calls = answers as RoutedCall[];
    const failed = calls.filter((c) => c.status !== 'ok');
    expect(failed.map((c) => (c.status === 'error' ? `${c.error.type}: ${c.error.message}` : '')).slice(0, 5)).toEqual(
      [],
    );
    // Attempts are bounded by each placement's budget, and every attempt the router counted is an
    // invocation the Lambda API served (none lost, none made twice).
    const attempts = calls.reduce((sum, c) => sum + c.attempts.length, 0);
    for (const c of calls) expect(c.attempts.length).toBeLessThanOrEqual(10);
    const served = Object.values(sky.api.served).reduce((a, b) => a + b, 0) - servedBefore;
    expect(served).toBe(attempts);
    // Every accepted call's runtime reached the table before its handler returned.
    expect((await profileCount(sky)) - profileBefore).toBe(total);
    expect(handler.learning.stats.failedWrites).toBe(0);
    expect(handler.cache.reads).toBe(1);
    // Flushes were shared: far fewer writes than calls.
    expect(handler.learning.stats.writes).toBeLessThan(total);
  });
});

async function profileCount(sky: SkyFixture): Promise<number> {
  const profile = (await sky.store.profiles(['zipper'])).zipper;
  return (profile?.entries ?? []).reduce((sum, e) => sum + e.stats.count, 0);
}
