import type { Invoker } from '../contracts';
import { parseFunctionName } from '../core/naming';

/**
 * An invoker that sends each call to its function's own region. A Lambda client speaks to one
 * regional endpoint, and the dynamic functions live in every region of the mesh; their
 * deterministic names (`sky-<azId>-<arch>-<mb>`) say the zone, and the zone says the region.
 * One invoker per region is created on first use and kept.
 *
 * @example
 * const invoker = regionalInvoker({
 *   regionOfZone: (azId) => regionOfAzId(azId),
 *   invokerFor: (region) => sdkInvoker(lambdaClientWithLimit({ region })),
 *   home: sdkInvoker(lambdaClientWithLimit()),
 * });
 */
export function regionalInvoker(options: {
  /** The region of an AZ ID, or undefined when unknown. */
  readonly regionOfZone: (azId: string) => string | undefined;
  /** Creates the invoker of a region. */
  readonly invokerFor: (region: string) => Invoker;
  /** For names that carry no zone (or an unknown one): the invoker of the router's own region. */
  readonly home: Invoker;
}): Invoker {
  const byRegion = new Map<string, Invoker>();
  return {
    invoke(functionName, payload, invokeOptions) {
      const parsed = parseFunctionName(functionName);
      const region = parsed && 'azId' in parsed ? options.regionOfZone(parsed.azId) : undefined;
      if (!region) return options.home.invoke(functionName, payload, invokeOptions);
      let invoker = byRegion.get(region);
      if (!invoker) {
        invoker = options.invokerFor(region);
        byRegion.set(region, invoker);
      }
      return invoker.invoke(functionName, payload, invokeOptions);
    },
  };
}
