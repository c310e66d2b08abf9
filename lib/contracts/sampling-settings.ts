import { z } from 'zod';
import { FANOUT_MEMORY_MB, LAMBDA_MEMORY_MB, SAMPLER_TIMEOUT_SECONDS } from './limits';

/**
 * The sampling settings: one schema for the config loader (`lib/config`), the stacks that bake them into
 * the state machine (`lib/infra`) and the sampling steps that read them back from the execution state,
 * so that a value one accepts the others accept too.
 */

/** How one setting is checked: its schema and what it allows, in words for error messages. */
export interface SettingRule<Schema extends z.ZodType = z.ZodType> {
  readonly schema: Schema;
  readonly allowed: string;
}

/** Most requests per poll: a poll's aggregate lists every instance id and must fit the 256 KB execution state. */
export const MAX_POLL_CONCURRENCY = 5000;

/** Most sampler endpoints per zone: their function names number them with at most three digits. */
export const MAX_SAMPLERS_PER_ZONE = 999;

/** Longest sampler sleep, ms: leaves 5 s of the sampler's timeout for its start and its answer. */
export const MAX_SAMPLER_SLEEP_MS = SAMPLER_TIMEOUT_SECONDS * 1000 - 5000;

/**
 * Sampling period bounds, hours. At least 1 h: a run of 30 polls with pauses takes tens of minutes, and
 * the adaptive schedule ticks at half the period. At most 30 days: a characterization older than that
 * says little about a zone whose mix moves within hours.
 */
export const SAMPLE_EVERY_HOURS = { min: 1, max: 720 } as const;

function integer(min: number, max: number, why = ''): SettingRule<z.ZodNumber> {
  return { schema: z.number().int().min(min).max(max), allowed: `an integer from ${min} to ${max}${why}` };
}

const memoryMb = integer(LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_MB.max, ' (MB, Lambda memory range)');

/** The rule of every sampling setting. */
export const SAMPLING_SETTING_RULES = {
  /** Sampler endpoints per zone (distinct code and memory each); successive polls rotate through them. */
  samplersPerZone: integer(1, MAX_SAMPLERS_PER_ZONE),
  /**
   * Sampler endpoints one poll spreads its requests over: each endpoint's instances land on its own
   * subset of the hosts, so a poll over many endpoints meets more hosts per request (see the README's
   * "How sampling stops"). A poll uses at most `samplersPerZone` endpoints and one per request
   * (`samplersPerPollOf`).
   */
  samplersPerPoll: integer(1, MAX_SAMPLERS_PER_ZONE),
  /** Memory of sampler 0 in MB; sampler i has samplerMemoryMb + i. */
  samplerMemoryMb: memoryMb,
  /**
   * MB added to the sampler memory per sampler index: 1 on Lambda, where sampler i has samplerMemoryMb + i
   * (each its own function size), 0 on a provider whose samplers share one size (IBM, DigitalOcean).
   */
  samplerMemoryStepMb: integer(0, 1),
  /** How long a sampler sleeps so each concurrent request holds its own instance, ms. */
  samplerSleepMs: integer(0, MAX_SAMPLER_SLEEP_MS, ` (ms; the sampler's timeout is ${SAMPLER_TIMEOUT_SECONDS} s)`),
  /** Concurrent requests per poll. */
  pollConcurrency: integer(
    1,
    MAX_POLL_CONCURRENCY,
    " (a poll's aggregate must fit Step Functions' 256 KB execution state)",
  ),
  /** Children per fan-out invocation. */
  fanoutBranching: integer(2, 1000),
  /** Memory of the fan-out function in MB, for the cost estimate. */
  fanoutMemoryMb: memoryMb,
  /** Accuracy (1 - APE/100) at which progressive sampling stops. */
  accuracyTarget: {
    schema: z.number().gt(0).lt(1),
    allowed: 'a number greater than 0 and less than 1 (0.95 means APE <= 5)',
  },
  /** A poll whose failed share exceeds this has saturated the zone. */
  saturationFailureRate: { schema: z.number().gt(0).lte(1), allowed: 'a number greater than 0 and at most 1' },
  /** Cap on polls per sampling run. */
  maxPolls: integer(1, 1000),
  /** Cap on the estimated cost of one zone's sampling run, USD. */
  maxRunCostUsd: {
    schema: z.number().gt(0).lte(1000),
    allowed: 'a number of USD greater than 0 and at most 1000',
  },
  /** Hours between sampling runs of a zone; whole minutes, as EventBridge rate expressions count them. */
  sampleEveryHours: {
    schema: z
      .number()
      .min(SAMPLE_EVERY_HOURS.min)
      .max(SAMPLE_EVERY_HOURS.max)
      .refine((hours) => Math.abs(hours * 60 - Math.round(hours * 60)) < 1e-9, 'must be whole minutes'),
    allowed: `a number of hours from ${SAMPLE_EVERY_HOURS.min} to ${SAMPLE_EVERY_HOURS.max} (30 days), in whole minutes`,
  },
  /** Sample stable zones less often and drifting ones more often (see `SamplingStateMachineProps`). */
  adaptiveSchedule: { schema: z.boolean(), allowed: 'true or false' },
  /**
   * Instances a run must see for its characterization to count in full: saturated runs below it write none, capped
   * ones become `LATEST` only where the zone has none.
   */
  minInstancesForCharacterization: integer(1, 1_000_000),
  /** Lambda price of the samplers per GB-second, USD (for the run's cost estimate). */
  pricePerGbSecond: { schema: z.number().gt(0).lt(1), allowed: 'a number of USD greater than 0 and less than 1' },
  /** Lambda price per request, USD. */
  pricePerRequest: { schema: z.number().min(0).lt(1), allowed: 'a number of USD from 0 to less than 1' },
  /**
   * Lambda price of the fan-out per GB-second, USD, where it differs from the samplers' (a zone on another
   * provider is polled by a Lambda fan-out in the home region). Absent: `pricePerGbSecond`.
   */
  fanoutPricePerGbSecond: {
    schema: z.number().gt(0).lt(1),
    allowed: 'a number of USD greater than 0 and less than 1',
  },
  /** Lambda price per fan-out request, USD, where it differs from the samplers'. Absent: `pricePerRequest`. */
  fanoutPricePerRequest: { schema: z.number().min(0).lt(1), allowed: 'a number of USD from 0 to less than 1' },
  /**
   * Billed INIT of each new sampler instance, ms, for the run's cost where a sampler call's answer carried no REPORT
   * record (whose Billed Duration holds the INIT Lambda billed): Lambda bills INIT since 2025-08-01; 0 reproduces the
   * billing before. At most Lambda's 10 s INIT limit.
   */
  initBilledMs: { schema: z.number().min(0).max(10_000), allowed: 'a number of ms from 0 to 10000' },
} as const satisfies Record<string, SettingRule>;

