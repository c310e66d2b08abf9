/**
 * The `skymesh/aws` entry: the AWS SDK adapters a program needs to run the routing service (`RoutingService` from
 * `skymesh`) in-process against a deployed mesh: the table as a `RouterStore`, Lambda as an `Invoker`, and clients
 * of a deployed router. This file only re-exports.
 */

export { createDocumentClient, type DocumentClientOptions } from './dynamo-client';
export {
  type LambdaClientLimitOptions,
  lambdaClientWithLimit,
  type SdkInvokerOptions,
  sdkInvoker,
} from './lambda-invoker';
export {
  type FunctionRouterClientOptions,
  functionRouterClient,
  type RouterClient,
  RouterClientError,
  type UrlRouterClientOptions,
  urlRouterClient,
} from './router-client';
export { SkyStore, type SkyStoreOptions } from './store';
export { InvalidRecordError, StoreError } from './store-errors';
