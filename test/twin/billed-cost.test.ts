import type { DynamicResponse } from '../../lib/contracts/protocol';
import { dynamicFunctionName } from '../../lib/core/naming';
import { routedTwin, smallScenario, trueMixCharacterizations } from './fixtures';

/**
 * The router prices each attempt from Lambda's own REPORT record (the invoke's log tail), so a batch's cost in its
 * answer is what the platform billed, a new instance's INIT included (billed since 2025-08-01), not only what the
 * handler timed itself.
 */
describe("a batch's cost is what Lambda billed", () => {
  it("counts every new instance's INIT, as the twin's bill does", async () => {
    // GIVEN the router over the twin, INIT billed at 400 ms a new instance, and a strategy that rejects most CPUs
    const scenario = smallScenario({ days: 1, initMs: 400 });
    const { clock, twin, routing } = routedTwin(scenario, { memorySizes: [2048] });
    twin.setDay(0);
    routing.characterize(trueMixCharacterizations(scenario, 400, { polls: 2 }));
    // WHEN a burst of 60 calls runs as one batch, each retry on a new instance
    const sent = await clock.run(() =>
      routing.burst(
        {
          workload: { name: 'zipper', size: 'small' },
          strategy: 'focus-fastest',
          limits: { zones: ['usw1-az3'], memoryMb: 2048, arch: 'x86_64' },
        },
        60,
      ),
    );
    if (!('answer' in sent)) throw new Error(`the router refused the burst: ${sent.refused}`);
    const { answer, outcome } = sent;
    // THEN the premise: more instances were started than calls, so INIT is a visible part of the bill
    expect(answer.summary.newInstances).toBeGreaterThan(60);
    expect((answer.summary.newInstances * 400) / outcome.billedMs).toBeGreaterThan(0.01);
    // and the answer's cost is the twin's bill, to the rounding of a dollar amount
    expect(answer.summary.costUsd).toBeCloseTo(outcome.costUsd, 9);
  });

  it("stops a modelled run at the call's deadline, answering Timeout and billed until then", async () => {
    // GIVEN a workload whose runs take about 1 s, and a call that allows 300 ms
    const scenario = smallScenario({ days: 1 });
    const { clock, twin } = routedTwin(scenario, { memorySizes: [2048] });
    twin.setDay(0);
    const name = dynamicFunctionName('usw1-az3', 'x86_64', 2048);
    const [warm, result] = await clock.run(async () => [
      await twin.invoke(name, { workload: { name: 'zipper', size: 'small' } }, { logTail: true }),
      await twin.invoke(name, { workload: { name: 'zipper', size: 'small' }, timeoutMs: 300 }, { logTail: true }),
    ]);
    if (!warm.ok || !result.ok) throw new Error('a call failed at the platform');
    // THEN the premise: an unlimited run takes far longer than 300 ms
    expect(warm.report?.durationMs).toBeGreaterThan(600);
    // and the limited one ends at its deadline with the handler's own answer, billed that long and no longer
    const answer = result.payload as DynamicResponse;
    expect(answer).toMatchObject({
      status: 'error',
      error: { type: 'Timeout', message: expect.stringMatching(/deadline of 300 ms/) },
    });
    expect(result.report?.durationMs).toBeGreaterThanOrEqual(300);
    expect(result.report?.durationMs).toBeLessThan(400);
  });

  it('bills a rejection that answers at once 1 ms, as Lambda rounds a duration up to the next millisecond', async () => {
    // GIVEN a dynamic function's instance, warm after one call, and the CPU it runs on
    const scenario = smallScenario({ days: 1 });
    const { clock, twin } = routedTwin(scenario, { memorySizes: [2048] });
    twin.setDay(0);
    const name = dynamicFunctionName('usw1-az3', 'x86_64', 2048);
    const request = { workload: { name: 'zipper', size: 'small' } };
    const [first, rejected] = await clock.run(async () => {
      const warmed = await twin.invoke(name, request, { logTail: true });
      if (!warmed.ok) throw new Error(`the first call failed: ${warmed.message}`);
      const { cpuKey } = (warmed.payload as DynamicResponse).inspection;
      // WHEN the next call rejects that CPU without holding the instance
      return [
        warmed,
        await twin.invoke(name, { ...request, reject: { cpus: [cpuKey], holdMs: 0 } }, { logTail: true }),
      ];
    });
    // THEN the premise: the warm instance took it and rejected it in no time on the twin's clock
    if (!rejected.ok) throw new Error(`the rejected call failed: ${rejected.message}`);
    const answer = rejected.payload as DynamicResponse;
    expect(answer.status).toBe('rejected');
    expect(answer.inspection.instanceId).toBe((first.payload as DynamicResponse).inspection.instanceId);
    expect(rejected.report?.durationMs).toBe(0);
    // and Lambda's REPORT line bills it 1 ms, as the router prices a rejection
    expect(rejected.report?.billedMs).toBe(1);
  });
});
