import { resolveZones } from '../../lib/core/zone-mix';
import { characterization, paperView, X25, X30 } from './fixtures';

const HOUR = 3_600_000;
const G2 = 'graviton2';
const G3 = 'graviton3';

/** A characterization of a zone's arm64 fleet, as the zone's arm64 state machine writes it. */
function arm64Characterization(azId: string, region: string, counts: Record<string, number>, hoursAgo = 1) {
  return { ...characterization(azId, region, counts, hoursAgo), arch: 'arm64' as const };
}

describe('resolveZones with a characterization per zone × architecture', () => {
  it("reads a zone's arm64 mix from its arm64 characterization and its x86_64 mix from the x86_64 one", () => {
    // GIVEN both fleets of usw1-az1 sampled (the arm64 record comes last, as the router's query may return it)
    const zones = [
      characterization('usw1-az1', 'us-west-1', { [X25]: 60, [X30]: 40 }),
      arm64Characterization('usw1-az1', 'us-west-1', { [G2]: 48, [G3]: 2 }),
    ];
    // WHEN the router resolves the zone
    const [zone] = resolveZones(paperView({ zones, deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }] }), 48 * HOUR);
    // THEN each architecture has its own measured mix
    expect(zone.mixes.arm64).toMatchObject({ cpus: [G2, G3], source: 'measured', confidence: 1 });
    expect(zone.mixes.arm64.shares[1]).toBeCloseTo(0.04, 12);
    expect(zone.mixes.x86_64).toMatchObject({ cpus: [X25, X30], shares: [0.6, 0.4], source: 'measured' });
    expect(zone.notes.arm64).toEqual([]);
  });

  it('keeps the x86_64 mix when the arm64 record is read first', () => {
    const zones = [
      arm64Characterization('usw1-az1', 'us-west-1', { [G2]: 40 }),
      characterization('usw1-az1', 'us-west-1', { [X25]: 60, [X30]: 40 }),
    ];
    const [zone] = resolveZones(paperView({ zones, deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }] }), 48 * HOUR);
    expect(zone.mixes.x86_64.source).toBe('measured');
    expect(zone.mixes.arm64).toMatchObject({ cpus: [G2], shares: [1], source: 'measured' });
  });

  it('judges each architecture by its own age: a stale arm64 record does not age the fresh x86_64 one', () => {
    const zones = [
      characterization('usw1-az1', 'us-west-1', { [X25]: 60, [X30]: 40 }, 1),
      arm64Characterization('usw1-az1', 'us-west-1', { [G2]: 45, [G3]: 5 }, 144),
    ];
    const [zone] = resolveZones(paperView({ zones, deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }] }), 48 * HOUR);
    expect(zone.mixes.x86_64.source).toBe('measured');
    expect(zone.mixes.arm64.source).toBe('stale-blend');
  });

  it("gives a zone without an arm64 characterization the region's measured arm64 mix, not the baseline CPU", () => {
    const zones = [
      characterization('usw1-az1', 'us-west-1', { [X25]: 60, [X30]: 40 }),
      arm64Characterization('usw1-az1', 'us-west-1', { [G2]: 46, [G3]: 4 }),
      characterization('usw1-az3', 'us-west-1', { [X25]: 100 }),
    ];
    const resolved = resolveZones(
      paperView({
        zones,
        deployed: [
          { azId: 'usw1-az1', region: 'us-west-1' },
          { azId: 'usw1-az3', region: 'us-west-1' },
        ],
      }),
      48 * HOUR,
    );
    const other = resolved.find((z) => z.azId === 'usw1-az3');
    expect(other?.mixes.arm64).toMatchObject({ cpus: [G2, G3], source: 'region-average' });
    expect(other?.mixes.x86_64).toMatchObject({ cpus: [X25], source: 'measured' });
  });

  it('still reads arm64 CPUs from a record without an architecture when the zone has no arm64 record', () => {
    // a record written before arm64 fleets were sampled means x86_64, but its arm64 CPUs (if any) are kept
    const zones = [characterization('usw1-az1', 'us-west-1', { [X25]: 60, [G2]: 10 })];
    const [zone] = resolveZones(paperView({ zones, deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }] }), 48 * HOUR);
    expect(zone.mixes.arm64).toMatchObject({ cpus: [G2], source: 'measured' });
    expect(zone.mixes.x86_64).toMatchObject({ cpus: [X25], source: 'measured' });
  });
});
