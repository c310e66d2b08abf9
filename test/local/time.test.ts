import type { Platform } from '../../lambda/shared/platform';
import { callTimedPlatform } from '../../lib/local/call-timed-platform';
import { PhaseClock } from '../../lib/local/phase-clock';

/** A platform on a hand-driven clock whose sleeps overshoot by `lagMs`, as a busy host's timers do. */
function laggingPlatform(lagMs: number): Platform & { clock: { now: number }; ended: number } {
  const clock = { now: 1_000_000 };
  const platform = {
    clock,
    ended: 0,
    readFile: () => undefined,
    writeFile: () => undefined,
    tmpDir: '/tmp',
    env: {},
    now: () => clock.now,
    async sleep(ms: number) {
      await Promise.resolve();
      clock.now += ms + lagMs;
    },
    endInstance() {
      platform.ended += 1;
    },
  };
  return platform;
}

describe('callTimedPlatform', () => {
  it('times a call by its own sleeps, not by the host delays around them', async () => {
    // GIVEN a host whose every sleep overshoots by 40 ms
    const base = laggingPlatform(40);
    const timed = callTimedPlatform(base);
    // WHEN a call holds 150 ms and then runs 2,000 ms
    timed.beginCall();
    const began = timed.platform.monotonicMs!();
    await timed.platform.sleep(150);
    await timed.platform.sleep(2000);
    // THEN it measures exactly 2,150 ms, while the shared clock moved 2,230 ms
    expect(timed.platform.monotonicMs!() - began).toBe(2150);
    expect(base.clock.now - 1_000_000).toBe(2230);
  });

  it('starts each call at the shared emulated time', async () => {
    const base = laggingPlatform(0);
    const timed = callTimedPlatform(base);
    timed.beginCall();
    await timed.platform.sleep(100);
    base.clock.now += 60_000; // the instance idles a minute
    timed.beginCall();
    expect(timed.platform.now()).toBe(base.clock.now);
  });

  it('does not count a sleep that outlives its call in the next call', async () => {
    const base = laggingPlatform(0);
    const timed = callTimedPlatform(base);
    timed.beginCall();
    const stale = timed.platform.sleep(60_000); // e.g. a timeout raced against the work
    timed.beginCall();
    const began = timed.platform.now();
    await stale;
    await timed.platform.sleep(10);
    expect(timed.platform.now() - began).toBe(10);
  });

  it('passes the rest through to the instance', () => {
    const base = laggingPlatform(0);
    const timed = callTimedPlatform(base);
    timed.platform.endInstance();
    expect(base.ended).toBe(1);
    expect(timed.platform.tmpDir).toBe('/tmp');
  });
});

describe('PhaseClock', () => {
  it('sleeps the emulated time asked, at any speed', async () => {
    const clock = new PhaseClock(0.001, 0);
    const before = clock.now();
    await clock.sleep(2000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(2000);
  });

  it('keeps emulated time continuous when the speed changes', async () => {
    const clock = new PhaseClock(0.01, 5_000);
    await clock.sleep(100);
    const before = clock.now();
    clock.setTimeScale(1);
    expect(clock.timeScale).toBe(1);
    expect(clock.now()).toBeGreaterThanOrEqual(before);
    const after = clock.now();
    clock.setTimeScale(0.001);
    expect(clock.now()).toBeGreaterThanOrEqual(after);
  });

  it('fails when the speed is not a positive number', () => {
    expect(() => new PhaseClock(0)).toThrow(/timeScale must be a positive number/);
    expect(() => new PhaseClock(1).setTimeScale(Number.NaN)).toThrow(RangeError);
  });

  it('never keeps the process alive on its own', () => {
    // The timers the sleep itself starts, not a count of the process's timers, which other tests' timers change.
    const started = jest.spyOn(global, 'setTimeout');
    const clock = new PhaseClock(1);
    try {
      void clock.sleep(60_000);
      const timers = started.mock.results.map((result) => result.value as NodeJS.Timeout);
      expect(timers.length).toBeGreaterThan(0);
      expect(timers.filter((timer) => timer.hasRef())).toEqual([]);
    } finally {
      clock.dispose();
      started.mockRestore();
    }
  });

  it('drops pending sleeps on dispose: they never wake', async () => {
    const clock = new PhaseClock(1);
    let woke = false;
    void clock.sleep(20).then(() => {
      woke = true;
    });
    clock.dispose();
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(woke).toBe(false);
  });
});
