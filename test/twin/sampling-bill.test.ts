import type { FanoutResponse } from '../../lib/contracts';
import { fanoutFunctionName } from '../../lib/core/naming';
import { trueMixOf } from '../../lib/twin/experiment';
import { catalogPrices } from '../../lib/twin/prices';
import { DEFAULT_TWIN_SAMPLING, type PollSummary, sampleZone } from '../../lib/twin/sampling';
import { routedTwin, smallScenario } from './fixtures';

/**
 * A sampling run prices its polls from what Lambda billed: the fan-out tree asks for each call's log tail and reads
 * its REPORT record, so a sampler's new instance is billed its INIT (billed since 2025-08-01) as the platform bills
 * it, not as a configured estimate, and the tree's inner fan-out calls are billed as their own records say.
 */
describe("a sampling run's polls are billed as Lambda billed them", () => {
  it("sums the samplers' and inner fan-out calls' REPORT records, INIT included", async () => {
    // GIVEN a twin whose new instances take 400 ms of billed INIT, and its bill of every call by function
    const scenario = smallScenario({ days: 1, initMs: 400 });
    const { clock, twin } = routedTwin(scenario, { memorySizes: [2048] });
    twin.setDay(0);
    const fanout = fanoutFunctionName('usw1-az3');
    const bill = { samplerMs: 0, samplerInits: 0, fanoutMs: 0, fanoutCalls: 0 };
    twin.onInvoke = (functionName, result) => {
      if (result.kind !== 'ok') return;
      if (functionName.startsWith('sky-smp-')) {
        bill.samplerMs += Math.ceil(result.billedMs);
        if ((result.initBilledMs ?? 0) > 0) bill.samplerInits++;
      } else if (functionName === fanout) {
        bill.fanoutMs += Math.ceil(result.billedMs);
        bill.fanoutCalls++;
      }
    };
    // (the roots are the state machine's calls: their bill is kept apart)
    const invoke = twin.invoke.bind(twin);
    let rootMs = 0;
    twin.invoke = async (functionName, payload, options) => {
      if (functionName !== fanout || options !== undefined) return invoke(functionName, payload, options);
      const answer = await invoke(functionName, payload, { logTail: true });
      if (answer.ok) rootMs += answer.report?.billedMs ?? Number.NaN;
      return answer;
    };
    // WHEN the zone is sampled as its state machine samples it, in polls of 40 through a tree of branching 10
    const sampling = await clock.run(() =>
      sampleZone(twin, clock, 'usw1-az3', trueMixOf(scenario, 'usw1-az3', 0), catalogPrices, {
        ...DEFAULT_TWIN_SAMPLING,
        pollConcurrency: 40,
        fanoutBranching: 10,
        probeSaturation: false,
      }),
    );
    // A poll is stored as the fan-out answered it, with the tree's own calls.
    const polls = sampling.polls as ReadonlyArray<PollSummary & Pick<FanoutResponse, 'fanoutCalls' | 'fanoutMs'>>;
    const sum = (f: (p: (typeof polls)[number]) => number): number => polls.reduce((t, p) => t + f(p), 0);
    // THEN the premise: the polls started new instances, whose INIT is a visible part of the bill
    expect(sum((p) => p.newInstances)).toBeGreaterThan(0);
    expect(bill.samplerInits).toBe(sum((p) => p.newInstances));
    // AND the polls' billed time is the twin's bill of the samplers, each new instance's INIT counted as billed
    expect(sum((p) => p.billedMs)).toBe(bill.samplerMs);
    expect(sum((p) => p.initsBilled ?? 0)).toBe(bill.samplerInits);
    // AND the tree's inner calls are billed as the twin billed them
    expect(sum((p) => p.fanoutCalls ?? 0)).toBe(bill.fanoutCalls - polls.length);
    expect(rootMs).toBeGreaterThan(0);
    expect(sum((p) => p.fanoutMs ?? 0)).toBe(bill.fanoutMs - rootMs);
  });
});
