import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { SkyStore } from '../../lib/aws/store';
import { FUNCTION_ENV } from '../../lib/contracts';
import { StepsConfigError } from '../../lib/sampling/errors';
import { createStepsHandler, type StepsHandler } from '../../lib/sampling/steps';
import { powertoolsMetrics } from './metrics';

let cached: StepsHandler | undefined;

function fromEnvironment(env: NodeJS.ProcessEnv): StepsHandler {
  const tableName = env[FUNCTION_ENV.tableName];
  const region = env[FUNCTION_ENV.tableRegion] ?? env.AWS_REGION;
  if (!tableName) throw new StepsConfigError(FUNCTION_ENV.tableName, 'the name of the skymesh table');
  if (!region) throw new StepsConfigError(FUNCTION_ENV.tableRegion, 'the home region of the table');
  const store = new SkyStore({ client: createDocumentClient({ region }), tableName });
  return createStepsHandler({
    store,
    storeName: `table ${tableName} in ${region}`,
    now: Date.now,
    metrics: powertoolsMetrics(),
  });
}

/** Lambda entry of `sky-steps-<azId>`: the table from SKY_TABLE_NAME in SKY_TABLE_REGION. */
export async function handler(event: unknown): Promise<unknown> {
  cached ??= fromEnvironment(process.env);
  return cached(event);
}
