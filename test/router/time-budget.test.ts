import { batchDurationMs, callsOnTheClock, sentClock } from '../../lib/core/pacing';
import { plannedCallMs, TIME_BUDGET_WINDOW_CALLS, TimeBudget } from '../../lib/routing/time-budget';

describe('TimeBudget', () => {
  // Half its calls started, as the budget waits for.
  const batch = { concurrency: 10, givenConcurrency: 100, count: 400, callsLeft: 200, initMs: 0 };

  it('keeps the pacing until a round of calls has been answered', () => {
    // Spent already: any projection would widen.
    const budget = new TimeBudget(1000, 0);
    for (let i = 0; i < 9; i++) budget.observe(500);
    expect(budget.concurrencyFor(batch, 2000)).toBe(10);
    budget.observe(500);
    expect(budget.concurrencyFor(batch, 2000)).toBe(100);
  });

  it('keeps the pacing until half the calls have been started', () => {
    const budget = new TimeBudget(1000, 0);
    for (let i = 0; i < 50; i++) budget.observe(500);
    expect(budget.concurrencyFor({ ...batch, callsLeft: 201 }, 2000)).toBe(10);
    expect(budget.concurrencyFor({ ...batch, callsLeft: 200 }, 2000)).toBe(100);
  });

  it('keeps the pacing while the calls left end within the budget at their pace', () => {
    // 200 calls left, 10 at a time, at 100 ms each: 20 + 1 − 1/20 calls' time, 2,095 ms.
    const budget = new TimeBudget(10_000, 0);
    for (let i = 0; i < 10; i++) budget.observe(100);
    expect(budget.concurrencyFor(batch, 10_000 - 2096)).toBe(10);
    expect(budget.concurrencyFor(batch, 10_000 - 2095)).toBe(10);
    expect(budget.concurrencyFor(batch, 10_000 - 2094)).toBeGreaterThan(10);
  });

  it('widens to the fewest calls at a time that end the calls left in time, a new worker waiting for its INIT', () => {
    const budget = new TimeBudget(10_000, 0);
    for (let i = 0; i < 10; i++) budget.observe(100);
    const now = 9000; // 1,000 ms left
    const initMs = 150;
    const wider = budget.concurrencyFor({ ...batch, initMs }, now);
    const endsMs = (k: number) => callsOnTheClock(200, k) * 100 + initMs;
    expect(wider).toBeGreaterThan(10);
    expect(wider).toBeLessThan(100);
    expect(endsMs(wider)).toBeLessThanOrEqual(1000);
    expect(endsMs(wider - 1)).toBeGreaterThan(1000);
    // Without the INIT, fewer do.
    expect(budget.concurrencyFor(batch, now)).toBeLessThan(wider);
  });

  it("runs at the caller's concurrency when no pacing ends the calls left in time, but no wider than the calls left", () => {
    const budget = new TimeBudget(1000, 0);
    for (let i = 0; i < 10; i++) budget.observe(400);
    expect(budget.concurrencyFor(batch, 900)).toBe(100);
    expect(budget.concurrencyFor({ ...batch, count: 80, callsLeft: 40 }, 900)).toBe(40);
  });

  it('keeps its pacing where no wider one would end the calls left sooner', () => {
    const budget = new TimeBudget(1000, 0);
    for (let i = 0; i < 10; i++) budget.observe(400);
    // 5 calls left to 10 workers: each starts as a worker answers, one call's time at any width, and a new worker
    // would wait for its INIT first.
    const last = { ...batch, count: 100, callsLeft: 5, initMs: 150 };
    expect(budget.concurrencyFor(last, 900)).toBe(10);
    // 20 calls left to 10 workers: two calls' time (less a half) kept, one call's and an INIT at 20 at a time.
    expect(budget.concurrencyFor({ ...last, callsLeft: 20 }, 900)).toBe(20);
  });

  it('projects at the mean of the latest calls, a round of them or at least the window', () => {
    const budget = new TimeBudget(10_000, 0);
    // Early calls searched long; the latest window of calls ran at 100 ms.
    for (let i = 0; i < 30; i++) budget.observe(1000);
    for (let i = 0; i < TIME_BUDGET_WINDOW_CALLS; i++) budget.observe(100);
    expect(budget.concurrencyFor(batch, 10_000 - 2095)).toBe(10);
    // One more slow call tips the window's mean over.
    budget.observe(1000);
    expect(budget.concurrencyFor(batch, 10_000 - 2095)).toBeGreaterThan(10);
    // A batch wider than the window projects at a whole round's calls: of the latest 30, 20 ran at 100 ms and 10 at
    // 1,000 ms.
    const wide = { ...batch, concurrency: 30, count: 120, callsLeft: 60 };
    const projectedMs = callsOnTheClock(60, 30) * ((20 * 100 + 10 * 1000) / 30);
    expect(budget.concurrencyFor(wide, 10_000 - projectedMs)).toBe(30);
    expect(budget.concurrencyFor(wide, 10_000 - projectedMs + 1)).toBeGreaterThan(30);
  });

  it('before the middle, widens a batch its own plan no longer ends in time, as far as the plan needs, where it runs on that plan', () => {
    // A tenth of the calls started, a round answered, each far longer than planned: the plan's 100 ms a call is what
    // projects the calls left, not their 1,000 ms.
    const early = { ...batch, callsLeft: 360 };
    const planned = new TimeBudget(10_000, 0, 100);
    for (let i = 0; i < 10; i++) planned.observe(1000);
    const planMs = callsOnTheClock(360, 10) * 100;
    expect(planned.concurrencyFor(early, 10_000 - planMs)).toBe(10);
    const wider = planned.concurrencyFor(early, 10_000 - planMs + 1);
    expect(wider).toBe(11);
    // Without a plan, it waits for the middle.
    const unplanned = new TimeBudget(10_000, 0);
    for (let i = 0; i < 10; i++) unplanned.observe(1000);
    expect(unplanned.concurrencyFor(early, 9999)).toBe(10);
    // Nor where its review moved it off the placement the plan priced.
    expect(planned.concurrencyFor({ ...early, onPlan: false }, 10_000 - planMs + 1)).toBe(10);
    // From the middle on, the calls' own times project them, whatever the plan.
    expect(planned.concurrencyFor(batch, 10_000 - callsOnTheClock(200, 10) * 100)).toBeGreaterThan(10);
  });

  it("takes a planned call's time from the plan's duration, less its probe's search and the first INIT", () => {
    const pacing = { expectedDurationMs: 2095 + 150 + 500, concurrency: 10, probeSearchMs: 500 };
    expect(plannedCallMs(pacing, 200, 150)).toBeCloseTo(100, 9);
    expect(plannedCallMs({ ...pacing, probeSearchMs: undefined }, 200, 150)).toBeCloseTo(2595 / 20.95, 9);
    expect(plannedCallMs({ ...pacing, expectedDurationMs: 100 }, 200, 150)).toBe(0);
  });

  it('projects the calls left of a resumable batch in the sends they will take, a last one for those this one leaves', () => {
    // 200 calls left, 10 at a time, at 100 ms each; 1,200 ms left in this send, which keeps 250 ms: each worker
    // starts (1,200 − 250) / 100 + 1/2 = 10 calls in it, the other 100 calls a send of their own.
    const sends = { spanMs: 2500, reserveCalls: 2.5, firstSpanMs: 1200, firstReserveMs: 250 };
    const budget = new TimeBudget(10_000, 0);
    for (let i = 0; i < 10; i++) budget.observe(100);
    const inSends = sentClock(200, 10, 100, sends).calls * 100;
    expect(inSends).toBeCloseTo(callsOnTheClock(100, 10) * 2 * 100, 9);
    const now = 10_000 - (inSends + callsOnTheClock(200, 10) * 100) / 2;
    expect(budget.concurrencyFor(batch, now)).toBe(10);
    expect(budget.concurrencyFor({ ...batch, sends }, now)).toBeGreaterThan(10);
    expect(budget.concurrencyFor({ ...batch, sends }, 10_000 - inSends)).toBe(10);
  });

  it('takes the call time of a plan priced in sends as the one that priced it', () => {
    // 13 calls a worker a send: 200 calls 10 at a time take two
    const sends = { spanMs: 1500, reserveCalls: 2.5 };
    const call = { expected: { runtimeMs: 100, addedLatencyMs: 0, costUsd: 0, carbonG: 0 } };
    const expectedDurationMs = batchDurationMs(call, { count: 200, concurrency: 10, initMs: 150, sends });
    expect(sentClock(200, 10, 100, sends).sends).toBe(2);
    expect(plannedCallMs({ expectedDurationMs, concurrency: 10 }, 200, 150, sends)).toBeCloseTo(100, 6);
    // taken as one send, the plan's time would be spread over fewer calls, each longer than planned
    expect(plannedCallMs({ expectedDurationMs, concurrency: 10 }, 200, 150)).toBeCloseTo(
      (100 * sentClock(200, 10, 100, sends).calls) / callsOnTheClock(200, 10),
      6,
    );
  });

  it('keeps what is left of the budget from its start', () => {
    const budget = new TimeBudget(5000, 1000);
    expect(budget.leftMs(1000)).toBe(5000);
    expect(budget.leftMs(4500)).toBe(1500);
    expect(budget.leftMs(9000)).toBe(0);
    expect(() => new TimeBudget(-1, 0)).toThrow('time budget');
    expect(() => new TimeBudget(Number.NaN, 0)).toThrow('time budget');
    expect(() => new TimeBudget(1000, 0, -1)).toThrow('planned call');
  });
});
