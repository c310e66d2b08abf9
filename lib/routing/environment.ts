import {
  AWS_REGION_CODE_PATTERN,
  DEFAULT_HOLD_MS,
  DEFAULT_MAX_ATTEMPTS,
  DYNAMODB_TABLE_NAME_ALLOWED,
  DYNAMODB_TABLE_NAME_PATTERN,
  FUNCTION_ENV,
  isLambdaMemorySize,
  LAMBDA_MEMORY_MB,
  MAX_ATTEMPTS_LIMIT,
  MAX_HOLD_MS,
  PAPER_MEMORY_SIZES,
} from '../contracts';
import { isRejectMode, REJECT_MODES } from '../core/reject-mode';
import type { Arch, RegionFacts } from '../core/types';
import { DEFAULT_CACHE_TTL_MS, type RejectMode, type RouterConfig } from './config';
import { RouterConfigError } from './errors';

/**
 * The router Lambda's settings, from its environment (set by the control stack; names in
 * `lib/contracts/environment.ts`):
 *
 * | variable | meaning | default |
 * |---|---|---|
 * | `SKY_ZONES` | deployed zones: comma-separated AZ IDs, each optionally `region:azId` | required |
 * | `SKY_MEMORY_SIZES` | deployed memory sizes, MB, comma-separated | `128,256,512,1024,2048,4096,6144,8192,10240` |
 * | `SKY_ARCHITECTURES` | deployed architectures, comma-separated | `x86_64,arm64` |
 * | `SKY_TABLE_NAME` | the table | `skymesh` |
 * | `SKY_TABLE_REGION` | the table's region | `AWS_REGION` |
 * | `SKY_HOLD_MS` | hold of a rejected attempt, ms | `150` |
 * | `SKY_MAX_ATTEMPTS` | attempt budget when a request sets none | `10` |
 * | `SKY_REJECT_MODE` | what a rejected instance does: `hold`, `end` (Minos) or `auto` | `auto` |
 * | `SKY_RETURN_SHARE` | share of retries an instance left warm takes back, 0 to 1 (the cost model's) | `1` |
 * | `SKY_CACHE_TTL_MS` | reuse of table reads, ms | `60000` |
 * | `SKY_FUNCTION_TIMEOUT_MS` | the dynamic functions' configured timeout, ms | `300000` |
 * | `SKY_INVOKE_TIMEOUT_MS` | limit of one invoke, ms | function timeout + 2000 |
 */
export interface RouterEnvironment {
  readonly config: RouterConfig;
  readonly tableName: string;
  readonly tableRegion: string;
  readonly cacheTtlMs: number;
}

export interface EnvironmentFacts {
  readonly regionFacts: (region: string) => RegionFacts;
  /** The region of an AZ ID, or undefined when unknown. */
  readonly regionOfAzId: (azId: string) => string | undefined;
}

/**
 * Reads the router's settings from environment variables.
 * @throws RouterConfigError naming the variable, its value and what is allowed.
 */
