import {
  batchDurationMs,
  callsOnTheClock,
  choosePacing,
  keepsPacing,
  PACING_WIDEN_MIN_SAVING,
  type PacedExpectation,
  pacedShape,
  relativeObjective,
  reviewPacing,
  searchesElsewhere,
  sentClock,
} from '../../lib/core/pacing';
import { Router } from '../../lib/core/router';
import { paperView } from './fixtures';

/**
 * Pacing: a batch's calls at a time chosen by the pool model within a time budget over its unpaced duration.
 * `draw` is what finding an instance costs (rejects, INIT), shared by the `uses` calls it then serves.
 */
const model =
  (runMs: number, drawUsd: number, searchMs = 100) =>
  (uses: number): PacedExpectation & { uses: number } => ({
    uses,
    expected: {
      costUsd: 1e-5 + drawUsd / uses,
      runtimeMs: runMs,
      addedLatencyMs: searchMs / uses,
      carbonG: 1 + 1 / uses,
    },
  });

describe('choosePacing', () => {
  it('keeps the given concurrency without a budget (maxSlowdown 1)', () => {
    const choice = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 1 }, model(1000, 1e-5));
    expect(choice).toMatchObject({ concurrency: 20, rounds: 1, usesPerInstance: 1, evaluated: 1 });
    expect(choice.expectedDurationMs).toBe(choice.unpacedDurationMs);
  });

  it('runs fewer calls at a time within the budget, each instance serving rounds calls', () => {
    // One call of 1,100 ms unpaced; a budget of 5.5 s fits 5 at a time (4 + 1 − 1/4 calls' time of 1,025 ms), not 4
    // (5.8 of 1,020 ms).
    const choice = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 5 }, model(1000, 1e-5));
    expect(choice.concurrency).toBe(5);
    expect(choice.rounds).toBe(4);
    expect(choice.usesPerInstance).toBe(4);
    expect(choice.placement.uses).toBe(4);
    expect(choice.expectedDurationMs).toBeCloseTo(4.75 * 1025, 6);
    expect(choice.unpacedDurationMs).toBeCloseTo(1100, 6);
    expect(choice.expectedDurationMs).toBeLessThanOrEqual(5 * choice.unpacedDurationMs);
    expect(choice.placement.expected.costUsd).toBeLessThan(choice.unpaced.expected.costUsd);
  });

  it('keeps to the budget where the retries a paced call saves make rounds shorter', () => {
    // 2,000 ms unpaced, budget 6,000 ms: 15 at a time (4.75 calls' time of 1,250 ms) fits; 12 at a time (5.8 of
    // 1,200 ms) does not, though 5.8 × 1,000 would.
    const choice = choosePacing({ count: 60, concurrency: 60, maxSlowdown: 3 }, model(1000, 1e-5, 1000));
    expect(choice).toMatchObject({ concurrency: 15, rounds: 4 });
    expect(choice.expectedDurationMs).toBeCloseTo(4.75 * 1250, 6);
  });

  it('never chooses a pacing that would outlast the time the router has left', () => {
    const free = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 100 }, model(1000, 1e-5));
    const bounded = choosePacing(
      { count: 20, concurrency: 20, maxSlowdown: 100, maxDurationMs: 5200 },
      model(1000, 1e-5),
    );
    expect(free.concurrency).toBe(1);
    expect(bounded).toMatchObject({ concurrency: 5, rounds: 4 });
    expect(bounded.expectedDurationMs).toBeLessThanOrEqual(5200);
  });

  it("counts the INIT each worker's first call waits for, once, in the paced and the unpaced duration", () => {
    // One call of 100 ms + a 300 ms INIT unpaced: a budget of 4 × 400 ms fits 2 at a time (10.9 calls' time, 1,390 ms),
    // not 1 (2,395 ms).
    const choice = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 4, initMs: 300 }, model(100, 1e-5, 0));
    expect(choice.unpacedDurationMs).toBeCloseTo(400, 6);
    expect(choice.rounds).toBe(10);
    expect(choice.expectedDurationMs).toBeCloseTo(10.9 * 100 + 300, 6);
    // without it, the budget is 4 × 100 ms: 7 at a time (3.51 calls' time), not 5 (4.75)
    const noInit = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 4 }, model(100, 1e-5, 0));
    expect(noInit).toMatchObject({ concurrency: 7, rounds: 3 });
    expect(noInit.expectedDurationMs).toBeCloseTo((20 / 7 + 1 - 7 / 20) * 100, 6);
  });

  it('counts the INIT each retry waits for, per call as the placement expects its attempts', () => {
    const retrying = (uses: number): PacedExpectation => ({
      expected: { costUsd: 1e-5, runtimeMs: 100, addedLatencyMs: 50, carbonG: 1, attempts: 1 + 2 / uses },
    });
    expect(batchDurationMs(retrying(1), { count: 1, concurrency: 1, initMs: 300 })).toBeCloseTo(150 + 2 * 300 + 300, 6);
    // 16 calls, 4 at a time: 4.75 calls' time, each with its half retry's INIT, and the workers' first INIT once
    const paced = { count: 16, concurrency: 4 };
    expect(batchDurationMs(retrying(4), { ...paced, initMs: 300 })).toBeCloseTo(4.75 * (150 + 0.5 * 300) + 300, 6);
    expect(batchDurationMs(retrying(4), paced)).toBeCloseTo(4.75 * 150, 6);
    // workers that already hold their instances wait for no first INIT
    expect(batchDurationMs(retrying(4), { ...paced, initMs: 300, coldStart: false })).toBeCloseTo(4.75 * 300, 6);
  });

  it("lasts the workers' share of the calls and, in a long batch, about one call more: the last worker's", () => {
    expect(callsOnTheClock(20, 20)).toBe(1);
    expect(callsOnTheClock(10, 50)).toBe(1);
    expect(callsOnTheClock(21, 20)).toBeCloseTo(1.05 + 1 - 1 / 1.05, 12);
    expect(callsOnTheClock(800, 400)).toBeCloseTo(2.5, 12);
    expect(callsOnTheClock(195, 20)).toBeCloseTo(9.75 + 1 - 1 / 9.75, 12);
    expect(callsOnTheClock(20, 1)).toBeCloseTo(20.95, 12);
  });

  it('prices every pacing whose calls fit the budget, though its rounds would not', () => {
    // 21 calls of 1 s, 5 at a time: 4.96 calls' time (r = 4.2), within a budget of 4.98 s although 5 rounds are not.
    const choice = choosePacing({ count: 21, concurrency: 21, maxSlowdown: 4.98 }, model(1000, 1e-5, 0));
    expect(choice).toMatchObject({ concurrency: 5, rounds: 5 });
    expect(choice.expectedDurationMs).toBeCloseTo((4.2 + 1 - 1 / 4.2) * 1000, 6);
  });

  it('goes down to one call at a time when the budget allows it', () => {
    const choice = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 100 }, model(1000, 1e-5));
    expect(choice).toMatchObject({ concurrency: 1, rounds: 20, usesPerInstance: 20 });
  });

  it('does not pace where sharing the draw gains nothing', () => {
    const choice = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 100 }, () => ({
      expected: { costUsd: 1e-5, runtimeMs: 1000, addedLatencyMs: 0, carbonG: 1 },
    }));
    expect(choice.concurrency).toBe(20);
  });

  it('never paces for latency, which pacing only lengthens', () => {
    const choice = choosePacing(
      { count: 20, concurrency: 20, maxSlowdown: 100, objective: 'latency' },
      model(1000, 1e-5),
    );
    expect(choice.concurrency).toBe(20);
  });

  it('paces for carbon, whose INITs pacing saves too', () => {
    const choice = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 3, objective: 'carbon' }, model(1000, 0));
    expect(choice.concurrency).toBeLessThan(20);
  });

  it('starts from the given concurrency (after waves): rounds count from there', () => {
    const choice = choosePacing({ count: 1000, concurrency: 250, maxSlowdown: 2 }, model(1000, 1e-5));
    // 4.75 calls' time unpaced (1,025 ms each); 2 × 4,869 ms fits 125 at a time (8.875 calls' time of 1,012.5 ms), not
    // 112 (9.82 of 1,011 ms).
    expect(choice.unpacedDurationMs).toBeCloseTo(4.75 * 1025, 6);
    expect(choice).toMatchObject({ concurrency: 125, rounds: 8 });
  });

  it('prices a bounded number of concurrencies however large the batch', () => {
    let calls = 0;
    const choice = choosePacing({ count: 10_000, concurrency: 1000, maxSlowdown: 10_000 }, (uses) => {
      calls++;
      return model(1000, 1e-5)(uses);
    });
    expect(calls).toBeLessThanOrEqual(60);
    expect(choice.evaluated).toBe(calls);
    expect(choice.concurrency).toBe(1);
  });

  it('stops where the budget cannot fit even the fastest runtime', () => {
    const seen: number[] = [];
    choosePacing({ count: 100, concurrency: 100, maxSlowdown: 3 }, (uses) => {
      seen.push(uses);
      return model(1000, 1e-5)(uses);
    });
    expect(Math.max(...seen)).toBeLessThanOrEqual(4);
  });

  it("with the core router: at one call at a time, the batch's instance serves every call and the reject set is stricter", () => {
    const router = new Router(paperView(), { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
    const request = { workload: 'zipper', objective: 'cost' as const };
    const place = (uses: number) => router.place({ ...request, pool: { usesPerInstance: uses } });
    const choice = choosePacing({ count: 100, concurrency: 100, maxSlowdown: 1000 }, place);
    expect(choice.concurrency).toBe(1);
    expect(choice.placement.expected.costUsd).toBeLessThan(place(1).expected.costUsd);
    expect(choice.placement.rejectCpus.length).toBeGreaterThanOrEqual(place(1).rejectCpus.length);
  });
});

