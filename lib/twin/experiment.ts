import { archOfCpu } from '../core/cpu';
import { ape, distributionOf } from '../core/distribution';
import { providerOfZone } from '../core/naming';
import { DEFAULT_PROFILING_OBSERVATIONS } from '../core/profiling-plan';
import type { RejectMode } from '../core/reject-mode';
import { STRATEGIES, STRATEGY_NAMES } from '../core/strategies';
import type { Arch, Characterization, CpuKey, StrategyName } from '../core/types';
import type { RetryRepeatTally } from '../routing/pool';
import { MAX_BATCH_CONCURRENCY, type RouterRequestBody } from '../routing/request';
import type { BatchPacing, BatchSummary } from '../routing/types';
import { driftFromPrevious } from '../sampling';
import { WORKLOADS } from '../workloads';
import {
  type BurstOutcome,
  drawNoise,
  type ModelState,
  modelRunner,
  type OracleZone,
  oracleBurst,
  scenarioWorkloads,
} from './burst';
import { VirtualClock } from './clock';
import { deployedZoneOf } from './deployed-zones';
import { TwinError } from './errors';
import { defaultHandlerKit } from './handlers';
import { catalogPrices, type PriceBook } from './prices';
import { profileUntilDone, profilingRequests } from './profiling-requests';
import { rngFor } from './random';
import { burstConcurrency, type RouterViewSummary, TwinRouting } from './routing';
import { DEFAULT_TWIN_SAMPLING, sampleZone, type TwinSamplingOptions, type ZoneSampling } from './sampling';
import type { Scenario } from './scenario';
import { arm64FleetOf, DEFAULT_EPOCH_MS, fleetOf, Twin } from './twin';
import { runInWorkers } from './workers';
import { allowedMemorySizes, offeredMemorySizes } from './workload-model';
import { DEFAULT_HOST_MEMORY_MB } from './zone';

/**
 * `sky twin`'s experiment: for every day of a scenario, progressive sampling of every zone
 * (real fan-out and sampler code on emulated instances, the core stopping rule), then one burst
 * of every workload under every strategy, placed by the core router from that day's
 * characterizations (what sampling just measured, not the true mix) and what the router learned
 * so far, followed through the real dynamic handler, and billed at the catalog's real prices.
 *
 * Each strategy runs as a deployment of its own: one routing service and store for the whole run,
 * which learns profiles (a profiling phase on its first day, then every call) and passive counts
 * from its own calls and keeps them from day to day, as a deployed router does. Strategies do not
 * share what they learned, so each is measured as if it alone were deployed.
 *
 * Each burst starts from a fresh fleet of the day (as if the bursts were more than a keep-alive
 * apart), so strategies do not inherit each other's warm instances, and every strategy of a day
 * and workload meets the same host draws and runtime noise (common random numbers); each workload's
 * instances land by a draw of their own on that fleet, so no burst replays where another workload's
 * landed (a function met by two workloads' bursts would otherwise seem to keep to its hosts). Sampling does
 * not depend on routing, and each strategy's days run in order at fixed times of day, so a run is
 * reproducible from the scenario's seed and may be split over threads by strategy.
 */

/**
 * The time budget `optimal` paces its bursts within unless a run says otherwise (`TwinRunOptions.maxSlowdown`): a
 * burst may take up to 10 times its expected duration at the scenario's pacing, as a batch job that waits for its
 * results can. A design choice, not a measured one; the report prints what the pacing took (`pacing-report.ts`).
 */
export const DEFAULT_TWIN_MAX_SLOWDOWN = 10;

/** Every strategy a twin run compares, in report order. */
export const TWIN_STRATEGIES = [...STRATEGY_NAMES, 'oracle'] as const;
export type TwinStrategy = (typeof TWIN_STRATEGIES)[number];

/** Strategies the paper ran within the fixed zone only (§4.5: "single-zone retries"). */
const SINGLE_ZONE: ReadonlySet<TwinStrategy> = new Set(['baseline', 'retry-slow', 'focus-fastest']);

/** What a rejected instance does after its hold: the core's one vocabulary, as the router follows it. */
export type { RejectMode } from '../core/reject-mode';

