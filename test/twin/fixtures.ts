import type { RouterOptions } from '../../lib/core/router';
import type { Arch, Characterization, CpuCounts } from '../../lib/core/types';
import type { RouterRequestBody } from '../../lib/routing/request';
import type { DeadlineSource } from '../../lib/routing/service';
import type { BatchAnswer } from '../../lib/routing/types';
import { modelRunner, scenarioWorkloads } from '../../lib/twin/burst';
import { VirtualClock } from '../../lib/twin/clock';
import { deployedZoneOf } from '../../lib/twin/deployed-zones';
import { trueMixOf } from '../../lib/twin/experiment';
import { defaultHandlerKit } from '../../lib/twin/handlers';
import type { HandlerKit } from '../../lib/twin/kit';
import { catalogPrices } from '../../lib/twin/prices';
import { TwinRouting, type TwinRoutingOptions } from '../../lib/twin/routing';
import { parseScenario, type Scenario } from '../../lib/twin/scenario';
import { DEFAULT_EPOCH_MS, Twin } from '../../lib/twin/twin';
import { WORKLOADS } from '../../lib/workloads';

/** A small two-zone scenario for tests: few hosts, so saturation comes after a few polls. */
export function smallScenarioJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'small',
    description: 'test scenario',
    seed: 11,
    days: 2,
    baselineZone: 'usw1-az3',
    cpus: {
      xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
      xeon29: { model: 'Intel(R) Xeon(R) Processor @ 2.90GHz' },
      xeon30: { model: 'Intel(R) Xeon(R) Processor @ 3.00GHz' },
      epyc: { model: 'AMD EPYC' },
    },
    zones: [
      {
        azId: 'usw1-az3',
        region: 'us-west-1',
        hosts: 20,
        slotsPerHost: 10,
        mix: [
          { xeon25: 0.5, xeon29: 0.25, xeon30: 0.15, epyc: 0.1 },
          { xeon25: 0.6, xeon29: 0.2, xeon30: 0.1, epyc: 0.1 },
        ],
      },
      {
        azId: 'sae1-az1',
        region: 'sa-east-1',
        hosts: 10,
        slotsPerHost: 10,
        mix: [{ xeon25: 0.5, xeon30: 0.5 }],
      },
    ],
    workloads: {
      zipper: {
        memoryMb: 4096,
        baseMs: 1000,
        cv: 0.03,
        relative: { xeon25: 1, xeon30: 0.88, xeon29: 1.22, epyc: 1.35 },
      },
      'disk-writer': { memoryMb: 2048, baseMs: 800, cv: 0.05, relative: { xeon30: 0.95, xeon29: 1.1, epyc: 0.97 } },
    },
    burst: 50,
    holdMs: 150,
    ...overrides,
  };
}

export function smallScenario(overrides: Record<string, unknown> = {}): Scenario {
  return parseScenario(smallScenarioJson(overrides), 'test');
}

/**
 * A twin of the scenario on a virtual clock, its instances running the model runner inside the real dynamic
 * handler, and the routing service a deployment would run over it (x86_64 unless told, reject mode auto).
 */
export function routedTwin(
  scenario: Scenario,
  options: {
    readonly memorySizes: readonly number[];
    readonly routerOptions?: RouterOptions;
    /** @default ['x86_64'] */
    readonly architectures?: readonly Arch[];
    readonly wrapPlacerFactory?: TwinRoutingOptions['wrapPlacerFactory'];
    /** Changes the handlers the emulated instances run. @default - the twin's own */
    readonly wrapKit?: (kit: HandlerKit) => HandlerKit;
  },
): { clock: VirtualClock; twin: Twin; routing: TwinRouting } {
  const clock = new VirtualClock(DEFAULT_EPOCH_MS);
  const state = { noise: new Float64Array(0), next: 0, realWorkloads: false };
  const twin = new Twin({
    scenario,
    clock,
    kit: (options.wrapKit ?? ((kit) => kit))(
      defaultHandlerKit({
        runnerFor: (platform) => modelRunner(scenario, state, platform),
        workloads: scenarioWorkloads(scenario, WORKLOADS),
      }),
    ),
  });
  const routing = new TwinRouting({
    scenario,
    twin,
    prices: catalogPrices,
    deployed: scenario.zones.map(deployedZoneOf),
    architectures: options.architectures ?? ['x86_64'],
    memorySizes: options.memorySizes,
    rejectMode: 'auto',
    routerOptions: options.routerOptions ?? {},
    ...(options.wrapPlacerFactory ? { wrapPlacerFactory: options.wrapPlacerFactory } : {}),
  });
  return { clock, twin, routing };
}

/**
 * A characterization of one zone as a sampling run stores it: `counts` out of their sum, one poll, no failure, stable,
 * measured at the twin's epoch, free; `overrides` name what a test changes.
 */
export function characterizationOf(
  zone: { readonly azId: string; readonly region: string },
  counts: CpuCounts,
  overrides: Partial<Characterization> = {},
): Characterization {
  return {
    azId: zone.azId,
    region: zone.region,
    counts,
    instancesSeen: Object.values(counts).reduce((sum, n) => sum + n, 0),
    polls: 1,
    failures: 0,
    measuredAt: new Date(DEFAULT_EPOCH_MS).toISOString(),
    driftClass: 'stable',
    costUsd: 0,
    ...overrides,
  };
}

/** Every zone's x86_64 characterization as `instances` instances drawn from its true mix of day 0 would count it. */
export function trueMixCharacterizations(
  scenario: Scenario,
  instances: number,
  overrides: Partial<Characterization> = {},
): Characterization[] {
  return scenario.zones.map((z) => {
    const shares = Object.entries(trueMixOf(scenario, z.azId, 0));
    const counts = Object.fromEntries(shares.map(([cpu, share]) => [cpu, share * instances]));
    return characterizationOf(z, counts, { instancesSeen: instances, ...overrides });
  });
}

/**
 * Profiles the request's workload as the router's own profiling request does (cost objective, 3 observations), lets
 * ten minutes pass, then routes the request (a batch) on the twin's clock; any answer but a batch fails the test.
 */
export function profiledBatch(
  env: { readonly clock: VirtualClock; readonly routing: TwinRouting },
  request: RouterRequestBody,
  deadline?: DeadlineSource,
  /** Called between the profiling and the batch. */
  beforeBatch?: () => void,
): Promise<BatchAnswer> {
  const { clock, routing } = env;
  return clock.run(async () => {
    const { workload, limits } = request;
    await routing.profile({ workload, objective: 'cost', limits, profiling: { observations: 3 } });
    clock.advanceTo(clock.now() + 600_000);
    beforeBatch?.();
    const answer = await routing.service.route(request, deadline);
    if (answer.status !== 'batch') throw new Error(`the router refused the batch: ${JSON.stringify(answer)}`);
    return answer;
  });
}

/**
 * One zone, 10% of it the fast CPU (0.6×), INIT billed: a CPU worth finding once per instance, not once per call, so
 * a batch with a time budget is paced.
 */
export function pacingScenario(): Scenario {
  return smallScenario({
    days: 1,
    initMs: 150,
    pricing: { initBilled: true },
    zones: [
      { azId: 'usw1-az3', region: 'us-west-1', hosts: 40, slotsPerHost: 10, mix: [{ xeon25: 0.9, xeon30: 0.1 }] },
    ],
    workloads: { zipper: { memoryMb: 1024, baseMs: 1000, cv: 0.02, relative: { xeon25: 1, xeon30: 0.6 } } },
  });
}