describe('sentClock', () => {
  // 150 s calls and a 899.5 s send that keeps 2.5 calls' time: (899.5 − 375) / 150 + 1/2 ≈ 4 calls a worker a send
  const sends = { spanMs: 899_500, reserveCalls: 2.5 };
  const perSend = (899_500 - 2.5 * 150_000) / 150_000 + 0.5;

  it('times a batch as one part where it is not sent in parts, or fits one send', () => {
    expect(sentClock(274, 35, 150_000, undefined)).toEqual({ sends: 1, calls: callsOnTheClock(274, 35) });
    expect(sentClock(274, 35, 150_000, { ...sends, spanMs: Number.POSITIVE_INFINITY })).toEqual({
      sends: 1,
      calls: callsOnTheClock(274, 35),
    });
    expect(sentClock(100, 35, 150_000, sends)).toEqual({ sends: 1, calls: callsOnTheClock(100, 35) });
  });

  it("times each send as a batch of its own, which ends with its last worker's last call", () => {
    const first = perSend * 35;
    const clock = sentClock(274, 35, 150_000, sends);
    expect(clock.sends).toBe(2);
    expect(clock.calls).toBeCloseTo(callsOnTheClock(first, 35) + callsOnTheClock(274 - first, 35), 9);
    expect(clock.calls).toBeGreaterThan(callsOnTheClock(274, 35) + 0.5);
  });

  it("leaves a last send the calls the others did not start, which take a whole call's time however few", () => {
    const clock = sentClock(2 * perSend * 35 + 2, 35, 150_000, sends);
    expect(clock.sends).toBe(3);
    expect(clock.calls).toBeCloseTo(2 * callsOnTheClock(perSend * 35, 35) + 1, 9);
  });

  it('never times a batch sent in parts shorter than in one, though each part runs one round', () => {
    // 400 s calls: one call a worker a send, each send timed as one call
    const clock = sentClock(100, 10, 400_000, sends);
    expect(clock.sends).toBe(10);
    expect(clock.calls).toBeCloseTo(callsOnTheClock(100, 10), 12);
  });

  it('starts in a send under way only the calls its time left allows, keeping the reserve it knows', () => {
    // 400 s left, 300 s kept: each worker starts 100 / 150 + 1/2 of a call there, the rest in new sends
    const underWay = { ...sends, firstSpanMs: 400_000, firstReserveMs: 300_000 };
    const inThis = (100_000 / 150_000 + 0.5) * 35;
    const inNext = perSend * 35;
    const clock = sentClock(300, 35, 150_000, underWay);
    expect(clock.sends).toBe(3);
    expect(clock.calls).toBeCloseTo(
      callsOnTheClock(inThis, 35) + callsOnTheClock(inNext, 35) + callsOnTheClock(300 - inThis - inNext, 35),
      9,
    );
    // with no time to start a call, every call left goes to the sends to come
    expect(sentClock(100, 35, 150_000, { ...underWay, firstSpanMs: 200_000 })).toEqual({
      sends: 1 + 1,
      calls: callsOnTheClock(100, 35),
    });
  });
});

