import { compileView, DEFAULT_REGION_FACTS } from '../../lib/core/compiled-view';
import {
  evidenceCounts,
  measuredConfidence,
  REGION_AVERAGE_EQUIVALENT_APE,
  resolveZones,
} from '../../lib/core/zone-mix';
import { characterization, EPYC, paperView, X25, X30 } from './fixtures';

const HOUR = 3_600_000;

describe('resolveZones', () => {
  it('uses measured mixes per architecture', () => {
    const [zone] = resolveZones(paperView({ deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }] }), 48 * HOUR);
    expect(zone.mixes.x86_64.source).toBe('measured');
    expect(zone.mixes.x86_64.shares.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 12);
    expect(zone.mixes.arm64).toMatchObject({ cpus: ['graviton2'], shares: [1], source: 'baseline-cpu', confidence: 0 });
    expect(zone.notes.x86_64).toEqual([]);
    expect(zone.notes.arm64[0]).toMatch(/no arm64 characterization/);
  });

  it.each([
    // deployed zone, characterized zones, expected source
    ['usw1-az2', ['usw1-az1'], 'region-average'],
    ['cac1-az1', ['usw1-az1'], 'global-average'],
    ['cac1-az1', [], 'baseline-cpu'],
  ])('gives %s a %s mix when only %j are characterized', (azId, characterized, source) => {
    const zones = characterized.map((id) => characterization(id, 'us-west-1', { [X25]: 60, [X30]: 40 }));
    const region = azId.startsWith('usw1') ? 'us-west-1' : 'ca-central-1';
    const resolved = resolveZones(paperView({ zones, deployed: [{ azId, region }] }), 48 * HOUR);
    expect(resolved[0].mixes.x86_64.source).toBe(source);
    if (source !== 'baseline-cpu') expect(resolved[0].mixes.x86_64.shares).toEqual([0.6, 0.4]);
  });

  it('blends a stale mix toward the prior by staleAfter / age', () => {
    const zones = [
      characterization('usw1-az1', 'us-west-1', { [X30]: 10 }, 144),
      characterization('usw1-az3', 'us-west-1', { [X25]: 10 }, 1),
    ];
    const [stale] = resolveZones(paperView({ zones, deployed: [] }), 48 * HOUR);
    expect(stale.mixes.x86_64.source).toBe('stale-blend');
    expect(stale.mixes.x86_64.cpus).toEqual([X25, X30]);
    expect(stale.mixes.x86_64.shares[1]).toBeCloseTo(1 / 3, 12);
    expect(stale.notes.x86_64[0]).toMatch(/144\.0 h ago/);
  });

  it('ignores bad counts and CPUs of the other architecture', () => {
    const zone = characterization('usw1-az1', 'us-west-1', { [X25]: 5, [EPYC]: -3, graviton2: 7 });
    const [resolved] = resolveZones(paperView({ zones: [zone], deployed: [] }), 48 * HOUR);
    expect(resolved.mixes.x86_64.cpus).toEqual([X25]);
    expect(resolved.mixes.arm64).toMatchObject({ cpus: ['graviton2'], source: 'measured' });
  });
});

describe('compileView', () => {
  it('assumes default facts for a region the view does not know, with a note', () => {
    const view = paperView({ deployed: [{ azId: 'xxe1-az1', region: 'xx-east-1' }], zones: [] });
    const compiled = compileView(view, 48 * HOUR);
    expect(compiled.regions[0]).toMatchObject({
      region: 'xx-east-1',
      pricePerRequest: DEFAULT_REGION_FACTS.pricePerRequest,
    });
    expect(compiled.regionNotes[0][0]).toMatch(/no facts for region xx-east-1/);
  });

  it('keeps only valid Lambda memory sizes, sorted', () => {
    const compiled = compileView(paperView({ memorySizes: [2048, 64, 128, 2048, 20000, 1536.5] }), 48 * HOUR);
    expect(compiled.memorySizes).toEqual([128, 2048]);
    expect(compiled.targets).toHaveLength(compiled.zones.length * 2 * 2);
  });
});

