import { corePlacerFactory } from '../../lib/routing/placer';
import type { AttemptRecord, RoutedCall } from '../../lib/routing/types';
import { allEpycScenario, CPU, type SkyFixture, startSky } from './sky-fixture';

/**
 * Rejected-CPU retries. With `rejectMode` `hold` the dynamic function holds a rejected instance before
 * answering, so calls arriving meanwhile cannot land on it; with `end` the instance answers at once and
 * ends, so the platform replaces it and a retry lands on a new instance even when nothing else is
 * running; `auto` ends it too, except before the call's last attempt when keeping it bills less.
 */

/** One zone whose hosts are all AMD EPYC, characterized (wrongly, on purpose) as half 3.0 GHz Xeon. */
const HOLD_SCENARIO = allEpycScenario('router-hold', 5);

const REQUEST = {
  workload: 'zipper',
  strategy: 'focus-fastest',
  limits: { zones: ['usw2-az1'], memoryMb: 2048 },
} as const;

function call(answer: unknown): RoutedCall {
  expect((answer as RoutedCall).status).toBe('ok');
  return answer as RoutedCall;
}

/** Pairs (rejected attempt, the attempt after it). */
function retries(attempts: readonly AttemptRecord[]): Array<[AttemptRecord, AttemptRecord]> {
  const pairs: Array<[AttemptRecord, AttemptRecord]> = [];
  for (let i = 1; i < attempts.length; i++)
    if (attempts[i - 1].status === 'rejected') pairs.push([attempts[i - 1], attempts[i]]);
  return pairs;
}

describe('rejected-CPU retries in the twin (real time)', () => {
  let sky: SkyFixture;

  beforeAll(async () => {
    sky = await startSky({ scenario: HOLD_SCENARIO, timeScale: 1 });
    await sky.characterizeAs('usw2-az1', { [CPU.xeon30]: 500, [CPU.epyc]: 500 });
  });

  afterAll(async () => {
    await sky?.close();
  });

  it('keeps a held instance from the next call, which lands on a new instance', async () => {
    // GIVEN a router that rejects EPYC with a 400 ms hold, keeping rejected instances warm
    const handler = sky.router({
      config: { ...sky.config, rejectMode: 'hold' },
      placerFactory: corePlacerFactory({ holdMs: 400 }),
    });
    // The hold waits on the twin's clock. The test holds it open until call B has run, so B arrives during the
    // hold however slowly the machine runs both calls (a wall-clock gap between them raced the hold).
    const clock = sky.api.twin.clock;
    const sleep = clock.sleep.bind(clock);
    let holding: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (holding = resolve));
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    clock.sleep = async (ms: number) => {
      if (ms !== 400) return sleep(ms);
      holding();
      await released;
      return sleep(ms);
    };
    // WHEN call A is rejected (and held), and call B arrives during the hold
    let b: unknown;
    const a = handler({ ...REQUEST, limits: { ...REQUEST.limits, maxAttempts: 2 } });
    try {
      await Promise.race([held, a]);
      b = await handler({ ...REQUEST, limits: { ...REQUEST.limits, maxAttempts: 1 } });
    } finally {
      release();
      clock.sleep = sleep;
    }
    const [callA, callB] = [call(await a), call(b)];
    // THEN B did not land on A's held instance
    const heldInstance = callA.attempts[0];
    expect(heldInstance.status).toBe('rejected');
    expect(callB.attempts[0].instanceId).not.toBe(heldInstance.instanceId);
    expect(callB.attempts[0].newInstance).toBe(true);
    // and, once nothing holds it, the platform offers the warm instance again (so it was the hold)
    const callC = call(await handler({ ...REQUEST, limits: { ...REQUEST.limits, maxAttempts: 1 } }));
    const warm = [callA.attempts.at(-1)!.instanceId, callB.attempts[0].instanceId];
    expect(warm).toContain(callC.attempts[0].instanceId);
    expect(callC.attempts[0].newInstance).toBe(false);
  });

  it("with rejectMode 'end', every retry lands on another instance than the one that rejected it", async () => {
    const handler = sky.router({ config: { ...sky.config, rejectMode: 'end' } });
    for (let i = 0; i < 3; i++) {
      const answer = call(await handler({ ...REQUEST, limits: { ...REQUEST.limits, maxAttempts: 4 } }));
      const pairs = retries(answer.attempts);
      expect(pairs.length).toBe(3);
      for (const [rejected, next] of pairs) {
        expect(next.instanceId).not.toBe(rejected.instanceId);
      }
    }
  });

  it("with rejectMode 'auto' (default), a rejected instance ends while a retry may still reject, and is kept for the last attempt when a new one's INIT costs more", async () => {
    // EPYC runs zipper here in ~68 ms, the characterized mix in ~56 ms: slower by less than a new instance's 150 ms INIT.
    const handler = sky.router();
    for (let i = 0; i < 3; i++) {
      const answer = call(await handler({ ...REQUEST, limits: { ...REQUEST.limits, maxAttempts: 5 } }));
      expect(answer.attempts).toHaveLength(5);
      expect(answer.placement?.keepBeforeLastAttempt).toBe(true);
      const pairs = retries(answer.attempts);
      for (const [rejected, next] of pairs.slice(0, 3)) {
        expect(next.instanceId).not.toBe(rejected.instanceId);
        expect(next.newInstance).toBe(true);
      }
      const [kept, last] = pairs[3];
      expect(last.instanceId).toBe(kept.instanceId);
      expect(last.newInstance).toBe(false);
      expect(last.status).toBe('ok');
      expect(last.cpu).toBe(CPU.epyc);
    }
  });
});