export interface TwinRunOptions {
  /** Run the real workload code as well (correctness mode; billing stays the model's). @default false */
  readonly realWorkloads?: boolean;
  /** What a rejected instance does after its hold (the router's `SKY_REJECT_MODE`). @default 'auto' (the router's default) */
  readonly rejectMode?: RejectMode;
  /**
   * Waves each burst is sent in (the router batch's `waves`): at most ceil(burst / waves) calls at a time, so later
   * calls meet the instances earlier ones left warm. Every strategy's bursts get the same. @default 1
   */
  readonly waves?: number;
  /**
   * The time budget `optimal` sends with each burst (the router batch's `maxSlowdown`): the router may run fewer
   * calls at a time when the pool model says that costs less, taking up to this many times the burst's expected
   * duration at the scenario's pacing. The oracle is paced like the most paced strategy of each burst, and the
   * report prints how much longer the paced bursts took. 1: no pacing. @default DEFAULT_TWIN_MAX_SLOWDOWN
   */
  readonly maxSlowdown?: number;
  /**
   * Runtimes the profiling phase wants of each workload on each CPU × architecture × memory size (two
   * profiling requests per workload through each strategy's router on its first day, before any burst):
   * the runtime profiles routing starts from. 0: no profiling phase.
   * @default 3
   */
  readonly profilingCalls?: number;
  /** Sampling settings (defaults: the paper's and SkyConfig's). */
  readonly sampling?: Partial<TwinSamplingOptions>;
  /**
   * Architectures whose fleets are sampled (the mesh's `sampledArchitectures`): arm64 adds a sampling run of
   * every AWS zone's arm64 fleet each day, with the arm64 samplers, as the zone's arm64 state machine runs it.
   * Only where the scenario gives zones arm64 fleets beside the x86_64 ones. @default every architecture the run deploys
   */
  readonly sampledArchitectures?: readonly Arch[];
  /** Strategies to run (baseline is always run, for savings). @default all of TWIN_STRATEGIES */
  readonly strategies?: readonly TwinStrategy[];
  /** Run the routing bursts after the sampling (false: sample only, e.g. to calibrate the stopping rule). @default true */
  readonly routing?: boolean;
  /** Only the first `days` days. @default the scenario's days */
  readonly days?: number;
  /** Emulated keep-alive, cold start and invoke latency (see TwinOptions). */
  readonly keepAliveMs?: number;
  readonly coldStartMs?: number;
  readonly invokeLatencyMs?: number;
  /** @default the catalog's prices */
  readonly prices?: PriceBook;
  /** Called as the run progresses (for progress bars). */
  readonly onProgress?: (progress: TwinProgress) => void;
  /**
   * Worker threads to split the strategies over (0: run in this thread); each samples every day
   * itself. Results do not depend on it.
   * Ignored with custom `prices` (they cannot be sent to a worker). @default 0
   */
  readonly workers?: number;
  /** Stops the run: it rejects with the signal's reason, and its worker threads are ended. @default - runs to the end */
  readonly signal?: AbortSignal;
}

export interface TwinProgress {
  readonly day: number;
  readonly days: number;
  readonly phase: 'sampling' | 'routing' | 'done';
  /** Steps done and total in this run (zones sampled + bursts run). */
  readonly done: number;
  readonly total: number;
  readonly detail: string;
}

/** One burst of one workload under one strategy on one day. */
export interface BurstRecord {
  readonly workload: string;
  readonly strategy: TwinStrategy;
  /** Target zone (the oracle's: the zone most of its requests ran in). */
  readonly azId: string;
  readonly rejectCpus: readonly CpuKey[];
  readonly maxAttempts: number;
  /** Architecture and memory size the requests ran at (the oracle's: where most of them ran). */
  readonly arch: Arch;
  readonly memoryMb: number;
  /** What the router expected the placement to cost per request, USD (undefined for the oracle). */
  readonly expectedCostUsd?: number;
  /** Most calls of the burst that ran at a time (the router's pacing, or the oracle's); absent in older records. */
  readonly concurrency?: number;
  /** Virtual time from the burst's first call to its last answer, ms (undefined for the oracle). */
  readonly durationMs?: number;
  /**
   * The router's pacing of the burst, where it weighed one (`optimal` with a time budget): the budget, the calls it
   * ran at a time, the burst's expected duration as paced and unpaced, ms, the sends it expected, and where its review
   * widened or moved it or the router's deadline or the burst's time budget widened it (the batch answer's `pacing`).
   */
  readonly pacing?: Pick<
    BatchPacing,
    | 'maxSlowdown'
    | 'concurrency'
    | 'expectedDurationMs'
    | 'unpacedDurationMs'
    | 'expectedSends'
    | 'widened'
    | 'moved'
    | 'deadlineWidened'
    | 'budgetWidened'
    | 'probe'
  >;
  /**
   * Where the burst was sent again for the calls the router Lambda's deadline left (the merged batch answer's
   * `resumedAtCalls`). Absent: one send ran it.
   */
  readonly resumedAtCalls?: readonly number[];
  readonly outcome: BurstOutcome;
  /**
   * Per function, the retries the router measured its repeat estimate from: how many met the rejected CPU and host
   * again, and the estimate the burst's placements were priced with (the batch answer's `summary.retryRepeats`).
   * Absent where no call was retried on another instance, and for the oracle.
   */
  readonly retryRepeats?: Readonly<Record<string, RetryRepeatTally>>;
  /**
   * How the burst's searches went off their plan (the batch answer's `summary`): where its bill stopped the search
   * (`searchStopped`), the calls whose search went on off their function (`searchMoves`), and the calls that started
   * where the spread put the workers its fleet's accepted hosts could not hold (`spreadStarts`). Absent where none did.
   */
  readonly search?: Pick<BatchSummary, 'searchStopped' | 'searchMoves' | 'spreadStarts'>;
  /** Why the router placed the burst nowhere (its `NoTarget` message): every request failed. Absent when placed. */
  readonly refused?: string;
}

/** A zone's drift on a day. */
export interface ZoneDrift {
  readonly azId: string;
  readonly day: number;
  /** APE of the day's characterization against day 0's (paper Figure 7). */
  readonly apeVsDay0: number;
  /** APE of the day's characterization against the previous day's. */
  readonly apeVsPrevious?: number;
  /** APE of the day's true mix against day 0's true mix. */
  readonly trueApeVsDay0: number;
}

