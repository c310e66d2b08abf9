import { setTimeout as delay } from 'node:timers/promises';

/**
 * The twin's notion of time. Emulated instances read it through their Platform, the zones use it
 * for keep-alive, and holds and sleeps wait on it.
 *
 * - `VirtualClock` (bulk experiments, `sky twin`): time advances only by events. A sleep costs no
 *   real time, so a 14-day experiment with 5-minute keep-alives and 250 ms sampler sleeps runs in
 *   seconds, and every run sees the same times.
 * - `ScaledClock` (the loopback Lambda API): real time, scaled. A sleep of `ms` emulated
 *   milliseconds waits `ms × timeScale` real milliseconds, and `now()` runs `1 / timeScale` times
 *   faster than the wall clock, so keep-alive and durations stay consistent in emulated time.
 */
export interface Clock {
  /** Emulated milliseconds since the epoch. */
  now(): number;
  /** Waits `ms` emulated milliseconds. */
  sleep(ms: number): Promise<void>;
}

interface Timer {
  readonly at: number;
  readonly seq: number;
  readonly fire: () => void;
}

/** A binary min-heap of timers ordered by time, then by creation, so equal times fire in order. */
class TimerHeap {
  private readonly items: Timer[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Timer | undefined {
    return this.items[0];
  }
  push(timer: Timer): void {
    const items = this.items;
    items.push(timer);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): Timer | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && before(items[l], items[m])) m = l;
        if (r < items.length && before(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Timer, b: Timer): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Virtual time, advanced by events. Work runs inside `run()`: whenever every piece of work is
 * waiting on the clock (no microtask or immediate left), the clock jumps to the earliest timer
 * and wakes everything due at that instant. Requests that sleep at the same instant therefore
 * overlap in virtual time, as concurrent requests do in Lambda.
 *
 * @example
 * const clock = new VirtualClock(Date.UTC(2024, 4, 1));
 * await clock.run(async () => { await clock.sleep(250); return clock.now(); }); // start + 250
 */
export class VirtualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new TimerHeap();

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.schedule(ms, resolve));
  }

  /** Calls `fire` after `ms` virtual milliseconds (used by timeouts). */
  schedule(ms: number, fire: () => void): void {
    const at = this.current + Math.max(0, Number.isFinite(ms) ? ms : 0);
    this.timers.push({ at, seq: this.seq++, fire });
  }

  /** Moves time forward with no work pending (e.g. from one day of an experiment to the next). */
  advanceTo(ms: number): void {
    if (ms > this.current) this.current = ms;
  }

  /** Pending timers; 0 when nothing waits on the clock. */
  get pending(): number {
    return this.timers.size;
  }

  /**
   * Runs `work` to completion, advancing virtual time whenever all work waits on the clock.
   * Real asynchronous work (I/O, worker threads) is waited for in real time before time jumps.
   */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let done = false;
    let failed = false;
    let value: T | undefined;
    let failure: unknown;
    work().then(
      (v) => {
        done = true;
        value = v;
      },
      (e: unknown) => {
        done = true;
        failed = true;
        failure = e;
      },
    );
    let idleRounds = 0;
    for (;;) {
      await settle();
      if (done) break;
      const next = this.timers.peek();
      if (next === undefined) {
        // Nothing waits on the clock but the work is not done: it waits on real I/O.
        idleRounds++;
        await delay(Math.min(50, idleRounds));
        continue;
      }
      idleRounds = 0;
      this.current = Math.max(this.current, next.at);
      // Wake everything due now, in the order it was scheduled.
      while (this.timers.size > 0 && (this.timers.peek() as Timer).at <= this.current) {
        (this.timers.pop() as Timer).fire();
      }
    }
    if (failed) throw failure;
    return value as T;
  }
}

/**
 * Real time, scaled: emulated `now()` advances `1 / timeScale` times as fast as the wall clock and
 * `sleep(ms)` waits `ms × timeScale` real ms. `timeScale` 1 is real time; 0.01 makes a 250 ms
 * sampler sleep take 2.5 ms while instances still see 250 ms pass.
 */
export class ScaledClock implements Clock {
  private readonly realStart = performance.now();
  constructor(
    readonly timeScale = 1,
    private readonly startMs = Date.now(),
  ) {
    if (!(timeScale > 0) || !Number.isFinite(timeScale)) {
      throw new RangeError(`timeScale must be a positive number, got ${timeScale}`);
    }
  }
  now(): number {
    return this.startMs + (performance.now() - this.realStart) / this.timeScale;
  }
  async sleep(ms: number): Promise<void> {
    const target = this.now() + Math.max(0, ms);
    // Timers have 1 ms resolution: round up, so that the emulated time has really passed
    // (a sleep may overshoot by up to 1 real ms, never undershoot).
    const real = Math.max(0, ms * this.timeScale);
    // Unreferenced: an emulated sleep never keeps the process alive by itself. Sleeps that lose a race
    // (a leaf's deadline, a watchdog) would otherwise hold a closed twin open for their whole length;
    // work that still waits on a sleep is kept alive by its request's socket.
    if (real > 0) await delay(Math.ceil(real), undefined, { ref: false });
    while (this.now() < target) await delay(1, undefined, { ref: false });
  }
}