describe('pacing a batch sent in parts', () => {
  const sends = { spanMs: 10_000, reserveCalls: 2.5 };

  it("prices each pacing's duration in its sends, and weighs the budget on the unpaced batch as one send", () => {
    // 1 s calls, 200 at once unpaced: a budget of 36 s fits 6 at a time in one send (34.3 s), and 7 in four sends of
    // 8 calls a worker (32 s), where 6 would take 37.1 s
    const request = { count: 200, concurrency: 200, maxSlowdown: 36 };
    const place = model(1000, 1e-5, 0);
    const once = choosePacing(request, place);
    const inSends = choosePacing({ ...request, sends }, place);
    expect(inSends.unpacedDurationMs).toBe(once.unpacedDurationMs);
    expect(inSends.sends).toBeGreaterThan(1);
    expect(inSends.expectedDurationMs).toBeCloseTo(
      batchDurationMs(inSends.placement, { count: 200, concurrency: inSends.concurrency, sends }),
      9,
    );
    expect(inSends.expectedDurationMs).toBeLessThanOrEqual(36 * once.unpacedDurationMs);
    // the send boundaries take time the one-send plan spent on a slower pacing
    expect(once.concurrency).toBe(6);
    expect(inSends).toMatchObject({ concurrency: 7, sends: 4 });
    expect(batchDurationMs(once.placement, { count: 200, concurrency: once.concurrency, sends })).toBeGreaterThan(
      36 * once.unpacedDurationMs,
    );
  });
});

