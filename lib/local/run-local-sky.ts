import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { createRouterHandler } from '../../lambda/router/index';
import { createDocumentClient } from '../aws/dynamo-client';
import { sdkInvoker } from '../aws/lambda-invoker';
import { functionRouterClient } from '../aws/router-client';
import { SkyStore } from '../aws/store';
import { regionFacts } from '../catalog';
import { DEFAULT_SKY_CONFIG } from '../config';
import { fanoutFunctionName, ROUTER_FUNCTION_NAME, samplingStepsFunctionName } from '../core/naming';
import type { Arch } from '../core/types';
import { routerInvoker, withExternalZones } from '../providers';
import { prepareOutDir } from '../report/out-dir';
import type { ProfilingSummary, ReportData, SummaryTable, ZoneSummaryRow } from '../report/types';
import { type WrittenReport, writeReport } from '../report/write-report';
import { corePlacerFactory } from '../routing/placer';
import { silentTelemetry } from '../routing/telemetry';
import { NO_METRICS } from '../sampling/metrics';
import { createStepsHandler } from '../sampling/steps';
import type { TwinRun } from '../twin/experiment';
import { trueMixOf } from '../twin/experiment';
import type { PlainHandler } from '../twin/kit';
import { loadScenario, parseScenario, type Scenario } from '../twin/scenario';
import { offeredMemorySizes } from '../twin/workload-model';
import { Cleanup } from './cleanup';
import { costCarbonRows } from './cost-carbon';
import { copyTable, deploymentTableName } from './deployments';
import { LocalSkyError, type LocalSkyStep, messageOf } from './errors';
import { runLocalExperiment } from './experiment';
import { localHandlerKit } from './model-kit';
import { type LocalSkyOptions, resolveLocalSkyOptions } from './options';
import { awsZonesOf, externalFanout, startLocalProviderZones } from './provider-zones';
import { buildReportData } from './report-data';
import {
  type BurstDeployments,
  type BurstPlan,
  type BurstResult,
  profileWorkloads,
  runBursts,
  strategySummary,
} from './routing';
import { sampleZoneLocally, type ZoneSamplingResult } from './sampling';
import { LOCAL_CREDENTIALS, type LocalServers, startLocalServers } from './servers';
import { createTable, type SynthesizedMesh, skyConfigForScenario, synthesizeMesh } from './synth';

/** What a local sky run did and found. */
export interface LocalSkyResult {
  readonly scenario: Scenario;
  readonly summary: SummaryTable;
  /** Each zone's sampling run of its x86_64 fleet. */
  readonly sampling: readonly ZoneSamplingResult[];
  /** Each AWS zone's sampling run of its arm64 fleet, where arm64 fleets are sampled (`sampledArchitectures`). */
  readonly arm64Sampling: readonly ZoneSamplingResult[];
  readonly bursts: readonly BurstResult[];
  readonly experiment?: TwinRun;
  readonly reportData: ReportData;
  readonly report?: WrittenReport;
  /** Why the report could not be written (the rest of the result stands). */
  readonly reportError?: LocalSkyError;
  /** Where the servers listened (closed by the time the run returns). */
  readonly endpoints: { readonly lambda: string; readonly dynamo: string };
  /**
   * Calls the loopback endpoints of the zones on other providers answered, by zone and HTTP status (sampler
   * polls and routed calls alike); empty when the scenario has no such zone.
   */
  readonly providerCalls: Readonly<Record<string, Readonly<Record<number, number>>>>;
  /** The table the run wrote (gone with dynalite). */
  readonly tableName: string;
  /** Real ms spent in each step. */
  readonly timings: Readonly<Partial<Record<LocalSkyStep, number>>>;
  readonly elapsedMs: number;
}

/** Rejects as soon as `signal` aborts, whatever `work` is doing (its servers are closed after). */
function abortable<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason ?? new LocalSkyError('interrupted', 'aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function loadScenarioOption(scenario: unknown): Scenario {
  return typeof scenario === 'string' ? loadScenario(scenario) : parseScenario(scenario, 'inline scenario');
}

