import type { IConstruct } from 'constructs';
import { ConfigError } from './errors';
import { loadSkyConfig } from './load';
import type { SkyConfig } from './sky-config';

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
