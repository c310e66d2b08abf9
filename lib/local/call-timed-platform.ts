import type { Platform } from '../contracts';

/** A platform whose clock, within one call, advances only by the call's own sleeps. */
export interface CallTimedPlatform {
  readonly platform: Platform;
  /** Marks the start of a call: the clock re-synchronizes with the emulated wall clock. */
  beginCall(): void;
}

/**
 * Wraps an emulated instance's platform so that the time a handler measures for a call (and so the
 * duration it reports and is billed for) is exactly the emulated work it did: its sleeps (a
 * sampler's 250 ms, a rejected attempt's hold, a modelled workload runtime). The loopback API runs
 * in real time scaled down by up to 200×, and any scheduling delay of this host would otherwise
 * be billed multiplied by that factor. Each call starts at the shared emulated time, so instances
 * still agree on the time of day; an instance serves one call at a time, as in Lambda.
 */
export function callTimedPlatform(base: Platform): CallTimedPlatform {
  let callStart = base.now();
  let slept = 0;
  // A sleep that outlives its call (a timer raced against the work) must not count in the next one.
  let call = 0;
  const now = (): number => callStart + slept;
  const platform: Platform = {
    readFile: (path) => base.readFile(path),
    writeFile: (path, data) => base.writeFile(path, data),
    tmpDir: base.tmpDir,
    env: base.env,
    now,
    monotonicMs: now,
    async sleep(ms) {
      const during = call;
      await base.sleep(ms);
      if (during === call) slept += Math.max(0, ms);
    },
    endInstance: () => base.endInstance(),
    ...(base.randomId ? { randomId: () => base.randomId!() } : {}),
  };
  return {
    platform,
    beginCall() {
      call += 1;
      callStart = base.now();
      slept = 0;
    },
  };
}