describe('pacedShape', () => {
  it('prices a pacing as choosePacing does: ceil(count / concurrency) uses per instance and the duration at them', () => {
    const place = model(1000, 1e-5);
    const choice = choosePacing({ count: 20, concurrency: 20, maxSlowdown: 5.5 }, place);
    expect(choice.concurrency).toBeLessThan(20);
    const shape = pacedShape(place, { count: 20, concurrency: choice.concurrency });
    expect(shape).toEqual({
      concurrency: choice.concurrency,
      rounds: choice.rounds,
      usesPerInstance: choice.usesPerInstance,
      placement: choice.placement,
      expectedDurationMs: choice.expectedDurationMs,
      sends: 1,
    });
  });

  it('runs no more calls at a time than the batch has, and counts the INIT its workers wait for', () => {
    const shape = pacedShape(model(1000, 1e-5), { count: 3, concurrency: 10, initMs: 200 });
    expect(shape).toMatchObject({ concurrency: 3, rounds: 1, usesPerInstance: 1 });
    expect(shape.expectedDurationMs).toBeCloseTo(
      batchDurationMs(shape.placement, { count: 3, concurrency: 3, initMs: 200 }),
    );
    expect(shape.expectedDurationMs).toBeGreaterThan(1000 + 200 - 1e-9);
  });
});