/** Everything about one day. */
export interface TwinDay {
  readonly day: number;
  /** Each zone's sampling run of its x86_64 fleet (of its only fleet where it has no x86_64 hosts), in scenario order. */
  readonly sampling: readonly ZoneSampling[];
  readonly characterizations: readonly Characterization[];
  /** Each AWS zone's sampling run of its arm64 fleet, where arm64 fleets are sampled (absent: none). */
  readonly arm64Sampling?: readonly ZoneSampling[];
  /** What the arm64 runs stored, aligned with `arm64Sampling` (a run that stored nothing: absent). */
  readonly arm64Characterizations?: ReadonlyArray<Characterization | null>;
  /** Per routed strategy: what its router's view held when the day's bursts began; absent without routing. */
  readonly routerViews?: Readonly<Partial<Record<TwinStrategy, RouterViewSummary>>>;
  /** Per strategy whose router ran its profiling phase this day (its first): what the phase made and cost. */
  readonly profiling?: Readonly<Partial<Record<TwinStrategy, ProfilingSpend>>>;
  readonly bursts: readonly BurstRecord[];
}

/**
 * What a strategy's profiling phase made and what the platform billed for it. The phase runs before the strategy's
 * first bursts, so its cost is in no burst's: a deployment pays it once, to learn the runtimes routing starts from.
 */
export interface ProfilingSpend {
  /** Calls the phase's profiling requests made (each a runtime learned, or failed). */
  readonly calls: number;
  /** Invocations they took, rejected attempts included. */
  readonly attempts: number;
  /** What the platform billed for them, USD (INIT included where billed, and request charges). */
  readonly costUsd: number;
}

/** The rich result of a run (the report is derived from it). */
export interface TwinRun {
  readonly scenario: string;
  readonly seed: number;
  readonly days: readonly TwinDay[];
  readonly drift: readonly ZoneDrift[];
  readonly strategies: readonly TwinStrategy[];
  readonly rejectMode: RejectMode;
  /** Waves each burst was sent in. */
  readonly waves: number;
  /** The time budget `optimal` paced its bursts within (1: not paced). */
  readonly maxSlowdown: number;
}

/** Virtual time of day `day`'s start. Sampling runs at its start; routing an hour later. */
function dayStart(day: number): number {
  return DEFAULT_EPOCH_MS + day * 86_400_000;
}

/** When a day's routing begins, after its start (sampling). */
const ROUTING_OFFSET_MS = 3_600_000;
/**
 * Virtual time each strategy's deployment gets per day, one after the other in report order: a
 * strategy starts at the same time of every day whichever strategies ran before it in this
 * thread, so what it learned ages the same and results do not depend on the split over workers.
 */
const STRATEGY_SLOT_MS = 3 * 3_600_000;
/** Virtual time a deployment's profiling phase may take before its first bursts. */
const PROFILING_MS = 3_600_000;

/** The true mix of a zone's fleet (x86_64, or its arm64 fleet) on a day: the share of its hosts on each CPU key. */
export function trueMixOf(
  scenario: Scenario,
  azId: string,
  day: number,
  fleet: 'x86_64' | 'arm64' = 'x86_64',
): Record<CpuKey, number> {
  const hosts = fleet === 'arm64' ? arm64FleetOf(scenario, azId, day) : fleetOf(scenario, azId, day);
  const counts: Record<CpuKey, number> = {};
  for (const cpu of hosts) counts[cpu.cpuKey] = (counts[cpu.cpuKey] ?? 0) + 1;
  return distributionOf(counts) as Record<CpuKey, number>;
}

function hostsByCpu(scenario: Scenario, azId: string, day: number): Map<CpuKey, number> {
  const hosts = new Map<CpuKey, number>();
  for (const cpu of [...fleetOf(scenario, azId, day), ...arm64FleetOf(scenario, azId, day)])
    hosts.set(cpu.cpuKey, (hosts.get(cpu.cpuKey) ?? 0) + 1);
  return hosts;
}

function characterizationOf(s: ZoneSampling, previous: Characterization | undefined): Characterization {
  const measuredAt = new Date(s.finishedAt).toISOString();
  // The sampling steps' own drift rule, as finalize applies it against the zone's previous LATEST.
  const { apeVsPrevious, driftClass } = driftFromPrevious(previous, {
    counts: s.counts,
    measuredAt,
    confidence: s.confidence,
  });
  return {
    azId: s.azId,
    region: s.region,
    ...(s.arch ? { arch: s.arch } : {}),
    counts: s.counts,
    instancesSeen: s.instancesSeen,
    polls: s.polls.length,
    failures: s.failures,
    measuredAt,
    ...(apeVsPrevious !== undefined ? { apeVsPrevious } : {}),
    driftClass,
    costUsd: s.costUsd,
    ...(s.stoppedBecause !== 'failed' ? { stoppedBecause: s.stoppedBecause } : {}),
    confidence: s.confidence,
  };
}

/**
 * The AWS zones whose arm64 fleet a run samples: every one, where the scenario gives some zone an arm64 fleet
 * beside the x86_64 ones and `sampled` includes arm64. A deployment samples every zone it deploys arm64 to; a
 * zone without an arm64 fleet in the scenario throttles every sampler, so its run stops saturated and stores nothing.
 */
export function arm64SampledZones(scenario: Scenario, sampled?: readonly Arch[]): string[] {
  const hasX86 = scenario.cpuList.some((c) => archOfCpu(c.cpuKey) === 'x86_64');
  if (!hasX86 || !scenario.zones.some((z) => z.arm64) || !(sampled ?? ['arm64']).includes('arm64')) return [];
  return scenario.zones.filter((z) => providerOfZone(z.azId) === 'aws').map((z) => z.azId);
}

/** Options a day runner needs; plain data, so it can be sent to a worker thread. */
export type DayRunnerOptions = Omit<TwinRunOptions, 'onProgress' | 'prices' | 'workers' | 'days' | 'signal'> & {
  /** The strategies this runner routes (a share of `strategies`). @default all of them */
  readonly routes?: readonly TwinStrategy[];
};

