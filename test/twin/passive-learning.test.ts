import { ape, distributionOf } from '../../lib/core/distribution';
import { modelRunner, scenarioWorkloads } from '../../lib/twin/burst';
import { VirtualClock } from '../../lib/twin/clock';
import { deployedZoneOf } from '../../lib/twin/deployed-zones';
import { trueMixOf } from '../../lib/twin/experiment';
import { defaultHandlerKit } from '../../lib/twin/handlers';
import { catalogPrices } from '../../lib/twin/prices';
import { TwinRouting } from '../../lib/twin/routing';
import { DEFAULT_EPOCH_MS, Twin } from '../../lib/twin/twin';
import { WORKLOADS } from '../../lib/workloads';
import { smallScenario } from './fixtures';

/**
 * Passive learning, closed: through the routing service the router Lambda runs and the real dynamic
 * handler on emulated instances, a zone the router knows nothing about (no characterization) or only
 * a wrong, stale one comes to be seen with its true mix from routed calls alone.
 */
describe('passive learning from routed calls', () => {
  async function routedPassive(stale: boolean): Promise<{ passiveApe: number; staleApe?: number }> {
    const scenario = smallScenario();
    const clock = new VirtualClock(DEFAULT_EPOCH_MS);
    const state = { noise: new Float64Array(0), next: 0, realWorkloads: false };
    const twin = new Twin({
      scenario,
      clock,
      kit: defaultHandlerKit({
        runnerFor: (platform) => modelRunner(scenario, state, platform),
        workloads: scenarioWorkloads(scenario, WORKLOADS),
      }),
    });
    const routing = new TwinRouting({
      scenario,
      twin,
      prices: catalogPrices,
      deployed: scenario.zones.map(deployedZoneOf),
      architectures: ['x86_64'],
      memorySizes: [2048, 4096],
      rejectMode: 'auto',
      routerOptions: {},
    });
    const truth = trueMixOf(scenario, 'usw1-az3', 0);
    let staleApe: number | undefined;
    if (stale) {
      // a month-old characterization that saw only the 2.9 GHz Xeon
      const wrong = { 'intel-xeon-2.90': 100 };
      staleApe = ape(distributionOf(wrong), truth);
      routing.characterize([
        {
          azId: 'usw1-az3',
          region: 'us-west-1',
          counts: wrong,
          instancesSeen: 100,
          polls: 1,
          failures: 0,
          measuredAt: new Date(DEFAULT_EPOCH_MS - 30 * 86_400_000).toISOString(),
          driftClass: 'unknown',
          costUsd: 0,
        },
      ]);
    }
    // WHEN 150 routed calls (one batch, no reject set) run in the zone
    const { outcome } = await clock.run(() =>
      routing.burst(
        {
          workload: { name: 'zipper', size: 'small' },
          strategy: 'regional',
          limits: { zones: ['usw1-az3'], memoryMb: 4096, arch: 'x86_64', maxAttempts: 1 },
        },
        150,
      ),
    );
    expect(outcome.completed).toBe(150);
    // THEN the router's view carries the zone's passive counts: one per new instance, close to the true mix
    clock.advanceTo(clock.now() + 120_000);
    const view = await clock.run(() => routing.viewSummary());
    const passive = view.passive['usw1-az3'];
    expect(Object.values(passive).reduce((a, b) => a + b, 0)).toBe(150);
    return { passiveApe: ape(distributionOf(passive), truth), ...(staleApe !== undefined ? { staleApe } : {}) };
  }

  it('learns the mix of a zone with no characterization from routed calls alone', async () => {
    const { passiveApe } = await routedPassive(false);
    expect(passiveApe).toBeLessThan(20);
  });

  it('corrects a wrong, stale characterization with what routed calls met', async () => {
    const { passiveApe, staleApe } = await routedPassive(true);
    expect(staleApe).toBeGreaterThan(100);
    expect(passiveApe).toBeLessThan(20);
  });
});
