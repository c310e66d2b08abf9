/**
 * AWS limits and skymesh defaults that more than one layer checks against or builds from. Each value is
 * defined once: those the router library needs live in `lib/core/lambda-limits.ts` (the core imports
 * nothing outside itself) and are re-exported here; the rest are defined here.
 */
export {
  DEFAULT_HOLD_MS,
  DEFAULT_MAX_ATTEMPTS,
  isLambdaMemorySize,
  LAMBDA_MAX_TIMEOUT_MS,
  LAMBDA_MEMORY_MB,
  MAX_ATTEMPTS_LIMIT,
  MAX_HOLD_MS,
  PAPER_MEMORY_SIZES,
} from '../core/lambda-limits';

/**
 * Retention periods CloudWatch Logs accepts, days (PutRetentionPolicy `retentionInDays`).
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/**
 * DynamoDB table names: 3 to 255 characters of a-z, A-Z, 0-9, `_`, `-`, `.`.
 * @see https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html
 */
export const DYNAMODB_TABLE_NAME_PATTERN = /^[a-zA-Z0-9_.-]{3,255}$/;

/** What {@link DYNAMODB_TABLE_NAME_PATTERN} allows, in words, for messages. */
export const DYNAMODB_TABLE_NAME_ALLOWED = 'a DynamoDB table name: 3 to 255 characters of a-z, A-Z, 0-9, "_", "-", "."';

/** AWS region codes, such as us-west-2. */
export const AWS_REGION_CODE_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Memory of a zone's fan-out function, MB (also what a poll's cost estimate prices the tree at). */
export const FANOUT_MEMORY_MB = 1024;

/** Timeout of a sampler function, seconds: a sampler sleeps a fraction of a second; this bounds a stuck one. */
export const SAMPLER_TIMEOUT_SECONDS = 30;

/**
 * Timeout of the dynamic functions, seconds (the mesh's default; `functionTimeoutSeconds` sets another, up to
 * Lambda's 900). The router waits this long and a little more for an answer, and only then may it run the work
 * in another zone: by then Lambda has stopped the function.
 */
export const DYNAMIC_FUNCTION_TIMEOUT_SECONDS = 300;

/**
 * Timeout of the router Lambda, seconds (the control stack's default, Lambda's most): a batch it follows, paced or
 * not, must be answered within it. The twin gives its router the same deadline.
 */
export const ROUTER_TIMEOUT_SECONDS = 900;
