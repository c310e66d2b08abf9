import { ape } from '../../lib/core/distribution';
import type { CpuKey } from '../../lib/core/types';
import type { ZoneMix } from '../../lib/core/zone-mix';
import type { VirtualClock } from '../../lib/twin/clock';
import { trueMixOf } from '../../lib/twin/experiment';
import type { TwinRouting } from '../../lib/twin/routing';
import { DEFAULT_EPOCH_MS, type Twin } from '../../lib/twin/twin';
import { characterizationOf, routedTwin, smallScenario } from './fixtures';

const DAY = 86_400_000;
const ZONE = 'usw1-az3';

/**
 * Passive learning, closed: through the routing service the router Lambda runs and the real dynamic
 * handler on emulated instances, the mix the router places from (the core's blend of the zone's
 * characterization with its aged passive counts, read through the service's view cache) comes to
 * the zone's true mix from routed calls alone: for a zone with no characterization, for a wrong,
 * month-old one, and after the zone's fleet has changed (old passive counts age out).
 */
describe('passive learning from routed calls', () => {
  // The zone is mostly 2.9 GHz Xeons until day 5, then mostly 2.5 GHz ones.
  const before = { xeon29: 0.8, xeon25: 0.2 };
  const after = { xeon25: 0.8, xeon30: 0.2 };
  const scenario = smallScenario({
    days: 7,
    zones: [
      {
        azId: ZONE,
        region: 'us-west-1',
        hosts: 40,
        slotsPerHost: 10,
        mix: [before, before, before, before, before, after],
      },
      { azId: 'sae1-az1', region: 'sa-east-1', hosts: 10, slotsPerHost: 10, mix: [{ xeon25: 0.5, xeon30: 0.5 }] },
    ],
  });

  function setUp(): { clock: VirtualClock; twin: Twin; routing: TwinRouting } {
    const { clock, twin, routing } = routedTwin(scenario, { memorySizes: [2048, 4096] });
    return { clock, twin, routing };
  }

  /** 150 routed calls in the zone on `day` (one batch, no reject set), then the view's next refresh. */
  async function routeOn(env: ReturnType<typeof setUp>, day: number): Promise<void> {
    const { clock, twin, routing } = env;
    twin.setDay(day);
    clock.advanceTo(DEFAULT_EPOCH_MS + day * DAY + 3_600_000);
    const { outcome } = await clock.run(() =>
      routing.burst(
        {
          workload: { name: 'zipper', size: 'small' },
          strategy: 'regional',
          limits: { zones: [ZONE], memoryMb: 4096, arch: 'x86_64', maxAttempts: 1 },
        },
        150,
      ),
    );
    expect(outcome.completed).toBe(150);
    clock.advanceTo(clock.now() + 120_000);
  }

  /** APE of the mix the router places from in the zone against the zone's true mix on `day`. */
  async function placedApe(env: ReturnType<typeof setUp>, day: number): Promise<{ ape: number; mix: ZoneMix }> {
    const mixes = await env.clock.run(() => env.routing.placedMixes());
    const mix = mixes[ZONE].x86_64;
    const shares: Record<CpuKey, number> = {};
    mix.cpus.forEach((cpu, i) => {
      shares[cpu] = mix.shares[i];
    });
    return { ape: ape(shares, trueMixOf(scenario, ZONE, day)), mix };
  }

  it('learns the mix of a zone with no characterization from routed calls alone', async () => {
    const env = setUp();
    // GIVEN no characterization: the router falls back to the baseline CPU alone
    const blind = await placedApe(env, 0);
    expect(blind.mix.source).toBe('baseline-cpu');
    expect(blind.ape).toBeGreaterThan(100);
    // WHEN routed calls run in the zone, THEN the mix placed from is the zone's
    await routeOn(env, 0);
    const learned = await placedApe(env, 0);
    expect(learned.mix.source).toBe('passive');
    expect(learned.ape).toBeLessThan(20);
  });

  it('moves a wrong, month-old characterization to the true mix by what routed calls met', async () => {
    const env = setUp();
    // GIVEN a month-old characterization that saw only the 3.0 GHz Xeon
    const wrong = characterizationOf(
      { azId: ZONE, region: 'us-west-1' },
      { 'intel-xeon-3.00': 100 },
      { measuredAt: new Date(DEFAULT_EPOCH_MS - 30 * DAY).toISOString(), driftClass: 'unknown' },
    );
    env.routing.characterize([wrong]);
    const stale = await placedApe(env, 0);
    expect(stale.mix.source).toBe('stale-blend');
    expect(stale.ape).toBeGreaterThan(100);
    // WHEN routed calls run in the zone, THEN the blended mix placed from is the zone's true one
    await routeOn(env, 0);
    const blended = await placedApe(env, 0);
    expect(blended.mix.source).toBe('stale-blend');
    expect(blended.ape).toBeLessThan(20);
  });

  it('follows a fleet that changed: what routed calls met days ago ages out of the mix', async () => {
    const env = setUp();
    // GIVEN the router learned the zone's old fleet on day 0
    await routeOn(env, 0);
    expect((await placedApe(env, 0)).ape).toBeLessThan(20);
    const shift = ape(trueMixOf(scenario, ZONE, 0), trueMixOf(scenario, ZONE, 5));
    expect(shift).toBeGreaterThan(140);
    // WHEN its fleet changed and routed calls meet the new one on day 5
    await routeOn(env, 5);
    // THEN the mix placed from is the new fleet's, although the store still holds day 0's counts
    const stored = await env.routing.store.allPassiveCounts();
    expect(stored.reduce((sum, p) => sum + Object.values(p.counts).reduce((a, b) => a + b, 0), 0)).toBe(300);
    const followed = await placedApe(env, 5);
    expect(followed.ape).toBeLessThan(20);
  });
});
