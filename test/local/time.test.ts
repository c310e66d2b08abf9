import type { DynamicResponse } from '../../lib/contracts/protocol';
import { dynamicFunctionName } from '../../lib/core/naming';
import { localHandlerKit } from '../../lib/local/model-kit';
import { PhaseClock } from '../../lib/local/phase-clock';
import { meanRuntimeMs } from '../../lib/twin/burst';
import { Twin } from '../../lib/twin/twin';
import { smallScenario } from '../twin/fixtures';

/** The local sky's handlers on a twin of the small scenario, on a clock at `timeScale` real ms per emulated ms. */
function localTwin(timeScale: number) {
  const scenario = smallScenario({ days: 1 });
  const clock = new PhaseClock(timeScale);
  const twin = new Twin({ scenario, clock, kit: localHandlerKit(scenario, 250) });
  twin.setDay(0);
  return { scenario, clock, twin };
}

/** Runs zipper on usw1-az3's x86_64 function of `memoryMb`, with its log tail; throws unless it answers ok. */
async function runZipper(twin: Twin, memoryMb: number) {
  const name = dynamicFunctionName('usw1-az3', 'x86_64', memoryMb);
  const result = await twin.invoke(name, { workload: { name: 'zipper', size: 'small' } }, { logTail: true });
  if (!result.ok) throw new Error(`the call failed: ${result.message}`);
  const answer = result.payload as DynamicResponse;
  if (answer.status !== 'ok') throw new Error(`the call answered ${answer.status}`);
  const { modelledMs } = answer.result as { modelledMs: number };
  return { report: result.report, cpuKey: answer.inspection.cpuKey, modelledMs };
}

describe("the local sky's bill at routing speed", () => {
  it("bills a call exactly its modelled runtime, not this host's delays scaled up 200 times", async () => {
    // GIVEN the local sky's handlers on a clock at routing speed (1 real ms is 200 emulated ones)
    const { clock, twin } = localTwin(0.005);
    try {
      // WHEN a new instance and then the same, warm, instance run a workload
      for (const cold of [true, false]) {
        const { report, modelledMs } = await runZipper(twin, 4096);
        if (report === undefined) throw new Error('the call did not answer with a REPORT record');
        // THEN its REPORT lasts the modelled runtime and bills it, with the INIT of a new instance
        expect(modelledMs).toBeGreaterThan(500);
        expect(report.durationMs).toBe(modelledMs);
        expect(report.billedMs).toBe(modelledMs + (cold ? twin.initBilledMs : 0));
      }
    } finally {
      clock.dispose();
    }
  });
});

describe("the local sky's workload model", () => {
  it("runs a call at its function's memory size: at a quarter of one vCPU, four times as long", async () => {
    // GIVEN zipper (one vCPU's work, 4,096 MB in the scenario) on functions of 1,769 MB (one vCPU) and 442 MB
    const { scenario, clock, twin } = localTwin(0.001);
    try {
      for (const memoryMb of [1769, 442]) {
        // WHEN it runs on each
        const { cpuKey, modelledMs } = await runZipper(twin, memoryMb);
        // THEN it runs the model's runtime of its CPU at that memory size, within the workload's 3% noise
        const mean = meanRuntimeMs(scenario, scenario.workloads.zipper, cpuKey, memoryMb);
        expect(mean).toBeCloseTo(
          meanRuntimeMs(scenario, scenario.workloads.zipper, cpuKey, 1769) * (1769 / memoryMb),
          6,
        );
        expect(modelledMs / mean).toBeGreaterThan(0.85);
        expect(modelledMs / mean).toBeLessThan(1.15);
      }
    } finally {
      clock.dispose();
    }
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
