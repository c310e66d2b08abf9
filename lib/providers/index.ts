export {
  type EndpointAuth,
  type ExternalZone,
  type ExternalZoneInput,
  externalZoneSchema,
  externalZonesFromEnv,
  IBM_IAM_TOKEN_URL,
  isAllowedUrl,
  parseExternalZones,
  type SecretRef,
  secretRefSchema,
} from './config';
export { EndpointConfigError, IamTokenError, SecretUnavailableError } from './errors';
export { type FunctionAnswer, functionListener, MAX_ENDPOINT_BODY_BYTES } from './function-server';
export { checkSignature, HMAC_TOLERANCE_S, SIGNATURE_HEADER, sameSecret, signBody } from './hmac';
export { type HttpsInvokerOptions, httpsInvoker, urlOf } from './https-invoker';
export { IamTokenSource, TOKEN_RENEW_MARGIN_MS } from './ibm-iam';
export { meshInvoker } from './mesh-invoker';
export { routerInvoker, withExternalZones } from './router-wiring';
export { describeSecret, SecretResolver, type SecretResolverOptions } from './secrets';
export {
  bearerCheck,
  type CallerCheck,
  hmacCheck,
  type IamTokenCheckOptions,
  IBM_IAM_KEYS_URL,
  iamTokenCheck,
  whiskSecretCheck,
} from './verify';
