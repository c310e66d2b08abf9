import { SearchBill } from '../../lib/routing/search-bill';
import type { AttemptRecord } from '../../lib/routing/types';

/** The accepted last attempt of a find: `billedMs` of which `initMs` was the new instance's INIT. */
function lastAttempt(costUsd: number, billedMs: number, initMs: number): AttemptRecord {
  return {
    functionName: 'sky-use1-az1-x86_64-1024',
    azId: 'use1-az1',
    status: 'ok',
    cpu: 'intel-xeon-3.00',
    newInstance: true,
    billedMs,
    initMs,
    roundTripMs: 20,
    costUsd,
  };
}

describe('SearchBill', () => {
  it('spreads each find over the calls its instance is to serve, not over the calls so far', () => {
    const bill = new SearchBill();
    // 100 finds, each $0.05 in all, whose accepted attempt billed $0.012 of which a quarter was INIT: a warm run
    // bills $0.009. No reuse yet: every call so far was a find, as in a paced batch's first round.
    for (let i = 0; i < 100; i++) bill.observeFind(0.05, lastAttempt(0.012, 4000, 1000), true);
    expect(bill.calls).toBe(100);
    // Each instance serving 20 calls: one find and 19 warm runs.
    expect(bill.perCallUsd(20)).toBeCloseTo((0.05 + 19 * 0.009) / 20, 10);
    // One call an instance: the find's bill.
    expect(bill.perCallUsd(1)).toBeCloseTo(0.05, 10);
  });

  it('counts no warm run after a find that ended on a CPU the search rejects', () => {
    const bill = new SearchBill();
    for (let i = 0; i < 50; i++) bill.observeFind(0.05, lastAttempt(0.012, 4000, 1000), true);
    for (let i = 0; i < 50; i++) bill.observeFind(0.08, lastAttempt(0.02, 6000, 0), false);
    for (let i = 0; i < 100; i++) bill.observeReuse(0.009);
    // Half the finds settle: per find, 0.5 × 9 later warm runs.
    const later = 0.5 * 9;
    expect(bill.perCallUsd(10)).toBeCloseTo((0.065 + later * 0.009) / (1 + later), 10);
  });

  it("takes the finds' mean bill the given standard errors lower", () => {
    const bill = new SearchBill();
    // Finds of $0.04 and $0.06, 50 each: mean $0.05, standard deviation $0.01, standard error $0.001.
    for (let i = 0; i < 50; i++) {
      bill.observeFind(0.04, lastAttempt(0.012, 4000, 1000), true);
      bill.observeFind(0.06, lastAttempt(0.012, 4000, 1000), true);
    }
    expect(bill.perCallUsd(1, 2)).toBeCloseTo(0.05 - 2 * 0.001, 10);
    expect(bill.perCallUsd(10, 2)).toBeCloseTo((0.048 + 9 * 0.009) / 10, 10);
  });

  it('has no price before a find', () => {
    const bill = new SearchBill();
    expect(bill.perCallUsd(10)).toBeUndefined();
    bill.observeReuse(0.01);
    expect(bill.perCallUsd(10)).toBeUndefined();
    bill.observeFind(0.03, lastAttempt(0.01, 1000, 0), false);
    expect(bill.perCallUsd(10)).toBeCloseTo((0.03 + 0) / 1, 10);
  });
});
