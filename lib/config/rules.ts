import { z } from 'zod';
import { coerceList, coerceNumber, coerceNumberList } from './coerce';
import {
  DYNAMODB_TABLE_NAME_PATTERN,
  LAMBDA_MAX_MEMORY_MB,
  LAMBDA_MIN_MEMORY_MB,
  LOG_RETENTION_DAYS,
} from './lambda-limits';
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

const regionCode = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/);
const azId = z.string().regex(/^[a-z]{2,5}\d-az\d+$/);

/** Whole minutes from 1 minute to 365 days, in hours (EventBridge rate expressions count whole minutes). */
export const SAMPLE_EVERY_HOURS_RULE: KeyRule = {
  schema: z.preprocess(
    coerceNumber,
    z
      .number()
      .min(1 / 60)
      .max(8760)
      .refine((hours) => Math.abs(hours * 60 - Math.round(hours * 60)) < 1e-9, 'must be whole minutes'),
  ),
  allowed: 'a number of hours from 1/60 (1 minute) to 8760 (365 days), in whole minutes',
};

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
    z.number().int().min(LAMBDA_MIN_MEMORY_MB).max(LAMBDA_MAX_MEMORY_MB),
    `a non-empty list of distinct integers from ${LAMBDA_MIN_MEMORY_MB} to ${LAMBDA_MAX_MEMORY_MB} (MB)`,
    coerceNumberList,
  ),
  architectures: nonEmptyDistinctList(
    z.enum(['x86_64', 'arm64']),
    'a non-empty list of distinct architectures from "x86_64", "arm64"',
  ),
  samplersPerZone: integer(1, 1000),
  samplerMemoryMb: integer(LAMBDA_MIN_MEMORY_MB, LAMBDA_MAX_MEMORY_MB),
  samplerSleepMs: integer(0, 60_000),
  pollConcurrency: integer(1, 100_000),
  fanoutBranching: integer(2, 1000),
  accuracyTarget: {
    schema: z.preprocess(coerceNumber, z.number().gt(0).lt(1)),
    allowed: 'a number greater than 0 and less than 1 (0.95 means APE <= 5)',
  },
  saturationFailureRate: {
    schema: z.preprocess(coerceNumber, z.number().gt(0).lte(1)),
    allowed: 'a number greater than 0 and at most 1',
  },
  maxPolls: integer(1, 1000),
  maxRunCostUsd: {
    schema: z.preprocess(coerceNumber, z.number().gt(0).lte(1000)),
    allowed: 'a number of USD greater than 0 and at most 1000',
  },
  sampleEveryHours: SAMPLE_EVERY_HOURS_RULE,
  homeRegion: {
    schema: z.preprocess((value) => (typeof value === 'string' ? value.trim() : value), regionCode),
    allowed: 'a region code such as "us-west-2"',
  },
  holdMs: integer(0, 60_000),
  tableName: {
    schema: z.string().regex(DYNAMODB_TABLE_NAME_PATTERN),
    allowed: 'a DynamoDB table name: 3 to 255 characters of a-z, A-Z, 0-9, "_", "-", "."',
  },
  logRetentionDays: {
    schema: z.preprocess(
      coerceNumber,
      z.number().refine((days) => LOG_RETENTION_DAYS.includes(days), 'not a CloudWatch Logs retention'),
    ),
    allowed: `one of the CloudWatch Logs retentions in days: ${LOG_RETENTION_DAYS.join(', ')}`,
  },
};

/** The keys of `SkyConfig`, in declaration order. */
export const CONFIG_KEYS = Object.keys(KEY_RULES) as ReadonlyArray<keyof SkyConfig>;

/** Keys accepted besides those of `SkyConfig`: `sampleEvery` ("22h", "90m", "1d") sets `sampleEveryHours`. */
export const ALIAS_KEYS: readonly string[] = ['sampleEvery'];
