import { DEFAULT_SKY_CONFIG } from '../config/sky-config';
import { effectiveMaxPolls, MAX_POLL_CONCURRENCY, SAMPLING_DEFAULTS } from '../contracts/sampling-settings';
import { DEFAULT_PROFILING_OBSERVATIONS } from '../core/profiling-plan';
import { STRATEGY_NAMES } from '../core/strategies';
import type { StrategyName } from '../core/types';
import type { ExternalZoneInput } from '../providers';
import type { SummaryTable } from '../report/types';
import { MAX_BATCH_SLOWDOWN, MAX_PROFILING_OBSERVATIONS } from '../routing/request';
import { DEFAULT_TWIN_MAX_SLOWDOWN } from '../twin/experiment';
import { LocalSkyOptionError } from './errors';
import { type Progress, silentProgress } from './progress';

/** The router strategies the local sky routes with, in the order the papers introduce them. */
export const LOCAL_STRATEGIES: readonly StrategyName[] = STRATEGY_NAMES;

/** The scenario `sky local` runs when none is given. */
export const DEFAULT_SCENARIO_FILE = 'scenarios/paper-ex5.json';

/** Options of a local sky run. */
export interface LocalSkyOptions {
  /**
   * The scenario: a file path, or its parsed JSON.
   * @default 'scenarios/paper-ex5.json'
   */
  readonly scenario?: string | unknown;
  /**
   * Where the report (report.html, report.json) is written; undefined writes none.
   * @default - no report
   */
  readonly outDir?: string;
  /**
   * Requests per workload and strategy sent through the router. The twin's multi-day experiment
   * uses the scenario's own burst; this one is the live burst through the loopback API.
   * @default 100
   */
  readonly burst?: number;
  /**
   * Concurrency of each burst.
   * @default 50
   */
  readonly concurrency?: number;
  /**
   * The time budget `optimal` sends with each burst (the router batch's `maxSlowdown`), as `sky twin` does: the router
   * may run fewer calls at a time where that costs less, so that later calls reuse the instances earlier ones left
   * warm, within this many times the burst's unpaced duration. 1 does not pace.
   * @default DEFAULT_TWIN_MAX_SLOWDOWN (10)
   */
  readonly maxSlowdown?: number;
  /**
   * Real ms per emulated ms while sampling. Near real time, so that each sampler's sleep (`samplerSleepMs`)
   * outlasts the time it takes to send a poll's burst over loopback HTTP and every request holds
   * its own instance, as on Lambda.
   * @default 0.5
   */
  readonly samplingTimeScale?: number;
  /**
   * Real ms per emulated ms while routing: workload runtimes and 150 ms holds shrunk, so that
   * thousands of routed calls take seconds.
   * @default 0.005
   */
  readonly routingTimeScale?: number;
  /**
   * Requests per poll of the sampling state machines (the sky config's `pollConcurrency`).
   * @default 200 (the sky config's: 10 samplers × 20 requests)
   */
  readonly pollConcurrency?: number;
  /**
   * Runtimes the profiling requests want of each CPU × architecture × memory size before the bursts (the paper
   * profiled its functions first, Figure 9), as `sky twin --profiling-calls` sends them; 0 skips profiling.
   * @default DEFAULT_PROFILING_OBSERVATIONS (3)
   */
  readonly profilingCalls?: number;
  /**
   * Requests per workload, strategy and day in the twin's multi-day experiment, in place of the
   * scenario's burst (1000 in the paper's, which `sky twin` runs), to keep the local run short.
   * @default 100
   */
  readonly experimentBurst?: number;
  /**
   * In the multi-day experiment, keep polling after the stopping rule to find each zone's
   * saturation point (Figure 5 to saturation; slow).
   * @default false
   */
  readonly probeSaturation?: boolean;
  /** @default LOCAL_STRATEGIES */
  readonly strategies?: readonly StrategyName[];
  /**
   * Run the twin's multi-day experiment for the drift, polls-per-day and cost-per-day figures.
   * @default true
   */
  readonly experiment?: boolean;
  /** @default silentProgress */
  readonly progress?: Progress;
  /** Aborts the run (Ctrl-C); servers are stopped either way. */
  readonly signal?: AbortSignal;
  /**
   * Called after the last step, while the servers still run: to read what the run stored (tests,
   * `--keep`-style tooling). The run fails if it throws.
   */
  readonly beforeStop?: (world: LocalSkyWorld) => Promise<void>;
  /** Directory for the synthesized cloud assembly. @default - a temporary directory, removed at the end */
  readonly cdkOutDir?: string;
}

/** Options with every default filled in and checked. */
export interface ResolvedLocalSkyOptions
  extends Required<
    Omit<
      LocalSkyOptions,
      'outDir' | 'signal' | 'cdkOutDir' | 'scenario' | 'pollConcurrency' | 'experimentBurst' | 'beforeStop'
    >
  > {
  readonly scenario: string | unknown;
  readonly pollConcurrency?: number;
  readonly experimentBurst?: number;
  readonly outDir?: string;
  readonly signal?: AbortSignal;
  readonly cdkOutDir?: string;
  readonly beforeStop?: (world: LocalSkyWorld) => Promise<void>;
}

