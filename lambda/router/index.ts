import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { lambdaClientWithLimit, sdkInvoker } from '../../lib/aws/lambda-invoker';
import { SkyStore } from '../../lib/aws/store';
import { regionFacts, regionOfAzId } from '../../lib/catalog';
import { installPolyfills } from '../../lib/polyfills';
import { routerEnvironment } from './environment';
import { createRouterHandler } from './handler';
import { regionalInvoker } from './regional-invoker';

/**
 * The router Lambda (`sky-router`): invoked directly or through its IAM-authenticated Function URL.
 * Clients are created once per instance, outside the handler, so warm calls reuse their connections
 * and the cached characterizations. Settings come from the environment (see `environment.ts`).
 */
installPolyfills();

const environment = routerEnvironment(process.env, {
  regionFacts,
  regionOfAzId: (azId) => regionOfAzId(azId) ?? undefined,
});

/** Each deployed zone's region: a dynamic function is invoked through its own region's endpoint. */
const zoneRegions = new Map(environment.config.deployed.map((z) => [z.azId, z.region]));

const routerHandler = createRouterHandler({
  store: new SkyStore({
    client: createDocumentClient({ region: environment.tableRegion }),
    tableName: environment.tableName,
  }),
  invoker: regionalInvoker({
    regionOfZone: (azId) => zoneRegions.get(azId) ?? regionOfAzId(azId),
    // A batch runs up to 1,000 calls at once; one socket each. No SDK retries: the router fails over.
    invokerFor: (region) => sdkInvoker(lambdaClientWithLimit({ region, maxSockets: 1000 }), { maxSockets: 1000 }),
    home: sdkInvoker(lambdaClientWithLimit({ maxSockets: 1000 }), { maxSockets: 1000 }),
  }),
  config: environment.config,
  cacheTtlMs: environment.cacheTtlMs,
});

export const handler = (event: unknown, context?: { getRemainingTimeInMillis?(): number }) =>
  routerHandler(event, context);
