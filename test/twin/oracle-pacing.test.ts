import { billedCost } from '../../lib/core/cost-model';
import { meanRuntimeMs, type OracleZone, oracleBurst } from '../../lib/twin/burst';
import { runTwinExperiment } from '../../lib/twin/experiment';
import { catalogPrices } from '../../lib/twin/prices';
import { strategyTotals } from '../../lib/twin/report';
import { burstConcurrency } from '../../lib/twin/routing';
import { smallScenario } from './fixtures';

describe('the oracle under the pacing of the strategies', () => {
  const scenario = smallScenario();
  const workload = scenario.workloads.zipper;
  // 3 hosts of the 3.0 GHz Xeon (the cheapest slots), 10 of the 2.5 GHz, 1 slot each.
  const zone: OracleZone = {
    azId: 'usw1-az3',
    region: 'us-west-1',
    hostsByCpu: new Map([
      ['intel-xeon-3.00', 3],
      ['intel-xeon-2.50', 10],
    ]),
    slotsPerHost: 1,
    hostMemoryMb: 393_216,
  };
  const noise = new Float64Array(12).fill(1);
  const INIT_MS = 150;
  const mb = workload.memoryMb;
  const fastMs = Math.ceil(meanRuntimeMs(scenario, workload, 'intel-xeon-3.00', mb));
  const slowMs = Math.ceil(meanRuntimeMs(scenario, workload, 'intel-xeon-2.50', mb));
  const price = catalogPrices.billing('us-west-1', 'x86_64');
  const bill = (ms: number): number => billedCost(ms, mb, price);
  const burst = (concurrency?: number) =>
    oracleBurst([zone], workload, scenario, noise, 12, catalogPrices, {
      memorySizes: [mb],
      initBilledMs: INIT_MS,
      ...(concurrency !== undefined ? { concurrency } : {}),
    });

  it('with every call at once, starts one new instance per call and pays INIT for each', () => {
    const all = burst();
    expect(all.acceptedByCpu).toEqual({ 'intel-xeon-3.00': 3, 'intel-xeon-2.50': 9 });
    expect(all.costUsd).toBeCloseTo(3 * bill(fastMs + INIT_MS) + 9 * bill(slowMs + INIT_MS), 12);
    expect(burst(12).costUsd).toBe(all.costUsd);
  });

  it('with 3 calls at a time, reuses the 3 cheapest instances warm and pays INIT 3 times', () => {
    const paced = burst(3);
    expect(paced.completed).toBe(12);
    expect(paced.acceptedByCpu).toEqual({ 'intel-xeon-3.00': 12 });
    expect(paced.costUsd).toBeCloseTo(3 * bill(fastMs + INIT_MS) + 9 * bill(fastMs), 12);
    expect(paced.costUsd).toBeLessThan(burst().costUsd);
  });

  it('with more calls at a time than the cheapest CPU holds, spreads them by which instance frees first', () => {
    const paced = burst(5);
    // 5 instances (3 fast, 2 slow): the fast ones free first, so they take more of the calls.
    expect(paced.acceptedByCpu['intel-xeon-3.00']).toBeGreaterThan(paced.acceptedByCpu['intel-xeon-2.50']);
    expect(paced.acceptedByCpu['intel-xeon-3.00'] + paced.acceptedByCpu['intel-xeon-2.50']).toBe(12);
    expect(paced.billedMs).toBe(
      paced.acceptedByCpu['intel-xeon-3.00'] * fastMs + paced.acceptedByCpu['intel-xeon-2.50'] * slowMs + 5 * INIT_MS,
    );
  });

  it('paces as the router batch does: at most 1000 at once, and a burst in waves', () => {
    expect(burstConcurrency(50)).toBe(50);
    expect(burstConcurrency(3000)).toBe(1000);
    expect(burstConcurrency(1000, 4)).toBe(250);
    expect(burstConcurrency(10, 4)).toBe(3);
  });
});

describe('a twin run in waves', () => {
  // Polls of 60 requests fit the small zones, so the run stays quick.
  const SAMPLING = { pollConcurrency: 60, fanoutBranching: 8, maxProbePolls: 12 };

  it('paces the oracle as the most paced strategy: slower with waves, and no strategy costs less than it', async () => {
    const scenario = smallScenario({ days: 1 });
    const [atOnce, inWaves] = await Promise.all([
      runTwinExperiment(scenario, { sampling: SAMPLING }),
      runTwinExperiment(scenario, { sampling: SAMPLING, waves: 5 }),
    ]);
    const oracleOf = (result: typeof atOnce, workload: string) =>
      result.days[0].bursts.find((b) => b.workload === workload && b.strategy === 'oracle')!;
    let pacedFurther = 0;
    for (const [result, waves] of [
      [atOnce, 1],
      [inWaves, 5],
    ] as const) {
      for (const workload of Object.keys(scenario.workloads)) {
        const routed = result.days[0].bursts.filter((b) => b.workload === workload && b.strategy !== 'oracle');
        const paces = routed.map((b) => b.concurrency!);
        expect(oracleOf(result, workload).concurrency).toBe(
          Math.min(burstConcurrency(scenario.burst, waves), ...paces),
        );
      }
    }
    for (const [workload, byStrategy] of strategyTotals(inWaves)) {
      const oracle = byStrategy.get('oracle')!.costUsd;
      for (const [, totals] of byStrategy) expect(totals.costUsd).toBeGreaterThanOrEqual(oracle);
      const [inWavesBurst, atOnceBurst] = [oracleOf(inWaves, workload), oracleOf(atOnce, workload)];
      if (inWavesBurst.concurrency! < atOnceBurst.concurrency!) {
        pacedFurther += 1;
        expect(inWavesBurst.outcome.costUsd).toBeLessThan(atOnceBurst.outcome.costUsd);
      } else {
        expect(inWavesBurst.outcome.costUsd).toBe(atOnceBurst.outcome.costUsd);
      }
    }
    // the waves pace the oracle below what some strategy chose at once
    expect(pacedFurther).toBeGreaterThan(0);
  });
});
