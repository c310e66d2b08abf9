import { MAX_NESTING_DEPTH, tooDeepAt } from '../core/nesting';
import { durationHours } from './duration';
import { ConfigError, type ConfigProblem, SECRET_NOT_SHOWN } from './errors';
import { ALIAS_KEYS, CONFIG_KEYS, KEY_RULES, SAMPLE_EVERY_HOURS_RULE } from './rules';
import { DEFAULT_SKY_CONFIG, type SkyConfig } from './sky-config';
import { closestMatch } from './suggest';
import { catalogProblems } from './validate-catalog';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Every key the `skymesh` settings accept. */
export const KNOWN_KEYS: readonly string[] = [...CONFIG_KEYS, ...ALIAS_KEYS];

/**
 * Validates the `skymesh` settings and fills in defaults. Values may be strings as `-c` passes them
 * (`"us-west-1,sa-east-1"`, `"100"`): lists and numbers are coerced. A key set to `undefined` is absent.
 * Throws `ConfigError` listing every problem, each naming the key, the value and what is allowed.
 *
 * @example
 * loadSkyConfig({ regions: 'us-west-1,sa-east-1', samplersPerZone: '20' }).regions; // ['us-west-1', 'sa-east-1']
 */
export function loadSkyConfig(context: Record<string, unknown>): SkyConfig {
  if (context === null || typeof context !== 'object' || Array.isArray(context)) {
    throw new ConfigError([
      { key: '(root)', value: context, allowed: 'an object of skymesh settings such as { "regions": "all" }' },
    ]);
  }
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(context)) {
    const deep = tooDeepAt(value);
    if (deep !== undefined) {
      problems.push({
        key,
        value,
        allowed: `a value nested at most ${MAX_NESTING_DEPTH} levels deep`,
        hint: `nested more than ${MAX_NESTING_DEPTH} levels deep`,
      });
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config: Partial<Mutable<SkyConfig>> = {};
  const valid = new Set<keyof SkyConfig>();

  for (const [key, value] of Object.entries(context)) {
    if (value === undefined || KNOWN_KEYS.includes(key)) continue;
    const close = closestMatch(key, KNOWN_KEYS);
    problems.push({
      key,
      value,
      allowed: `the keys ${KNOWN_KEYS.join(', ')}`,
      hint: close ? `unknown key; did you mean "${close}"?` : 'unknown key',
    });
  }

  for (const key of CONFIG_KEYS) {
    const value = context[key];
    if (value === undefined) {
      valid.add(key);
      continue;
    }
    const rule = KEY_RULES[key];
    const parsed = rule.schema.safeParse(value);
    if (parsed.success) {
      (config as Record<string, unknown>)[key] = parsed.data;
      valid.add(key);
    } else {
      // External zones may carry a secret by mistake: never echo them.
      const shown = key === 'endpoints' ? SECRET_NOT_SHOWN : value;
      problems.push({ key, value: shown, allowed: rule.allowed, hint: issueHint(parsed.error.issues) });
    }
  }

  readSampleEvery(context, config, valid, problems);

  const resolved = normalize({ ...DEFAULT_SKY_CONFIG, ...config });
  problems.push(...catalogProblems(resolved, valid));
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}

/** `sampleEvery` ("22h", "90m", "1d", or hours) sets `sampleEveryHours`; both given must agree. */
function readSampleEvery(
  context: Record<string, unknown>,
  config: Partial<Mutable<SkyConfig>>,
  valid: Set<keyof SkyConfig>,
  problems: ConfigProblem[],
): void {
  const value = context.sampleEvery;
  if (value === undefined) return;
  const allowed = `a duration such as "22h", "90m" or "1d": ${SAMPLE_EVERY_HOURS_RULE.allowed}`;
  const hours = durationHours(value);
  const parsed = hours === undefined ? undefined : SAMPLE_EVERY_HOURS_RULE.schema.safeParse(hours);
  if (!parsed?.success) {
    problems.push({ key: 'sampleEvery', value, allowed });
    valid.delete('sampleEveryHours');
    return;
  }
  const fromHours = config.sampleEveryHours;
  if (context.sampleEveryHours !== undefined && fromHours !== undefined && fromHours !== parsed.data) {
    problems.push({
      key: 'sampleEvery',
      value,
      allowed: `the same interval as sampleEveryHours (${fromHours}), or only one of the two keys`,
    });
    return;
  }
  config.sampleEveryHours = parsed.data as number;
}

/** Sorted memory sizes; zones in catalog-independent given order; frozen. */
function normalize(config: SkyConfig): SkyConfig {
  return Object.freeze({
    ...config,
    memorySizes: Object.freeze([...config.memorySizes].sort((a, b) => a - b)),
    architectures: Object.freeze([...config.architectures]),
    regions: config.regions === 'all' ? 'all' : Object.freeze([...config.regions]),
    ...(config.zones ? { zones: Object.freeze([...config.zones]) } : {}),
    ...(config.sampledArchitectures ? { sampledArchitectures: Object.freeze([...config.sampledArchitectures]) } : {}),
  });
}

function issueHint(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>): string | undefined {
  const issue = issues[0];
  if (!issue) return undefined;
  const where = issue.path.length > 0 ? `item ${issue.path.map(String).join('.')}: ` : '';
  return `${where}${issue.message}`;
}
