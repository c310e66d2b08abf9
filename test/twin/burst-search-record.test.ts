import { searchRecordOf } from '../../lib/twin/experiment';

describe("a burst record's account of its searches (`BurstRecord.search`)", () => {
  it('is absent where no search stopped, moved or started elsewhere', () => {
    expect(searchRecordOf({})).toEqual({});
    expect(searchRecordOf({ searchMoves: 0, spreadStarts: 0 })).toEqual({});
  });

  it('carries what the batch answer says, and only that', () => {
    const searchStopped = {
      atCall: 1058,
      functionName: 'sky-sae1-az3-x86_64-1024',
      searchUsdPerCall: 0.002624,
      acceptAnyUsdPerCall: 0.002623,
    };
    expect(searchRecordOf({ searchStopped, spreadStarts: 631 })).toEqual({
      search: { searchStopped, spreadStarts: 631 },
    });
    expect(searchRecordOf({ searchMoves: 14, spreadStarts: 0 })).toEqual({ search: { searchMoves: 14 } });
  });
});
