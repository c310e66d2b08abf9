import { ape, distributionOf } from '../../lib/core/distribution';
import { runTwinExperiment } from '../../lib/twin/experiment';
import { catalogPrices } from '../../lib/twin/prices';
import { twinReport } from '../../lib/twin/report';
import { loadScenario } from '../../lib/twin/scenario';

// usw2-az1 has an arm64 fleet of 50 hosts (4% graviton3 on day 0), use1-az2 one of 40 graviton2, euw1-az1 none.
const SCENARIO = loadScenario('scenarios/stress-arm-rare-fast.json');
const SAMPLE_ONLY = { days: 1, routing: false, sampling: { probeSaturation: false } } as const;

describe("the twin's sampling of arm64 fleets", () => {
  it("samples each AWS zone's arm64 fleet with the arm64 samplers and stores what a deployment would", async () => {
    const run = await runTwinExperiment(SCENARIO, SAMPLE_ONLY);
    const [day] = run.days;
    const arm = day.arm64Sampling ?? [];
    expect(arm.map((s) => [s.azId, s.arch])).toEqual([
      ['usw2-az1', 'arm64'],
      ['use1-az2', 'arm64'],
      ['euw1-az1', 'arm64'],
    ]);
    // THEN the characterization of usw2-az1's arm64 fleet finds its rare graviton3 hosts
    const usw2 = day.arm64Characterizations?.[0];
    expect(usw2).toMatchObject({ azId: 'usw2-az1', arch: 'arm64' });
    expect(Object.keys(usw2?.counts ?? {}).sort()).toEqual(['graviton2', 'graviton3']);
    expect(ape(distributionOf(usw2?.counts ?? {}), arm[0].trueMix)).toBeLessThanOrEqual(5);
    expect(day.arm64Characterizations?.[1]?.counts).toEqual({ graviton2: 40 });
    // AND a zone without an arm64 fleet throttles every sampler: the run stops saturated and stores nothing
    expect(arm[2]).toMatchObject({ stoppedBecause: 'saturated', instancesSeen: 0, stored: false });
    expect(day.arm64Characterizations?.[2]).toBeNull();
    // AND the x86_64 characterizations hold no arm64 CPU
    for (const c of day.characterizations)
      expect(Object.keys(c.counts).some((k) => k.startsWith('graviton'))).toBe(false);
  });

  it("prices an arm64 run at arm64's rate and reports it as a sampling row of its own", async () => {
    const run = await runTwinExperiment(SCENARIO, SAMPLE_ONLY);
    const [day] = run.days;
    const arm = day.arm64Sampling?.[1];
    const x86 = day.sampling[1];
    expect(arm?.costUsd).toBeGreaterThan(0);
    // the arm64 samplers' GB-seconds at arm64's price: less per billed ms than the x86_64 samplers' run
    const perMs = (s: NonNullable<typeof arm>): number => s.costUsd / s.polls.reduce((t, p) => t + p.billedMs, 0);
    const ratio =
      catalogPrices.lambda('us-east-1', 'arm64').perGbSecond / catalogPrices.lambda('us-east-1', 'x86_64').perGbSecond;
    expect(perMs(arm as NonNullable<typeof arm>) / perMs(x86)).toBeLessThan(1);
    expect(perMs(arm as NonNullable<typeof arm>) / perMs(x86)).toBeGreaterThan(ratio - 0.05);
    const rows = twinReport(run).sampling;
    expect(rows.filter((r) => r.arch === 'arm64').map((r) => r.azId)).toEqual(['usw2-az1', 'use1-az2', 'euw1-az1']);
    expect(rows.find((r) => r.arch === 'arm64' && r.azId === 'use1-az2')?.costUsd).toBeCloseTo(arm?.costUsd ?? 0, 6);
  });

  it('samples only the x86_64 fleets when arm64 is not among the sampled architectures', async () => {
    const run = await runTwinExperiment(SCENARIO, { ...SAMPLE_ONLY, sampledArchitectures: ['x86_64'] });
    expect(run.days[0].arm64Sampling).toBeUndefined();
    expect(twinReport(run).sampling.some((r) => r.arch)).toBe(false);
  });
});
