import fc from 'fast-check';
import { CoreInputError } from '../../lib/core/errors';
import { evaluateRejectSet, optimalRejectSet } from '../../lib/core/reject-set';

/** Every subset, for checking the threshold search. */
function bruteForce(
  shares: number[],
  values: number[],
  perAttempt: number,
  perReject: number,
  maxAttempts: number,
  maxRejectShare = 1,
): number {
  const total = shares.reduce((s, p) => s + p, 0);
  const normalized = shares.map((p) => p / total);
  let best = Number.POSITIVE_INFINITY;
  for (let mask = 0; mask < 1 << shares.length; mask++) {
    const reject = shares.map((_, i) => (mask & (1 << i)) !== 0 && shares[i] > 0);
    const result = evaluateRejectSet(normalized, values, reject, perAttempt, perReject, maxAttempts);
    if (result.rejectShare <= maxRejectShare + 1e-12 && result.value < best) best = result.value;
  }
  return best;
}

describe('optimalRejectSet', () => {
  it.each([
    // shares, values, perReject, expected reject
    [[0.6, 0.3, 0.1], [1.0, 0.9, 1.35], 0.15, [false, false, true]],
    [[0.6, 0.3, 0.1], [1.0, 0.9, 1.35], 5, [false, false, false]],
    [[0.5, 0.5], [10, 1], 0, [true, false]],
    [[1], [3], 0, [false]],
    [[0, 1], [1, 5], 0, [false, false]],
  ])('with shares %j and values %j (hold %p) rejects %j', (shares, values, perReject, expected) => {
    expect(optimalRejectSet({ shares, values, perReject }).reject).toEqual(expected);
  });

  it('reports the expected attempts of the chosen set', () => {
    const choice = optimalRejectSet({ shares: [0.5, 0.5], values: [10, 1] });
    expect(choice.rejectShare).toBeCloseTo(0.5, 12);
    expect(choice.attempts).toBeCloseTo(2, 12);
    expect(choice.value).toBeCloseTo(1, 12);
  });

  it('respects a bound on the reject share with a non-threshold set when that is best', () => {
    // The slowest CPU is too common to reject under the bound; rejecting the middle one still pays.
    const choice = optimalRejectSet({ shares: [0.5, 0.1, 0.4], values: [1, 5, 6], maxRejectShare: 0.15 });
    expect(choice.reject).toEqual([false, true, false]);
    expect(choice.rejectShare).toBeLessThanOrEqual(0.15);
  });

  it.each([
    [{ shares: [0.5], values: [1, 2] }, 'values.length'],
    [{ shares: [-1, 2], values: [1, 2] }, 'shares[0]'],
    [{ shares: [0, 0], values: [1, 2] }, 'shares'],
    [{ shares: [1], values: [Number.NaN] }, 'values[0]'],
  ])('fails when the input is bad (%j)', (input, field) => {
    expect(() => optimalRejectSet(input)).toThrow(CoreInputError);
    expect(() => optimalRejectSet(input)).toThrow(field);
  });

  const instance = fc
    .integer({ min: 1, max: 7 })
    .chain((n) =>
      fc.record({
        shares: fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0.001, max: 1, noNaN: true })), {
          minLength: n,
          maxLength: n,
        }),
        values: fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
        perAttempt: fc.double({ min: 0, max: 5, noNaN: true }),
        perReject: fc.double({ min: 0, max: 20, noNaN: true }),
        maxAttempts: fc.oneof(fc.constant(Number.POSITIVE_INFINITY), fc.integer({ min: 1, max: 12 })),
        maxRejectShare: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
      }),
    )
    .filter((x) => x.shares.some((p) => p > 0));

  it('equals brute force over all subsets on random inputs (property)', () => {
    fc.assert(
      fc.property(instance, (x) => {
        const choice = optimalRejectSet(x);
        const best = bruteForce(x.shares, x.values, x.perAttempt, x.perReject, x.maxAttempts, x.maxRejectShare);
        expect(choice.value).toBeLessThanOrEqual(best + 1e-9 * Math.max(1, Math.abs(best)));
        expect(choice.rejectShare).toBeLessThanOrEqual(x.maxRejectShare + 1e-9);
      }),
      { numRuns: 600 },
    );
  });
});

describe('evaluateRejectSet', () => {
  it('makes rejecting every CPU infinite with an unbounded budget, however the shares round', () => {
    const shares = [0.0017943746567795492, 0.0036949590233180908].map((p, _, all) => p / (all[0] + all[1]));
    const result = evaluateRejectSet(shares, [1e-9, 1e-9], [true, true], 0, 0, Number.POSITIVE_INFINITY);
    expect(result.rejectShare).toBe(1);
    expect(result.value).toBe(Number.POSITIVE_INFINITY);
  });
});