/**
 * The whole sky on this machine, with no AWS account and no network:
 * 1. dynalite and the twin's loopback Lambda API with the scenario's emulated zones;
 * 2. the CDK app synthesized in process for those zones; the table and each zone's sampling state
 *    machine are taken from the templates;
 * 3. every zone's state machine run with aws-local-stepfunctions through the loopback API into dynalite;
 * 4. bursts of every workload through the router handler (invoked through the loopback API) under
 *    every strategy, placed from the characterizations just stored;
 * 5. the summary, and (with `outDir`) the report, whose multi-day figures come from the twin's experiment (run in
 *    worker threads beside step 4).
 * Every server is stopped before this returns or throws, also when `signal` aborts.
 */
export async function runLocalSky(options: LocalSkyOptions = {}): Promise<LocalSkyResult> {
  const started = performance.now();
  const o = resolveLocalSkyOptions(options);
  const { progress, signal } = o;
  const cleanup = new Cleanup();
  const timings: Partial<Record<LocalSkyStep, number>> = {};
  const step = async <T>(name: LocalSkyStep, work: () => Promise<T> | T): Promise<T> => {
    signal?.throwIfAborted();
    const began = performance.now();
    try {
      const value = await abortable(Promise.resolve().then(work), signal);
      timings[name] = (timings[name] ?? 0) + (performance.now() - began);
      return value;
    } catch (error) {
      if (error instanceof LocalSkyError) throw error;
      throw new LocalSkyError(name, messageOf(error), { cause: error });
    }
  };
  /**
   * Starts the twin's multi-day experiment. It is stopped (its worker threads ended) when the run is aborted or ends
   * before awaiting it; a failure surfaces where the run awaits it.
   */
  const startExperiment = (scenario: Scenario): Promise<TwinRun> => {
    const stop = new AbortController();
    const forward = (): void => stop.abort(signal?.reason);
    signal?.addEventListener('abort', forward, { once: true });
    const task = progress.task(`twin: ${scenario.days} days`, 1);
    const running = step('experiment', async () => {
      const run = await runLocalExperiment(scenario, {
        burst: o.experimentBurst,
        probeSaturation: o.probeSaturation,
        task,
        signal: stop.signal,
      });
      task.done();
      return run;
    });
    const settled = running.then(
      () => undefined,
      () => undefined,
    );
    cleanup.add('twin experiment', async () => {
      signal?.removeEventListener('abort', forward);
      stop.abort(new LocalSkyError('experiment', 'the local sky stopped before the experiment ended'));
      await settled;
    });
    return running;
  };
  const run = async (): Promise<LocalSkyResult> => {
    // The report is written last: a folder it cannot be written to fails now, not after the run.
    if (o.outDir) {
      const outDir = o.outDir;
      await step('output', () => prepareOutDir(outDir));
    }
    const scenario = await step('scenario', () => loadScenarioOption(o.scenario));
    const overrides = o.pollConcurrency
      ? {
          pollConcurrency: o.pollConcurrency,
          // A poll spreads over at most as many samplers as it sends requests.
          samplersPerPoll: Math.min(DEFAULT_SKY_CONFIG.samplersPerPoll, o.pollConcurrency),
        }
      : {};
    const config = await step('synth', () => skyConfigForScenario(scenario, overrides));

    // 1. Servers.
    const servers: LocalServers = await step('servers', () =>
      startLocalServers(
        {
          scenario,
          kit: localHandlerKit(scenario, config.samplerSleepMs),
          homeRegion: config.homeRegion,
          timeScale: o.samplingTimeScale,
        },
        cleanup,
      ),
    );
    progress.log(`Lambda API ${servers.api.endpoint} · dynalite ${servers.dynamo.endpoint}`);
    // Zones on other providers: loopback endpoints of their providers over the same emulated zones.
    const providers = await step('servers', () =>
      startLocalProviderZones(scenario, servers.api.twin, config.samplersPerZone, cleanup),
    );
    if (providers.endpoints) progress.log(`provider endpoints ${providers.endpoints.origin}`);

    // 2. Synthesize the mesh (with the provider zones as its `endpoints`) and create its table.
    const synthTask = progress.task('synthesize CDK app', 1);
    const mesh: SynthesizedMesh = await step('synth', async () => {
      const outdir = o.cdkOutDir ?? (await mkdtemp(path.join(tmpdir(), 'sky-local-cdk-')));
      if (!o.cdkOutDir) cleanup.add('cloud assembly', () => rm(outdir, { recursive: true, force: true }));
      const meshConfig =
        providers.config.length > 0
          ? skyConfigForScenario(scenario, { ...overrides, endpoints: providers.config })
          : config;
      return synthesizeMesh(meshConfig, outdir);
    });
    synthTask.done(`${Object.keys(mesh.templates).length} stacks`);
    const tableName = mesh.table.TableName!;
    await step('table', () => createTable(servers.dynamoClient, mesh.table));
    const doc = createDocumentClient({
      region: config.homeRegion,
      endpoint: servers.dynamo.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    cleanup.add('DynamoDB document client', () => doc.destroy());
    const store = new SkyStore({ client: doc, tableName });

    // 3. Sampling: each zone's state machine, all zones at once.
    const steps = createStepsHandler({
      store,
      storeName: `table ${tableName} at ${servers.dynamo.endpoint}`,
      now: Date.now,
      metrics: NO_METRICS,
    });
    // One task per state machine: a zone's x86_64 fleet, and its arm64 fleet where that is sampled.
    const fleetOf = (azId: string, arch: Arch): string => (arch === 'x86_64' ? azId : `${azId} ${arch}`);
    const sampleTasks = new Map(
      mesh.stateMachines.map(({ azId, arch }) => [
        fleetOf(azId, arch),
        progress.task(`sample ${fleetOf(azId, arch)}`, config.maxPolls, { upTo: 'polls' }),
      ]),
    );
    // A zone on another provider is polled by its own fan-out, configured from its stack's environment.
    const lambdaInvoker = sdkInvoker(servers.lambda, { maxSockets: o.concurrency * scenario.zones.length });
    for (const { azId, environment } of mesh.externalFanouts) {
      servers.api.register(fanoutFunctionName(azId), externalFanout(environment, lambdaInvoker, providers.secrets));
    }
    // A zone's steps function serves each of its state machines; the settings say which fleet a step is of.
    for (const azId of new Set(mesh.stateMachines.map((m) => m.azId))) {
      const recorded = new Map<string, number>();
      servers.api.register(samplingStepsFunctionName(azId), (async (event) => {
        const answer = await steps(event);
        // Each Record step is one poll stored: the fleet's bar counts them against the poll cap.
        const e = event as { step?: unknown; settings?: { samplerArch?: Arch } };
        if (e.step === 'record') {
          const fleet = fleetOf(azId, e.settings?.samplerArch ?? 'x86_64');
          recorded.set(fleet, (recorded.get(fleet) ?? 0) + 1);
          sampleTasks.get(fleet)?.update(recorded.get(fleet) ?? 0);
        }
        return answer;
      }) as PlainHandler);
    }
    const runStamp = new Date().toISOString().replace(/[:.]/g, '-');
    const sampled = await step('sampling', () =>
      Promise.all(
        mesh.stateMachines.map(({ azId, arch, region, machineRegion, definition }) =>
          sampleZoneLocally(
            { azId, arch, region, machineRegion, definition, trueMix: trueMixOf(scenario, azId, 0, arch) },
            {
              lambdaEndpoint: servers.api.endpoint,
              store,
              executionName: `local-${fleetOf(azId, arch).replace(' ', '-')}-${runStamp}`,
            },
            sampleTasks.get(fleetOf(azId, arch)),
          ),
        ),
      ),
    );
    const sampling = sampled.filter((s) => s.arch === 'x86_64');
    const arm64Sampling = sampled.filter((s) => s.arch === 'arm64');
    // A zone's arm64 run may store nothing: a zone without an arm64 fleet throttles every sampler.
    const failed = [...sampling.filter((s) => !s.characterization), ...sampled.filter((s) => s.status === 'FAILED')];
    if (failed.length > 0) {
      throw new LocalSkyError(
        'sampling',
        failed.map((s) => `${fleetOf(s.azId, s.arch)}: ${s.error ?? 'no characterization stored'}`).join('; '),
      );
    }
    if (arm64Sampling.length > 0) {
      const usd = (n: number): string => `$${n.toFixed(4)}`;
      const runs = arm64Sampling.map((s) =>
        s.characterization
          ? `${s.azId} ${s.characterization.instancesSeen} instances, ${usd(s.characterization.costUsd)}`
          : `${s.azId} none stored (no arm64 instance started)`,
      );
      progress.log(`arm64 fleets sampled: ${runs.join('; ')}`);
    }

    // 5, beside 4. The twin's multi-day experiment needs nothing the live run makes, and runs in worker threads while
    // routing mostly waits on the emulated clock. It starts after sampling, whose polls meet instances by host timing.
    const experimentRun = o.experiment ? startExperiment(scenario) : undefined;

    // 4. Routing through the router handler, served by the loopback API.
    servers.clock.setTimeScale(o.routingTimeScale);
    const routerConfig = withExternalZones(
      {
        deployed: awsZonesOf(scenario).map((z) => ({ azId: z.azId, region: z.region })),
        architectures: config.architectures,
        memorySizes: config.memorySizes,
        regionFacts,
        holdMs: scenario.holdMs,
      },
      providers.zones,
    );
    const registerRouter = (routerStore: SkyStore): void => {
      const handler = createRouterHandler({
        store: routerStore,
        // As the router Lambda builds its own: Lambda through the SDK, other providers over HTTP with their auth.
        invoker: routerInvoker(lambdaInvoker, providers.zones, { secrets: providers.secrets }),
        config: routerConfig,
        placerFactory: corePlacerFactory({ holdMs: scenario.holdMs, baselineZone: scenario.baselineZone }),
        telemetry: silentTelemetry,
        // The functions run on the emulated clock, so a probe waits for an unanswered attempt on it.
        timer: servers.clock,
      });
      servers.api.register(ROUTER_FUNCTION_NAME, ((event, context) => handler(event, context)) as PlainHandler);
    };
    const workloads = Object.fromEntries(
      Object.entries(scenario.workloads).map(([n, w]) => [
        n,
        { memoryMb: w.memoryMb, minMemoryMb: w.minMemoryMb, memorySizes: offeredMemorySizes(w), parallelism: w.vcpus },
      ]),
    );
    const router = functionRouterClient({ client: servers.lambda });
    const plan: BurstPlan = {
      router,
      workloads,
      architectures: routerConfig.architectures,
      count: o.burst,
      concurrency: o.concurrency,
      maxSlowdown: o.maxSlowdown,
      signal,
    };
    let profiling: ProfilingSummary | undefined;
    if (o.profilingCalls > 0) {
      registerRouter(store);
      const profileTask = progress.task('profile workloads', Object.keys(workloads).length);
      profiling = await step('routing', () => profileWorkloads(plan, o.profilingCalls, profileTask));
      profileTask.done();
    }
    // Each strategy routes as a deployment of its own: a fresh router on a copy of the table as sampling and profiling
    // left it, so it learns from its own calls only; and its bursts start from the day's fleet with no instance left
    // warm by an earlier strategy.
    const deployments: BurstDeployments = {
      async deploy(strategy) {
        const copyName = deploymentTableName(tableName, strategy);
        await copyTable(servers.dynamoClient, mesh.table, copyName);
        registerRouter(new SkyStore({ client: doc, tableName: copyName }));
      },
      freshPool: () => servers.api.twin.setDay(0, 'bursts'),
    };
    const routeTask = progress.task('route bursts', Object.keys(workloads).length * o.strategies.length);
    const bursts = await step('routing', () => runBursts(plan, o.strategies, deployments, routeTask));
    routeTask.done();
    if (providers.endpoints) {
      const served = Object.entries(providers.endpoints.served).map(
        ([azId, byStatus]) =>
          `${azId} ${Object.entries(byStatus)
            .map(([status, n]) => `${n}×${status}`)
            .join(' ')}`,
      );
      progress.log(`provider endpoints answered (sampling and routing): ${served.join(', ')}`);
    }

    // 5. The twin's multi-day experiment, the summary and the report.
    const experiment: TwinRun | undefined = await experimentRun;
    const summary: SummaryTable = {
      source:
        `local sky: ${scenario.zones.length} zones sampled by their synthesized state machines into dynalite` +
        `${providers.zones.length > 0 ? ` (${providers.zones.length} on other providers, over HTTP on loopback)` : ''}; ` +
        `${o.burst} requests per workload and strategy through the router handler over the loopback Lambda API`,
      zones: sampling.map((s): ZoneSummaryRow => {
        const c = s.characterization!;
        const name = scenario.zones.find((z) => z.azId === s.azId)?.name;
        return {
          azId: s.azId,
          region: s.region,
          ...(name ? { name } : {}),
          counts: c.counts,
          polls: c.polls,
          ...(c.stoppedBecause ? { stoppedBecause: c.stoppedBecause } : {}),
          apeVsTruth: s.apeVsTruth,
          costUsd: c.costUsd,
        };
      }),
      strategies: strategySummary(bursts),
      ...(profiling ? { profiling } : {}),
    };
    const notes = [
      `Live run (the summary): each zone sampled by its synthesized state machine with polls of ${config.pollConcurrency} requests ` +
        `(stopping rule: ${Math.round(config.accuracyTarget * 100)}% accuracy, at most ${config.maxPolls} polls or $${config.maxRunCostUsd}); ` +
        `profiling requests of ${o.profilingCalls} runtimes per CPU, architecture and memory size, then ${o.burst} per workload and strategy at concurrency ${o.concurrency}, ` +
        `routed by the router handler from the characterizations just stored. Emulated time ran at ${o.samplingTimeScale} real ms per ms while sampling ` +
        `and ${o.routingTimeScale} while routing; billed durations count emulated work only.`,
      experiment
        ? `Multi-day figures (drift, polls per day, cost per day, savings, the paper comparison): the twin's experiment in virtual time on the same ` +
          `scenario, ${experiment.days.length} days, bursts of ${o.experimentBurst} requests per workload, strategy and day ` +
          `(the scenario's own: ${scenario.burst}; npx sky twin runs that)${o.probeSaturation ? ', zones polled on to saturation' : ''}.`
        : 'No multi-day experiment was run (--no-experiment): the per-day charts show the live run only.',
    ];
    const costCarbon = await step('report', () =>
      costCarbonRows(store, {
        deployed: routerConfig.deployed,
        architectures: routerConfig.architectures,
        memorySizes: routerConfig.memorySizes,
        workloads,
      }),
    );
    const reportData = buildReportData({
      scenario,
      sampling,
      summary,
      experiment,
      notes,
      costCarbon,
      generatedAt: new Date(),
    });
    let report: WrittenReport | undefined;
    let reportError: LocalSkyError | undefined;
    if (o.outDir) {
      const outDir = o.outDir;
      const reportTask = progress.task('write report', 1);
      // A report that fails to write loses nothing else: the caller still gets (and prints) the summary.
      try {
        report = await step('report', () => writeReport(reportData, outDir));
        reportTask.done(report.htmlPath);
      } catch (error) {
        if (!(error instanceof LocalSkyError) || error.step !== 'report') throw error;
        reportError = error;
        reportTask.done('failed');
      }
    }
    if (o.beforeStop) {
      const beforeStop = o.beforeStop;
      await step('inspect', () =>
        beforeStop({
          lambdaEndpoint: servers.api.endpoint,
          dynamoEndpoint: servers.dynamo.endpoint,
          tableRegion: config.homeRegion,
          tableName,
          deployed: {
            // The Lambda zones: the router served on loopback also reaches the provider zones, over HTTP.
            zones: awsZonesOf(scenario).map((z) => ({ azId: z.azId, region: z.region })),
            memorySizes: config.memorySizes,
            architectures: config.architectures,
          },
          endpoints: providers.config,
          summary,
        }),
      );
    }
    return {
      scenario,
      summary,
      sampling,
      arm64Sampling,
      bursts,
      ...(experiment ? { experiment } : {}),
      reportData,
      ...(report ? { report } : {}),
      ...(reportError ? { reportError } : {}),
      endpoints: { lambda: servers.api.endpoint, dynamo: servers.dynamo.endpoint },
      providerCalls: structuredClone(providers.endpoints?.served ?? {}),
      timings,
      tableName,
      elapsedMs: performance.now() - started,
    };
  };
  let result: LocalSkyResult;
  try {
    result = await run();
  } catch (error) {
    // The run's own error matters more than any trouble stopping the servers.
    const problems = await cleanup.closeAll();
    if (problems.length > 0) progress.log(`stopping the local servers: ${problems.join('; ')}`);
    throw error;
  }
  const problems = await cleanup.closeAll();
  if (problems.length > 0) throw new LocalSkyError('servers', `stopping the local servers: ${problems.join('; ')}`);
  return result;
}
