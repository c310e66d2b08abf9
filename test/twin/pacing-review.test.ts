import type { PlacementRequest } from '../../lib/core/types';
import { RETRY_REPEAT_PRIOR } from '../../lib/routing/pool';
import type { BatchAnswer } from '../../lib/routing/types';
import { recordingPlacer } from '../router/recording-placer';
import { characterizationOf, profiledBatch, routedTwin, smallScenario } from './fixtures';

/** A zone whose functions' cold starts prefer a fifth of its 40 hosts; 15% of them run the AMD EPYC. */
const PACKED_ZONE = {
  azId: 'usw1-az3',
  region: 'us-west-1',
  hosts: 40,
  slotsPerHost: 40,
  placementSpread: 0.2,
  mix: [{ xeon25: 0.85, epyc: 0.15 }],
};
const WORKLOAD = { name: 'gemm', size: 'small' } as const;
const LIMITS = { memoryMb: 2048, arch: 'x86_64', maxAttempts: 10 } as const;

function scenarioOf(zones: ReadonlyArray<Record<string, unknown>>, seed?: number) {
  return smallScenario({
    ...(seed !== undefined ? { seed } : {}),
    days: 1,
    initMs: 300,
    pricing: { initBilled: true },
    zones,
    workloads: { gemm: { memoryMb: 2048, baseMs: 60_000, cv: 0.02, relative: { xeon25: 1, epyc: 0.6 } } },
  });
}

/**
 * A batch of 800 gemm calls given 400 at a time on day 0 of `scenario`, its zones characterized with `counts` (in
 * the scenario's order), with `maxSlowdown`; at 2048 MB in any zone unless `only` names the zones or memory sizes.
 */
async function pacedBatch(
  scenario: ReturnType<typeof scenarioOf>,
  counts: ReadonlyArray<Record<string, number>>,
  maxSlowdown: number,
  only: { readonly zones?: readonly string[]; readonly memorySizes?: readonly number[] } = {},
  /** Told every request the router places, in order. */
  record?: (request: PlacementRequest) => void,
): Promise<BatchAnswer> {
  const { memoryMb, ...anyMemory } = LIMITS;
  const env = routedTwin(scenario, {
    memorySizes: only.memorySizes ?? [memoryMb],
    ...(record ? { wrapPlacerFactory: (factory) => recordingPlacer(factory, record) } : {}),
  });
  env.twin.setDay(0);
  env.routing.characterize(counts.map((c, i) => characterizationOf(scenario.zones[i], c)));
  return profiledBatch(env, {
    workload: WORKLOAD,
    limits: {
      ...(only.memorySizes ? { ...anyMemory, memorySizes: [...only.memorySizes] } : LIMITS),
      ...(only.zones ? { zones: [...only.zones] } : {}),
    },
    batch: { count: 800, concurrency: 400, maxSlowdown },
  });
}

/**
 * A paced batch that its pacing shuts into the function's own few hosts (generated seed 14, long-gemm-1): each
 * function's cold starts prefer a fifth of the zone's hosts and fill its share of one (6 instances at 2048 MB)
 * before the next, so a batch run 20 or so at a time keeps to about 4 hosts, and once it holds the fast instances
 * there a rejected instance's replacement is a slow one again. Run 200 at a time, the calls spread over the zone.
 */
describe('a paced batch weighs its pacing again by what its calls meet', () => {
  const scenario = scenarioOf([PACKED_ZONE]);
  const batch = (maxSlowdown: number) =>
    pacedBatch(scenario, [{ 'intel-xeon-2.50': 340, 'amd-epyc': 60 }], maxSlowdown);

  it('widens to the given concurrency early, once its replacements keep meeting the rejected CPU', async () => {
    const paced = await batch(10);
    expect(paced.pacing!.concurrency).toBeLessThan(400);
    expect(paced.summary.succeeded).toBe(800);
    // Paced 32 at a time, it widens at call 64: the review leaves the pacing early, having measured the repeat the
    // paced calls met (0.92).
    expect(paced.pacing!.widened).toMatchObject({ concurrency: 400 });
    expect(paced.pacing!.widened!.atCall).toBeLessThan(100);
    expect(paced.pacing!.widened!.retryRepeat).toBeGreaterThan(0.5);
    expect(paced.summary.concurrency).toBe(400);
    // A call's attempts before its last were rejected instances: its billed time before the last counts the INIT
    // (300 ms, billed) of every new one among them (all its new instances but perhaps the last attempt's), and at
    // least 1 ms for each; a call that ran at once has none.
    for (const call of paced.calls) {
      if (call.attempts === 1) expect(call.billedBeforeLastMs).toBeUndefined();
      else {
        expect(call.billedBeforeLastMs).toBeGreaterThanOrEqual(
          Math.max(300 * (call.newInstances - 1), call.attempts - 1),
        );
      }
    }
    expect(paced.calls.some((c) => c.attempts > 1)).toBe(true);
  });

  it('measures the repeat afresh once it widens: its pacing met few hosts, the wider batch spreads over more', async () => {
    // The repeat each call of the batch was placed with (a repeat of 0 is left out of the request), by the calls still
    // to come when it started.
    const placed: Array<{ callsToCome: number; repeat: number }> = [];
    let withoutPool = 0;
    const paced = await pacedBatch(scenario, [{ 'intel-xeon-2.50': 340, 'amd-epyc': 60 }], 10, {}, (request) => {
      if (request.callsToCome === undefined) return;
      if (!request.pool) withoutPool++;
      placed.push({ callsToCome: request.callsToCome, repeat: request.pool?.retryRepeat ?? 0 });
    });
    expect(withoutPool).toBe(0);
    const widened = paced.pacing!.widened!;
    expect(widened.concurrency).toBe(400);
    // Calls started before it widened were placed with the repeat their paced retries met; the first ones started
    // after it with the prior alone, until the wider batch's own retries tell.
    const after = placed.filter((p) => p.callsToCome < 800 - widened.atCall - 1);
    const before = placed.filter((p) => p.callsToCome >= 800 - widened.atCall - 1);
    expect(Math.max(...before.map((p) => p.repeat))).toBeGreaterThan(0.8);
    expect(after.length).toBeGreaterThan(0);
    expect(after[0].repeat).toBe(RETRY_REPEAT_PRIOR.rho);
  });
});

