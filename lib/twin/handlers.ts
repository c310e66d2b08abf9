import { createDynamicHandler, type WorkloadRunner } from '../../lambda/dynamic/index';
import { createFanoutHandler } from '../../lambda/fanout/index';
import { loadSamplerHandler } from '../../lambda/sampler/index';
import { type Platform, SAMPLING_DEFAULTS } from '../contracts';
import { samplerSource } from '../sampling/sampler-source';
import type { Workload } from '../workloads/types';
import type { DynamicFunctionFacts, HandlerKit } from './kit';

/** The deployed sampler sleep (`SAMPLING_DEFAULTS`; the paper slept 0.25 s, §4.1). */
export const DEFAULT_SAMPLER_SLEEP_MS = SAMPLING_DEFAULTS.samplerSleepMs;

export interface DefaultKitOptions {
  /** Sleep of every sampler variant, in ms. @default DEFAULT_SAMPLER_SLEEP_MS */
  readonly samplerSleepMs?: number;
  /**
   * The runner of each new dynamic-function instance; undefined runs the real workload code.
   * The experiment runner passes a modelled runner here.
   */
  readonly runnerFor?: (platform: Platform, fn: DynamicFunctionFacts) => WorkloadRunner | undefined;
  /** Built-in workloads the dynamic handler knows by name. @default - the 12 workloads of `lib/workloads` */
  readonly workloads?: Readonly<Record<string, Workload>>;
}

/**
 * The real handlers of `lambda/`: one dynamic handler per instance (`createDynamicHandler`), the
 * generated inline sampler source evaluated per instance (`samplerSource` + `loadSamplerHandler`),
 * and the fan-out tree (`createFanoutHandler`) calling through the twin's invoker.
 */
export function defaultHandlerKit(options: DefaultKitOptions = {}): HandlerKit {
  const sleepMs = options.samplerSleepMs ?? DEFAULT_SAMPLER_SLEEP_MS;
  const sources = new Map<string, string>();
  const sourceOf = (index: number, azId: string): string => {
    const key = `${azId}/${index}`;
    let source = sources.get(key);
    if (source === undefined) {
      source = samplerSource({ index, azId, sleepMs });
      sources.set(key, source);
    }
    return source;
  };
  return {
    dynamic(platform, fn) {
      const runner = options.runnerFor?.(platform, fn);
      const handler = createDynamicHandler({
        platform,
        ...(runner ? { runner } : {}),
        ...(options.workloads ? { workloads: options.workloads } : {}),
      });
      return (event, context) => handler(event, context);
    },
    sampler(platform, fn) {
      const handler = loadSamplerHandler(sourceOf(fn.index, fn.azId), platform);
      return (event) => handler(event);
    },
    fanout(_platform, fn, invoker) {
      const handler = createFanoutHandler({ invoker, selfName: fn.name });
      return (event, context) => handler(event, context);
    },
  };
}
