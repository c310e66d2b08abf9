import type { LocalDynamo } from '../../lib/aws/local-dynamo';
import { startLocalSkyStore } from '../../lib/aws/local-sky-store';
import type { SkyStore } from '../../lib/aws/store';
import { samplingStepsFunctionName } from '../../lib/core/naming';
import { NO_METRICS } from '../../lib/sampling/metrics';
import { createStepsHandler } from '../../lib/sampling/steps';
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
  const local = await startLocalSkyStore();
  const { dynamo, store } = local;
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
      await local.close();
    },
  };
}
