import type { BatchAnswer } from '../../lib/routing/types';
import { characterizationOf, profiledBatch, routedTwin, smallScenario } from './fixtures';

/**
 * A zone whose x86_64 hosts are 15% AMD EPYC, on which gemm runs in 0.6× the 2.5 GHz Xeon's time, and whose arm64
 * fleet runs it on Graviton2 in 0.95× (20% cheaper a GB-second): a call that finds an EPYC is cheapest, so `optimal`
 * hunts it. But a function holds 6 instances of 2048 MB a host, so the zone's 6 EPYC hosts take 36 of a burst's 400
 * calls at a time: once those slots are taken, a call's new instances are 2.5 GHz Xeons, as the batch's draws show,
 * and the rest of a call's search there (likelier to end on a 2.5 GHz Xeon as its attempts run down) costs more than
 * the call on Graviton2, where nothing is left to search.
 */
const ZONE = {
  azId: 'usw1-az3',
  region: 'us-west-1',
  hosts: 40,
  slotsPerHost: 40,
  placementSpread: 1,
  mix: [{ xeon25: 0.85, epyc: 0.15 }],
  arm64: { hosts: 40, mix: [{ graviton2: 1 }] },
};

const scenario = smallScenario({
  days: 1,
  initMs: 300,
  pricing: { initBilled: true },
  cpus: {
    xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
    epyc: { model: 'AMD EPYC' },
    graviton2: { model: 'graviton2' },
  },
  zones: [ZONE],
  workloads: {
    gemm: { memoryMb: 2048, baseMs: 60_000, cv: 0.02, relative: { xeon25: 1, epyc: 0.6, graviton2: 0.95 } },
  },
});

/** A burst of 800 gemm calls, 400 at a time, unpaced, on the architectures given. */
async function burst(architectures: ReadonlyArray<'x86_64' | 'arm64'>): Promise<BatchAnswer> {
  const env = routedTwin(scenario, { memorySizes: [2048], architectures: ['x86_64', 'arm64'] });
  env.twin.setDay(0);
  env.routing.characterize([
    characterizationOf(ZONE, { 'intel-xeon-2.50': 34, 'amd-epyc': 6 }),
    characterizationOf(ZONE, { graviton2: 40 }, { arch: 'arm64' }),
  ]);
  return profiledBatch(env, {
    workload: { name: 'gemm', size: 'small' },
    limits: { memorySizes: [2048], architectures: [...architectures], maxAttempts: 10 },
    batch: { count: 800, concurrency: 400 },
  });
}

describe("a batch's call goes on elsewhere once the rest of its search costs more where it is", () => {
  it('hunts the EPYC on x86_64, goes on on Graviton2 once its draws show the EPYC taken, and costs less', async () => {
    const answer = await burst(['x86_64', 'arm64']);
    expect(answer.summary.succeeded).toBe(800);
    expect(answer.placement.target).toMatchObject({ arch: 'x86_64', memoryMb: 2048 });
    expect(answer.placement.rejectCpus).toContain('intel-xeon-2.50');
    const arm = 'sky-usw1-az3-arm64-2048';
    expect(answer.summary.byFunction[arm]).toBeGreaterThan(200);
    const onArm = answer.calls.filter((c) => c.functionName === arm);
    expect(onArm.every((c) => c.cpu === 'graviton2')).toBe(true);
    // Each began on x86_64 and went on at a retry: 486 after one rejected attempt, 178 after two.
    expect(onArm.every((c) => c.attempts >= 2)).toBe(true);
    expect(answer.summary.searchMoves).toBe(onArm.length);
    // Kept to x86_64, the searches that find no free EPYC run on the 2.5 GHz Xeon after their last attempt: $1.32
    // against $1.17, with 664 of the 800 calls on Graviton2.
    const kept = await burst(['x86_64']);
    expect(kept.summary.succeeded).toBe(800);
    expect(kept.summary.byFunction[arm]).toBeUndefined();
    expect(kept.summary.searchMoves).toBeUndefined();
    expect(answer.summary.costUsd).toBeLessThan(kept.summary.costUsd);
  });
});
