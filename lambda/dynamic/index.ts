import { nodePlatform } from '../shared/platform';
import { createDynamicHandler } from './handler';
import { prepareSpareWorker } from './isolation';

// The runtime starts without the role's credentials (the exec wrapper `sky-no-credentials`); should it
// ever start with them, they still go no further than this thread: sent code runs in workers with an
// empty environment, and the function calls no AWS API.
for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_SECURITY_TOKEN']) {
  delete process.env[name];
}

/**
 * The dynamic function's Lambda entry (`index.handler`). One handler per execution environment,
 * so the warm modules and the bundle cache live as long as the instance. No logger or metrics library is
 * loaded: every answer carries its inspection, and cold start stays small. A worker for sent code starts
 * booting at init, so the first code does not wait for a thread.
 */
export const handler = createDynamicHandler({ platform: nodePlatform() });
prepareSpareWorker(Number(process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE) || undefined);
