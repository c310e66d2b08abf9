import { lambdaClientWithLimit, sdkInvoker } from '../../lib/aws/lambda-invoker';
import { createFanoutHandler } from './handler';

/** Connections per fan-out instance: one per concurrent leaf or child at the default branching. */
const MAX_SOCKETS = Number(process.env.SKY_FANOUT_MAX_SOCKETS ?? 64);

/** The fan-out tree's Lambda entry (`index.handler`). */
export const handler = createFanoutHandler({
  invoker: sdkInvoker(lambdaClientWithLimit({ maxSockets: MAX_SOCKETS }), { maxSockets: MAX_SOCKETS }),
});
