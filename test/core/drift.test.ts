import { classifyDrift, driftBetween, STABLE_MAX_APE, samplingIntervalHours } from '../../lib/core/drift';

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

describe('samplingIntervalHours', () => {
  it.each([
    ['stable', 44],
    ['drifting', 11],
    ['unknown', 22],
  ] as const)('samples a %s zone every %p h', (driftClass, hours) => {
    expect(samplingIntervalHours(driftClass)).toBe(hours);
  });
});
