import { lambdaClientWithLimit, sdkInvoker } from '../../lib/aws/lambda-invoker';
import { externalZonesFromEnv, meshInvoker, SecretResolver } from '../../lib/providers';
import { createFanoutHandler, type FanoutContext, type FanoutHandler } from './handler';

export {
  createFanoutHandler,
  type FanoutContext,
  type FanoutHandler,
  type FanoutHandlerOptions,
  splitCount,
} from './handler';

let instanceHandler: FanoutHandler | undefined;

/** `SKY_FANOUT_MAX_SOCKETS`: a whole number of connections from 1 to 4,096 (default 64), or an error naming it. */
export function socketsOf(value: string | undefined): number {
  if (value === undefined || value.trim() === '') return 64;
  const n = /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (!(Number.isInteger(n) && n >= 1 && n <= 4096)) {
    throw new RangeError(`SKY_FANOUT_MAX_SOCKETS is ${JSON.stringify(value)}; allowed: a whole number from 1 to 4096`);
  }
  return n;
}

/**
 * The handler of this execution environment, built from the environment on the first call (so that
 * importing this module, as the twin does for `createFanoutHandler`, creates no SDK client).
 */
function fromEnvironment(env: NodeJS.ProcessEnv): FanoutHandler {
  /** Connections per fan-out instance: one per concurrent leaf or child at the default branching. */
  const maxSockets = socketsOf(env.SKY_FANOUT_MAX_SOCKETS);
  return createFanoutHandler({
    // A zone on another provider is sampled over HTTPS: its samplers' URLs and secrets come from SKY_ENDPOINTS.
    invoker: meshInvoker({
      lambda: sdkInvoker(lambdaClientWithLimit({ maxSockets }), { maxSockets }),
      external: externalZonesFromEnv(env),
      https: { secrets: new SecretResolver() },
    }),
  });
}

/** The fan-out tree's Lambda entry (`index.handler`). */
export const handler: FanoutHandler = (event: unknown, context?: FanoutContext) => {
  instanceHandler ??= fromEnvironment(process.env);
  return instanceHandler(event, context);
};
