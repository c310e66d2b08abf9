import { DEFAULT_INIT_MS } from '../../lib/core/cost-model';
import { INIT_WINDOW_MS, initBillingOf, initEvidenceOf, MIN_INIT_REPORTS } from '../../lib/core/init-evidence';

const NOW = Date.parse('2026-12-08T12:00:00Z');
const DAY = 86_400_000;

describe('initEvidenceOf', () => {
  it('sums the periods within the window and leaves older and corrupt ones out', () => {
    const evidence = initEvidenceOf(
      [
        { count: 4, sumMs: 800, billingChecked: 4, billed: 4, lastAt: NOW - DAY },
        { count: 6, sumMs: 1800, billingChecked: 4, billed: 2 },
        { count: 100, sumMs: 100_000, billingChecked: 100, billed: 100, lastAt: NOW - INIT_WINDOW_MS - 1 },
        { count: 1.5, sumMs: 10, billingChecked: 0, billed: 0, lastAt: NOW },
        { count: 2, sumMs: 10, billingChecked: 1, billed: 2, lastAt: NOW },
        { count: 2, sumMs: Number.NaN, billingChecked: 0, billed: 0, lastAt: NOW },
      ],
      NOW,
    );
    expect(evidence).toEqual({ count: 10, meanMs: 260, billedShare: 0.75 });
  });

  it('says nothing where no period reported, and no billing where no report could tell it', () => {
    expect(initEvidenceOf([], NOW)).toBeUndefined();
    expect(initEvidenceOf([{ count: 0, sumMs: 0, billingChecked: 0, billed: 0, lastAt: NOW }], NOW)).toBeUndefined();
    expect(initEvidenceOf([{ count: 2, sumMs: 400, billingChecked: 0, billed: 0, lastAt: NOW }], NOW)).toEqual({
      count: 2,
      meanMs: 200,
    });
  });
});

describe('initBillingOf', () => {
  it('keeps the prior until enough new instances reported, then prices their mean and billing', () => {
    const few = { count: MIN_INIT_REPORTS - 1, meanMs: 383, billedShare: 0 };
    expect(initBillingOf(few)).toEqual({ billed: true, initMs: DEFAULT_INIT_MS });
    expect(initBillingOf(few, { billed: false, initMs: 90 })).toEqual({ billed: false, initMs: 90 });
    expect(initBillingOf({ ...few, count: MIN_INIT_REPORTS })).toEqual({ billed: false, initMs: 383 });
    expect(initBillingOf({ count: 50, meanMs: 120, billedShare: 0.5 })).toEqual({ billed: true, initMs: 120 });
    expect(initBillingOf({ count: 50, meanMs: 120 }, { billed: false })).toEqual({ billed: false, initMs: 120 });
  });
});
