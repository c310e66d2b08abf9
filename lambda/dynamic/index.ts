import { nodePlatform } from '../shared/platform';
import { createDynamicHandler, type DynamicContext, type DynamicHandler } from './handler';
import { prepareSpareWorker } from './isolation';

export {
  createDynamicHandler,
  DEADLINE_MARGIN_MS,
  type DynamicContext,
  type DynamicHandler,
  type DynamicHandlerOptions,
} from './handler';
export type { RunTask, WorkloadRunner } from './runner';

/** The variables that would carry the execution role's credentials. */
const CREDENTIAL_VARIABLES = ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN'];

let instanceHandler: DynamicHandler | undefined;

/**
 * Starts this execution environment's dynamic function: drops any credentials from `process.env`,
 * creates the one handler of the instance over the real platform, and boots a spare worker so that
 * sent code after this call does not wait for a thread. Runs on the first call, not at import, so that
 * loading this module (as the twin and the local sky do, for `createDynamicHandler`) changes nothing.
 */
function startInstance(): DynamicHandler {
  // The runtime starts without the role's credentials (the exec wrapper `sky-no-credentials`); should it
  // ever start with them, they still go no further than this thread: sent code runs in workers with an
  // empty environment, and the function calls no AWS API.
  for (const name of CREDENTIAL_VARIABLES) delete process.env[name];
  const handler = createDynamicHandler({ platform: nodePlatform(), endChildProcesses: true });
  prepareSpareWorker(Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) || undefined);
  return handler;
}

/**
 * The dynamic function's Lambda entry (`index.handler`). One handler per execution environment, so
 * the warm modules and the bundle cache live as long as the instance. No logger or metrics library is
 * loaded: every answer carries its inspection, and cold start stays small.
 */
export const handler: DynamicHandler = (event: unknown, context?: DynamicContext) => {
  instanceHandler ??= startInstance();
  return instanceHandler(event, context);
};
