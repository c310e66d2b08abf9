import { nodePlatform } from '../shared/platform';
import { createDynamicHandler } from './handler';

/**
 * The dynamic function's Lambda entry (`index.handler`). One handler per execution environment,
 * so the code and bundle caches live as long as the instance. No logger or metrics library is
 * loaded: every answer carries its inspection, and cold start stays small.
 */
export const handler = createDynamicHandler({ platform: nodePlatform() });
