import { Router } from '../../lib/core/router';
import type { FunctionEvidence, PlacementLimits } from '../../lib/core/types';
import { characterization, paperView, X25, X30 } from './fixtures';

const x86At2048: PlacementLimits = { architectures: ['x86_64'], memorySizes: [2048] };
const twoZones = (functionHosts?: Record<string, FunctionEvidence>) =>
  paperView({
    zones: [
      characterization('usw1-az1', 'us-west-1', { [X25]: 90, [X30]: 10 }),
      characterization('usw1-az3', 'us-west-1', { [X25]: 90, [X30]: 10 }),
    ],
    deployed: [],
    ...(functionHosts ? { functionHosts } : {}),
  });
// usw1-az1's characterization saw 100 hosts: a window share of 0.2 is a function kept to 20 of them
const shown = (hosts: Record<string, number>, windowShare = 0.2): FunctionEvidence => ({
  azId: 'usw1-az1',
  arch: 'x86_64',
  hosts,
  distinctHosts: Object.values(hosts).reduce((a, b) => a + b, 0),
  persistence: 0.5,
  windowShare,
  metToday: [],
});

describe('Router pricing a target with its function mix', () => {
  const request = { workload: 'zipper', strategy: 'optimal' as const, limits: x86At2048 };

  it('places where the function has shown the fast CPU, though the zones mixes are alike', () => {
    // GIVEN two zones measured alike, and usw1-az1's 2048 MB function has shown 30 hosts of the 3.0 GHz Xeon
    const plain = new Router(twoZones()).rank(request);
    const learned = new Router(twoZones({ 'sky-usw1-az1-x86_64-2048': shown({ [X30]: 30 }) })).rank(request);
    const az1 = (ranked: typeof plain) => ranked.find((r) => r.target.azId === 'usw1-az1');
    // THEN that target is expected faster than its zone's mix says, and ranks first
    expect(az1(learned)?.expected.runtimeMs).toBeLessThan((az1(plain)?.expected.runtimeMs ?? 0) * 0.95);
    expect(learned[0].target.functionName).toBe('sky-usw1-az1-x86_64-2048');
  });

  it('prices only that function with it: other memory sizes of the zone keep the zone mix', () => {
    const limits: PlacementLimits = { architectures: ['x86_64'], memorySizes: [1024, 2048], zones: ['usw1-az1'] };
    const evidence = { 'sky-usw1-az1-x86_64-2048': shown({ [X25]: 40 }) };
    const plain = new Router(twoZones()).rank({ ...request, limits });
    const learned = new Router(twoZones(evidence)).rank({ ...request, limits });
    const at = (ranked: typeof plain, mb: number) => ranked.find((r) => r.target.memoryMb === mb)?.expected;
    expect(at(learned, 1024)).toEqual(at(plain, 1024));
    expect(at(learned, 2048)?.runtimeMs).toBeGreaterThan(at(plain, 2048)?.runtimeMs ?? Number.POSITIVE_INFINITY);
  });

  it('exposes the function mixes it priced with', () => {
    const router = new Router(twoZones({ 'sky-usw1-az1-x86_64-2048': shown({ [X30]: 10 }) }));
    const az1 = router.zoneMixes.find((z) => z.azId === 'usw1-az1');
    const mix = az1?.functionMixes?.['sky-usw1-az1-x86_64-2048'];
    expect(mix?.cpus).toEqual([X25, X30]);
    // its window's 10 hosts not shown at the zone's 10% 3.0 GHz, and 10 hosts of it shown
    expect(mix?.shares[1]).toBeCloseTo(0.55, 9);
    expect(router.zoneMixes.find((z) => z.azId === 'usw1-az3')?.functionMixes).toBeUndefined();
  });

  it('counts the hosts of a function that lands anywhere as the few hosts of the whole fleet they are', () => {
    // GIVEN the same 10 hosts of the 3.0 GHz Xeon, shown by a function measured to return to its hosts at chance
    const router = new Router(twoZones({ 'sky-usw1-az1-x86_64-2048': shown({ [X30]: 10 }, 1) }));
    const mix = router.zoneMixes.find((z) => z.azId === 'usw1-az1')?.functionMixes?.['sky-usw1-az1-x86_64-2048'];
    // THEN they are 10 of the fleet's 100 hosts, the other 90 at the zone's mix: 19% 3.0 GHz, not 55%
    expect(mix?.shares[1]).toBeCloseTo(0.19, 9);
    const plain = new Router(twoZones()).rank(request);
    const learned = router.rank(request);
    const az1 = (ranked: typeof plain) => ranked.find((r) => r.target.azId === 'usw1-az1');
    expect(az1(learned)?.expected.runtimeMs).toBeGreaterThan((az1(plain)?.expected.runtimeMs ?? 0) * 0.97);
  });

  it('prices a function of a fleet never characterized with its zone mix (its window has no size)', () => {
    const view = paperView({
      zones: [characterization('usw1-az3', 'us-west-1', { [X25]: 90, [X30]: 10 })],
      deployed: [
        { azId: 'usw1-az1', region: 'us-west-1' },
        { azId: 'usw1-az3', region: 'us-west-1' },
      ],
      functionHosts: { 'sky-usw1-az1-x86_64-2048': shown({ [X30]: 30 }) },
    });
    expect(new Router(view).zoneMixes.find((z) => z.azId === 'usw1-az1')?.functionMixes).toBeUndefined();
  });
});
