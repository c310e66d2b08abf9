import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { lambdaClientWithLimit, sdkInvoker } from '../../lib/aws/lambda-invoker';
import { SkyStore } from '../../lib/aws/store';
import { regionFacts, regionOfAzId } from '../../lib/catalog';
import { installPolyfills } from '../../lib/polyfills';
import { routerEnvironment } from './environment';
import { createRouterHandler } from './handler';

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

const routerHandler = createRouterHandler({
  store: new SkyStore({
    client: createDocumentClient({ region: environment.tableRegion }),
    tableName: environment.tableName,
  }),
  // A batch runs up to 1,000 calls at once; one socket each.
  invoker: sdkInvoker(lambdaClientWithLimit({ maxSockets: 1000 }), { maxSockets: 1000 }),
  config: environment.config,
  cacheTtlMs: environment.cacheTtlMs,
});

export const handler = (event: unknown, context?: { getRemainingTimeInMillis?(): number }) =>
  routerHandler(event, context);
