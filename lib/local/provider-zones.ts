import { createFanoutHandler } from '../../lambda/fanout/index';
import { PROVIDERS } from '../catalog/providers';
import type { Invoker } from '../contracts/invoker';
import { providerOfZone } from '../core/naming';
import {
  type ExternalZone,
  type ExternalZoneInput,
  externalZonesFromEnv,
  meshInvoker,
  parseExternalZones,
  type SecretRef,
  SecretResolver,
} from '../providers';
import type { PlainHandler } from '../twin/kit';
import { type ProviderEndpoints, startProviderEndpoints } from '../twin/provider-endpoints';
import type { Scenario } from '../twin/scenario';
import type { Twin } from '../twin/twin';
import type { Cleanup } from './cleanup';

/**
 * A scenario's zones on other providers in the local sky: served on loopback by the twin's provider endpoints
 * (IBM's IAM token exchange and check, DigitalOcean's `webSecure` header) over the same emulated zones, and
 * reached only through the router's HTTPS invoker and the fan-out's, as a deployment reaches them.
 */
export interface LocalProviderZones {
  /** The mesh configuration's `endpoints`: loopback URLs, secrets named by variables only `secrets` holds. */
  readonly config: readonly ExternalZoneInput[];
  /** The zones as the router reads them. */
  readonly zones: readonly ExternalZone[];
  /** Resolves the secrets the configuration names, from a private table (never the process environment). */
  readonly secrets: SecretResolver;
  /** The loopback endpoints; undefined when the scenario has no zone on another provider. */
  readonly endpoints?: ProviderEndpoints;
}

/** The scenario's zones on Lambda (the rest are on other providers). */
export function awsZonesOf(scenario: Scenario): Scenario['zones'] {
  return scenario.zones.filter((zone) => providerOfZone(zone.azId) === 'aws');
}

/**
 * Serves the scenario's zones on other providers on loopback (each with its provider's memory sizes and
 * `samplers` sampler endpoints) and registers their shutdown with `cleanup`.
 */
export async function startLocalProviderZones(
  scenario: Scenario,
  twin: Twin,
  samplers: number,
  cleanup: Cleanup,
): Promise<LocalProviderZones> {
  const external = scenario.zones.filter((zone) => providerOfZone(zone.azId) !== 'aws');
  if (external.length === 0) return { config: [], zones: [], secrets: new SecretResolver({ env: {} }) };
  const endpoints = await startProviderEndpoints({
    twin,
    zones: external.map((zone) => {
      const provider = providerOfZone(zone.azId);
      const sizes =
        provider === 'ibm-code-engine' || provider === 'digitalocean' ? PROVIDERS[provider].memorySizes : [];
      return { azId: zone.azId, region: zone.region, memorySizes: sizes, samplers };
    }),
  });
  cleanup.add('loopback provider endpoints', () => endpoints.close());
  // The mesh configuration may name a secret, never hold it: each becomes a variable of a private table.
  const table: Record<string, string> = {};
  const named = (azId: string, ref: SecretRef): SecretRef => {
    if (!('value' in ref)) return ref;
    const variable = `SKY_LOCAL_SECRET_${azId.replace(/-/g, '_').toUpperCase()}`;
    table[variable] = ref.value;
    return { env: variable };
  };
  const config = endpoints.config.map((zone, i): ExternalZoneInput => {
    const azId = external[i].azId;
    const auth =
      zone.auth.type === 'ibm-iam'
        ? { ...zone.auth, apiKey: named(azId, zone.auth.apiKey) }
        : { ...zone.auth, secret: named(azId, zone.auth.secret) };
    return { ...zone, auth };
  });
  return {
    config,
    zones: parseExternalZones(config),
    secrets: new SecretResolver({ env: table }),
    endpoints,
  };
}

/**
 * The fan-out of a zone on another provider as its Lambda entry builds it, from the environment its stack
 * gives it (`SKY_ENDPOINTS`): children through `lambda`, leaves to the zone's samplers over HTTP.
 */
export function externalFanout(
  environment: Readonly<Record<string, string>>,
  lambda: Invoker,
  secrets: SecretResolver,
): PlainHandler {
  const handler = createFanoutHandler({
    invoker: meshInvoker({ lambda, external: externalZonesFromEnv(environment), https: { secrets } }),
  });
  return (event, context) => handler(event, context);
}
