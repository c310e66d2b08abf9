import { Router } from '../../lib/core/router';
import type { Placement, PlacementRequest, RoutingView } from '../../lib/core/types';
import { characterization, facts, paperView, profile, REGIONS } from './fixtures';

// Two arm64 fleets at one price: usw1-az1's is all Graviton2, the only CPU the workload ran on; usw1-az3's has
// a few Graviton3 hosts, which the workload never ran on (its runtime there is the prior ratio, 0.8×, with a wide
// spread). Expected to cost a little less, usw1-az3 still loses to usw1-az1 by the uncertainty penalty.
const BASE_MS = 12_000;
const request: PlacementRequest = {
  workload: 'codec',
  objective: 'cost',
  strategy: 'optimal',
  limits: { architectures: ['arm64'], memorySizes: [1024], zones: ['usw1-az1', 'usw1-az3'] },
};

function view(): RoutingView {
  return paperView({
    zones: [
      characterization('usw1-az1', 'us-west-1', { 'intel-xeon-2.50': 400 }),
      characterization('usw1-az3', 'us-west-1', { 'intel-xeon-2.50': 400 }),
    ],
    deployed: [
      { azId: 'usw1-az1', region: 'us-west-1' },
      { azId: 'usw1-az3', region: 'us-west-1' },
    ],
    passive: { 'usw1-az1': { graviton2: 200 }, 'usw1-az3': { graviton2: 184, graviton3: 16 } },
    profiles: { codec: profile('codec', BASE_MS, { graviton2: 1 }, 1024, 'arm64') },
  });
}

const explores = (p: Placement): boolean => p.notes.some((n) => n.startsWith('explores graviton3: sent to'));

describe('exploration of CPUs in other fleets', () => {
  it('keeps to the known fleet without exploration, and sends a call to learn Graviton3 with it', () => {
    // GIVEN the penalty keeps placements on usw1-az1 (weighted by Graviton3's 8% part of the expected runtime, the
    // default penalty would not: a router five times as averse to estimates keeps to the known fleet)
    const averse = { uncertaintyPenalty: 1 } as const;
    const plain = new Router(view(), { ...averse, explore: false }).place(request);
    expect(plain.target.azId).toBe('usw1-az1');
    // WHEN exploring is allowed
    const router = new Router(view(), averse);
    const placement = router.place(request);
    // THEN the call goes to usw1-az3 to learn Graviton3's runtime, and says so
    expect(placement.target.functionName).toBe('sky-usw1-az3-arm64-1024');
    expect(explores(placement)).toBe(true);
    // and while it is in flight, the next call does not explore again
    const next = router.place(request);
    expect(explores(next)).toBe(false);
    expect(next.target.azId).toBe('usw1-az1');
  });

  it('follows what the exploring call teaches: Graviton3 found fast is sought out, found slow is left', () => {
    const fast = new Router(view());
    const first = fast.place(request);
    fast.observe({
      workload: 'codec',
      target: first.target,
      cpu: 'graviton3',
      runtimeMs: 0.55 * BASE_MS,
      rejected: false,
    });
    const after = fast.place(request);
    expect(explores(after)).toBe(false);
    expect(after.target.azId).toBe('usw1-az3');

    const slow = new Router(view());
    const once = slow.place(request);
    slow.observe({
      workload: 'codec',
      target: once.target,
      cpu: 'graviton3',
      runtimeMs: 1.2 * BASE_MS,
      rejected: false,
    });
    const then = slow.place(request);
    expect(explores(then)).toBe(false);
    expect(then.target.azId).toBe('usw1-az1');
  });

  it('does not explore a fleet expected to cost more than the chosen one, however much it may teach', () => {
    // GIVEN usw1-az3's prices are 3% above usw1-az1's: with 8% Graviton3 at its prior 0.8×, a call there is
    // expected to cost about 1.4% more, and a batch would send every call there
    const dearer = facts('us-west-1', 37.77, -122.42, 250, 0.0000166667 * 1.03);
    const placement = new Router(
      paperView({
        ...view(),
        zones: [
          characterization('usw1-az1', 'us-west-1', { 'intel-xeon-2.50': 400 }),
          characterization('sae1-az1', 'sa-east-1', { 'intel-xeon-2.50': 400 }),
        ],
        deployed: [
          { azId: 'usw1-az1', region: 'us-west-1' },
          { azId: 'sae1-az1', region: 'sa-east-1' },
        ],
        passive: { 'usw1-az1': { graviton2: 200 }, 'sae1-az1': { graviton2: 184, graviton3: 16 } },
        regions: { ...REGIONS, 'sa-east-1': { ...dearer, region: 'sa-east-1' } },
      }),
    ).place({ ...request, limits: { ...request.limits, zones: undefined } });
    // THEN the call stays in the fleet it knows
    expect(placement.target.azId).toBe('usw1-az1');
    expect(explores(placement)).toBe(false);
  });

  it('does not explore a fleet whose mix is only the average of other zones', () => {
    // GIVEN usw1-az3's arm64 fleet was sampled (8% Graviton3), and eun1-az1 has no arm64 evidence at all: its mix is
    // the average of the measured ones, Graviton3 included, though nothing says its fleet has one (or exists)
    const averaged = paperView({
      ...view(),
      zones: [
        characterization('usw1-az1', 'us-west-1', { 'intel-xeon-2.50': 400 }),
        characterization('usw1-az3', 'us-west-1', { 'intel-xeon-2.50': 400, graviton2: 184, graviton3: 16 }),
        characterization('eun1-az1', 'eu-north-1', { 'intel-xeon-2.50': 400 }),
      ],
      deployed: [
        { azId: 'usw1-az1', region: 'us-west-1' },
        { azId: 'usw1-az3', region: 'us-west-1' },
        { azId: 'eun1-az1', region: 'eu-north-1' },
      ],
      passive: { 'usw1-az1': { graviton2: 200 } },
    });
    const router = new Router(averaged);
    expect(router.zoneMixes.find((z) => z.azId === 'eun1-az1')?.mixes.arm64).toMatchObject({
      cpus: ['graviton2', 'graviton3'],
      source: 'global-average',
    });
    // WHEN placing on the fleet with evidence and the averaged one
    const placement = router.place({ ...request, limits: { ...request.limits, zones: ['usw1-az1', 'eun1-az1'] } });
    // THEN the call stays where Graviton2 was met
    expect(placement.target.azId).toBe('usw1-az1');
    expect(explores(placement)).toBe(false);
  });
});