export type SamplingSettingName = keyof typeof SAMPLING_SETTING_RULES;

/** The defaults: the paper's setup where it has one. Prices have none; they come from the catalog. */
export const SAMPLING_DEFAULTS = Object.freeze({
  samplersPerZone: 100,
  // Measured with `npm run bench sampling-calibration` (the README's "How sampling stops" has the table):
  // 200 requests over 10 endpoints a poll stop after about two polls, right in 99-100% of zone-days on
  // paper-ex5 and clustered-350 (20 or 25 endpoints: slightly more polls and cost, 1 request each over
  // 25 endpoints: 42% at most). Samplers stay near Lambda's largest size because the twin packs one
  // function's instances into 12 GiB of a host: at 10 GB each request meets a host of its own, at half
  // the memory half as many (more polls, no saving). The sleep is cut from the paper's 250 ms to 100 ms,
  // under $0.02 per characterization with INIT billed: in the twin the accuracy does not change from
  // 250 ms down to 0 (a new instance is held by its own INIT), and 100 ms keeps a margin for the spread
  // of arrival times the twin does not model.
  samplersPerPoll: 10,
  samplerMemoryMb: 10_140,
  samplerSleepMs: 100,
  pollConcurrency: 200,
  fanoutBranching: 10,
  fanoutMemoryMb: FANOUT_MEMORY_MB,
  accuracyTarget: 0.95,
  saturationFailureRate: 0.5,
  maxPolls: 30,
  maxRunCostUsd: 0.2,
  sampleEveryHours: 22,
  adaptiveSchedule: true,
  minInstancesForCharacterization: 100,
  /** The core's DEFAULT_INIT_MS: about a small Node.js bundle's INIT (`npm run bench runtime` measures ours). */
  initBilledMs: 150,
});

/** Sampler endpoints a poll really spreads over: the setting, capped at the zone's endpoints and the poll's requests. */
export function samplersPerPollOf(settings: {
  samplersPerPoll: number;
  samplersPerZone: number;
  pollConcurrency: number;
}): number {
  return Math.max(1, Math.min(settings.samplersPerPoll, settings.samplersPerZone, settings.pollConcurrency));
}

/**
 * The poll cap of a run: `maxPolls`, and never more polls than the sampler endpoints can serve without a
 * repeat. Poll k hits the `samplersPerPoll` endpoints from (start + k × samplersPerPoll) mod samplersPerZone, and the instances of an endpoint stay warm between polls, so a second
 * visit within a run would count the same instances again (2 samplers and 6 polls counted 600
 * instances of 200).
 */