/**
 * Runs the days of a scenario one after the other on one twin, from the first (days must come in
 * increasing order, without gaps: each strategy's router carries what it learned to the next day).
 * Sampling is independent of routing and each strategy of the others, so strategies may be split
 * across runners and the results are the same.
 */
export class DayRunner {
  private readonly prices: PriceBook;
  private readonly rejectMode: RejectMode;
  private readonly strategies: readonly TwinStrategy[];
  private readonly settings: TwinSamplingOptions;
  private readonly arch: Arch;
  /** Architectures with hosts in some zone: x86_64 (the spec's fleets) and arm64 where a zone has an arm64 fleet. */
  private readonly arches: readonly Arch[];
  /** AWS zones whose arm64 fleet is sampled each day (the arm64 state machines of the mesh). */
  private readonly arm64Sampled: readonly string[];
  /** Per workload: the memory sizes the mesh offers it (the router keeps to its minMemoryMb and the call budget). */
  private readonly workloadMemory: ReadonlyMap<string, readonly number[]>;
  /** Per workload: the memory sizes the oracle may run it at (from its minMemoryMb, within the function's timeout). */
  private readonly oracleMemory: ReadonlyMap<string, readonly number[]>;
  private readonly state: ModelState;
  private readonly clock: VirtualClock;
  private readonly twin: Twin;
  private readonly memorySizes: number[];
  /** The strategies this runner routes, in report order. */
  private readonly routes: readonly TwinStrategy[];
  /** Each routed strategy's deployment, kept across days. */
  private readonly chains = new Map<TwinStrategy, TwinRouting>();
  private readonly profiled = new Set<TwinStrategy>();
  private lastDay = -1;

  constructor(
    private readonly scenario: Scenario,
    private readonly options: DayRunnerOptions = {},
    prices: PriceBook = catalogPrices,
  ) {
    this.prices = prices;
    this.rejectMode = options.rejectMode ?? 'auto';
    this.strategies = strategiesOf(options.strategies);
    this.routes = this.strategies.filter((s) => !options.routes || options.routes.includes(s));
    this.settings = samplingSettingsOf(options.sampling);
    const arches = [...new Set(scenario.cpuList.map((c) => archOfCpu(c.cpuKey)))].sort() as Arch[];
    this.arch = arches.includes('x86_64') ? 'x86_64' : 'arm64';
    this.arches = scenario.zones.some((z) => z.arm64) && this.arch === 'x86_64' ? ['x86_64', 'arm64'] : [this.arch];
    this.arm64Sampled = arm64SampledZones(scenario, options.sampledArchitectures);
    this.workloadMemory = new Map(Object.entries(scenario.workloads).map(([name, w]) => [name, offeredMemorySizes(w)]));
    this.oracleMemory = new Map(
      Object.entries(scenario.workloads).map(([name, w]) => [name, allowedMemorySizes(scenario, w)]),
    );
    if (options.realWorkloads) {
      const unknown = Object.keys(scenario.workloads).filter((n) => !WORKLOADS[n]);
      if (unknown.length > 0) {
        throw new TwinError(
          `realWorkloads runs the built-in workloads only; ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not one (${Object.keys(WORKLOADS).sort().join(', ')})`,
        );
      }
    }
    this.state = { noise: new Float64Array(0), next: 0, realWorkloads: options.realWorkloads ?? false };
    this.clock = new VirtualClock(dayStart(0));
    const state = this.state;
    this.twin = new Twin({
      scenario,
      clock: this.clock,
      kit: defaultHandlerKit({
        samplerSleepMs: this.settings.samplerSleepMs,
        runnerFor: (platform) => modelRunner(scenario, state, platform),
        workloads: scenarioWorkloads(scenario, WORKLOADS),
      }),
      samplerMemoryBaseMb: this.settings.samplerMemoryMb,
      fanoutMemoryMb: this.settings.fanoutMemoryMb,
      // Nothing in an experiment reads per-call CPU time; leaving it out halves an emulated call's cost.
      cpuTicks: false,
      ...(options.keepAliveMs !== undefined ? { keepAliveMs: options.keepAliveMs } : {}),
      ...(options.coldStartMs !== undefined ? { coldStartMs: options.coldStartMs } : {}),
      ...(options.invokeLatencyMs !== undefined ? { invokeLatencyMs: options.invokeLatencyMs } : {}),
    });
    this.memorySizes = [...new Set([...this.workloadMemory.values()].flat())].sort((a, b) => a - b);
  }

  /** Steps of one day, for progress: zones sampled plus bursts run. */
  get stepsPerDay(): number {
    const bursts =
      this.options.routing === false ? 0 : Object.keys(this.scenario.workloads).length * this.strategies.length;
    return this.scenario.zones.length + this.arm64Sampled.length + bursts;
  }

