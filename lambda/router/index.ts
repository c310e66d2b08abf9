import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { lambdaClientWithLimit, sdkInvoker } from '../../lib/aws/lambda-invoker';
import { SkyStore } from '../../lib/aws/store';
import { regionFacts, regionOfAzId } from '../../lib/catalog';
import { installPolyfills } from '../../lib/polyfills';
import { externalZonesFromEnv, routerInvoker, SecretResolver, withExternalZones } from '../../lib/providers';
import { routerEnvironment } from '../../lib/routing/environment';
import { regionalInvoker } from '../../lib/routing/regional-invoker';
import type { DeadlineSource } from '../../lib/routing/service';
import { createRouterHandler, type RouterHandler } from './handler';

export { createRouterHandler, type FunctionUrlResult, type RouterHandler } from './handler';

/**
 * The router Lambda (`sky-router`): invoked directly or through its IAM-authenticated Function URL.
 * The service is built from the environment (see `environment.ts`) on the first call and kept, so
 * warm calls reuse its clients' connections and its cached characterizations. Importing this module
 * (as the local sky does, for `createRouterHandler`) creates no client and changes no global.
 */
let routerHandler: RouterHandler | undefined;

function fromEnvironment(): RouterHandler {
  installPolyfills();
  const environment = routerEnvironment(process.env, {
    regionFacts,
    regionOfAzId: (azId) => regionOfAzId(azId) ?? undefined,
  });
  /** Each deployed zone's region: a dynamic function is invoked through its own region's endpoint. */
  const zoneRegions = new Map(environment.config.deployed.map((z) => [z.azId, z.region]));
  // Zones on other providers, called over HTTPS with secrets from Secrets Manager or the environment.
  const external = externalZonesFromEnv(process.env);
  const lambda = regionalInvoker({
    regionOfZone: (azId) => zoneRegions.get(azId) ?? regionOfAzId(azId),
    // A batch runs up to 1,000 calls at once; one socket each. No SDK retries: the router fails over.
    invokerFor: (region) => sdkInvoker(lambdaClientWithLimit({ region, maxSockets: 1000 }), { maxSockets: 1000 }),
    home: sdkInvoker(lambdaClientWithLimit({ maxSockets: 1000 }), { maxSockets: 1000 }),
  });
  return createRouterHandler({
    store: new SkyStore({
      client: createDocumentClient({ region: environment.tableRegion }),
      tableName: environment.tableName,
    }),
    invoker: routerInvoker(lambda, external, { secrets: new SecretResolver() }),
    config: withExternalZones(environment.config, external),
    cacheTtlMs: environment.cacheTtlMs,
  });
}

export const handler = (event: unknown, context?: DeadlineSource) => {
  routerHandler ??= fromEnvironment();
  return routerHandler(event, context);
};
