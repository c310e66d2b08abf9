import type { Clock } from '../twin/clock';

/**
 * Real time, scaled, with a scale that can change between phases of a run. Emulated time is
 * continuous across a change: `now()` never jumps or goes back.
 *
 * The local sky needs two speeds. Sampling must run near real time: a poll's requests only land on
 * distinct instances if each sampler's sleep (`samplerSleepMs`) outlasts the time it takes to send the
 * burst over loopback HTTP. Routing wants the opposite: workload runtimes of seconds and 150 ms
 * INITs shrunk a hundredfold, so that thousands of routed calls finish in seconds.
 */
export class PhaseClock implements Clock {
  private anchorReal = performance.now();
  private anchorEmulated: number;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private scale = 1,
    startMs = Date.now(),
  ) {
    PhaseClock.check(scale);
    this.anchorEmulated = startMs;
  }

  private static check(scale: number): void {
    if (!(scale > 0) || !Number.isFinite(scale)) {
      throw new RangeError(`timeScale must be a positive number of real ms per emulated ms, got ${scale}`);
    }
  }

  /** Real ms per emulated ms now. */
  get timeScale(): number {
    return this.scale;
  }

  /** Changes the speed from now on. */
  setTimeScale(scale: number): void {
    PhaseClock.check(scale);
    this.anchorEmulated = this.now();
    this.anchorReal = performance.now();
    this.scale = scale;
  }

  now(): number {
    return this.anchorEmulated + (performance.now() - this.anchorReal) / this.scale;
  }

  async sleep(ms: number): Promise<void> {
    const target = this.now() + Math.max(0, ms);
    // Re-reads the scale on every round, so a sleep that spans a phase change ends on time in emulated terms.
    for (;;) {
      const left = target - this.now();
      if (left <= 0) return;
      const real = left * this.scale;
      if (real >= 1) await this.wait(Math.floor(real));
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /**
   * Drops every pending sleep: their promises never settle. For the end of a run, after the servers
   * are closed, when what still sleeps are timeouts raced against calls that have long answered
   * (a fan-out's leaf timeout, a Lambda budget of 15 minutes) and must not hold the process open.
   */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** A real wait that never keeps the process alive on its own (the servers do while they run). */
  private wait(realMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, realMs);
      timer.unref();
      this.timers.add(timer);
    });
  }
}
