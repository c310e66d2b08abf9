import type { Platform } from '../../lib/contracts';
import { dynamicFunctionName, fanoutFunctionName, samplerFunctionName } from '../../lib/core/naming';
import type { Clock } from '../../lib/twin/clock';
import { type CallTiming, InstancePlatform } from '../../lib/twin/instance-platform';
import type { HandlerKit } from '../../lib/twin/kit';
import { DEFAULT_EPOCH_MS, Twin } from '../../lib/twin/twin';
import type { Host } from '../../lib/twin/zone';
import { smallScenario } from './fixtures';

/** A hand-driven clock whose every sleep overshoots by `lagMs`, as a busy host's timers do under a scaled clock. */
class LaggingClock implements Clock {
  current = DEFAULT_EPOCH_MS;
  constructor(private readonly lagMs: number) {}
  now(): number {
    return this.current;
  }
  async sleep(ms: number): Promise<void> {
    await Promise.resolve();
    this.current += ms + this.lagMs;
  }
}

const scenario = smallScenario({ days: 1 });
const host: Host = {
  index: 0,
  cpu: scenario.cpuList[0],
  arch: 'x86_64',
  bootTime: 1_700_000_000,
  used: 1,
  usedMb: 2048,
};

function platformOn(clock: Clock, timing: CallTiming): InstancePlatform {
  const facts = { functionName: 'f', memoryMb: 2048, region: 'us-west-1', azId: 'usw1-az3', host, instanceId: 'i:0' };
  return new InstancePlatform({ ...facts, timing }, clock);
}

describe('an instance timed by its work', () => {
  it('lasts exactly its own sleeps, not the host delays around them', async () => {
    // GIVEN a host whose every sleep overshoots by 40 ms
    const clock = new LaggingClock(40);
    const platform = platformOn(clock, 'work');
    // WHEN a call holds 150 ms and then runs 2,000 ms
    platform.beginCall();
    const began = platform.monotonicMs();
    await platform.sleep(150);
    await platform.sleep(2000);
    // THEN the handler measures 2,150 ms and the call lasts as long, while the shared clock moved 2,230 ms
    expect(platform.monotonicMs() - began).toBe(2150);
    expect(platform.callElapsedMs()).toBe(2150);
    expect(clock.current - DEFAULT_EPOCH_MS).toBe(2230);
  });

  it('is timed by the clock unless told, delays included', async () => {
    const clock = new LaggingClock(40);
    const platform = platformOn(clock, 'clock');
    platform.beginCall();
    await platform.sleep(150);
    expect(platform.callElapsedMs()).toBe(190);
  });

  it('starts each call at the shared emulated time', async () => {
    const clock = new LaggingClock(0);
    const platform = platformOn(clock, 'work');
    platform.beginCall();
    await platform.sleep(100);
    platform.endCall();
    clock.current += 60_000; // the instance idles a minute
    platform.beginCall();
    expect(platform.now()).toBe(clock.current);
  });

  it('does not count a sleep that outlives its call in the next call', async () => {
    const clock = new LaggingClock(0);
    const platform = platformOn(clock, 'work');
    platform.beginCall();
    const stale = platform.sleep(60_000); // e.g. a timeout raced against the work
    platform.endCall();
    platform.beginCall();
    await stale;
    await platform.sleep(10);
    expect(platform.callElapsedMs()).toBe(10);
  });
});

describe("the twin's REPORT of a work-timed call", () => {
  /** A kit whose dynamic handler sleeps `ms` and answers, timed as `workTimed` says. */
  function sleepingKit(ms: number, workTimed: HandlerKit['workTimed']): HandlerKit {
    const sleeper = (platform: Platform) => async () => {
      await platform.sleep(ms);
      return { slept: ms };
    };
    return { dynamic: sleeper, sampler: sleeper, fanout: sleeper, ...(workTimed ? { workTimed } : {}) };
  }

  async function reportOf(workTimed: HandlerKit['workTimed']): Promise<{ billedMs: number; durationMs?: number }> {
    const twin = new Twin({ scenario, clock: new LaggingClock(40), kit: sleepingKit(1234, workTimed) });
    twin.setDay(0);
    const result = await twin.invoke(dynamicFunctionName('usw1-az3', 'x86_64', 2048), {}, { logTail: true });
    if (!result.ok || result.report === undefined) throw new Error('the call did not answer with a REPORT record');
    // A new instance: its INIT is billed beside the handler's duration.
    return { billedMs: result.report.billedMs - twin.initBilledMs, durationMs: result.report.durationMs };
  }

  it('bills the emulated work, where a clock-timed one bills the host delays too', async () => {
    // GIVEN a host whose sleeps overshoot by 40 ms, WHEN a handler sleeps 1,234 ms
    const work = await reportOf(['dynamic']);
    const clock = await reportOf(undefined);
    // THEN a work-timed call lasts and bills 1,234 ms; a clock-timed one 1,274 ms
    expect(work).toEqual({ durationMs: 1234, billedMs: 1234 });
    expect(clock).toEqual({ durationMs: 1274, billedMs: 1274 });
  });

  it('times a sampler as its kit says, and a fan-out always by the clock', async () => {
    const kit = sleepingKit(500, ['sampler']);
    const twin = new Twin({ scenario, clock: new LaggingClock(40), kit });
    twin.setDay(0);
    const sampler = await twin.call(samplerFunctionName('usw1-az3', 0), {});
    const fanout = await twin.call(fanoutFunctionName('usw1-az3'), {});
    expect(sampler.kind === 'ok' && sampler.runMs).toBe(500);
    expect(fanout.kind === 'ok' && fanout.runMs).toBe(540);
  });
});
