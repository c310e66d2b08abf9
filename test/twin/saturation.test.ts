import type { BatchAnswer, BatchCallOutcome } from '../../lib/routing/types';
import type { VirtualClock } from '../../lib/twin/clock';
import type { TwinRouting } from '../../lib/twin/routing';
import { characterizationOf, routedTwin, smallScenario } from './fixtures';

const SMALL = 'usw1-az1';
const LARGE = 'usw1-az3';
const XEON25 = 'intel-xeon-2.50';
const XEON30 = 'intel-xeon-3.00';

/**
 * A zone that saturates, through the routing service the router Lambda runs (`TwinRouting` → `RoutingService` →
 * batch → `followRoute`, the real dynamic handler on emulated instances, a virtual clock). The zone with the best
 * mix holds only 20 instances; its sibling holds 400 and is almost all 2.5 GHz Xeons, where rejecting them would
 * cost a new instance per attempt. A burst of 120 calls, 40 at a time, is sent to the best zone.
 */
describe('a batch larger than the best zone holds', () => {
  const scenario = smallScenario({
    days: 1,
    initMs: 150,
    pricing: { initBilled: true },
    zones: [
      { azId: SMALL, region: 'us-west-1', hosts: 4, slotsPerHost: 5, mix: [{ xeon30: 0.7, xeon25: 0.3 }] },
      { azId: LARGE, region: 'us-west-1', hosts: 40, slotsPerHost: 10, mix: [{ xeon25: 0.95, xeon30: 0.05 }] },
    ],
    workloads: { zipper: { memoryMb: 2048, baseMs: 1000, cv: 0.02, relative: { xeon25: 1, xeon30: 0.5 } } },
  });
  const LIMITS = { memoryMb: 2048, arch: 'x86_64', maxAttempts: 10 } as const;
  const CONCURRENCY = 40;
  const WORKLOAD = { name: 'zipper', size: 'small' } as const;

  /** The zones characterized by their true mixes and the workload profiled in both; `before` runs next. */
  async function routed<T>(before: (routing: TwinRouting, clock: VirtualClock) => Promise<T>): Promise<T> {
    const { clock, twin, routing } = routedTwin(scenario, { memorySizes: [2048, 4096] });
    twin.setDay(0);
    const [small, large] = scenario.zones;
    routing.characterize([
      characterizationOf(small, { [XEON30]: 140, [XEON25]: 60 }),
      characterizationOf(large, { [XEON25]: 190, [XEON30]: 10 }),
    ]);
    return clock.run(async () => {
      // Profiling: a few calls in each zone, accepting any CPU, so both CPUs' runtimes are observed.
      for (const zone of [SMALL, LARGE]) {
        await routing.burst(
          { workload: WORKLOAD, strategy: 'regional', limits: { ...LIMITS, zones: [zone], maxAttempts: 1 } },
          16,
        );
        clock.advanceTo(clock.now() + 600_000);
      }
      clock.advanceTo(clock.now() + 600_000);
      return before(routing, clock);
    });
  }

  async function optimalBurst(routing: TwinRouting, count: number): Promise<BatchAnswer> {
    const answer = await routing.service.route({
      workload: WORKLOAD,
      limits: LIMITS,
      batch: { count, concurrency: CONCURRENCY },
    });
    if (answer.status !== 'batch') throw new Error(`the router refused the burst: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** One optimal burst of 120 calls, 40 at a time, after checking where the router places it. */
  const saturatingBurst = (): Promise<BatchAnswer> =>
    routed(async (routing) => {
      const probe = await routing.service.plan({ workload: WORKLOAD, limits: LIMITS });
      expect(probe.placement.target.azId).toBe(SMALL);
      expect(probe.placement.rejectCpus).toEqual([XEON25]);
      return optimalBurst(routing, 3 * CONCURRENCY);
    });

  let answer: BatchAnswer;
  let inSmall: BatchCallOutcome[];
  let inLarge: BatchCallOutcome[];

  beforeAll(async () => {
    answer = await saturatingBurst();
    inSmall = answer.calls.filter((c) => c.azId === SMALL);
    inLarge = answer.calls.filter((c) => c.azId === LARGE);
  });

  it('answers every call, and the full zone throttled', () => {
    expect(answer.summary.succeeded).toBe(120);
    expect(answer.summary.failovers).toBeGreaterThan(0);
  });

  it('keeps sending the full zone as many calls at once as it held, instead of leaving it for the rest of the batch', () => {
    // 20 slots, each worker's call leaving its instance warm for the worker's next: about 20 × 3 calls fit.
    expect(inSmall.length).toBeGreaterThanOrEqual(45);
    expect(inSmall.length + inLarge.length).toBe(120);
  });

  it('rejects nothing in a zone its calls fill, where a retry would only meet the slot the rejected instance left', () => {
    // Once the zone is known full, a call rejected there takes its second instance whatever its CPU; calls that keep
    // rejecting 2.5 GHz Xeons there only cycle through the slots those hosts free (45 rejects when they do).
    expect(Math.max(...inSmall.map((c) => c.attempts))).toBeLessThanOrEqual(2);
    expect(inSmall.reduce((sum, c) => sum + c.rejects, 0)).toBeLessThanOrEqual(12);
  });

  it("places the calls that fail over with the other zone's own mix, and prices them there", () => {
    // The large zone is 95% 2.5 GHz Xeons: rejecting them there would take ~20 attempts a call.
    expect(inLarge.length).toBeGreaterThan(0);
    const attemptsThere = inLarge.reduce((sum, c) => sum + c.attempts - c.failovers, 0) / inLarge.length;
    expect(attemptsThere).toBeLessThan(1.5);
    // The expectation is each call's placement on the zone it ran in: realised within 10% of it.
    const ratio = answer.summary.costUsd / answer.summary.expectedCostUsd;
    expect(ratio).toBeGreaterThan(0.9);
    expect(ratio).toBeLessThan(1.1);
  });

  it('prices a call that failed over by the placement it ran under in the zone it ended in', async () => {
    // GIVEN another function's warm instances fill every slot of the best zone
    const answer = await routed(async (routing) => {
      const filler = await routing.service.route({
        workload: WORKLOAD,
        strategy: 'regional',
        limits: { memoryMb: 4096, arch: 'x86_64', zones: [SMALL], maxAttempts: 1 },
        batch: { count: 20, concurrency: 20 },
      });
      expect(filler.status === 'batch' && filler.summary.succeeded).toBe(20);
      // WHEN a burst placed on it arrives, every call is throttled there and runs in the other zone
      return optimalBurst(routing, CONCURRENCY);
    });
    expect(answer.placement.target.azId).toBe(SMALL);
    expect(answer.calls.every((c) => c.status === 'ok' && c.azId === LARGE && c.failovers === 1)).toBe(true);
    // THEN it was expected to cost what it cost there, not what it would have cost in the zone it could not run in
    // (priced there, the ratio is 1.33)
    const ratio = answer.summary.costUsd / answer.summary.expectedCostUsd;
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
    // and it took what came there: rejecting that zone's 95% of 2.5 GHz Xeons would take ~20 attempts a call
    expect(answer.summary.rejects).toBeLessThanOrEqual(4);
  });
});
