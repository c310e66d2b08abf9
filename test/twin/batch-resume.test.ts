import { mergeBatchAnswers, sendUntilDone } from '../../lib/routing/batch-resume';
import { DEADLINE_MARGIN_MS } from '../../lib/routing/config';
import { MAX_BATCH_COUNT, parseRouterRequest, type RouterRequestBody } from '../../lib/routing/request';
import type { DeadlineSource } from '../../lib/routing/service';
import type { BatchAnswer } from '../../lib/routing/types';
import { expectingRuntimeShare } from '../router/recording-placer';
import { characterizationOf, pacingScenario, profiledBatch, routedTwin } from './fixtures';

/**
 * A resumable batch (`batch.resumable`): paced within its time budget alone, it stops starting calls before the
 * router's deadline and answers with `resume`, which a caller sends as the next request's batch.
 */
describe('a resumable batch', () => {
  const scenario = pacingScenario();
  const REQUEST = {
    workload: { name: 'zipper', size: 'small' },
    limits: { memoryMb: 1024, arch: 'x86_64', maxAttempts: 10 },
  } as const;
  const COUNT = 40;

  function twin(wrapPlacerFactory?: Parameters<typeof routedTwin>[1]['wrapPlacerFactory']) {
    const env = routedTwin(scenario, { memorySizes: [1024], ...(wrapPlacerFactory ? { wrapPlacerFactory } : {}) });
    env.twin.setDay(0);
    env.routing.characterize([
      characterizationOf(scenario.zones[0], { 'intel-xeon-2.50': 180, 'intel-xeon-3.00': 20 }),
    ]);
    return env;
  }

  /** The batch's pacing with no deadline at all. */
  async function unbounded(): Promise<BatchAnswer> {
    return profiledBatch(twin(), { ...REQUEST, batch: { count: COUNT, concurrency: COUNT, maxSlowdown: 20 } });
  }

  /**
   * A send's deadline, `deadlineMs` (and the margin the router keeps) from the send's first look at it (the first send
   * follows the profiling).
   */
  function deadlineOf(clock: { now(): number }, deadlineMs: number): DeadlineSource {
    let endsAt: number | undefined;
    return {
      getRemainingTimeInMillis: () => {
        endsAt ??= clock.now() + deadlineMs + DEADLINE_MARGIN_MS;
        return endsAt - clock.now();
      },
    };
  }

  /** The `batch` of the second half of the batch, sent on where the first half ran, within `budgetLeftMs`. */
  function secondHalf(pacedConcurrency: number, budgetLeftMs: number, callsStarted?: number) {
    return {
      count: COUNT / 2,
      concurrency: COUNT,
      pacedConcurrency,
      maxSlowdown: 20,
      budgetLeftMs,
      target: { azId: 'usw1-az3', arch: 'x86_64', memoryMb: 1024 },
      resumable: true,
      ...(callsStarted !== undefined ? { callsStarted } : {}),
    } as const;
  }

  /**
   * The batch sent resumable, each send given `deadlineMs` (and the margin the router keeps) from its start; `tookMs`
   * receives how long each send took.
   */
  async function sentInParts(deadlineMs: number, tookMs: number[] = []): Promise<BatchAnswer[]> {
    const env = twin();
    const { clock, routing } = env;
    const deadline = (): DeadlineSource => deadlineOf(clock, deadlineMs);
    let startedAt = 0;
    const first = await profiledBatch(
      env,
      { ...REQUEST, batch: { count: COUNT, concurrency: COUNT, maxSlowdown: 20, resumable: true } },
      deadline(),
      () => {
        startedAt = clock.now();
      },
    );
    tookMs.push(clock.now() - startedAt);
    if (!first.resume) return [first];
    const timedSend = async (request: RouterRequestBody) => {
      const sentAt = clock.now();
      const answer = await routing.service.route(request, deadline());
      tookMs.push(clock.now() - sentAt);
      return answer;
    };
    const rest = await clock.run(() => sendUntilDone(timedSend, { ...REQUEST, batch: first.resume }));
    expect(rest.refused).toBeUndefined();
    return [first, ...rest.answers];
  }

  it("is paced past the router's deadline, stops before it and runs the rest in the sends its resume asks for", async () => {
    const plan = (await unbounded()).pacing!;
    const tookMs: number[] = [];
    const parts = await sentInParts(plan.expectedDurationMs / 3, tookMs);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const [first] = parts;
    // The time budget each send holds its calls to: what the sends before it left of the batch's.
    let budgetLeftMs = 20 * first.pacing!.unpacedDurationMs;
    // The same pacing as without a deadline: a resumable batch is not planned within the time left.
    expect(first.pacing!.concurrency).toBe(plan.concurrency);
    expect(first.pacing!.deadlineWidened).toBeUndefined();
    // Priced in the sends the deadline splits it into, each ending with its workers' last calls.
    expect(plan.expectedSends).toBeUndefined();
    expect(first.pacing!.expectedSends).toBeGreaterThanOrEqual(2);
    expect(first.pacing!.expectedSends).toBeLessThanOrEqual(parts.length);
    expect(first.pacing!.expectedDurationMs).toBeGreaterThan(plan.expectedDurationMs);
    expect(first.pacing!.unpacedDurationMs).toBe(plan.unpacedDurationMs);
    let left = COUNT;
    for (const part of parts) {
      const sent = left;
      // No call was started that the deadline stopped: every call made was answered.
      expect(part.summary.failed).toBe(0);
      expect(part.calls.map((c) => c.index)).toEqual([...Array(part.summary.count).keys()]);
      left -= part.summary.count;
      budgetLeftMs -= tookMs[parts.indexOf(part)];
      if (left > 0) {
        expect(part.resume).toEqual({
          count: left,
          concurrency: Math.min(COUNT, sent),
          pacedConcurrency: plan.concurrency,
          maxSlowdown: 20,
          target: { azId: 'usw1-az3', arch: 'x86_64', memoryMb: 1024 },
          includeResults: false,
          resumable: true,
          budgetLeftMs: Math.round(budgetLeftMs),
          callsStarted: COUNT - left,
        });
        expect(part.notes!.join(' ')).toMatch(`${left} call(s) were not started`);
      } else {
        expect(part.resume).toBeUndefined();
      }
      // Each later send keeps the first one's pacing instead of choosing another for the calls left.
      if (part !== first && sent > plan.concurrency) expect(part.pacing!.concurrency).toBe(plan.concurrency);
    }
    expect(left).toBe(0);
    const whole = mergeBatchAnswers(parts);
    expect(whole.summary.count).toBe(COUNT);
    expect(whole.summary.succeeded).toBe(COUNT);
    expect(whole.calls.map((c) => c.index)).toEqual([...Array(COUNT).keys()]);
    expect(whole.resumedAtCalls).toHaveLength(parts.length - 1);
    expect(whole.resume).toBeUndefined();
    expect(whole.notes ?? []).toEqual([]);
    expect(whole.summary.costUsd).toBeCloseTo(
      parts.reduce((sum, p) => sum + p.summary.costUsd, 0),
      12,
    );
  });

  it('runs in one send where the deadline leaves time for it', async () => {
    const plan = (await unbounded()).pacing!;
    const parts = await sentInParts(3 * plan.expectedDurationMs);
    expect(parts).toHaveLength(1);
    expect(parts[0].resume).toBeUndefined();
    expect(parts[0].pacing!.expectedSends).toBeUndefined();
    expect(parts[0].pacing!.expectedDurationMs).toBeCloseTo(plan.expectedDurationMs, 6);
    expect(parts[0].summary.succeeded).toBe(COUNT);
  });

  it("weighs a later send's time budget from the middle of the whole batch, not of its own calls", async () => {
    const plan = (await unbounded()).pacing!;
    // A router that expects each call to take a tenth of its time: its plan for the second half of the batch fits the
    // budget until the batch falls behind it, while the calls, once answered, show that they will not end in time.
    const laterSend = async (budgetLeftMs: number, callsStarted?: number) => {
      const env = twin((factory) => expectingRuntimeShare(factory, 0.1));
      const answer = await profiledBatch(env, {
        ...REQUEST,
        batch: secondHalf(plan.concurrency, budgetLeftMs, callsStarted),
      });
      expect(answer.summary.succeeded).toBe(COUNT / 2);
      return answer.pacing!;
    };
    // A budget of twice what the router expects the send to take.
    const budgetLeftMs = Math.round(2 * (await laterSend(1e9)).expectedDurationMs);
    const halfStarted = (await laterSend(budgetLeftMs, COUNT / 2)).budgetWidened!;
    const alone = (await laterSend(budgetLeftMs)).budgetWidened!;
    // Half the batch was started before this send: the budget is weighed at the calls' own times once a round of
    // them is answered.
    expect(halfStarted.atCall).toBeGreaterThanOrEqual(plan.concurrency);
    expect(halfStarted.atCall).toBeLessThan(COUNT / 4);
    // Taken for a batch of its own, the send projects its calls at the plan's time until the middle of its own calls,
    // and so widens later, once it has fallen behind its plan.
    expect(alone.atCall).toBeGreaterThan(halfStarted.atCall + plan.concurrency);
  });

  it('widens a send further where the calls it leaves would take sends of their own, each ending with its last calls', async () => {
    const plan = (await unbounded()).pacing!;
    /** The batch's second half, sent within `budgetLeftMs`, each send given `deadlineMs` where there is one. */
    const sendSecondHalf = async (budgetLeftMs: number, deadlineMs?: number) => {
      const env = twin();
      const deadline = deadlineMs === undefined ? undefined : deadlineOf(env.clock, deadlineMs);
      const batch = secondHalf(plan.concurrency, budgetLeftMs, COUNT / 2);
      return (await profiledBatch(env, { ...REQUEST, batch }, deadline)).pacing!;
    };
    const expectedMs = (await sendSecondHalf(1e9)).expectedDurationMs;
    // Three quarters of the time the router expects the calls to take in one send: they fall behind it either way.
    const budgetLeftMs = Math.round(0.75 * expectedMs);
    const inOneSend = (await sendSecondHalf(budgetLeftMs)).budgetWidened!;
    const inSends = await sendSecondHalf(budgetLeftMs, Math.round(0.75 * expectedMs));
    expect(inSends.expectedSends).toBeGreaterThanOrEqual(2);
    expect(inSends.budgetWidened!.atCall).toBe(inOneSend.atCall);
    expect(inSends.budgetWidened!.concurrency).toBeGreaterThan(inOneSend.concurrency);
  });

  it('places a later send on the function the batch ran on, where the limits allow it', async () => {
    const env = routedTwin(scenario, { memorySizes: [1024, 2048] });
    env.twin.setDay(0);
    env.routing.characterize([
      characterizationOf(scenario.zones[0], { 'intel-xeon-2.50': 180, 'intel-xeon-3.00': 20 }),
    ]);
    const limits = { arch: 'x86_64', maxAttempts: 10 } as const;
    const first = await profiledBatch(env, { ...REQUEST, limits, batch: { count: 10, concurrency: 10 } });
    const chosen = first.placement.target.memoryMb;
    const kept = { azId: 'usw1-az3', arch: 'x86_64', memoryMb: chosen === 1024 ? 2048 : 1024 } as const;
    const send = (body: RouterRequestBody) =>
      env.clock.run(async () => (await env.routing.service.route(body)) as BatchAnswer);
    const later = await send({ ...REQUEST, limits, batch: { count: 10, concurrency: 10, target: kept } });
    expect(later.placement.target).toMatchObject(kept);
    expect(later.summary.succeeded).toBe(10);
    // The request's own limits come first: a target they leave out is placed afresh within them.
    const within = { ...limits, memorySizes: [chosen] };
    const limited = await send({ ...REQUEST, limits: within, batch: { count: 10, concurrency: 10, target: kept } });
    expect(limited.placement.target.memoryMb).toBe(chosen);
    // ... and the answer says why the target was not kept.
    const name = `${kept.azId} ${kept.arch} ${kept.memoryMb} MB`;
    expect(limited.placement.notes).toContain(
      `batch.target ${name} was not kept (the request's limits exclude it): placed afresh`,
    );
    expect(later.placement.notes.join(' ')).not.toContain('batch.target');
  });

  it('refuses a paced concurrency above the concurrency, a negative budget left and a bad count of calls started, naming the field', () => {
    const body = (batch: RouterRequestBody['batch']): RouterRequestBody => ({ workload: 'zipper', batch });
    expect(() => parseRouterRequest(body({ count: 100, concurrency: 10, pacedConcurrency: 20 }))).toThrow(
      'batch.pacedConcurrency',
    );
    expect(() => parseRouterRequest(body({ count: 1000, pacedConcurrency: 101 }))).toThrow('batch.pacedConcurrency');
    expect(() => parseRouterRequest(body({ count: 10, resumable: 'yes' as unknown as boolean }))).toThrow(
      'batch.resumable',
    );
    expect(() => parseRouterRequest(body({ count: 10, budgetLeftMs: -1 }))).toThrow('batch.budgetLeftMs');
    expect(parseRouterRequest(body({ count: 10, budgetLeftMs: 0 })).batch?.budgetLeftMs).toBe(0);
    expect(() => parseRouterRequest(body({ count: 10, callsStarted: -1 }))).toThrow('batch.callsStarted');
    expect(() => parseRouterRequest(body({ count: 10, callsStarted: 2.5 }))).toThrow('batch.callsStarted');
    expect(() => parseRouterRequest(body({ count: 10, callsStarted: MAX_BATCH_COUNT - 9 }))).toThrow(
      'batch.callsStarted',
    );
    expect(parseRouterRequest(body({ count: 10, callsStarted: MAX_BATCH_COUNT - 10 })).batch?.callsStarted).toBe(
      MAX_BATCH_COUNT - 10,
    );
    // Waves lower the concurrency, and the paced concurrency with it.
    expect(parseRouterRequest(body({ count: 100, concurrency: 50, waves: 4, pacedConcurrency: 40 })).batch).toEqual({
      count: 100,
      concurrency: 25,
      includeResults: false,
      resumable: false,
      pacedConcurrency: 25,
    });
  });
});
