import { type LocalSkyResult, runLocalSky } from '../../lib/local';

/**
 * The local sky with zones on other providers: they are served on loopback as their providers' endpoints
 * (IBM's IAM token exchange and check, DigitalOcean's webSecure header), sampled by the state machines the
 * CDK app synthesizes for them, and routed to through the router's HTTPS invoker.
 */
const scenario = {
  name: 'local-mixed',
  description: 'one Lambda zone, one IBM Code Engine zone, one DigitalOcean zone',
  seed: 5,
  days: 1,
  baselineZone: 'usw1-az1',
  cpus: {
    xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
    xeon29: { model: 'Intel(R) Xeon(R) Processor @ 2.90GHz' },
    cascade24: { model: 'Intel(R) Xeon(R) Gold 6240R CPU @ 2.40GHz' },
    xeon27: { model: 'Intel(R) Xeon(R) Platinum 8168 CPU @ 2.70GHz' },
  },
  zones: [
    { azId: 'usw1-az1', region: 'us-west-1', hosts: 40, slotsPerHost: 50, mix: [{ xeon25: 0.7, xeon29: 0.3 }] },
    {
      azId: 'ibm-eu-gb',
      provider: 'ibm-code-engine',
      region: 'eu-gb',
      hosts: 40,
      slotsPerHost: 50,
      mix: [{ cascade24: 1 }],
    },
    { azId: 'do-lon1', provider: 'digitalocean', region: 'lon1', hosts: 40, slotsPerHost: 50, mix: [{ xeon27: 1 }] },
  ],
  // Equal speed everywhere: Code Engine's lower price per GB-second of equal work decides.
  workloads: { zipper: { memoryMb: 1024, baseMs: 1000, cv: 0.02, relative: { xeon29: 1, cascade24: 1, xeon27: 1 } } },
  burst: 20,
  holdMs: 150,
};

describe('the local sky with zones on other providers', () => {
  let result: LocalSkyResult;
  beforeAll(async () => {
    result = await runLocalSky({
      scenario,
      pollConcurrency: 60,
      burst: 20,
      concurrency: 10,
      profilingCalls: 2,
      strategies: ['baseline', 'optimal'],
      experiment: false,
    });
  }, 300_000);

  it("samples each provider zone by its synthesized state machine, over HTTP through the provider's auth", () => {
    for (const [azId, region] of [
      ['ibm-eu-gb', 'eu-gb'],
      ['do-lon1', 'lon1'],
    ]) {
      const sampling = result.sampling.find((s) => s.azId === azId);
      expect(sampling).toMatchObject({ status: 'SUCCEEDED', region });
      expect(sampling?.characterization?.region).toBe(region);
      expect(sampling?.pollsRecorded).toBeGreaterThan(0);
    }
    expect(result.sampling.find((s) => s.azId === 'ibm-eu-gb')?.characterization?.counts).toEqual({
      'intel-xeon-2.40': expect.any(Number),
    });
    // Every request of every poll reached the zone's loopback endpoint, and every answer was a 200: the IAM
    // token and the webSecure secret were accepted.
    for (const azId of ['ibm-eu-gb', 'do-lon1']) {
      const polls = result.sampling.find((s) => s.azId === azId)!.pollsRecorded;
      expect(Object.keys(result.providerCalls[azId] ?? {})).toEqual(['200']);
      expect(result.providerCalls[azId][200]).toBeGreaterThanOrEqual(polls * 60);
    }
  });

  it('routes optimal to IBM Code Engine through the HTTPS invoker, where equal work is cheapest', () => {
    const optimal = result.bursts.find((b) => b.strategy === 'optimal')!;
    const baseline = result.bursts.find((b) => b.strategy === 'baseline')!;
    expect(baseline.azId).toBe('usw1-az1');
    expect(optimal.azId).toBe('ibm-eu-gb');
    expect(optimal.succeeded).toBe(20);
    expect(optimal.costUsd).toBeLessThan(baseline.costUsd);
    // Beyond its sampling poll's 60 requests, the routed calls and at least one profiling call (its only CPU is
    // measured there) reached IBM over HTTP too.
    const pollRequests = result.sampling.find((s) => s.azId === 'ibm-eu-gb')!.pollsRecorded * 60;
    expect(result.providerCalls['ibm-eu-gb']?.[200]).toBeGreaterThanOrEqual(pollRequests + 20 + 1);
  });
});