describe('passive counts', () => {
  it('gives a zone with only passive counts a passive mix, with a note', () => {
    const view = paperView({
      zones: [],
      deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }],
      passive: { 'usw1-az1': { [X30]: 3, [X25]: 1, bogus: -2 } },
    });
    const [zone] = resolveZones(view, 48 * HOUR);
    expect(zone.mixes.x86_64).toMatchObject({ cpus: [X25, X30], shares: [0.25, 0.75], source: 'passive' });
    expect(zone.notes.x86_64[0]).toMatch(/from routed calls alone/);
  });
});

describe('a stale characterization against passive counts', () => {
  // A month-old characterization that saw only the 3.0 GHz Xeon; the zone is truly 2.5 GHz.
  const wrong = characterization('usw1-az1', 'us-west-1', { [X30]: 100 }, 30 * 24);
  const other = characterization('usw1-az3', 'us-west-1', { [X25]: 50, [X30]: 50 }, 1);
  const share = (passive: Record<string, number> | undefined, cpu: string) => {
    const view = paperView({
      zones: [wrong, other],
      deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }],
      ...(passive ? { passive: { 'usw1-az1': passive } } : {}),
    });
    const [zone] = resolveZones(view, 48 * HOUR);
    const mix = zone.mixes.x86_64;
    return { share: mix.shares[mix.cpus.indexOf(cpu)] ?? 0, mix, notes: zone.notes.x86_64 };
  };

  it('without passive counts, blends toward the prior by staleAfter / age, as before', () => {
    const { share: x30, mix } = share(undefined, X30);
    const w = 48 / (30 * 24);
    expect(x30).toBeCloseTo(w + (1 - w) * 0.5, 12);
    expect(mix.source).toBe('stale-blend');
  });

  it('gives way to what routed calls met, the prior filling only the evidence still missing', () => {
    // 100 draws at weight 1/15 keep 6.7; 50 passive X25 leave 43.3 draws to the region average
    const some = share({ [X25]: 50 }, X25);
    expect(some.share).toBeCloseTo((50 + 43.3333333 * 0.5) / 100, 6);
    expect(some.notes[0]).toMatch(/weighted 7% on it, 50% on instances routed calls met, 43% on the region average/);
    // 500 passive X25: no prior left, the mix is 500 / 506.7 the passive counts'
    const many = share({ [X25]: 500 }, X25);
    expect(many.share).toBeCloseTo(500 / (500 + 100 / 15), 9);
    expect(many.notes[0]).not.toMatch(/region average/);
  });
});

describe('confidence of a measured mix', () => {
  const measured = (apeBound: number | undefined) => ({
    ...characterization('usw1-az1', 'us-west-1', { [X25]: 60, [X30]: 40 }),
    ...(apeBound !== undefined ? { confidence: { apeBound, hostsSeen: 100 } } : {}),
  });
  const resolve = (zone: ReturnType<typeof measured>, passive?: Record<string, number>) =>
    resolveZones(
      paperView({
        zones: [zone],
        deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }],
        ...(passive ? { passive: { 'usw1-az1': passive } } : {}),
      }),
      48 * HOUR,
    )[0].mixes.x86_64;

  it.each([
    [undefined, 1],
    [0, 1],
    [5, 0.9],
    [REGION_AVERAGE_EQUIVALENT_APE, 0.5],
    [80, 0],
  ])('an APE bound of %p gives confidence %p', (bound, confidence) => {
    expect(measuredConfidence(measured(bound))).toBeCloseTo(confidence, 12);
    expect(resolve(measured(bound)).confidence).toBeCloseTo(confidence, 12);
  });

  it('weighs passive counts against the evidence the bound is worth, not the raw counts', () => {
    const passive = { [X30]: 400 };
    // 60/40 measured to within 1 APE is worth (100·√(2/π)·2·√0.24 / 1)² ≈ 6,100 draws: 400 passive X30 barely move it.
    const sure = resolve(measured(1), passive);
    const loose = resolve(measured(20), passive);
    const share = (mix: typeof sure) => mix.shares[mix.cpus.indexOf(X30)];
    expect(share(sure)).toBeGreaterThan(0.4);
    expect(share(sure)).toBeLessThan(0.45);
    expect(share(loose)).toBeGreaterThan(share(sure) + 0.1);
    expect(Object.values(evidenceCounts(measured(1))).reduce((a, b) => a + b, 0)).toBeCloseTo(
      (100 * Math.sqrt(2 / Math.PI) * 2 * Math.sqrt(0.24)) ** 2,
      6,
    );
  });
});