  /**
   * Runs day `day`: sampling of every zone, then every burst. `step` is called after each step.
   * Characterizations carry no `apeVsPrevious` here (the caller links days).
   */
  async run(day: number, step: (detail: string) => void = () => undefined): Promise<TwinDay> {
    const { scenario, twin, clock, settings, prices, state, arch } = this;
    if (this.options.routing !== false && day !== this.lastDay + 1) {
      throw new TwinError(
        `with routing, days run in order from the first: day ${day + 1} came after day ${this.lastDay + 1}`,
      );
    }
    this.lastDay = day;
    // 1. Sampling, every zone in parallel (each its own state machine), in virtual time.
    twin.setDay(day);
    clock.advanceTo(dayStart(day));
    const sampling = await clock.run(() =>
      Promise.all(
        scenario.zones.map(async (z) => {
          const s = await sampleZone(twin, clock, z.azId, trueMixOf(scenario, z.azId, day), prices, settings);
          step(`day ${day + 1}: sampled ${z.azId}`);
          return s;
        }),
      ),
    );
    // The arm64 fleets after the x86_64 ones (their own state machines; in the cloud they may overlap): the
    // x86_64 runs then draw the same hosts whether arm64 fleets are sampled or not, so the two compare.
    const arm64Sampling = await clock.run(() =>
      Promise.all(
        this.arm64Sampled.map(async (azId) => {
          const truth = trueMixOf(scenario, azId, day, 'arm64');
          const s = await sampleZone(twin, clock, azId, truth, prices, settings, 'arm64');
          step(`day ${day + 1}: sampled ${azId} arm64`);
          return s;
        }),
      ),
    );
    const characterizations = sampling.map((s) => characterizationOf(s, undefined));
    const arm64 =
      this.arm64Sampled.length > 0
        ? { arm64Sampling, arm64Characterizations: arm64Sampling.map((s) => storedOf(s, undefined)) }
        : {};
    if (this.options.routing === false) return { day, sampling, characterizations, ...arm64, bursts: [] };

    // 2. Routing: each strategy its own deployment, which keeps what it learned from day to day.
    const bursts: BurstRecord[] = [];
    const routerViews: Partial<Record<TwinStrategy, RouterViewSummary>> = {};
    const profiling: Partial<Record<TwinStrategy, ProfilingSpend>> = {};
    for (const strategy of this.routes) {
      if (strategy === 'oracle') {
        bursts.push(...this.oracleBursts(day, bursts));
        for (const name of Object.keys(scenario.workloads)) step(`day ${day + 1}: ${name} × ${strategy}`);
        continue;
      }
      const slotAt = dayStart(day) + ROUTING_OFFSET_MS + TWIN_STRATEGIES.indexOf(strategy) * STRATEGY_SLOT_MS;
      if (clock.now() > slotAt) {
        throw new TwinError(
          `day ${day + 1}: the strategy before ${strategy} ran past its ${STRATEGY_SLOT_MS / 3_600_000} h of virtual time; ` +
            'shorter bursts or fewer workloads fit',
        );
      }
      clock.advanceTo(slotAt);
      const routing = this.chainOf(strategy);
      routing.characterize([
        ...characterizations,
        ...(arm64.arm64Characterizations ?? []).filter((c): c is Characterization => c !== null),
      ]);
      if (!this.profiled.has(strategy)) {
        this.profiled.add(strategy);
        const spend = await this.profile(routing, day);
        if (spend) profiling[strategy] = spend;
      }
      const burstsAt = slotAt + PROFILING_MS;
      if (clock.now() > burstsAt) {
        throw new TwinError(
          `day ${day + 1}: ${strategy}'s profiling phase ran past ${PROFILING_MS / 60_000} min of virtual time`,
        );
      }
      clock.advanceTo(burstsAt);
      routerViews[strategy] = await clock.run(() => routing.viewSummary());
      for (const name of Object.keys(scenario.workloads)) {
        const workload = scenario.workloads[name];
        state.noise = drawNoise(rngFor(scenario.seed, 'noise', day, name), scenario.burst, workload.cv, scenario.noise);
        // The day's fleet afresh, its instances landing by the workload's own draw: every strategy meets the same
        // placements of a workload (common random numbers), and no workload's burst replays another's.
        twin.setDay(day, name);
        state.next = 0;
        const startedAt = clock.now();
        const sent = await clock.run(() =>
          routing.burst(
            routerRequest(scenario, name, strategy, arch, this.arches, this.workloadMemory.get(name) ?? []),
            scenario.burst,
            this.options.waves,
            strategy === 'optimal' ? (this.options.maxSlowdown ?? DEFAULT_TWIN_MAX_SLOWDOWN) : undefined,
          ),
        );
        const durationMs = clock.now() - startedAt;
        const { outcome } = sent;
        if ('refused' in sent) {
          bursts.push({
            workload: name,
            strategy,
            azId: '',
            rejectCpus: [],
            maxAttempts: 0,
            arch,
            memoryMb: workload.memoryMb,
            durationMs,
            outcome,
            refused: sent.refused,
          });
          step(`day ${day + 1}: ${name} × ${strategy}`);
          continue;
        }
        const { answer } = sent;
        const target = answer.placement.target;
        bursts.push({
          workload: name,
          strategy,
          azId: target.azId,
          rejectCpus: [...answer.placement.rejectCpus],
          maxAttempts: answer.placement.maxAttempts,
          arch: target.arch,
          memoryMb: target.memoryMb,
          // Per request, as each call's placement expected it (the pool model with the calls still to come).
          expectedCostUsd: answer.summary.expectedCostUsd / Math.max(1, answer.summary.count),
          concurrency: answer.summary.concurrency,
          durationMs,
          ...(answer.pacing ? { pacing: pacingOf(answer.pacing) } : {}),
          ...(answer.resumedAtCalls ? { resumedAtCalls: answer.resumedAtCalls } : {}),
          outcome,
          ...(answer.summary.retryRepeats ? { retryRepeats: answer.summary.retryRepeats } : {}),
          ...searchRecordOf(answer.summary),
        });
        step(`day ${day + 1}: ${name} × ${strategy}`);
      }
    }
    return {
      day,
      sampling,
      characterizations,
      ...arm64,
      routerViews,
      bursts: inReportOrder(scenario, bursts),
      ...(Object.keys(profiling).length > 0 ? { profiling } : {}),
    };
  }