/** The running local sky, as {@link LocalSkyOptions.beforeStop} sees it. */
export interface LocalSkyWorld {
  /** The loopback Lambda API, e.g. for `sky invoke --lambda-endpoint`. */
  readonly lambdaEndpoint: string;
  /** dynalite. */
  readonly dynamoEndpoint: string;
  /** Region of the table (the home region). */
  readonly tableRegion: string;
  readonly tableName: string;
  /** The zones, memory sizes and architectures the local router places on (the router's SKY_* settings). */
  readonly deployed: {
    readonly zones: ReadonlyArray<{ readonly azId: string; readonly region: string }>;
    readonly memorySizes: readonly number[];
    readonly architectures: readonly string[];
  };
  /**
   * The zones on other providers as the router is configured with them (its `SKY_ENDPOINTS`): loopback URLs,
   * secrets named by variables only the run holds, never their values. Empty without such zones.
   */
  readonly endpoints: readonly ExternalZoneInput[];
  /** The summary of the run, final by now. */
  readonly summary: SummaryTable;
}

function positiveInteger(option: string, value: number, max: number, min = 1, why = ''): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new LocalSkyOptionError(option, value, `a whole number from ${min} to ${max}${why}`);
  }
  return value;
}

/**
 * Fewest requests a poll may send: from here up, the config's polls (at most `samplersPerZone / samplersPerPoll` of
 * them) together see the instances a characterization needs.
 */
const MIN_POLL_CONCURRENCY = Math.ceil(
  SAMPLING_DEFAULTS.minInstancesForCharacterization / effectiveMaxPolls(DEFAULT_SKY_CONFIG),
);

function profilingCalls(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > MAX_PROFILING_OBSERVATIONS) {
    throw new LocalSkyOptionError(
      'profilingCalls',
      value,
      `a whole number from 0 (no profiling) to ${MAX_PROFILING_OBSERVATIONS}`,
    );
  }
  return value;
}

function slowdown(value: number): number {
  if (!(value >= 1 && value <= MAX_BATCH_SLOWDOWN)) {
    throw new LocalSkyOptionError('maxSlowdown', value, `a number from 1 (not paced) to ${MAX_BATCH_SLOWDOWN}`);
  }
  return value;
}

function timeScale(option: string, value: number): number {
  if (!(value > 0 && value <= 10))
    throw new LocalSkyOptionError(option, value, 'a number in (0, 10]: real ms per emulated ms');
  return value;
}

/** Fills in defaults and checks ranges; throws {@link LocalSkyOptionError} naming the option. */
export function resolveLocalSkyOptions(options: LocalSkyOptions = {}): ResolvedLocalSkyOptions {
  const samplingTimeScale = timeScale('samplingTimeScale', options.samplingTimeScale ?? 0.5);
  const routingTimeScale = timeScale('routingTimeScale', options.routingTimeScale ?? 0.005);
  const strategies = options.strategies ?? LOCAL_STRATEGIES;
  for (const strategy of strategies) {
    if (!LOCAL_STRATEGIES.includes(strategy)) {
      throw new LocalSkyOptionError('strategies', strategy, LOCAL_STRATEGIES.join(', '));
    }
  }
  if (!strategies.includes('baseline')) {
    throw new LocalSkyOptionError('strategies', strategies, "a list that includes 'baseline' (savings are against it)");
  }
  // Options of the multi-day experiment would be dropped without it.
  if (options.experiment === false) {
    if (options.experimentBurst !== undefined) {
      throw new LocalSkyOptionError('experimentBurst', options.experimentBurst, 'nothing without the experiment');
    }
    if (options.probeSaturation !== undefined) {
      throw new LocalSkyOptionError('probeSaturation', options.probeSaturation, 'nothing without the experiment');
    }
  }
  return {
    scenario: options.scenario ?? DEFAULT_SCENARIO_FILE,
    outDir: options.outDir,
    burst: positiveInteger('burst', options.burst ?? 100, 10_000),
    concurrency: positiveInteger('concurrency', options.concurrency ?? 50, 1_000),
    maxSlowdown: slowdown(options.maxSlowdown ?? DEFAULT_TWIN_MAX_SLOWDOWN),
    samplingTimeScale,
    routingTimeScale,
    pollConcurrency:
      options.pollConcurrency === undefined
        ? undefined
        : positiveInteger(
            'pollConcurrency',
            options.pollConcurrency,
            MAX_POLL_CONCURRENCY,
            MIN_POLL_CONCURRENCY,
            ` (a run's polls must together see the ${SAMPLING_DEFAULTS.minInstancesForCharacterization} instances a characterization needs)`,
          ),
    profilingCalls: profilingCalls(options.profilingCalls ?? DEFAULT_PROFILING_OBSERVATIONS),
    experimentBurst:
      options.experimentBurst === undefined
        ? 100
        : positiveInteger('experimentBurst', options.experimentBurst, 100_000),
    probeSaturation: options.probeSaturation ?? false,
    strategies,
    experiment: options.experiment ?? true,
    progress: options.progress ?? silentProgress,
    signal: options.signal,
    cdkOutDir: options.cdkOutDir,
    beforeStop: options.beforeStop,
  };
}
