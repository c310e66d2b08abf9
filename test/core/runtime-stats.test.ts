import fc from 'fast-check';
import {
  addObservation,
  EMPTY_STATS,
  mergeStats,
  statsFromSums,
  sumsOfStats,
  varianceOf,
} from '../../lib/core/runtime-stats';

const fold = (xs: readonly number[]) => xs.reduce(addObservation, EMPTY_STATS);

describe('runtime statistics', () => {
  it.each([
    [[1], 1, Number.NaN],
    [[1, 3], 2, 2],
    [[2, 4, 4, 4, 5, 5, 7, 9], 5, 32 / 7],
  ])('of %j: mean %p, variance %p', (xs, mean, variance) => {
    const stats = fold(xs);
    expect(stats.meanMs).toBeCloseTo(mean, 12);
    if (Number.isNaN(variance)) expect(varianceOf(stats)).toBeNaN();
    else expect(varianceOf(stats)).toBeCloseTo(variance, 12);
  });

  it('merges in any split like one pass, and round-trips through sums (property)', () => {
    const values = fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { maxLength: 40 });
    fc.assert(
      fc.property(values, values, (a, b) => {
        const whole = fold([...a, ...b]);
        const merged = mergeStats(fold(a), fold(b));
        expect(merged.count).toBe(whole.count);
        expect(merged.meanMs).toBeCloseTo(whole.meanMs, 6);
        expect(merged.m2).toBeCloseTo(whole.m2, -1);
        const back = statsFromSums(sumsOfStats(whole));
        expect(back.count).toBe(whole.count);
        expect(back.meanMs).toBeCloseTo(whole.meanMs, 6);
      }),
    );
  });

  it('turns empty sums into empty stats', () => {
    expect(statsFromSums({ count: 0, sum: 0, sumSquares: 0 })).toEqual(EMPTY_STATS);
  });
});
