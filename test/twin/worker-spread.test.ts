import { formatAnswer } from '../../lib/cli/invoke-command';
import type { BatchAnswer } from '../../lib/routing/types';
import { characterizationOf, profiledBatch, routedTwin, smallScenario } from './fixtures';

/**
 * Two zones whose arm64 fleets are a fifth and a sixth Graviton3, on which the workload runs in 0.6× Graviton2's time:
 * `optimal` rejects Graviton2. At 3,538 MB a host holds 111 instances, so the first zone's 2 Graviton3 hosts hold 222
 * of a burst's 600 calls at a time, and the second zone's 3 hold 333. Started all in the first zone, the calls beyond
 * its Graviton3 hosts meet Graviton2 until their attempts run out; the workers beyond them start in the second zone.
 */
const FIRST = {
  azId: 'euc1-az1',
  region: 'eu-central-1',
  hosts: 10,
  slotsPerHost: 200,
  placementSpread: 1,
  mix: [{ xeon25: 1 }],
  arm64: { hosts: 10, mix: [{ graviton2: 0.8, graviton3: 0.2 }] },
};
const SECOND = { ...FIRST, azId: 'euc1-az2', arm64: { hosts: 18, mix: [{ graviton2: 5 / 6, graviton3: 1 / 6 }] } };

const scenario = smallScenario({
  days: 1,
  baselineZone: FIRST.azId,
  initMs: 300,
  pricing: { initBilled: true },
  cpus: {
    xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
    graviton2: { model: 'graviton2' },
    graviton3: { model: 'graviton3' },
  },
  zones: [FIRST, SECOND],
  workloads: {
    cpu: { memoryMb: 3538, baseMs: 60_000, cv: 0.02, relative: { xeon25: 1.3, graviton2: 1, graviton3: 0.6 } },
  },
});

/** A burst of 600 calls, all at once, unpaced, in the zones given. */
async function burst(zones: readonly string[]): Promise<BatchAnswer> {
  const env = routedTwin(scenario, { memorySizes: [3538], architectures: ['arm64'] });
  env.twin.setDay(0);
  env.routing.characterize([
    characterizationOf(FIRST, { graviton2: 8, graviton3: 2 }, { arch: 'arm64' }),
    characterizationOf(SECOND, { graviton2: 15, graviton3: 3 }, { arch: 'arm64' }),
  ]);
  return profiledBatch(env, {
    workload: { name: 'cpu', size: 'small' },
    limits: { memorySizes: [3538], architectures: ['arm64'], zones: [...zones], maxAttempts: 10 },
    batch: { count: 600, concurrency: 600 },
  });
}

const onGraviton3 = (answer: BatchAnswer): number => answer.calls.filter((c) => c.cpu === 'graviton3').length;

describe('a batch wider than its fleet holds on the CPUs it accepts starts the workers beyond elsewhere', () => {
  it('starts the workers beyond the first zone’s Graviton3 hosts in the second zone, and runs more calls on Graviton3', async () => {
    const answer = await burst([FIRST.azId, SECOND.azId]);
    expect(answer.summary.succeeded).toBe(600);
    expect(answer.placement.target).toMatchObject({ azId: FIRST.azId, arch: 'arm64', memoryMb: 3538 });
    expect(answer.placement.rejectCpus).toEqual(['graviton2']);
    const second = 'sky-euc1-az2-arm64-3538';
    // Started there, not moved there at a retry: about as many workers as the second zone's Graviton3 hosts hold (333;
    // the router's estimate of them, from its characterization, is 300).
    expect(answer.summary.spreadStarts).toBeGreaterThan(250);
    expect(answer.summary.byFunction[second] - (answer.summary.searchMoves ?? 0)).toBeGreaterThan(250);
    expect(formatAnswer(answer)).toMatch(/\d+ calls started in another fleet \(spread\)/);
    // Kept to the first zone, the calls beyond its 2 Graviton3 hosts (222 instances) end on Graviton2.
    const kept = await burst([FIRST.azId]);
    expect(kept.summary.succeeded).toBe(600);
    expect(kept.summary.spreadStarts).toBeUndefined();
    expect(onGraviton3(kept)).toBeLessThanOrEqual(222);
    // 333 calls on Graviton3 against 222, $1.32 against $1.44.
    expect(onGraviton3(answer)).toBeGreaterThan(onGraviton3(kept) + 100);
    expect(answer.summary.costUsd).toBeLessThan(kept.summary.costUsd);
  });
});
