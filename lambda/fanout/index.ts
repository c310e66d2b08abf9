import { lambdaClientWithLimit, sdkInvoker } from '../../lib/aws/lambda-invoker';
import { externalZonesFromEnv, meshInvoker, SecretResolver } from '../../lib/providers';
import { createFanoutHandler } from './handler';

/** Connections per fan-out instance: one per concurrent leaf or child at the default branching. */
const MAX_SOCKETS = Number(process.env.SKY_FANOUT_MAX_SOCKETS ?? 64);

/** The fan-out tree's Lambda entry (`index.handler`). */
export const handler = createFanoutHandler({
  // A zone on another provider is sampled over HTTPS: its samplers' URLs and secrets come from SKY_ENDPOINTS.
  invoker: meshInvoker({
    lambda: sdkInvoker(lambdaClientWithLimit({ maxSockets: MAX_SOCKETS }), { maxSockets: MAX_SOCKETS }),
    external: externalZonesFromEnv(process.env),
    https: { secrets: new SecretResolver() },
  }),
});
