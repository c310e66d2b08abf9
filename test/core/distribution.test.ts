import fc from 'fast-check';
import { ape, apeOfCounts, distributionOf, mergeCounts, totalOf } from '../../lib/core/distribution';
import { CoreInputError } from '../../lib/core/errors';

describe('distributionOf', () => {
  it.each([
    [
      { a: 3, b: 1 },
      { a: 0.75, b: 0.25 },
    ],
    [{ a: 0, b: 5 }, { b: 1 }],
    [{}, {}],
    [{ a: 0 }, {}],
  ])('turns %j into shares %j', (counts, shares) => {
    expect(distributionOf(counts)).toEqual(shares);
  });

  it.each([[-1], [Number.NaN], [Number.POSITIVE_INFINITY]])('fails when a count is %p', (bad) => {
    expect(() => distributionOf({ a: 1, b: bad })).toThrow(CoreInputError);
    expect(() => totalOf({ b: bad })).toThrow(/counts\["b"\]/);
  });
});

describe('mergeCounts', () => {
  it('adds counts key by key', () => {
    expect(mergeCounts({ a: 1, b: 2 }, { b: 3, c: 4 }, {})).toEqual({ a: 1, b: 5, c: 4 });
  });
  it('returns an empty record for nothing', () => {
    expect(mergeCounts()).toEqual({});
  });
});

describe('ape', () => {
  it.each([
    [{ a: 1 }, { a: 1 }, 0],
    [{ a: 1 }, { b: 1 }, 200],
    [{ a: 0.5, b: 0.5 }, { a: 0.6, b: 0.4 }, 20],
    [{ a: 0.7, b: 0.2, c: 0.1 }, { a: 0.7, b: 0.3 }, 20],
    [{ a: 1 }, {}, 100],
    [{}, {}, 0],
  ])('ape(%j, %j) = %p', (p, q, expected) => {
    expect(ape(p, q)).toBeCloseTo(expected, 10);
  });

  it('compares count records', () => {
    expect(apeOfCounts({ a: 30, b: 10 }, { a: 1, b: 1 })).toBeCloseTo(50, 10);
  });

  const counts = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.nat({ max: 1000 }));
  it('is symmetric and within [0, 200] (property)', () => {
    fc.assert(
      fc.property(counts, counts, (x, y) => {
        const p = distributionOf(x);
        const q = distributionOf(y);
        const forward = ape(p, q);
        expect(forward).toBeCloseTo(ape(q, p), 9);
        expect(forward).toBeGreaterThanOrEqual(0);
        expect(forward).toBeLessThanOrEqual(200 + 1e-9);
        expect(ape(p, p)).toBe(0);
      }),
    );
  });
});
