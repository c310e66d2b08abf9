import { CARBON_WEIGHTS, costCarbonFront } from '../../lib/core/cost-carbon-front';
import { Router } from '../../lib/core/router';
import { characterization, facts, paperView, X25, X30 } from './fixtures';

// GIVEN two zones with the same CPU mix: a cheap region on a dirty grid and a dearer one on a clean grid.
function cheapDirtyAndDearClean() {
  const zones = [
    characterization('use1-az1', 'us-east-1', { [X25]: 800, [X30]: 200 }),
    characterization('eun1-az1', 'eu-north-1', { [X25]: 800, [X30]: 200 }),
  ];
  return paperView({
    zones,
    deployed: zones.map((z) => ({ azId: z.azId, region: z.region })),
    architectures: ['x86_64'],
    memorySizes: [2048],
    regions: {
      'us-east-1': facts('us-east-1', 38.9, -77.0, 418),
      'eu-north-1': facts('eu-north-1', 59.33, 18.07, 20, 0.0000166667 * 1.2),
    },
  });
}

describe('costCarbonFront', () => {
  it('moves from the cheap dirty zone to the clean dear one as carbon weighs more', () => {
    const front = costCarbonFront(new Router(cheapDirtyAndDearClean()), { workload: 'zipper' });
    expect(front.map((p) => p.carbonWeight)).toEqual(CARBON_WEIGHTS);
    expect(front[0].target.region).toBe('us-east-1');
    expect(front.at(-1)?.target.region).toBe('eu-north-1');
    expect(front.at(-1)!.costUsd).toBeGreaterThan(front[0].costUsd);
    expect(front.at(-1)!.carbonG).toBeLessThan(front[0].carbonG / 10);
  });

  it('never buys more carbon with more weight on carbon, nor saves cost (the weighted optimum is monotone)', () => {
    // Where the profile was measured: elsewhere the router's uncertainty penalty scales scores, not metrics.
    const limits = { architectures: ['x86_64' as const], memorySizes: [2048] };
    const front = costCarbonFront(new Router(paperView()), { workload: 'zipper', limits });
    expect(new Set(front.map((p) => p.target.region)).size).toBeGreaterThan(1);
    for (let i = 1; i < front.length; i++) {
      expect(front[i].carbonG).toBeLessThanOrEqual(front[i - 1].carbonG * (1 + 1e-9));
      expect(front[i].costUsd).toBeGreaterThanOrEqual(front[i - 1].costUsd * (1 - 1e-9));
    }
  });

  it('reports what the router expects of each placement', () => {
    // Without exploration, which makes each call's placement depend on the calls still in flight.
    const router = new Router(paperView(), { explore: false });
    const [point] = costCarbonFront(router, { workload: 'zipper' }, [1]);
    const placement = router.place({
      workload: 'zipper',
      strategy: 'optimal',
      objective: { cost: 1, latency: 0, carbon: 1 },
    });
    expect(point.target).toEqual(placement.target);
    expect(point.costUsd).toBe(placement.expected.costUsd);
    expect(point.carbonG).toBe(placement.expected.carbonG);
  });
});
