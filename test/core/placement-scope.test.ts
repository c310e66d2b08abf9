import { compileView } from '../../lib/core/compiled-view';
import { resolveScope } from '../../lib/core/placement-scope';
import { ProfileBook } from '../../lib/core/profiles';
import type { PlacementRequest } from '../../lib/core/types';
import { compileWorkload } from '../../lib/core/workload-plan';
import { paperView } from './fixtures';

const view = compileView(paperView(), 48 * 3_600_000);
const settings = {
  holdMs: 150,
  maxAttempts: 10,
  retryOverheadMs: 10,
  defaultMemoryMb: 2048,
  initBilledMs: 150,
  coldStartShare: 1,
  rejectMode: 'hold' as const,
  timeoutMs: 900_000,
};
const planOf = (workload: string) =>
  compileWorkload(view, new ProfileBook(paperView().profiles), workload, {
    ...settings,
    defaultBaseMs: 1000,
    uncertaintyPenalty: 0.2,
  });
const scopeOf = (request: PlacementRequest) => resolveScope(view, planOf(request.workload), request, settings);

describe('resolveScope', () => {
  it.each([
    // request, home memory (MB)
    [{ workload: 'zipper' }, 2048],
    [{ workload: 'unknown' }, 2048],
    [{ workload: 'zipper', minMemoryMb: 3000 }, 4096],
    [{ workload: 'zipper', limits: { memorySizes: [128, 10240] } }, 10240],
    [{ workload: 'unknown', limits: { memorySizes: [128, 256] } }, 256],
  ] as const)('gives %j the home memory %p MB', (request, mb) => {
    const scope = scopeOf(request as PlacementRequest);
    expect(view.memorySizes[scope.homeMem]).toBe(mb);
  });

  it.each([
    [{ workload: 'zipper', limits: { maxAttempts: 0 } }, /maxAttempts 0 is not an integer >= 1; using 10/],
    [
      { workload: 'zipper', limits: { clientLocation: { lat: 100, lon: 0 } } },
      /clientLocation .* is not a valid point/,
    ],
    [{ workload: 'zipper', strategy: 'fastest' }, /unknown strategy "fastest"/],
  ])('turns a bad value into a note (%j)', (request, note) => {
    const scope = scopeOf(request as PlacementRequest);
    expect(scope.notes.join(' ')).toMatch(note);
  });

  it('computes round trips from the client to every region', () => {
    const scope = scopeOf({ workload: 'zipper', limits: { clientLocation: { lat: 37.77, lon: -122.42 } } });
    const near = scope.rtt?.[view.regionIndex.get('us-west-1') ?? -1] ?? Number.NaN;
    const far = scope.rtt?.[view.regionIndex.get('eu-north-1') ?? -1] ?? Number.NaN;
    expect(near).toBeCloseTo(5, 6);
    expect(far).toBeGreaterThan(100);
  });

  it('allows only the zones, archs and sizes the limits name', () => {
    const scope = scopeOf({
      workload: 'zipper',
      limits: { regions: ['us-west-1'], architectures: ['arm64'], memorySizes: [512] },
    });
    expect(view.zones.filter((_, z) => scope.zoneOk[z] === 1).map((z) => z.azId)).toEqual(['usw1-az1', 'usw1-az3']);
    expect(scope.archOk).toEqual([false, true]);
    expect(view.memorySizes.filter((_, m) => scope.memOk[m] === 1)).toEqual([512]);
  });
});
