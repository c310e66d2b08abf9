import type { IConstruct } from 'constructs';
import { ConfigError, type ConfigProblem, mayHoldSecret } from './errors';
import { KNOWN_KEYS, loadSkyConfig } from './load';
import type { SkyConfig } from './sky-config';
import { closestMatch } from './suggest';

/** The context key of the settings object (in `cdk.json`), and the prefix of per-key overrides. */
export const SKY_CONTEXT_KEY = 'skymesh';
const OVERRIDE_PREFIX = `${SKY_CONTEXT_KEY}.`;

/**
 * The sky config from a flat context record as CDK and the CLI hold it: the `skymesh` object (from
 * `cdk.json`; a JSON string is parsed) merged with per-key overrides `skymesh.<key>` (from `-c`), the
 * overrides winning. Other context keys are ignored. Throws `ConfigError`.
 *
 * @example
 * skyConfigFromContext({ skymesh: { regions: 'all' }, 'skymesh.regions': 'us-west-1' }).regions; // ['us-west-1']
 */
export function skyConfigFromContext(context: Readonly<Record<string, unknown>>): SkyConfig {
  refuseUnprefixedKeys(context);
  const base = settingsObject(context[SKY_CONTEXT_KEY]);
  const overrides: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key.startsWith(OVERRIDE_PREFIX)) overrides[key.slice(OVERRIDE_PREFIX.length)] = value;
  }
  return loadSkyConfig({ ...base, ...overrides });
}

/**
 * The sky config of a CDK app (or any construct): context key `skymesh` from `cdk.json`, overridden
 * per key by `-c skymesh.<key>=<value>`. Throws `ConfigError`, so nothing is synthesized with a bad config.
 *
 * @example
 * const config = skyConfigFromApp(new cdk.App());
 */
export function skyConfigFromApp(app: IConstruct): SkyConfig {
  return skyConfigFromContext(app.node.getAllContext() as Record<string, unknown>);
}

/**
 * `-c regions=us-west-1` sets a context key nobody reads, so CDK would silently synthesize every region
 * (about 140 stacks and 12,700 functions). A context key that is, or nearly is, one of ours without the
 * `skymesh.` prefix is refused with the fix. Keys of CDK and of other libraries contain `:`, `/` or `@`.
 */
function refuseUnprefixedKeys(context: Readonly<Record<string, unknown>>): void {
  const problems: ConfigProblem[] = [];
  for (const [key, value] of Object.entries(context)) {
    if (key === SKY_CONTEXT_KEY || key.startsWith(OVERRIDE_PREFIX) || /[:/@.]/.test(key)) continue;
    const ours = closestMatch(key, KNOWN_KEYS);
    if (ours === undefined) continue;
    problems.push({
      key,
      value,
      label: `context key ${key}`,
      allowed: `skymesh reads its keys with the prefix only: -c ${OVERRIDE_PREFIX}${ours}=${mayHoldSecret(value) ? '<its value>' : String(value)}`,
      hint: 'ignored without the "skymesh." prefix',
    });
  }
  if (problems.length > 0) throw new ConfigError(problems);
}

function settingsObject(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  let settings: unknown = value;
  if (typeof value === 'string') {
    try {
      settings = JSON.parse(value);
    } catch {
      settings = undefined;
    }
  }
  if (settings !== null && typeof settings === 'object' && !Array.isArray(settings)) {
    return settings as Record<string, unknown>;
  }
  throw new ConfigError([
    {
      key: '(root)',
      value,
      allowed: 'an object (or its JSON text) of skymesh settings such as { "regions": "all" }',
    },
  ]);
}
