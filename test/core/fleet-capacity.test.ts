import { acceptedCapacity, instancesPerHost, spreadWorkers } from '../../lib/core/fleet-capacity';
import { Router } from '../../lib/core/router';
import type { RoutingView } from '../../lib/core/types';
import { characterization, NOW, REGIONS, X25, X30, ZIPPER } from './fixtures';

const ARM_MIX = { cpus: ['graviton2', 'graviton3'], shares: [0.85, 0.15] };

describe('what a fleet holds on the CPUs a placement accepts', () => {
  it.each([
    [128, 3072],
    [3538, 111],
    [10_240, 38],
  ])('fits %p MB instances %p to a 384 GiB host', (memoryMb, instances) => {
    expect(instancesPerHost(memoryMb)).toBe(instances);
  });

  it("counts the accepted hosts' share of the fleet times what a host holds", () => {
    // 15 hosts, 15% Graviton3: 2.25 hosts of 111 instances of 3,538 MB.
    expect(acceptedCapacity(ARM_MIX, 15, ['graviton2'], 3538)).toBeCloseTo(249.75, 9);
    expect(acceptedCapacity(ARM_MIX, 15, [], 3538)).toBeCloseTo(15 * 111, 9);
    expect(acceptedCapacity(ARM_MIX, 15, ['graviton2', 'graviton3'], 3538)).toBe(0);
  });

  it('knows no bound for a fleet of unknown size', () => {
    expect(acceptedCapacity(ARM_MIX, undefined, ['graviton2'], 3538)).toBe(Number.POSITIVE_INFINITY);
    expect(acceptedCapacity(ARM_MIX, 0, ['graviton2'], 3538)).toBe(Number.POSITIVE_INFINITY);
  });

  it("reads a fleet's hosts from its characterization (Router.acceptedCapacity)", () => {
    const zone = characterization('usw1-az1', 'us-west-1', { [X25]: 75, [X30]: 25 });
    const view: RoutingView = {
      zones: [zone],
      deployed: [{ azId: zone.azId, region: zone.region }],
      architectures: ['x86_64'],
      memorySizes: [2048],
      profiles: { zipper: ZIPPER },
      regions: REGIONS,
      now: NOW,
    };
    const router = new Router(view);
    const target = {
      azId: 'usw1-az1',
      arch: 'x86_64',
      memoryMb: 2048,
      functionName: 'sky-usw1-az1-x86_64-2048',
    } as const;
    // 100 hosts counted, a quarter of them 3.0 GHz Xeons, 192 instances of 2,048 MB each.
    expect(router.acceptedCapacity({ target, rejectCpus: [X25] })).toBeCloseTo(25 * 192, 6);
    expect(router.acceptedCapacity({ target: { ...target, azId: 'nowhere' }, rejectCpus: [X25] })).toBe(
      Number.POSITIVE_INFINITY,
    );
  });
});

describe('spreading a wide batch over fleets', () => {
  const own = { capacity: 250, costUsd: 4 };

  it("starts the workers beyond the own fleet's capacity on the cheapest other fleet, the rest by capacity", () => {
    // 250 at home, 400 elsewhere; the 350 beyond both in proportion to what each holds (250 : 400).
    expect(spreadWorkers(1000, own, 7, [{ capacity: 400, costUsd: 5 }])).toEqual([385, 615]);
    expect(spreadWorkers(500, own, 7, [{ capacity: 400, costUsd: 5 }])).toEqual([250, 250]);
    expect(
      spreadWorkers(1000, own, 7, [
        { capacity: 300, costUsd: 6 },
        { capacity: 300, costUsd: 5 },
      ]),
    ).toEqual([296, 352, 352]);
  });

  it('keeps every worker at home while the fleet holds them, or where elsewhere costs as much as the overflow', () => {
    expect(spreadWorkers(200, own, 7, [{ capacity: 400, costUsd: 5 }])).toEqual([200, 0]);
    expect(spreadWorkers(1000, own, 7, [{ capacity: 400, costUsd: 7 }])).toEqual([1000, 0]);
  });
});
