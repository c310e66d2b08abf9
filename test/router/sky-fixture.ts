import { createRouterHandler, type RouterHandler } from '../../lambda/router';
import { lambdaClientWithLimit, sdkInvoker } from '../../lib/aws/lambda-invoker';
import type { LocalDynamo } from '../../lib/aws/local-dynamo';
import { startLocalSkyStore } from '../../lib/aws/local-sky-store';
import type { SkyStore } from '../../lib/aws/store';
import { regionFacts } from '../../lib/catalog';
import type { Invoker } from '../../lib/contracts';
import type { Characterization, CpuCounts, CpuKey } from '../../lib/core/types';
import type { RouterConfig } from '../../lib/routing/config';
import { corePlacerFactory } from '../../lib/routing/placer';
import type { RoutingServiceOptions as RouterHandlerOptions } from '../../lib/routing/service';
import { type RouterTelemetry, silentTelemetry } from '../../lib/routing/telemetry';
import { defaultHandlerKit } from '../../lib/twin/handlers';
import { type LambdaApi, startLambdaApi } from '../../lib/twin/lambda-api';
import { parseScenario, type Scenario } from '../../lib/twin/scenario';

/**
 * A local sky for the router's tests: the twin's emulated zones behind its loopback Lambda API,
 * reached with the real `@aws-sdk/client-lambda` (dummy credentials), and dynalite on loopback for
 * the table, reached with the real DynamoDB document client. Dynamic functions run the real handler
 * code; built-in workloads run a model (the scenario's runtime for the instance's CPU and memory,
 * slept on the twin's scaled clock) so that thousands of calls take seconds. Sent code runs for real.
 */

export const CPU_MODELS = {
  xeon25: 'Intel(R) Xeon(R) Processor @ 2.50GHz',
  xeon30: 'Intel(R) Xeon(R) Processor @ 3.00GHz',
  epyc: 'AMD EPYC',
} as const;

/** CPU keys as the inspector reports them. */
export const CPU = { xeon25: 'intel-xeon-2.50', xeon30: 'intel-xeon-3.00', epyc: 'amd-epyc' } as const;

/** Three zones in two regions with different mixes; one workload whose runtime depends on the CPU. */
export const ROUTER_SCENARIO = {
  name: 'router-test',
  seed: 11,
  days: 1,
  baselineZone: 'usw1-az1',
  cpus: {
    xeon25: { model: CPU_MODELS.xeon25 },
    xeon30: { model: CPU_MODELS.xeon30 },
    epyc: { model: CPU_MODELS.epyc },
  },
  zones: [
    {
      azId: 'usw1-az1',
      region: 'us-west-1',
      hosts: 50,
      slotsPerHost: 40,
      mix: [{ xeon25: 0.5, xeon30: 0.2, epyc: 0.3 }],
    },
    {
      azId: 'usw1-az3',
      region: 'us-west-1',
      hosts: 50,
      slotsPerHost: 40,
      mix: [{ xeon25: 0.3, xeon30: 0.6, epyc: 0.1 }],
    },
    { azId: 'sae1-az1', region: 'sa-east-1', hosts: 50, slotsPerHost: 40, mix: [{ xeon25: 0.7, epyc: 0.3 }] },
  ],
  workloads: {
    zipper: { memoryMb: 2048, baseMs: 1000, cv: 0, relative: { xeon25: 1, xeon30: 0.88, epyc: 1.35 } },
  },
  burst: 100,
  holdMs: 150,
};

/**
 * One zone (usw2-az1) whose four hosts are all AMD EPYC, where zipper (50 ms at 2048 MB on a 2.5 GHz Xeon) runs 35%
 * slower than there and 0.88× as long on a 3.0 GHz Xeon: for tests that characterize the zone wrongly on purpose.
 */
export function allEpycScenario(name: string, seed: number) {
  return {
    name,
    seed,
    days: 1,
    baselineZone: 'usw2-az1',
    cpus: { xeon30: { model: CPU_MODELS.xeon30 }, epyc: { model: CPU_MODELS.epyc } },
    zones: [{ azId: 'usw2-az1', region: 'us-west-2', hosts: 4, slotsPerHost: 20, mix: [{ epyc: 1 }] }],
    workloads: { zipper: { memoryMb: 2048, baseMs: 50, cv: 0, relative: { xeon30: 0.88, epyc: 1.35 } } },
  };
}

export interface SkyFixture {
  readonly api: LambdaApi;
  readonly dynamo: LocalDynamo;
  readonly store: SkyStore;
  /** The SDK-backed invoker the router uses. */
  readonly invoker: Invoker;
  readonly config: RouterConfig;
  readonly scenario: Scenario;
  /** Builds a router handler over this sky (defaults: silent telemetry, core placer). */
  router(options?: Partial<RouterHandlerOptions>): RouterHandler;
  /** Stores a `LATEST` characterization for each zone, from its true mix (counts out of `instances`). */
  characterize(options?: { measuredAt?: string; instances?: number; zones?: readonly string[] }): Promise<void>;
  /**
   * Stores a `LATEST` characterization of one zone with the given counts (out of their sum), measured now, whatever
   * its true mix: what a test makes the router believe. The zone is the scenario's, named by its id, or one the twin
   * lacks, given with its region.
   */
  characterizeAs(zone: string | { readonly azId: string; readonly region: string }, counts: CpuCounts): Promise<void>;
  /**
   * Stores `count` (50 unless given) observed runtimes of `profile` on each CPU (x86_64, 2048 MB): mean `meanMs[cpu]`,
   * spread `cv` (standard deviation over mean).
   */
  observeRuntimes(profile: string, meanMs: Readonly<Record<string, number>>, cv: number, count?: number): Promise<void>;
  close(): Promise<void>;
}