describe('keepsPacing', () => {
  const expectation = (costUsd: number, runtimeMs = 1000, carbonG = 1): PacedExpectation => ({
    expected: { costUsd, runtimeMs, addedLatencyMs: 0, carbonG },
  });
  const review = { remaining: 1000, concurrency: 100, givenConcurrency: 1000 };

  it('keeps a pacing that still costs less per call than the given concurrency', () => {
    expect(keepsPacing(review, expectation(0.9e-3), expectation(1e-3))).toBe(true);
  });

  it('leaves a pacing that costs more per call, priced for what its calls met', () => {
    expect(keepsPacing(review, expectation(1.1e-3), expectation(1e-3))).toBe(false);
  });

  it('leaves a pacing only for a saving of at least PACING_WIDEN_MIN_SAVING, which the pool model may not see', () => {
    const worse = (share: number) => expectation(1e-3 * (1 + share));
    expect(keepsPacing(review, worse(PACING_WIDEN_MIN_SAVING / 2), expectation(1e-3))).toBe(true);
    expect(keepsPacing(review, worse(PACING_WIDEN_MIN_SAVING * 2), expectation(1e-3))).toBe(false);
  });

  it("weighs latency as the calls left take, a widened batch's new workers waiting for an INIT first", () => {
    // 1,000 calls of 1 s left: 10.9 calls' time paced (100 at a time, on the instances it holds), 1 widened (all at once).
    const latency = { ...review, objective: 'latency' as const };
    const same = expectation(1e-3);
    expect(keepsPacing(latency, same, same)).toBe(false);
    // With a 10 s INIT the widened batch takes 1 s + 10 s, no shorter than 10.9 s paced: it keeps its pacing.
    expect(keepsPacing({ ...latency, initMs: 10_000 }, same, same)).toBe(true);
    expect(keepsPacing({ ...latency, initMs: 8_000 }, same, same)).toBe(false);
  });

  it('keeps a batch already at the given concurrency, or with no more calls left than it runs at a time', () => {
    expect(keepsPacing({ ...review, concurrency: 1000 }, expectation(2e-3), expectation(1e-3))).toBe(true);
    expect(keepsPacing({ ...review, remaining: 50 }, expectation(2e-3), expectation(1e-3))).toBe(true);
  });

  it('weighs the workers that hold an accepted instance in both batches: their share paced, a tenth of it unpaced', () => {
    // A worker still searching costs 1.2e-3 paced (its replacements repeat the rejected CPU) and 1e-3 unpaced; one on a
    // held fast instance costs 0.6e-3 either way. At 100 of 1,000, 40% holding: paced 0.4 × 0.6 + 0.6 × 1.2 = 0.96e-3,
    // unpaced 0.04 × 0.6 + 0.96 × 1 = 0.984e-3: the pacing stays. At 20% holding: 1.08e-3 against 0.992e-3.
    const held = (share: number) => ({ ...review, held: { share, expected: expectation(0.6e-3).expected } });
    expect(keepsPacing(review, expectation(1.2e-3), expectation(1e-3))).toBe(false);
    expect(keepsPacing(held(0.4), expectation(1.2e-3), expectation(1e-3))).toBe(true);
    expect(keepsPacing(held(0.2), expectation(1.2e-3), expectation(1e-3))).toBe(false);
  });

  it('weighs latency as the duration of the calls left, and carbon per call', () => {
    // 10 rounds against 1: a latency objective leaves any pacing; carbon weighs grams, not dollars.
    expect(keepsPacing({ ...review, objective: 'latency' }, expectation(0.5e-3), expectation(1e-3))).toBe(false);
    expect(keepsPacing({ ...review, objective: 'carbon' }, expectation(2e-3, 1000, 0.9), expectation(1e-3))).toBe(true);
    expect(keepsPacing({ ...review, objective: 'carbon' }, expectation(0.5e-3, 1000, 1.1), expectation(1e-3))).toBe(
      false,
    );
  });
});