  /** The router of a strategy's deployment: its store keeps profiles and passive counts across days. */
  private chainOf(strategy: TwinStrategy): TwinRouting {
    const existing = this.chains.get(strategy);
    if (existing) return existing;
    const { scenario, twin, prices } = this;
    const routing = new TwinRouting({
      scenario,
      twin,
      prices,
      deployed: scenario.zones.map(deployedZoneOf),
      architectures: this.arches,
      memorySizes: this.memorySizes,
      rejectMode: this.rejectMode,
      // None beyond the router Lambda's: INIT is priced from what the functions' REPORT records say, each workload's
      // threads from what its requests say, and the paper's strategies keep to the fixed zone by their limits.
      routerOptions: {},
    });
    this.chains.set(strategy, routing);
    return routing;
  }

  /**
   * The oracle's burst of every workload on a day (it needs no router), run as many calls at a time as the most paced
   * of the day's `routed` bursts of the workload ran: a strategy that paces itself meets an oracle paced as much.
   */
  private oracleBursts(day: number, routed: readonly BurstRecord[]): BurstRecord[] {
    const { scenario, twin, prices, state, arch } = this;
    const oracleZones: OracleZone[] = scenario.zones.map((z) => {
      const sizes = deployedZoneOf(z).memorySizes;
      return {
        azId: z.azId,
        region: z.region,
        hostsByCpu: hostsByCpu(scenario, z.azId, day),
        slotsPerHost: z.slotsPerHost,
        hostMemoryMb: z.hostMemoryMb ?? DEFAULT_HOST_MEMORY_MB,
        ...(sizes ? { memorySizes: sizes } : {}),
      };
    });
    return Object.keys(scenario.workloads).map((name) => {
      const workload = scenario.workloads[name];
      state.noise = drawNoise(rngFor(scenario.seed, 'noise', day, name), scenario.burst, workload.cv, scenario.noise);
      // paced as the strategies' bursts are, so it reuses warm instances as they can
      let concurrency = burstConcurrency(scenario.burst, this.options.waves ?? 1);
      for (const b of routed) {
        if (b.workload === name) concurrency = Math.min(concurrency, b.concurrency ?? concurrency);
      }
      const outcome = oracleBurst(oracleZones, workload, scenario, state.noise, scenario.burst, prices, {
        memorySizes: this.oracleMemory.get(name) ?? [workload.memoryMb],
        initBilledMs: twin.initBilledMs,
        concurrency,
      });
      const top = Object.entries(outcome.acceptedByZone).sort((x, y) => y[1] - x[1])[0];
      return {
        workload: name,
        strategy: 'oracle' as const,
        azId: top?.[0] ?? '',
        rejectCpus: [],
        maxAttempts: 1,
        arch: (topKey(outcome.acceptedByArch) as Arch | undefined) ?? arch,
        memoryMb: Number(topKey(outcome.acceptedByMemory) ?? workload.memoryMb),
        concurrency,
        outcome,
      };
    });
  }

  /**
   * The profiling phase (the paper ran each workload many times per zone before routing, §4.5): two
   * profiling requests per workload (the router's `profiling` option, as `sky invoke --profiling` sends it
   * to a deployed router, `profilingRequests`), every workload's at once: one over every memory size and
   * architecture its strategy may place on (a runtime of each CPU × architecture × memory size, then
   * `profilingCalls` of each that could still win), one for `profilingCalls` of every CPU at the workload's own
   * size; each CPU measured in the zone with the most of it (see `profiling-plan.ts` and `runProfiling`).
   * Runtime noise is drawn per workload, apart from the bursts'.
   */
  private async profile(routing: TwinRouting, day: number): Promise<ProfilingSpend | undefined> {
    const { scenario, twin, clock, state } = this;
    const observations = this.options.profilingCalls ?? DEFAULT_PROFILING_OBSERVATIONS;
    if (observations <= 0) return undefined;
    twin.setDay(day);
    const names = Object.keys(scenario.workloads);
    state.byWorkload = new Map(
      names.map((name) => [
        name,
        {
          noise: drawNoise(
            rngFor(scenario.seed, 'profiling', day, name),
            PROFILING_NOISE,
            scenario.workloads[name].cv,
            scenario.noise,
          ),
          next: 0,
        },
      ]),
    );
    try {
      const { value: answers, bill } = await clock.run(() =>
        routing.metered(() =>
          Promise.all(
            names.map(async (name) => {
              const workload = scenario.workloads[name];
              const [across, own] = profilingRequests({
                workload: { name, size: 'small' },
                memoryMb: workload.memoryMb,
                minMemoryMb: workload.minMemoryMb,
                parallelism: workload.vcpus,
                memorySizes: this.workloadMemory.get(name) ?? [workload.memoryMb],
                architectures: this.arches,
                observations,
                // Every cell's calls at once (the router's highest concurrency): the phase fits its hour of virtual time.
                concurrency: MAX_BATCH_CONCURRENCY,
              });
              // Every workload's requests at once, as a user profiling a set of functions would send them.
              const send = (request: RouterRequestBody) => routing.profile(request);
              return [...(await profileUntilDone(send, across)), ...(await profileUntilDone(send, own))];
            }),
          ),
        ),
      );
      const summaries = answers.flat().map((a) => a.summary);
      return {
        calls: summaries.reduce((sum, s) => sum + s.calls, 0),
        attempts: summaries.reduce((sum, s) => sum + s.attempts, 0),
        costUsd: bill.costUsd,
      };
    } finally {
      state.byWorkload = undefined;
    }
  }
}