export interface SkyFixtureOptions {
  readonly scenario?: unknown;
  /**
   * Real ms per emulated ms. The router runs in real time while the emulated instances see scaled time,
   * so every real millisecond the machine loses (load, a busy event loop) counts `1 / timeScale` emulated
   * ms against the instances' deadlines (300 s for a dynamic function, 900 s for a router registered in
   * the twin). At 1/20 they stay 15 s and 45 s of real time away, far beyond what a loaded 2-core machine
   * loses, while a modelled second still takes only 50 ms.
   * @default 0.05
   */
  readonly timeScale?: number;
  readonly telemetry?: RouterTelemetry;
  readonly maxSockets?: number;
}

export async function startSky(options: SkyFixtureOptions = {}): Promise<SkyFixture> {
  const scenario = parseScenario(options.scenario ?? ROUTER_SCENARIO);
  const relativeByCpuKey = new Map<CpuKey, string>(scenario.cpuList.map((c) => [c.cpuKey, c.key]));
  let api: LambdaApi | undefined;
  api = await startLambdaApi({
    scenario,
    timeScale: options.timeScale ?? 0.05,
    invokeLatencyMs: 2,
    coldStartMs: 50,
    kit: defaultHandlerKit({
      runnerFor: () => ({
        async run(task) {
          if (task.kind !== 'workload') return task.invoke();
          const workload = scenario.workloads[task.name];
          if (!workload) return task.invoke();
          const cpu = relativeByCpuKey.get(task.instance.cpuKey) ?? '';
          // A one-thread workload: below 1,769 MB (one vCPU) it gets a share of a vCPU and runs longer.
          const share = (mb: number) => Math.min(1, mb / 1769);
          const memoryMb = task.instance.memoryMb ?? workload.memoryMb;
          const ms = (workload.baseMs * (workload.relative[cpu] ?? 1) * share(workload.memoryMb)) / share(memoryMb);
          await (api as LambdaApi).twin.clock.sleep(ms);
          return { workload: task.name, modelledMs: ms };
        },
      }),
    }),
  });
  const local = await startLocalSkyStore();
  const { dynamo, store } = local;
  const maxSockets = options.maxSockets ?? 200;
  const lambda = lambdaClientWithLimit({
    region: 'us-west-1',
    endpoint: api.endpoint,
    credentials: { accessKeyId: 'twin', secretAccessKey: 'twin' },
    maxSockets,
    // A thousand sockets opening at once on a busy event loop take longer than the 3 s default.
    connectionTimeoutMs: 60_000,
  });
  const invoker = sdkInvoker(lambda, { maxSockets });
  const config: RouterConfig = {
    deployed: scenario.zones.map((z) => ({ azId: z.azId, region: z.region })),
    architectures: ['x86_64'],
    memorySizes: [1024, 2048],
    regionFacts,
    holdMs: scenario.holdMs,
    maxAttempts: 10,
  };
  const apiRef = api;
  return {
    api: apiRef,
    dynamo,
    store,
    invoker,
    config,
    scenario,
    router(overrides = {}) {
      return createRouterHandler({
        store,
        invoker,
        config,
        placerFactory: corePlacerFactory({ holdMs: config.holdMs }),
        telemetry: options.telemetry ?? silentTelemetry,
        ...overrides,
      });
    },
    async characterize(opts = {}) {
      const instances = opts.instances ?? 1000;
      const measuredAt = opts.measuredAt ?? new Date().toISOString();
      for (const zone of scenario.zones) {
        if (opts.zones && !opts.zones.includes(zone.azId)) continue;
        const mix = zone.mix[0];
        const counts: Record<string, number> = {};
        for (const [key, share] of Object.entries(mix)) {
          const cpu = scenario.cpuList.find((c) => c.key === key);
          if (cpu && share > 0) counts[cpu.cpuKey] = Math.round(share * instances);
        }
        await store.putCharacterization({
          ...stableCharacterization(zone, counts, instances, measuredAt),
          stoppedBecause: 'converged',
        });
      }
    },
    async characterizeAs(zoneOrId, counts) {
      const zone = typeof zoneOrId === 'string' ? scenario.zones.find((z) => z.azId === zoneOrId) : zoneOrId;
      if (!zone) throw new Error(`characterizeAs: zone ${zoneOrId} is not in scenario ${scenario.name}`);
      const instances = Object.values(counts).reduce((sum, n) => sum + n, 0);
      await store.putCharacterization(stableCharacterization(zone, counts, instances, new Date().toISOString()));
    },
    async observeRuntimes(profile, meanMs, cv, count = 50) {
      for (const [cpu, ms] of Object.entries(meanMs)) {
        await store.addProfileSums(
          profile,
          { cpu, arch: 'x86_64', memoryMb: 2048 },
          { count, sum: count * ms, sumSquares: count * ms * ms * (1 + cv * cv) },
        );
      }
    },
    async close() {
      lambda.destroy();
      await apiRef.close();
      await local.close();
    },
  };
}

/** A stable characterization of `zone` from three polls of `instances`, measured at `measuredAt`. */
function stableCharacterization(
  zone: { readonly azId: string; readonly region: string },
  counts: CpuCounts,
  instances: number,
  measuredAt: string,
): Characterization {
  return {
    azId: zone.azId,
    region: zone.region,
    counts,
    instancesSeen: instances,
    polls: 3,
    failures: 0,
    measuredAt,
    driftClass: 'stable',
    costUsd: 0.02,
  };
}
