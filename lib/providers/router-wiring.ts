import type { Invoker } from '../contracts/invoker';
import type { RouterConfig } from '../routing/config';
import type { ExternalZone } from './config';
import type { HttpsInvokerOptions } from './https-invoker';
import { meshInvoker } from './mesh-invoker';

/**
 * A router configuration that also routes to external zones: they join `deployed` with the memory
 * sizes and architectures they have, and their region facts (prices, location, carbon) come first.
 * The router Lambda, the local sky and the tests all build their router through this, so one routing
 * service drives Lambda and HTTPS targets alike.
 *
 * @example
 * const zones = parseExternalZones(JSON.parse(process.env.SKY_ENDPOINTS ?? '[]'), 'SKY_ENDPOINTS');
 * const config = withExternalZones(environment.config, zones);
 */
export function withExternalZones(config: RouterConfig, zones: readonly ExternalZone[]): RouterConfig {
  if (zones.length === 0) return config;
  const facts = new Map(zones.map((zone) => [zone.region, zone.facts]));
  const external = new Set(zones.map((zone) => zone.azId));
  return {
    ...config,
    deployed: [
      // Sizes only external zones have are not deployed on Lambda: each Lambda zone lists its own.
      ...config.deployed
        .filter((zone) => !external.has(zone.azId))
        .map((zone) => ({
          ...zone,
          memorySizes: zone.memorySizes ?? config.memorySizes,
          architectures: zone.architectures ?? config.architectures,
        })),
      ...zones.map((zone) => ({
        azId: zone.azId,
        region: zone.region,
        memorySizes: zone.memorySizes,
        architectures: zone.architectures,
      })),
    ],
    // The view offers each size once; a zone places only on the sizes it has.
    memorySizes: [...new Set([...config.memorySizes, ...zones.flatMap((zone) => zone.memorySizes)])].sort(
      (a, b) => a - b,
    ),
    regionFacts: (region) => facts.get(region) ?? config.regionFacts(region),
  };
}

/** The router's invoker over Lambda and the external zones (see `meshInvoker`). */
export function routerInvoker(lambda: Invoker, zones: readonly ExternalZone[], https: HttpsInvokerOptions): Invoker {
  return meshInvoker({ lambda, external: zones, https });
}
