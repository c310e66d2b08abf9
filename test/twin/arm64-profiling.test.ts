import { Router } from '../../lib/core/router';
import { routedTwin, smallScenario, trueMixCharacterizations } from './fixtures';

const PROFILE = 'codec@small';

/**
 * Profiling an architecture no sampler has seen: the router's arm64 mix of every zone is only its baseline CPU
 * (Graviton2) assumed, and the zone it would try first has no arm64 fleet at all, so calls there throttle. The
 * profiling calls must reach Graviton2 where it is, or the workload never moves to arm64.
 */
describe('profiling arm64 fleets known from nothing', () => {
  const scenario = smallScenario({
    days: 1,
    cpus: {
      xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
      graviton2: { model: 'graviton2' },
    },
    zones: [
      // First by AZ ID, and without an arm64 fleet.
      { azId: 'euw1-az1', region: 'eu-west-1', hosts: 10, slotsPerHost: 50, mix: [{ xeon25: 1 }] },
      {
        azId: 'use1-az2',
        region: 'us-east-1',
        hosts: 10,
        slotsPerHost: 50,
        mix: [{ xeon25: 1 }],
        arm64: { hosts: 10, mix: [{ graviton2: 1 }] },
      },
    ],
    baselineZone: 'use1-az2',
    workloads: { codec: { memoryMb: 1024, baseMs: 1500, cv: 0.04, relative: { graviton2: 1.1 } } },
  });

  it('moves a call the first zone cannot run to a zone that can, and learns the runtime there', async () => {
    // GIVEN sampling measured the x86_64 fleets only
    const { clock, twin, routing } = routedTwin(scenario, {
      memorySizes: [1024],
      architectures: ['x86_64', 'arm64'],
      routerOptions: { init: { billed: true, initMs: 150 } },
    });
    twin.setDay(0);
    routing.characterize(trueMixCharacterizations(scenario, 200, { driftClass: 'unknown' }));
    // WHEN the workload is profiled on arm64
    const answer = await clock.run(() =>
      routing.profile({
        workload: { name: 'codec', size: 'small' },
        limits: { memorySizes: [1024], architectures: ['arm64'] },
        profiling: { observations: 3, worthOnly: false },
      }),
    );
    // THEN every call ran, on Graviton2 in the zone that has it, after one throttled attempt in the other
    expect(answer.summary.failed).toBe(0);
    expect(answer.summary.calls).toBe(3);
    expect(answer.sizes.find((s) => s.arch === 'arm64')?.cpus.graviton2?.calls).toBe(3);
    const { placer } = await clock.run(() => routing.service.cache.get());
    if (!(placer instanceof Router)) throw new Error('not the core router');
    expect(placer.profiles.count(PROFILE, 'graviton2', 'arm64', 1024)).toBe(3);
    // and the new instances they met are stored as that zone's passive counts, which give it an arm64 mix
    const passive = await routing.store.allPassiveCounts();
    expect(passive.filter((p) => (p.counts.graviton2 ?? 0) > 0).map((p) => p.azId)).toEqual(['use1-az2']);
  });
});
