import { buildCandidate, mixSensitivityOf, targetOf } from '../../lib/core/candidate';
import { Router } from '../../lib/core/router';
import type { Characterization, PlacementRequest, RoutingView, WorkloadProfile } from '../../lib/core/types';
import { characterization, EPYC, facts, NOW, X25, X29, X30 } from './fixtures';

// A generated scenario's short matrix multiply (seed 8): 525 ms at 128 MB on the 2.5 GHz Xeon, 0.73× on the 2.9 GHz
// Xeon, 0.96× on the 3.0 GHz one (the measured 2025 speeds), profiled on those three and never on the AMD EPYC.
const GEMM: WorkloadProfile = {
  workload: 'short-gemm',
  entries: [
    [X25, 525],
    [X29, 384],
    [X30, 506],
  ].map(([cpu, meanMs]) => ({
    cpu: cpu as string,
    arch: 'x86_64' as const,
    memoryMb: 128,
    stats: { count: 100, meanMs: meanMs as number, m2: 100 * (0.07 * (meanMs as number)) ** 2 },
  })),
};

/** The fixed zone: large, 18% 2.9 GHz Xeon. The other: 10.5% of it (the better mix is the fixed zone's). */
function zones(fixed: Partial<Characterization>, other: Partial<Characterization>): Characterization[] {
  return [
    { ...characterization('apse1-az1', 'ap-southeast-1', { [X25]: 720, [X29]: 180, [X30]: 100 }), ...fixed },
    { ...characterization('euw2-az3', 'eu-west-2', { [X25]: 790, [X29]: 105, [X30]: 105 }), ...other },
  ];
}

function viewOf(list: Characterization[], profiles: RoutingView['profiles'] = { 'short-gemm': GEMM }): RoutingView {
  return {
    zones: list,
    deployed: list.map((z) => ({ azId: z.azId, region: z.region })),
    architectures: ['x86_64'],
    memorySizes: [128],
    profiles,
    regions: {
      'ap-southeast-1': facts('ap-southeast-1', 1.35, 103.82, 400),
      'eu-west-2': facts('eu-west-2', 51.51, -0.13, 200),
    },
    now: NOW,
  };
}

const request: PlacementRequest = { workload: 'short-gemm', objective: 'cost' };

/** The cheapest expected cost per zone, and the zone `place` chose. */
function compare(view: RoutingView): { chosen: string; cost: Record<string, number> } {
  const router = new Router(view, { explore: false });
  const cost: Record<string, number> = {};
  for (const row of router.rank(request, 100)) {
    const az = row.target.azId;
    cost[az] = Math.min(cost[az] ?? Number.POSITIVE_INFINITY, row.expected.costUsd);
  }
  return { chosen: router.place(request).target.azId, cost };
}

describe('the uncertainty penalty weighs what could move a target’s expected cost', () => {
  it('a CPU a zone holds 0.4% of, never profiled, does not push the cheaper zone below a dearer one', () => {
    // GIVEN the fixed zone also holds 0.4% AMD EPYC, whose runtime is only estimated from relative speeds
    const view = viewOf(zones({ counts: { [X25]: 720, [X29]: 180, [X30]: 96, [EPYC]: 4 } }, {}));
    // WHEN
    const { chosen, cost } = compare(view);
    // THEN the fixed zone is the cheaper by the router's own expectation, and it is chosen
    expect(cost['apse1-az1']).toBeLessThan(cost['euw2-az3'] * 0.99);
    expect(chosen).toBe('apse1-az1');
  });

  it('still prefers a zone known from observations when the unknown CPU is most of the other zone', () => {
    // GIVEN the fixed zone is 60% EPYC, never profiled: its expectation rests mostly on a guess
    const view = viewOf(zones({ counts: { [X25]: 300, [X29]: 100, [EPYC]: 600 } }, {}));
    const router = new Router(view, { explore: false });
    const penalised = router.rank(request, 100).find((row) => row.target.azId === 'apse1-az1');
    const plain = new Router(view, { explore: false, uncertaintyPenalty: 0 })
      .rank(request, 100)
      .find((row) => row.target.azId === 'apse1-az1');
    // THEN its score carries most of the penalty (0.2 × about half its runtime unsure)
    expect(penalised?.score).toBeGreaterThan((plain?.score ?? 0) * 1.05);
  });

  it('a zone sampled to the usual accuracy (APE bound 4.5) is not ranked below a small one the sampling saw whole', () => {
    // GIVEN the fixed zone's characterization is within 4.5 APE; the other zone's saw every host (bound 0)
    const view = viewOf(
      zones(
        { confidence: { apeBound: 4.5, hostsSeen: 900, fleetEstimate: 286 } },
        { confidence: { apeBound: 0, hostsSeen: 19, fleetEstimate: 19 } },
      ),
    );
    // WHEN
    const { chosen, cost } = compare(view);
    // THEN the fixed zone's expected cost is lower by ~1.5%, less than the old flat 0.2 × 0.09 = 1.8% penalty
    expect(cost['apse1-az1']).toBeLessThan(cost['euw2-az3']);
    expect(cost['apse1-az1']).toBeGreaterThan(cost['euw2-az3'] * 0.98);
    expect(chosen).toBe('apse1-az1');
  });
});

describe('mixSensitivityOf', () => {
  it('is the runtime spread of the architecture over the expected runtime, capped at 1', () => {
    expect(mixSensitivityOf(262, 525, 500)).toBeCloseTo(0.526, 3);
    expect(mixSensitivityOf(500, 500, 500)).toBe(0);
    expect(mixSensitivityOf(100, 900, 400)).toBe(1);
    expect(mixSensitivityOf(100, 200, 0)).toBe(0);
  });

  it('scales the mix term of a candidate’s score and leaves the runtime term weighted by expected runtime', () => {
    const region = facts('us-west-1', 37.77, -122.42, 250);
    const target = targetOf('usw1-az1', 'us-west-1', 'x86_64', 128);
    const build = (sensitivity?: number) =>
      buildCandidate(
        0,
        0,
        target,
        0,
        region,
        ['slow', 'fast', 'mid'],
        [0.2, 0.3, 0.5],
        [1300, 900, 1000],
        [1, 1, 0.5],
        new Set(['slow']),
        0.9,
        0.2,
        sensitivity,
      );
    // runtime: 0.5 × 1000 × (1 − 0.5) / (260 + 270 + 500) = 0.2427; mix: (1 − 0.9) × sensitivity
    expect(build().scoreFactor).toBeCloseTo(1 + 0.2 * (250 / 1030 + 0.1), 12);
    expect(build(0.5).scoreFactor).toBeCloseTo(1 + 0.2 * (250 / 1030 + 0.05), 12);
    expect(build(0).scoreFactor).toBeCloseTo(1 + 0.2 * (250 / 1030), 12);
  });
});