/** Noise draws kept for one workload's profiling calls (more calls than this run at the mean). */
const PROFILING_NOISE = 4096;

function pacingOf(pacing: BatchPacing): NonNullable<BurstRecord['pacing']> {
  const {
    maxSlowdown,
    concurrency,
    expectedDurationMs,
    unpacedDurationMs,
    expectedSends,
    widened,
    moved,
    deadlineWidened,
    budgetWidened,
    probe,
  } = pacing;
  return {
    maxSlowdown,
    concurrency,
    expectedDurationMs,
    unpacedDurationMs,
    ...(expectedSends ? { expectedSends } : {}),
    ...(widened ? { widened } : {}),
    ...(moved ? { moved } : {}),
    ...(deadlineWidened ? { deadlineWidened } : {}),
    ...(budgetWidened ? { budgetWidened } : {}),
    ...(probe ? { probe } : {}),
  };
}

/** Bursts by workload in the scenario's order, then by strategy in report order. */
function inReportOrder(scenario: Scenario, bursts: readonly BurstRecord[]): BurstRecord[] {
  const workloads = Object.keys(scenario.workloads);
  return [...bursts].sort(
    (a, b) =>
      workloads.indexOf(a.workload) - workloads.indexOf(b.workload) ||
      TWIN_STRATEGIES.indexOf(a.strategy) - TWIN_STRATEGIES.indexOf(b.strategy),
  );
}

/** The key with the largest count. */
function topKey(counts: Readonly<Record<string, number>>): string | undefined {
  return Object.entries(counts).sort((a, b) => b[1] - a[1])[0]?.[0];
}

function strategiesOf(wanted: readonly TwinStrategy[] | undefined): TwinStrategy[] {
  return TWIN_STRATEGIES.filter((s) => s === 'baseline' || !wanted || wanted.includes(s));
}

function samplingSettingsOf(overrides: Partial<TwinSamplingOptions> | undefined): TwinSamplingOptions {
  return { ...DEFAULT_TWIN_SAMPLING, ...overrides };
}

/**
 * One day from the workers' shares of it: the sampling (the same in every worker, which is checked)
 * and every worker's bursts and router views.
 * @throws TwinError when the workers' sampling differs (it must not depend on routing).
 */
function mergeWorkerDays(scenario: Scenario, shares: readonly TwinDay[]): TwinDay {
  const [first] = shares;
  const sampledOf = (d: TwinDay): string => JSON.stringify([d.characterizations, d.arm64Characterizations ?? []]);
  const sampled = sampledOf(first);
  if (shares.some((d) => sampledOf(d) !== sampled)) {
    throw new TwinError(
      `day ${first.day + 1}: the workers' sampling differs, so results would depend on the worker count`,
    );
  }
  const routerViews: Partial<Record<TwinStrategy, RouterViewSummary>> = {};
  const profiling: Partial<Record<TwinStrategy, ProfilingSpend>> = {};
  for (const strategy of TWIN_STRATEGIES) {
    const view = shares.find((d) => d.routerViews?.[strategy])?.routerViews?.[strategy];
    if (view) routerViews[strategy] = view;
    const spend = shares.find((d) => d.profiling?.[strategy])?.profiling?.[strategy];
    if (spend) profiling[strategy] = spend;
  }
  const { profiling: _first, ...rest } = first;
  return {
    ...rest,
    ...(shares.some((d) => d.routerViews) ? { routerViews } : {}),
    bursts: inReportOrder(
      scenario,
      shares.flatMap((d) => d.bursts),
    ),
    ...(Object.keys(profiling).length > 0 ? { profiling } : {}),
  };
}

/** Links consecutive days: each characterization's APE against the previous day's and its drift class. */
function linkDays(days: readonly TwinDay[]): TwinDay[] {
  return days.map((d, k) => ({
    ...d,
    characterizations: d.sampling.map((s, i) =>
      characterizationOf(s, k > 0 ? days[k - 1].characterizations[i] : undefined),
    ),
    ...(d.arm64Sampling
      ? {
          arm64Characterizations: d.arm64Sampling.map((s, i) =>
            storedOf(s, k > 0 ? (days[k - 1].arm64Characterizations?.[i] ?? undefined) : undefined),
          ),
        }
      : {}),
  }));
}

/**
 * What a run stored as the zone's characterization, or null when it stored none (a run that saw no instance,
 * such as one of an arm64 fleet the zone does not have, or one that failed).
 */
function storedOf(s: ZoneSampling, previous: Characterization | undefined): Characterization | null {
  return s.stored ? characterizationOf(s, previous) : null;
}

/**
 * The strategies worker `w` of `workers` routes: every `workers`-th one, except that the oracle goes with `optimal`,
 * since it is paced like the bursts routed before it in the same thread (the strategy that paces itself).
 */
function routesOfWorker(strategies: readonly TwinStrategy[], workers: number, w: number): TwinStrategy[] {
  const routed = strategies.filter((s) => s !== 'oracle');
  const mine = routed.filter((_, i) => i % workers === w);
  if (!strategies.includes('oracle')) return mine;
  const owner = routed.includes('optimal') ? routed.indexOf('optimal') % workers : 0;
  return owner === w ? [...mine, 'oracle'] : mine;
}

/**
 * Runs a scenario (see the module comment), in this thread or split over worker threads.
 * @example
 * const run = await runTwinExperiment(loadScenario('scenarios/paper-ex5.json'), { workers: 2 });
 * const report = twinReport(run);
 */