export function effectiveMaxPolls(settings: {
  maxPolls: number;
  samplersPerZone: number;
  samplersPerPoll: number;
  pollConcurrency: number;
}): number {
  return Math.min(settings.maxPolls, Math.floor(settings.samplersPerZone / samplersPerPollOf(settings)));
}

/** Most instances a run can see: one a request, `pollConcurrency` requests a poll, `effectiveMaxPolls` polls. */
export function reachableInstances(settings: Parameters<typeof effectiveMaxPolls>[0]): number {
  return settings.pollConcurrency * effectiveMaxPolls(settings);
}

/** Highest sampler memory the settings give, MB (sampler i has samplerMemoryMb + i × samplerMemoryStepMb). */
export function topSamplerMemoryMb(settings: {
  samplersPerZone: number;
  samplerMemoryMb: number;
  samplerMemoryStepMb?: number;
}): number {
  return samplerMemoryOf(settings, settings.samplersPerZone - 1);
}

/** Memory of sampler `index`, MB: samplerMemoryMb + index on Lambda, the one size on other providers. */
export function samplerMemoryOf(
  settings: { samplerMemoryMb: number; samplerMemoryStepMb?: number },
  index: number,
): number {
  return settings.samplerMemoryMb + index * (settings.samplerMemoryStepMb ?? 1);
}

/**
 * The settings baked into a zone's state machine definition (so a schedule needs no input) and read
 * by every sampling step.
 */
export const SamplingSettingsSchema = z
  .object({
    samplersPerZone: SAMPLING_SETTING_RULES.samplersPerZone.schema,
    /**
     * Architecture of the samplers the run polls, and so of the fleet its characterization describes: a zone
     * has a state machine per sampled architecture. Absent: x86_64 (as in executions of older definitions).
     */
    samplerArch: z.enum(['x86_64', 'arm64']).optional(),
    // Defaulted: executions started by a definition older than this setting carry no value for it.
    samplersPerPoll: SAMPLING_SETTING_RULES.samplersPerPoll.schema.default(1),
    samplerMemoryMb: SAMPLING_SETTING_RULES.samplerMemoryMb.schema,
    // Absent means 1 (Lambda's one size per sampler), as in executions of definitions older than this setting.
    samplerMemoryStepMb: SAMPLING_SETTING_RULES.samplerMemoryStepMb.schema.optional(),
    // Defaulted: executions started by a definition older than this setting carry no value for it.
    samplerSleepMs: SAMPLING_SETTING_RULES.samplerSleepMs.schema.default(SAMPLING_DEFAULTS.samplerSleepMs),
    pollConcurrency: SAMPLING_SETTING_RULES.pollConcurrency.schema,
    fanoutBranching: SAMPLING_SETTING_RULES.fanoutBranching.schema,
    fanoutMemoryMb: SAMPLING_SETTING_RULES.fanoutMemoryMb.schema,
    accuracyTarget: SAMPLING_SETTING_RULES.accuracyTarget.schema,
    saturationFailureRate: SAMPLING_SETTING_RULES.saturationFailureRate.schema,
    maxPolls: SAMPLING_SETTING_RULES.maxPolls.schema,
    maxRunCostUsd: SAMPLING_SETTING_RULES.maxRunCostUsd.schema,
    sampleEveryHours: SAMPLING_SETTING_RULES.sampleEveryHours.schema,
    adaptiveSchedule: SAMPLING_SETTING_RULES.adaptiveSchedule.schema,
    minInstancesForCharacterization: SAMPLING_SETTING_RULES.minInstancesForCharacterization.schema,
    pricePerGbSecond: SAMPLING_SETTING_RULES.pricePerGbSecond.schema,
    pricePerRequest: SAMPLING_SETTING_RULES.pricePerRequest.schema,
    fanoutPricePerGbSecond: SAMPLING_SETTING_RULES.fanoutPricePerGbSecond.schema.optional(),
    fanoutPricePerRequest: SAMPLING_SETTING_RULES.fanoutPricePerRequest.schema.optional(),
    // Defaulted: executions started by a definition older than this setting carry no value for it.
    initBilledMs: SAMPLING_SETTING_RULES.initBilledMs.schema.default(SAMPLING_DEFAULTS.initBilledMs),
  })
  .superRefine((settings, context) => {
    const top = topSamplerMemoryMb(settings);
    if (top > LAMBDA_MEMORY_MB.max) {
      context.addIssue({
        code: 'custom',
        path: ['samplerMemoryMb'],
        message: `sampler ${settings.samplersPerZone - 1} would get ${top} MB; Lambda allows at most ${LAMBDA_MEMORY_MB.max} MB`,
      });
    }
  });
export type SamplingSettings = z.infer<typeof SamplingSettingsSchema>;