describe('reviewPacing', () => {
  const expectation = (costUsd: number, runtimeMs = 1000, carbonG = 1): PacedExpectation => ({
    expected: { costUsd, runtimeMs, addedLatencyMs: 0, carbonG },
  });
  const review = { remaining: 1000, concurrency: 100, givenConcurrency: 1000 };
  // The paced batch's searching workers cost 1.2e-3 (their replacements repeat), 1e-3 at the given concurrency.
  const paced = expectation(1.2e-3);
  const unpaced = expectation(1e-3);

  it('keeps a pacing that keepsPacing keeps where a searching worker would do no better elsewhere', () => {
    expect(reviewPacing(review, expectation(0.9e-3), unpaced)).toBe('keep');
    expect(reviewPacing(review, expectation(0.9e-3), unpaced, expectation(0.95e-3))).toBe('keep');
  });

  it('moves a pacing it would keep when its searching workers do better elsewhere than here, paced or not', () => {
    // 40% of the workers hold a fast instance (0.6e-3 a call), so the pacing pays although the others, searching in
    // vain, cost 1.2e-3 a call (keepsPacing's case). At 0.9e-3 elsewhere they move; at 1.1e-3 (better than staying
    // paced, worse than the given concurrency here) the batch keeps its pacing.
    const held = { ...review, held: { share: 0.4, expected: expectation(0.6e-3).expected } };
    expect(reviewPacing(held, paced, unpaced)).toBe('keep');
    expect(reviewPacing(held, paced, unpaced, expectation(0.9e-3))).toBe('move');
    expect(reviewPacing(held, paced, unpaced, expectation(1.1e-3))).toBe('keep');
  });

  it('widens a pacing that no longer pays when it has nowhere else to go', () => {
    expect(reviewPacing(review, paced, unpaced)).toBe('widen');
  });

  it('moves when a searching worker costs less elsewhere at the pacing than here at the given concurrency', () => {
    expect(reviewPacing(review, paced, unpaced, expectation(0.9e-3))).toBe('move');
    // Elsewhere costs more than widening here (though less than staying paced): widen.
    expect(reviewPacing(review, paced, unpaced, expectation(1.1e-3))).toBe('widen');
  });

  it('moves only for a saving of at least PACING_WIDEN_MIN_SAVING against widening', () => {
    const better = (share: number) => expectation(1e-3 * (1 - share));
    expect(reviewPacing(review, paced, unpaced, better(PACING_WIDEN_MIN_SAVING / 2))).toBe('widen');
    expect(reviewPacing(review, paced, unpaced, better(PACING_WIDEN_MIN_SAVING * 2))).toBe('move');
  });

  it('does not move where a call would take longer than one kept at the pacing here', () => {
    // Cheaper elsewhere, but each call runs 1.5 s against 1 s: the batch would outlast the pacing chosen for it.
    expect(reviewPacing(review, paced, unpaced, expectation(0.8e-3, 1500))).toBe('widen');
    expect(reviewPacing(review, paced, unpaced, expectation(0.8e-3, 1000))).toBe('move');
  });

  it('weighs latency as the duration of the calls left: a latency objective never moves to stay paced', () => {
    expect(reviewPacing({ ...review, objective: 'latency' }, paced, unpaced, expectation(0.5e-3))).toBe('widen');
  });
});

describe('searchesElsewhere', () => {
  const expectation = (costUsd: number, runtimeMs = 1000, addedLatencyMs = 0): PacedExpectation => ({
    expected: { costUsd, runtimeMs, addedLatencyMs, carbonG: costUsd * 1000 },
  });
  const here = expectation(1e-3);

  it('goes on elsewhere only for a saving of at least PACING_WIDEN_MIN_SAVING on the objective', () => {
    const better = (share: number) => expectation(1e-3 * (1 - share));
    expect(searchesElsewhere(here, better(PACING_WIDEN_MIN_SAVING * 2))).toBe(true);
    expect(searchesElsewhere(here, better(PACING_WIDEN_MIN_SAVING / 2))).toBe(false);
    expect(searchesElsewhere(here, expectation(1.1e-3))).toBe(false);
  });

  it('compares on the objective relative to the call here (relativeObjective)', () => {
    expect(relativeObjective(expectation(0.9e-3), here)).toBeCloseTo(0.9);
    expect(relativeObjective(expectation(0.9e-3, 2000), here, 'latency')).toBeCloseTo(2);
    expect(relativeObjective(expectation(0.9e-3, 2000), here, { cost: 1, latency: 1, carbon: 0 })).toBeCloseTo(1.45);
  });

  it('weighs latency per call, as runtime and added latency', () => {
    // Cheaper elsewhere but slower: the cost objective goes, the latency objective stays.
    const cheapSlow = expectation(0.8e-3, 1500);
    expect(searchesElsewhere(here, cheapSlow, 'cost')).toBe(true);
    expect(searchesElsewhere(here, cheapSlow, 'latency')).toBe(false);
    // A search here that adds 800 ms of retries loses to a call elsewhere that runs 1.5 s at once.
    expect(searchesElsewhere(expectation(1e-3, 1000, 800), cheapSlow, 'latency')).toBe(true);
  });
});
