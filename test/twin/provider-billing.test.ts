import { regionFacts } from '../../lib/catalog/lookup';
import { lambdaPrice } from '../../lib/catalog/prices';
import { DIGITALOCEAN_FUNCTIONS, IBM_CODE_ENGINE } from '../../lib/catalog/providers';
import { SAMPLING_DEFAULTS } from '../../lib/contracts';
import { carbonGrams } from '../../lib/core/carbon';
import { estimatePollCostUsd } from '../../lib/sampling/cost';
import { runTwinExperiment } from '../../lib/twin/experiment';
import { parseScenario } from '../../lib/twin/scenario';
import { routedTwin, trueMixCharacterizations } from './fixtures';

/** One provider zone, a 30 ms workload at 128 MB (under DigitalOcean's 100 ms minimum), 2024 billing (no INIT). */
function scenarioOn(zone: Record<string, unknown>, memoryMb: number): ReturnType<typeof parseScenario> {
  return parseScenario(
    {
      name: 'provider-billing',
      description: 'a provider zone billed by the twin',
      seed: 3,
      days: 1,
      baselineZone: zone.azId,
      cpus: {
        a: { model: 'Intel(R) Xeon(R) Gold 6142 CPU @ 2.60GHz' },
        b: { model: 'Intel(R) Xeon(R) Platinum 8168 CPU @ 2.70GHz' },
      },
      zones: [{ hosts: 20, slotsPerHost: 100, mix: [{ a: 0.6, b: 0.4 }], ...zone }],
      workloads: { short: { memoryMb, baseMs: 30, cv: 0, relative: { b: 0.9 } } },
      burst: 40,
      holdMs: 150,
      pricing: { initBilled: false },
    },
    'provider-billing',
  );
}

const SAMPLING = { pollConcurrency: 40, samplersPerPoll: 4, fanoutBranching: 8, probeSaturation: false };

describe('the twin bills provider zones as the provider does, through the core pricing', () => {
  it("bills DigitalOcean's 100 ms minimum on every call of a burst", async () => {
    // GIVEN a 30 ms workload on DigitalOcean at 128 MB
    const scenario = scenarioOn({ azId: 'do-lon1', provider: 'digitalocean', region: 'lon1' }, 128);
    // WHEN the fixed zone runs its burst
    const run = await runTwinExperiment(scenario, { sampling: SAMPLING, strategies: ['baseline'], profilingCalls: 5 });
    const burst = run.days[0].bursts.find((b) => b.strategy === 'baseline')!;
    // THEN each call is billed 100 ms at DigitalOcean's GiB-second price, not its 30 ms
    const { outcome } = burst;
    expect(outcome.completed).toBe(40);
    expect(outcome.runtimeMs / outcome.completed).toBeLessThan(40);
    expect(outcome.billedMs).toBe(outcome.attempts * 100);
    const perCall = 100 * (128 / 1024) * (DIGITALOCEAN_FUNCTIONS.price.perGbSecond / 1000);
    expect(outcome.costUsd).toBeCloseTo(outcome.attempts * perCall, 12);
  });

  it("the router's record of a DigitalOcean burst bills its 100 ms minimum, rejections included, as the twin does", async () => {
    // GIVEN the router over the twin, a 30 ms workload on DigitalOcean at 128 MB, and a strategy that rejects a CPU
    const scenario = scenarioOn({ azId: 'do-lon1', provider: 'digitalocean', region: 'lon1' }, 128);
    const { clock, twin, routing } = routedTwin(scenario, { memorySizes: [128] });
    twin.setDay(0);
    routing.characterize(trueMixCharacterizations(scenario, 200));
    const limits = { zones: ['do-lon1'], memoryMb: 128, arch: 'x86_64' as const };
    // WHEN the router has profiled the workload and then runs a burst as one batch
    const sent = await clock.run(async () => {
      await routing.profile({ workload: 'short', objective: 'cost', limits, profiling: { observations: 3 } });
      clock.advanceTo(clock.now() + 600_000);
      return routing.burst({ workload: 'short', strategy: 'focus-fastest', limits }, 40);
    });
    if (!('answer' in sent)) throw new Error(`the router refused the burst: ${sent.refused}`);
    const { answer, outcome } = sent;
    // THEN the premise: some calls were rejected, and no call ran as long as the minimum
    expect(outcome.attempts).toBeGreaterThan(40);
    expect(outcome.runtimeMs / outcome.completed).toBeLessThan(40);
    // and the router's cost, rejected attempts included, is the twin's bill: 100 ms an attempt
    expect(outcome.billedMs).toBe(outcome.attempts * 100);
    expect(answer.summary.costUsd).toBeCloseTo(outcome.costUsd, 12);
    // and so is its carbon, which follows the billed time
    expect(answer.summary.carbonG).toBeCloseTo(
      carbonGrams(outcome.billedMs, 128, regionFacts('lon1').carbonGPerKwh),
      12,
    );
  });

  it("prices an IBM zone's samplers at Code Engine's sampler size and price, its fan-out at Lambda's", async () => {
    // GIVEN an IBM Code Engine zone
    const scenario = scenarioOn({ azId: 'ibm-eu-gb', provider: 'ibm-code-engine', region: 'eu-gb' }, 1024);
    // WHEN the twin samples it with the deployed sampling steps
    const run = await runTwinExperiment(scenario, { sampling: SAMPLING, routing: false });
    const sampling = run.days[0].sampling[0];
    // THEN each poll costs what the steps estimate for 4 GB samplers with 1 vCPU at IBM's prices
    const { price } = IBM_CODE_ENGINE;
    const home = lambdaPrice('us-west-2', 'x86_64');
    const settings = {
      ...SAMPLING_DEFAULTS,
      ...SAMPLING,
      samplerMemoryMb: 4096,
      samplerMemoryStepMb: 0,
      pricePerGbSecond: price.perGbSecond + 0.25 * price.perVcpuSecond,
      pricePerRequest: price.perRequest,
      fanoutPricePerGbSecond: home.perGbSecond,
      fanoutPricePerRequest: home.perRequest,
      initBilledMs: 0,
    };
    expect(sampling.polls.length).toBeGreaterThan(0);
    const expected = sampling.polls.reduce(
      (sum, poll) => sum + estimatePollCostUsd({ ...poll, instanceIds: [], bootTimes: [], hosts: [] }, 7, settings),
      0,
    );
    expect(sampling.costUsd).toBeGreaterThan(0);
    expect(sampling.costUsd).toBeCloseTo(expected, 9);
  });
});
