import type { RejectMode } from '../../lib/core/reject-mode';
import { runTwinExperiment } from '../../lib/twin/experiment';
import { smallScenario, smallScenarioJson } from './fixtures';

/**
 * The expected cost a placement reports against what the twin bills: each call of a burst is expected at its
 * placement (the reject mode's model, the pool model), and the twin's bill is the platform's.
 */
/**
 * Expected (each call's placement, summed) and realised (the twin's bill) cost per strategy, pooled over runs of
 * several seeds. One run is not enough: a burst's calls share the few hosts its instances land on, so whether those
 * hosts are fast moves a burst's bill by up to ±8% around a correct expectation (one seed's two days range 0.91 to
 * 1.07 for the same code); pooled over 8 seeds of 4 days, that noise is under 1%.
 */
async function expectedAndRealised(
  rejectMode: RejectMode,
): Promise<Record<string, { expected: number; realised: number }>> {
  const out: Record<string, { expected: number; realised: number }> = {};
  for (let seed = 11; seed <= 18; seed++) {
    const run = await runTwinExperiment(smallScenario({ seed, days: 4 }), {
      rejectMode,
      strategies: ['retry-slow', 'focus-fastest', 'optimal'],
      workers: 1,
    });
    for (const day of run.days) {
      for (const b of day.bursts) {
        const sums = out[b.strategy] ?? { expected: 0, realised: 0 };
        out[b.strategy] = sums;
        sums.expected += (b.expectedCostUsd ?? Number.NaN) * b.outcome.requests;
        sums.realised += b.outcome.costUsd;
      }
    }
  }
  return out;
}

describe('each reject mode priced by its own model: expected against what the twin bills', () => {
  it('hold: the retry comes back to the held instance, and the expectation says so for every strategy', async () => {
    const sums = await expectedAndRealised('hold');
    for (const strategy of ['retry-slow', 'focus-fastest', 'optimal']) {
      const { expected, realised } = sums[strategy];
      // Priced as if a retry after a hold met a fresh draw, focus-fastest expects a fraction of its bill.
      expect(realised / expected).toBeGreaterThan(0.97);
      expect(realised / expected).toBeLessThan(1.03);
    }
  }, 300_000);

  it('auto: optimal expects what it is billed', async () => {
    const { expected, realised } = (await expectedAndRealised('auto')).optimal;
    expect(realised / expected).toBeGreaterThan(0.97);
    expect(realised / expected).toBeLessThan(1.03);
  }, 300_000);
});

describe('a batch whose instances serve several calls each', () => {
  it('optimal expects what it is billed: each instance found once, its INIT shared by the calls it serves', async () => {
    // GIVEN a short call (400 ms at 128 MB) whose INIT (800 ms) costs more than its run, 150 calls 50 at a time
    const zipper = {
      memoryMb: 128,
      baseMs: 400,
      cv: 0.03,
      relative: { xeon25: 1, xeon30: 0.88, xeon29: 1.22, epyc: 1.35 },
    };
    const run = await runTwinExperiment(smallScenario({ burst: 150, initMs: 800, workloads: { zipper } }), {
      strategies: ['optimal'],
      workers: 1,
      waves: 3,
    });
    // WHEN each worker's second and third calls run on the instance its first left warm
    let expected = 0;
    let realised = 0;
    for (const b of run.days.flatMap((d) => d.bursts).filter((b) => b.strategy === 'optimal')) {
      expected += (b.expectedCostUsd ?? Number.NaN) * b.outcome.requests;
      realised += b.outcome.costUsd;
    }
    // THEN the expectation holds (expected afresh at their own placements, those calls would count the INIT again:
    // realised / expected 0.77)
    expect(realised / expected).toBeGreaterThan(0.97);
    expect(realised / expected).toBeLessThan(1.03);
  }, 120_000);
});

describe('a call that fails over is expected at the placement it ran under', () => {
  it('regional, whose one-CPU zone runs out of instances: the calls sent on are expected in the zone they ran in', async () => {
    // sa-east-1a holds 50 instances, all on the fast Xeon, so 100 of a burst of 150 are throttled and fail over to
    // usw1-az3, slower and priced otherwise: expected at sa-east-1a's placement they would cost ~11% more than expected.
    const zones = (smallScenarioJson().zones as Array<Record<string, unknown>>).map((z) =>
      z.azId === 'sae1-az1' ? { ...z, hosts: 5, mix: [{ xeon30: 1 }] } : z,
    );
    const run = await runTwinExperiment(smallScenario({ burst: 150, zones }), { strategies: ['regional'], workers: 1 });
    const failedOver = run.days.flatMap((d) =>
      d.bursts.filter((b) => b.strategy === 'regional' && b.outcome.throttled > 0),
    );
    expect(failedOver.length).toBeGreaterThan(0);
    for (const b of failedOver) {
      expect(Object.keys(b.outcome.acceptedByZone).length).toBe(2);
      const ratio = b.outcome.costUsd / ((b.expectedCostUsd ?? Number.NaN) * b.outcome.requests);
      expect(ratio).toBeGreaterThan(0.95);
      expect(ratio).toBeLessThan(1.05);
    }
  }, 120_000);
});
