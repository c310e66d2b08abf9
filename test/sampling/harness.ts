import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStepsHandler } from '../../lambda/sampling/handler';
import { NO_METRICS } from '../../lambda/sampling/metrics';
import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { type LocalDynamo, startLocalDynamo } from '../../lib/aws/local-dynamo';
import { SkyStore } from '../../lib/aws/store';
import { ensureSkyTable } from '../../lib/aws/table-setup';
import { samplingStepsFunctionName } from '../../lib/core/naming';
import type { HandlerKit, PlainHandler } from '../../lib/twin/kit';
import { type LambdaApi, startLambdaApi } from '../../lib/twin/lambda-api';

/** dynalite + the twin's loopback Lambda API with the real steps handler of every zone registered. */
export interface SamplingWorld {
  readonly dynamo: LocalDynamo;
  readonly api: LambdaApi;
  readonly store: SkyStore;
  /** Calls of each zone's steps function, in order (events as received). */
  readonly stepCalls: Array<{ azId: string; event: Record<string, unknown> }>;
  close(): Promise<void>;
}

export async function startSamplingWorld(options: {
  readonly scenario: unknown;
  readonly azIds: readonly string[];
  readonly timeScale: number;
  readonly kit?: HandlerKit;
  readonly now?: () => number;
}): Promise<SamplingWorld> {
  const dynamo = await startLocalDynamo();
  const raw = new DynamoDBClient({
    region: 'us-west-2',
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  await ensureSkyTable(raw, 'skymesh');
  raw.destroy();
  const doc = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint });
  const store = new SkyStore({ client: doc, tableName: 'skymesh' });
  const steps = createStepsHandler({ store, now: options.now ?? Date.now, metrics: NO_METRICS });
  const stepCalls: SamplingWorld['stepCalls'] = [];
  const functions: Record<string, PlainHandler> = {};
  for (const azId of options.azIds) {
    functions[samplingStepsFunctionName(azId)] = async (event) => {
      stepCalls.push({ azId, event: event as Record<string, unknown> });
      return steps(event);
    };
  }
  const api = await startLambdaApi({
    scenario: options.scenario,
    timeScale: options.timeScale,
    functions,
    ...(options.kit ? { kit: options.kit } : {}),
  });
  return {
    dynamo,
    api,
    store,
    stepCalls,
    async close() {
      await api.close();
      doc.destroy();
      await dynamo.close();
    },
  };
}
