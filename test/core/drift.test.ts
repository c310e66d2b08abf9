import {
  classifyDrift,
  driftBetween,
  driftNoiseApe,
  STABLE_MAX_APE,
  samplingIntervalHours,
} from '../../lib/core/drift';

describe('classifyDrift', () => {
  it.each([
    [undefined, 'unknown'],
    [[], 'unknown'],
    [0, 'stable'],
    [STABLE_MAX_APE, 'stable'],
    [10.5, 'drifting'],
    [[3, 4, 35], 'drifting'],
    [[3, 8, 9.9], 'stable'],
    [Number.NaN, 'unknown'],
  ] as const)('classifies %p as %s', (apes, expected) => {
    expect(classifyDrift(apes as number | number[] | undefined)).toBe(expected);
  });
});

describe('driftBetween', () => {
  const earlier = { counts: { 'intel-xeon-2.50': 60, 'intel-xeon-3.00': 40 }, measuredAt: '2026-01-01T00:00:00Z' };
  it('is unknown without a previous characterization', () => {
    expect(driftBetween(undefined, earlier).driftClass).toBe('unknown');
  });
  it('measures APE and hours between two characterizations', () => {
    const later = { counts: { 'intel-xeon-2.50': 80, 'intel-xeon-3.00': 20 }, measuredAt: '2026-01-01T22:00:00Z' };
    const drift = driftBetween(earlier, later);
    expect(drift.ape).toBeCloseTo(40, 9);
    expect(drift.driftClass).toBe('drifting');
    expect(drift.hoursApart).toBe(22);
  });
  it('calls a near-identical mix stable', () => {
    const later = { counts: { 'intel-xeon-2.50': 62, 'intel-xeon-3.00': 38 }, measuredAt: '2026-01-02T20:00:00Z' };
    expect(driftBetween(earlier, later).driftClass).toBe('stable');
  });
});

describe("drift against the characterizations' uncertainty", () => {
  const at = (counts: Record<string, number>, measuredAt: string, apeBound: number) => ({
    counts,
    measuredAt,
    confidence: { apeBound, hostsSeen: 100 },
  });
  it('calls a change that the two APE bounds explain stable, and one they do not drifting', () => {
    // 55/45 -> 64/36: APE 18.
    const unsure = driftBetween(
      at({ a: 55, b: 45 }, '2026-01-01T00:00:00Z', 4.5),
      at({ a: 64, b: 36 }, '2026-01-02T00:00:00Z', 4),
    );
    const sure = driftBetween(
      at({ a: 55, b: 45 }, '2026-01-01T00:00:00Z', 1),
      at({ a: 64, b: 36 }, '2026-01-02T00:00:00Z', 1),
    );
    expect(unsure.ape).toBeCloseTo(18, 9);
    expect(unsure.driftClass).toBe('stable');
    expect(sure.driftClass).toBe('drifting');
  });
  it('takes 5 APE for a characterization that records no confidence', () => {
    expect(driftNoiseApe(undefined, { confidence: { apeBound: 2, hostsSeen: 10 } })).toBe(7);
    expect(classifyDrift(20, driftNoiseApe({}, {}))).toBe('stable');
    expect(classifyDrift(20.5, driftNoiseApe({}, {}))).toBe('drifting');
  });
});

describe('samplingIntervalHours', () => {
  it.each([
    ['stable', 44],
    ['drifting', 11],
    ['unknown', 22],
  ] as const)('samples a %s zone every %p h', (driftClass, hours) => {
    expect(samplingIntervalHours(driftClass)).toBe(hours);
  });
});
