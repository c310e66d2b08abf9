import { z } from 'zod';
import {
  AWS_REGION_CODE_PATTERN,
  DYNAMODB_TABLE_NAME_ALLOWED,
  DYNAMODB_TABLE_NAME_PATTERN,
  LAMBDA_MAX_TIMEOUT_MS,
  LAMBDA_MEMORY_MB,
  LOG_RETENTION_DAYS,
  MAX_ATTEMPTS_LIMIT,
  MAX_HOLD_MS,
  SAMPLING_SETTING_RULES,
  type SamplingSettingName,
} from '../contracts';
import { REJECT_MODES } from '../core/reject-mode';
import { coerceList, coerceNumber, coerceNumberList } from './coerce';
import { ENDPOINTS_RULE } from './endpoints';
import type { SkyConfig } from './sky-config';

/** How one key is read: its zod schema (coercing strings first) and what is allowed, in words. */
export interface KeyRule {
  readonly schema: z.ZodType;
  readonly allowed: string;
}

const distinct = (items: readonly unknown[]): boolean => new Set(items).size === items.length;

function integer(min: number, max: number): KeyRule {
  return {
    schema: z.preprocess(coerceNumber, z.number().int().min(min).max(max)),
    allowed: `an integer from ${min} to ${max}`,
  };
}

function nonEmptyDistinctList(item: z.ZodType, allowed: string, coerce = coerceList): KeyRule {
  return {
    schema: z.preprocess(coerce, z.array(item).min(1).refine(distinct, 'items must be distinct')),
    allowed,
  };
}

const regionCode = z.string().regex(AWS_REGION_CODE_PATTERN);
const azId = z.string().regex(/^[a-z]{2,5}\d-az\d+$/);

/** A sampling setting read as the stacks and the sampling steps read it (`lib/contracts`), numbers coerced. */
function samplingSetting(name: SamplingSettingName): KeyRule {
  const rule = SAMPLING_SETTING_RULES[name];
  return { schema: z.preprocess(coerceNumber, rule.schema), allowed: rule.allowed };
}

/** The sampling period in hours, also the rule of the `sampleEvery` alias. */
export const SAMPLE_EVERY_HOURS_RULE: KeyRule = samplingSetting('sampleEveryHours');

/**
 * The rule of every key of `SkyConfig`. Cross-key and catalog checks (regions exist, zones belong to the
 * selected regions, the sampler memory range fits Lambda's) are in `validate-catalog.ts`.
 */
export const KEY_RULES: { readonly [K in keyof SkyConfig]-?: KeyRule } = {
  regions: {
    schema: z.preprocess(
      (value) => (typeof value === 'string' && value.trim() === 'all' ? 'all' : coerceList(value)),
      z.union([z.literal('all'), z.array(regionCode).min(1).refine(distinct, 'items must be distinct')]),
    ),
    allowed: '"all" or a non-empty list of distinct region codes such as "us-west-1,sa-east-1"',
  },
  zones: nonEmptyDistinctList(
    azId,
    'a non-empty list of distinct AZ IDs such as "usw1-az1,usw1-az3" (omit the key for every zone)',
  ),
  memorySizes: nonEmptyDistinctList(
    z.number().int().min(LAMBDA_MEMORY_MB.min).max(LAMBDA_MEMORY_MB.max),
    `a non-empty list of distinct integers from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max} (MB)`,
    coerceNumberList,
  ),
  architectures: nonEmptyDistinctList(
    z.enum(['x86_64', 'arm64']),
    'a non-empty list of distinct architectures from "x86_64", "arm64"',
  ),
  sampledArchitectures: nonEmptyDistinctList(
    z.enum(['x86_64', 'arm64']),
    'a non-empty list of distinct architectures from "x86_64", "arm64", each also in architectures',
  ),
  samplersPerZone: samplingSetting('samplersPerZone'),
  samplersPerPoll: samplingSetting('samplersPerPoll'),
  samplerMemoryMb: samplingSetting('samplerMemoryMb'),
  samplerSleepMs: samplingSetting('samplerSleepMs'),
  pollConcurrency: samplingSetting('pollConcurrency'),
  fanoutBranching: samplingSetting('fanoutBranching'),
  accuracyTarget: samplingSetting('accuracyTarget'),
  saturationFailureRate: samplingSetting('saturationFailureRate'),
  maxPolls: samplingSetting('maxPolls'),
  maxRunCostUsd: samplingSetting('maxRunCostUsd'),
  sampleEveryHours: SAMPLE_EVERY_HOURS_RULE,
  homeRegion: {
    schema: z.preprocess((value) => (typeof value === 'string' ? value.trim() : value), regionCode),
    allowed: 'a region code such as "us-west-2"',
  },
  holdMs: integer(0, MAX_HOLD_MS),
  rejectMode: {
    schema: z.preprocess((value) => (typeof value === 'string' ? value.trim() : value), z.enum(REJECT_MODES)),
    allowed: REJECT_MODES.join(', '),
  },
  maxAttempts: integer(1, MAX_ATTEMPTS_LIMIT),
  functionTimeoutSeconds: integer(1, LAMBDA_MAX_TIMEOUT_MS / 1000),
  tableName: {
    schema: z.string().regex(DYNAMODB_TABLE_NAME_PATTERN),
    allowed: DYNAMODB_TABLE_NAME_ALLOWED,
  },
  logRetentionDays: {
    schema: z.preprocess(
      coerceNumber,
      z.number().refine((days) => LOG_RETENTION_DAYS.includes(days), 'not a CloudWatch Logs retention'),
    ),
    allowed: `one of the CloudWatch Logs retentions in days: ${LOG_RETENTION_DAYS.join(', ')}`,
  },
  endpoints: ENDPOINTS_RULE,
};

/** The keys of `SkyConfig`, in declaration order. */
export const CONFIG_KEYS = Object.keys(KEY_RULES) as ReadonlyArray<keyof SkyConfig>;

/** Keys accepted besides those of `SkyConfig`: `sampleEvery` ("22h", "90m", "1d") sets `sampleEveryHours`. */
export const ALIAS_KEYS: readonly string[] = ['sampleEvery'];
