import { runTwinExperiment } from '../../lib/twin/experiment';
import { parseScenario } from '../../lib/twin/scenario';

describe("the twin's profiling phase", () => {
  it("names the scenario's workload when the router refuses to profile it", async () => {
    // GIVEN a workload that fits the timeout by the scenario's rule (250 s × 1.03 for 3 × cv 0.01), but not by the
    // router's, which knows nothing of its spread before profiling
    const scenario = parseScenario(
      {
        name: 'long-one',
        seed: 3,
        days: 1,
        baselineZone: 'usw1-az3',
        cpus: { xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' } },
        zones: [{ azId: 'usw1-az3', region: 'us-west-1', hosts: 10, slotsPerHost: 20, mix: [{ xeon25: 1 }] }],
        workloads: { long: { memoryMb: 2048, baseMs: 250_000, cv: 0.01, relative: { xeon25: 1 } } },
        burst: 10,
        holdMs: 150,
      },
      'test',
    );
    // WHEN the twin runs it, THEN the run fails naming the field to change and the router's reason
    await expect(
      runTwinExperiment(scenario, { strategies: ['optimal'], sampling: { probeSaturation: false } }),
    ).rejects.toThrow(/the router refused to profile the scenario's workloads\.long: NoTarget: .*timeoutMs 300000/);
  });
});
