import {
  DEFAULT_HOLD_MS,
  DEFAULT_MAX_ATTEMPTS,
  DYNAMIC_FUNCTION_TIMEOUT_SECONDS,
  PAPER_MEMORY_SIZES,
  SAMPLING_DEFAULTS,
} from '../contracts';
import type { RejectMode } from '../core/reject-mode';
import type { Arch } from '../core/types';
import type { ExternalZoneInput } from '../providers/config';

/**
 * Everything that shapes a sky mesh: where it is deployed, what it deploys, how it samples.
 * Read from the `skymesh` key of `cdk.json` context, each key overridable with `-c skymesh.<key>=<value>`.
 */
export interface SkyConfig {
  /** Regions to deploy to: `'all'` (every catalog region) or a list of region codes. @default 'all' */
  readonly regions: 'all' | readonly string[];
  /** A subset of AZ IDs of the selected regions; absent means every zone. @default - every zone */
  readonly zones?: readonly string[];
  /** Memory sizes of the dynamic functions, MB. @default the paper's 128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240 */
  readonly memorySizes: readonly number[];
  /** Architectures of the dynamic functions. @default ['x86_64', 'arm64'] */
  readonly architectures: readonly Arch[];
  /**
   * Architectures whose fleets each zone's samplers measure: a set of samplers and a sampling state machine
   * per architecture and zone, each storing its own characterization. An architecture the router places on
   * but does not sample is known only from the calls routed there. Each must be one of `architectures`.
   * @default - the dynamic functions' `architectures`
   */
  readonly sampledArchitectures?: readonly Arch[];
  /** Sampler endpoints per zone (distinct code and memory each). @default 100 */
  readonly samplersPerZone: number;
  /** Sampler endpoints one poll spreads its requests over. @default 10 */
  readonly samplersPerPoll: number;
  /** Memory of sampler 0 in MB; sampler i gets `samplerMemoryMb + i`. @default 10140 */
  readonly samplerMemoryMb: number;
  /** How long a sampler sleeps so each request holds its own instance, ms. @default 100 */
  readonly samplerSleepMs: number;
  /** Concurrent requests per poll. @default 200 */
  readonly pollConcurrency: number;
  /** Children per fan-out invocation. @default 10 */
  readonly fanoutBranching: number;
  /** Accuracy (1 - APE/100) at which progressive sampling stops. @default 0.95 */
  readonly accuracyTarget: number;
  /** A poll whose failure rate exceeds this marks the zone saturated. @default 0.5 */
  readonly saturationFailureRate: number;
  /** Cap on polls per sampling run. @default 30 */
  readonly maxPolls: number;
  /** Cap on the estimated cost of one zone's sampling run, USD. @default 0.2 */
  readonly maxRunCostUsd: number;
  /** Hours between sampling runs of a zone (the paper: 22, so the time of day shifts). @default 22 */
  readonly sampleEveryHours: number;
  /** Region of the control stack (table, router, dashboard). @default 'us-west-2' */
  readonly homeRegion: string;
  /** How long a rejected attempt holds its instance before returning, ms. @default 150 */
  readonly holdMs: number;
  /**
   * What a rejected instance does: `hold` (held, stays warm), `end` (ends itself at once, so Lambda replaces it, as
   * Minos does) or `auto` (ends itself, unless keeping it for the call's last attempt bills less than a new instance).
   * @default 'auto'
   */
  readonly rejectMode: RejectMode;
  /** Attempts a request may make when it sets none (`limits.maxAttempts`). @default 10 */
  readonly maxAttempts: number;
  /**
   * Timeout of every dynamic function, seconds: the longest one call may run, which the router also holds each
   * placement to (a CPU a call cannot finish on within it is rejected at every attempt). Lambda allows 1 to 900.
   * @default 300
   */
  readonly functionTimeoutSeconds: number;
  /** DynamoDB table name. @default 'skymesh' */
  readonly tableName: string;
  /** CloudWatch Logs retention of every function, days. @default 14 */
  readonly logRetentionDays: number;
  /**
   * Zones on other providers the router may route to (IBM Code Engine, DigitalOcean Functions, HTTPS
   * endpoints), with their URLs and secret references (see README, "Beyond AWS"). @default []
   */
  readonly endpoints: readonly ExternalZoneInput[];
}

/** Defaults of every key: the paper's setup where it has one. */
export const DEFAULT_SKY_CONFIG: SkyConfig = Object.freeze({
  regions: 'all',
  memorySizes: PAPER_MEMORY_SIZES,
  architectures: ['x86_64', 'arm64'] as const,
  samplersPerZone: SAMPLING_DEFAULTS.samplersPerZone,
  samplersPerPoll: SAMPLING_DEFAULTS.samplersPerPoll,
  samplerMemoryMb: SAMPLING_DEFAULTS.samplerMemoryMb,
  samplerSleepMs: SAMPLING_DEFAULTS.samplerSleepMs,
  pollConcurrency: SAMPLING_DEFAULTS.pollConcurrency,
  fanoutBranching: SAMPLING_DEFAULTS.fanoutBranching,
  accuracyTarget: SAMPLING_DEFAULTS.accuracyTarget,
  saturationFailureRate: SAMPLING_DEFAULTS.saturationFailureRate,
  maxPolls: SAMPLING_DEFAULTS.maxPolls,
  maxRunCostUsd: SAMPLING_DEFAULTS.maxRunCostUsd,
  sampleEveryHours: SAMPLING_DEFAULTS.sampleEveryHours,
  homeRegion: 'us-west-2',
  holdMs: DEFAULT_HOLD_MS,
  rejectMode: 'auto',
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  functionTimeoutSeconds: DYNAMIC_FUNCTION_TIMEOUT_SECONDS,
  tableName: 'skymesh',
  logRetentionDays: 14,
  endpoints: [],
});