export function routerEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  facts: EnvironmentFacts,
): RouterEnvironment {
  const deployed = zonesOf(env[FUNCTION_ENV.zones], facts);
  const memorySizes = listOf(
    env[FUNCTION_ENV.memorySizes],
    FUNCTION_ENV.memorySizes,
    `integers from ${LAMBDA_MEMORY_MB.min} to ${LAMBDA_MEMORY_MB.max}`,
    (v) => {
      const n = Number(v);
      return isLambdaMemorySize(n) ? n : undefined;
    },
  ) ?? [...PAPER_MEMORY_SIZES];
  const architectures =
    listOf<Arch>(env[FUNCTION_ENV.architectures], FUNCTION_ENV.architectures, 'x86_64 and/or arm64', (v) =>
      v === 'x86_64' || v === 'arm64' ? v : undefined,
    ) ?? (['x86_64', 'arm64'] as Arch[]);
  const tableRegion = env[FUNCTION_ENV.tableRegion] ?? env.AWS_REGION;
  if (!tableRegion || !AWS_REGION_CODE_PATTERN.test(tableRegion))
    throw new RouterConfigError(
      FUNCTION_ENV.tableRegion,
      tableRegion,
      'a region code such as us-west-2 (or set AWS_REGION)',
    );
  const tableName = env[FUNCTION_ENV.tableName] ?? 'skymesh';
  if (!DYNAMODB_TABLE_NAME_PATTERN.test(tableName)) {
    throw new RouterConfigError(FUNCTION_ENV.tableName, tableName, DYNAMODB_TABLE_NAME_ALLOWED);
  }
  return {
    config: {
      deployed,
      architectures,
      memorySizes,
      regionFacts: facts.regionFacts,
      holdMs: wholeOf(env[FUNCTION_ENV.holdMs], FUNCTION_ENV.holdMs, 0, MAX_HOLD_MS) ?? DEFAULT_HOLD_MS,
      maxAttempts:
        wholeOf(env[FUNCTION_ENV.maxAttempts], FUNCTION_ENV.maxAttempts, 1, MAX_ATTEMPTS_LIMIT) ?? DEFAULT_MAX_ATTEMPTS,
      rejectMode: rejectModeOf(env[FUNCTION_ENV.rejectMode]),
      ...optional('returnShare', numberOf(env.SKY_RETURN_SHARE, 'SKY_RETURN_SHARE', 0, 1)),
      ...optional(
        'functionTimeoutMs',
        wholeOf(env[FUNCTION_ENV.functionTimeoutMs], FUNCTION_ENV.functionTimeoutMs, 1000, 900_000),
      ),
      ...optional('invokeTimeoutMs', wholeOf(env.SKY_INVOKE_TIMEOUT_MS, 'SKY_INVOKE_TIMEOUT_MS', 1, 902_000)),
    },
    tableName,
    tableRegion,
    cacheTtlMs: wholeOf(env.SKY_CACHE_TTL_MS, 'SKY_CACHE_TTL_MS', 0, 86_400_000) ?? DEFAULT_CACHE_TTL_MS,
  };
}

function zonesOf(value: string | undefined, facts: EnvironmentFacts): Array<{ azId: string; region: string }> {
  const allowed =
    'comma-separated AZ IDs such as usw2-az1, each optionally prefixed by its region (us-west-2:usw2-az1)';
  if (!value || value.trim() === '') throw new RouterConfigError(FUNCTION_ENV.zones, value, allowed);
  const zones: Array<{ azId: string; region: string }> = [];
  for (const item of value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const parts = item.split(':');
    const [first, second] = parts;
    const azId = second ?? first;
    const known = facts.regionOfAzId(azId);
    // A region given beside an AZ ID is for AZs the catalog does not know; for one it knows, it must agree.
    const region = second ? first : known;
    const valid =
      parts.length <= 2 &&
      /^[a-z]{2,5}\d-az\d+$/.test(azId) &&
      region !== undefined &&
      AWS_REGION_CODE_PATTERN.test(region) &&
      (known === undefined || known === region);
    if (!valid) {
      const why = known !== undefined && region !== undefined && known !== region ? ` (${azId} is in ${known})` : '';
      throw new RouterConfigError(FUNCTION_ENV.zones, item, `${allowed}${why}`);
    }
    if (!zones.some((z) => z.azId === azId)) zones.push({ azId, region });
  }
  if (zones.length === 0) throw new RouterConfigError(FUNCTION_ENV.zones, value, allowed);
  return zones;
}

function listOf<T>(
  value: string | undefined,
  key: string,
  allowed: string,
  parse: (item: string) => T | undefined,
): T[] | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  return value.split(',').map((item) => {
    const parsed = parse(item.trim());
    if (parsed === undefined) throw new RouterConfigError(key, item.trim(), allowed);
    return parsed;
  });
}

function numberOf(value: string | undefined, key: string, min: number, max: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = DECIMAL.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(n) || n < min || n > max)
    throw new RouterConfigError(key, value, `a number from ${min} to ${max}`);
  return n;
}

/** A whole number of `key` from `min` to `max`, or undefined when unset. */
function wholeOf(value: string | undefined, key: string, min: number, max: number): number | undefined {
  const n = numberOf(value, key, min, max);
  if (n !== undefined && !Number.isInteger(n))
    throw new RouterConfigError(key, value, `a whole number from ${min} to ${max}`);
  return n;
}

/** A decimal number as a person writes one (not hex, not an exponent). */
const DECIMAL = /^-?\d+(\.\d+)?$/;

function rejectModeOf(value: string | undefined): RejectMode {
  if (value === undefined || value.trim() === '') return 'auto';
  if (isRejectMode(value)) return value;
  throw new RouterConfigError(FUNCTION_ENV.rejectMode, value, REJECT_MODES.join(', '));
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
