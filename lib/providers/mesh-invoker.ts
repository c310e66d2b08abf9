import type { Invoker } from '../contracts/invoker';
import { parseFunctionName } from '../core/naming';
import type { ExternalZone } from './config';
import { type HttpsInvokerOptions, httpsInvoker } from './https-invoker';

/**
 * The invoker of a whole sky: functions in an external zone (IBM Code Engine, DigitalOcean Functions, an
 * HTTPS endpoint) are called over HTTPS with that zone's authentication; every other name goes to Lambda.
 * The routing service sees one Invoker, so the same routing code drives Lambda and HTTPS targets, and a
 * failure on one provider fails over to the next target whatever its provider.
 *
 * @example
 * const invoker = meshInvoker({ lambda: sdkInvoker(lambdaClientWithLimit()), external: zones,
 *   https: { secrets: new SecretResolver() } });
 */
export function meshInvoker(options: {
  readonly lambda: Invoker;
  readonly external: readonly ExternalZone[];
  readonly https: HttpsInvokerOptions;
}): Invoker {
  const byZone = new Map(options.external.map((zone) => [zone.azId, httpsInvoker(zone, options.https)]));
  if (byZone.size === 0) return options.lambda;
  return {
    invoke(functionName, payload, invokeOptions) {
      const parsed = parseFunctionName(functionName);
      // Only the dynamic functions and samplers run on the other provider; a zone's fan-out and
      // sampling steps are Lambda functions in the home region.
      const onProvider = parsed !== undefined && (parsed.kind === 'dynamic' || parsed.kind === 'sampler');
      const external = onProvider ? byZone.get(parsed.azId) : undefined;
      return (external ?? options.lambda).invoke(functionName, payload, invokeOptions);
    },
  };
}
