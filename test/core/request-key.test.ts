import fc from 'fast-check';
import { copyRequest, hashRequest, sameRequest } from '../../lib/core/request-key';
import type { PlacementRequest } from '../../lib/core/types';

const request = fc.record(
  {
    workload: fc.constantFrom('zipper', 'graph_bfs'),
    strategy: fc.constantFrom('optimal', 'hybrid'),
    objective: fc.oneof(
      fc.constantFrom('cost', 'latency'),
      fc.record({ cost: fc.nat(3), latency: fc.nat(3), carbon: fc.nat(3) }),
    ),
    minMemoryMb: fc.constantFrom(128, 2048),
    callsToCome: fc.constantFrom(0, 99),
    limits: fc.record(
      {
        regions: fc.subarray(['us-west-1', 'sa-east-1']),
        memorySizes: fc.subarray([128, 2048]),
        maxAttempts: fc.integer({ min: 1, max: 5 }),
        clientLocation: fc.record({ lat: fc.integer({ min: -90, max: 90 }), lon: fc.integer({ min: -180, max: 180 }) }),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['workload'] },
) as fc.Arbitrary<PlacementRequest>;

describe('request keys', () => {
  it('hash and compare copies as equal (property)', () => {
    fc.assert(
      fc.property(request, (r) => {
        const copy = copyRequest(r);
        expect(hashRequest(copy)).toBe(hashRequest(r));
        expect(sameRequest(copy, r)).toBe(true);
      }),
    );
  });

  it('tell different requests apart (property)', () => {
    fc.assert(
      fc.property(request, request, (a, b) => {
        const same = JSON.stringify(copyRequest(a)) === JSON.stringify(copyRequest(b));
        expect(sameRequest(a, b)).toBe(same);
      }),
    );
  });

  it.each([
    [
      { workload: 'a', limits: { regions: ['x'] } },
      { workload: 'a', limits: { regions: ['y'] } },
    ],
    [
      { workload: 'a', objective: 'cost' },
      { workload: 'a', objective: 'latency' },
    ],
    [
      { workload: 'a', limits: { maxAttempts: 2 } },
      { workload: 'a', limits: { maxAttempts: 3 } },
    ],
    [
      { workload: 'a', pool: { usesPerInstance: 4 } },
      { workload: 'a', pool: { usesPerInstance: 4, retryRepeat: 0.5 } },
    ],
    [
      { workload: 'a', pool: { usesPerInstance: 4 } },
      { workload: 'a', pool: { usesPerInstance: 4, searchUses: 40 } },
    ],
    [
      { workload: 'a', callsToCome: 10 },
      { workload: 'a', callsToCome: 11 },
    ],
  ] as const)('distinguishes %j from %j', (a, b) => {
    expect(sameRequest(a as PlacementRequest, b as PlacementRequest)).toBe(false);
    expect(hashRequest(a as PlacementRequest)).not.toBe(hashRequest(b as PlacementRequest));
  });

  it('copies deeply, so later edits to the caller object do not alias', () => {
    const original = { workload: 'a', limits: { regions: ['x'] } };
    const copy = copyRequest(original);
    original.limits.regions.push('y');
    expect(copy.limits?.regions).toEqual(['x']);
  });
});