/**
 * The same packed zone, with a second one in the region whose cold starts go to any of its hosts: the packed zone is
 * placed first (a little more of its hosts run the AMD EPYC), and once the paced batch's replacements keep meeting the
 * 2.5 GHz Xeon there, its workers still searching move to the other zone at the batch's pacing, while those that run on
 * an EPYC instance keep it.
 */
describe('a paced batch moves its searching workers to a fleet it has not met', () => {
  const spread = { ...PACKED_ZONE, azId: 'usw1-az1', placementSpread: 1, mix: [{ xeon25: 0.865, epyc: 0.135 }] };
  const scenario = scenarioOf([PACKED_ZONE, spread]);
  const COUNTS = [
    { 'intel-xeon-2.50': 340, 'amd-epyc': 60 },
    { 'intel-xeon-2.50': 346, 'amd-epyc': 54 },
  ];
  const batch = (zones?: readonly string[]) => pacedBatch(scenario, COUNTS, 10, zones ? { zones } : {});

  it('moves once its replacements repeat, runs most calls left there, and costs less than widening', async () => {
    const answer = await batch();
    expect(answer.summary.succeeded).toBe(800);
    expect(answer.placement.target.azId).toBe('usw1-az3');
    const moved = answer.pacing!.moved!;
    expect(moved).toMatchObject({ azId: 'usw1-az1', arch: 'x86_64', memoryMb: 2048 });
    expect(moved.atCall).toBeLessThan(200);
    expect(moved.retryRepeat).toBeGreaterThan(0.5);
    expect(answer.summary.byFunction[moved.functionName]).toBeGreaterThan(400);
    // The workers that found an EPYC in the packed zone kept it: its calls there ran on the EPYC after the move.
    const packedFunction = answer.placement.target.functionName;
    const keptAfterMove = answer.calls.filter(
      (c) => c.index > moved.atCall + answer.pacing!.concurrency && c.functionName === packedFunction,
    );
    expect(keptAfterMove.length).toBeGreaterThan(0);
    expect(keptAfterMove.every((c) => c.cpu === 'amd-epyc')).toBe(true);
    // Kept to the packed zone, the same batch can only widen there: it costs more.
    const kept = await batch(['usw1-az3']);
    expect(kept.pacing!.moved).toBeUndefined();
    expect(kept.pacing!.widened).toBeDefined();
    expect(answer.summary.costUsd).toBeLessThan(kept.summary.costUsd);
  });
});

/**
 * The packed zone alone, the batch allowed 1024 and 2048 MB: each memory size is a function of its own, whose cold
 * starts prefer their own fifth of the zone's hosts. The batch starts at 1024 MB; once its replacements keep meeting
 * the 2.5 GHz Xeon there, its workers still searching move to the 2048 MB function in the same zone (at scenario seed
 * 16; of seeds 1–30, seven move so, and five of the seven cost less than the batch kept to 1024 MB; before paced
 * batches held their time budget, six moved, and five cost less).
 */
describe('a paced batch moves its searching workers to another memory size of its fleet', () => {
  const scenario = scenarioOf([PACKED_ZONE], 16);
  const COUNTS = [{ 'intel-xeon-2.50': 340, 'amd-epyc': 60 }];
  const batch = (memorySizes: readonly number[]) => pacedBatch(scenario, COUNTS, 10, { memorySizes });

  it('moves to the sibling function, and costs less than keeping its pacing where it started', async () => {
    const answer = await batch([1024, 2048]);
    expect(answer.summary.succeeded).toBe(800);
    expect(answer.placement.target).toMatchObject({ azId: 'usw1-az3', memoryMb: 1024 });
    const moved = answer.pacing!.moved!;
    expect(moved).toMatchObject({ azId: 'usw1-az3', arch: 'x86_64', memoryMb: 2048 });
    // The workers holding an EPYC at 1024 MB keep it; the others run their calls at 2048 MB from the move on, more
    // than a round of the batch's calls there.
    expect(answer.summary.byFunction[moved.functionName]).toBeGreaterThan(answer.pacing!.concurrency);
    const sibling = answer.calls.filter((c) => c.functionName === moved.functionName);
    expect(sibling.every((c) => c.index >= moved.atCall)).toBe(true);
    const kept = await batch([1024]);
    expect(kept.pacing!.moved).toBeUndefined();
    expect(answer.summary.costUsd).toBeLessThan(kept.summary.costUsd);
  });
});