export async function runTwinExperiment(scenario: Scenario, options: TwinRunOptions = {}): Promise<TwinRun> {
  const days = Math.min(options.days ?? scenario.days, scenario.days);
  const strategies = strategiesOf(options.strategies);
  const dayList = Array.from({ length: days }, (_, d) => d);
  const perDay =
    scenario.zones.length +
    arm64SampledZones(scenario, options.sampledArchitectures).length +
    (options.routing === false ? 0 : Object.keys(scenario.workloads).length * strategies.length);
  const total = days * perDay;
  let done = 0;
  let results: TwinDay[];
  const routing = options.routing !== false;
  const workers = options.prices ? 0 : Math.min(options.workers ?? 0, routing ? strategies.length : days);
  const { onProgress, prices, workers: _w, days: _d, signal, ...runnerOptions } = options;
  signal?.throwIfAborted();
  const progress = (day: number, detail: string): void => {
    done++;
    onProgress?.({ day, days, phase: detail.includes('sampled') ? 'sampling' : 'routing', done, total, detail });
  };
  if (workers >= 1) {
    // With routing, each worker samples every day and routes a share of the strategies (each
    // strategy's days must run in order); without, days are independent and are shared out.
    const shares = Array.from({ length: workers }, (_, w) => ({
      options: routing ? { ...runnerOptions, routes: routesOfWorker(strategies, workers, w) } : runnerOptions,
      days: routing ? dayList : dayList.filter((_, i) => i % workers === w),
    }));
    const perWorker = await runInWorkers(
      scenario,
      shares,
      (worker, day, detail) => {
        // with routing every worker samples every day: count those steps once
        if (!routing || worker === 0 || !detail.includes('sampled')) progress(day, detail);
      },
      signal,
    );
    results = routing
      ? dayList.map((_, k) =>
          mergeWorkerDays(
            scenario,
            perWorker.map((list) => list[k]),
          ),
        )
      : perWorker.flat().sort((a, b) => a.day - b.day);
  } else {
    const runner = new DayRunner(scenario, runnerOptions, prices ?? catalogPrices);
    results = [];
    for (const day of dayList) {
      signal?.throwIfAborted();
      results.push(await runner.run(day, (detail) => progress(day, detail)));
    }
    signal?.throwIfAborted();
  }
  onProgress?.({ day: days - 1, days, phase: 'done', done, total, detail: 'done' });
  const linked = linkDays(results);
  return {
    scenario: scenario.name,
    seed: scenario.seed,
    days: linked,
    drift: driftOf(scenario, linked),
    strategies,
    rejectMode: options.rejectMode ?? 'auto',
    waves: options.waves ?? 1,
    maxSlowdown: options.maxSlowdown ?? DEFAULT_TWIN_MAX_SLOWDOWN,
  };
}

/**
 * What the twin asks the router for: the paper's strategies (fixed configuration) run at the
 * workload's `memoryMb` on x86_64, as the paper did; strategies that choose the configuration
 * (`optimal`) get every architecture with hosts and every memory size the workload may run at.
 */
function routerRequest(
  scenario: Scenario,
  workload: string,
  strategy: Exclude<TwinStrategy, 'oracle'>,
  homeArch: Arch,
  arches: readonly Arch[],
  memorySizes: readonly number[],
): RouterRequestBody {
  const w = scenario.workloads[workload];
  const chooses = STRATEGIES[strategy as StrategyName].configs === 'any';
  return {
    workload: { name: workload, size: 'small' },
    objective: 'cost',
    strategy: strategy as StrategyName,
    // What the workload's author knows of it and says in each request, as a deployment's callers can.
    parallelism: w.vcpus,
    limits: {
      memorySizes: chooses ? [...memorySizes] : [w.memoryMb],
      minMemoryMb: w.minMemoryMb,
      architectures: chooses ? [...arches] : [homeArch],
      ...(SINGLE_ZONE.has(strategy) ? { zones: [scenario.baselineZone] } : {}),
    },
  };
}

function driftOf(scenario: Scenario, days: readonly TwinDay[]): ZoneDrift[] {
  const out: ZoneDrift[] = [];
  if (days.length === 0) return out;
  scenario.zones.forEach((z, i) => {
    const first = days[0].sampling[i];
    days.forEach((d, k) => {
      const s = d.sampling[i];
      const previous = k > 0 ? days[k - 1].sampling[i] : undefined;
      out.push({
        azId: z.azId,
        day: d.day,
        apeVsDay0: ape(distributionOf(first.counts), distributionOf(s.counts)),
        ...(previous ? { apeVsPrevious: ape(distributionOf(previous.counts), distributionOf(s.counts)) } : {}),
        trueApeVsDay0: ape(first.trueMix, s.trueMix),
      });
    });
  });
  return out;
}

/** What a burst record says of how its searches went off their plan (`BurstRecord.search`): nothing where none did. */
export function searchRecordOf(summary: Pick<BatchSummary, 'searchStopped' | 'searchMoves' | 'spreadStarts'>): {
  search?: BurstRecord['search'];
} {
  const { searchStopped, searchMoves, spreadStarts } = summary;
  if (searchStopped === undefined && !searchMoves && !spreadStarts) return {};
  return {
    search: {
      ...(searchStopped ? { searchStopped } : {}),
      ...(searchMoves ? { searchMoves } : {}),
      ...(spreadStarts ? { spreadStarts } : {}),
    },
  };
}
