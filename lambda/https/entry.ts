import { SAMPLING_DEFAULTS } from '../../lib/contracts';
import { samplerSource } from '../../lib/sampling/sampler-source';
import { createDynamicHandler } from '../dynamic/index';
import { loadSamplerHandler } from '../sampler/index';
import { nodePlatform } from '../shared/platform';

/**
 * The function an HTTPS endpoint runs: the dynamic function's handler (the very code the Lambda entry runs)
 * or a sampler (the same generated source as a Lambda sampler), chosen by the environment:
 *
 * | variable | meaning |
 * |---|---|
 * | `SKY_FUNCTION` | `dynamic` (default) or `sampler` |
 * | `SKY_SAMPLER_INDEX` | the sampler's index (its unique code), for `sampler` |
 * | `SKY_AZ_ID` | the zone, e.g. `ibm-us-south` (reported by samplers) |
 * | `SKY_SAMPLER_SLEEP_MS` | how long a sampler holds its instance, ms (default 100, the Lambda samplers' default) |
 */
export type EndpointFunction = (request: unknown) => Promise<unknown>;

export function endpointFunction(env: Readonly<Record<string, string | undefined>> = process.env): EndpointFunction {
  const kind = env.SKY_FUNCTION ?? 'dynamic';
  const platform = nodePlatform();
  if (kind === 'dynamic') {
    const handler = createDynamicHandler({ platform });
    return (request) => handler(request);
  }
  if (kind === 'sampler') {
    const index = Number(env.SKY_SAMPLER_INDEX ?? '0');
    const sleepMs = Number(env.SKY_SAMPLER_SLEEP_MS ?? String(SAMPLING_DEFAULTS.samplerSleepMs));
    if (!Number.isInteger(index) || index < 0)
      throw new Error(`SKY_SAMPLER_INDEX must be an integer >= 0, not ${env.SKY_SAMPLER_INDEX}`);
    if (!Number.isFinite(sleepMs) || sleepMs < 0)
      throw new Error(`SKY_SAMPLER_SLEEP_MS must be a number >= 0, not ${env.SKY_SAMPLER_SLEEP_MS}`);
    const sampler = loadSamplerHandler(samplerSource({ index, azId: env.SKY_AZ_ID ?? '', sleepMs }), platform);
    return (request) => sampler(request);
  }
  throw new Error(`SKY_FUNCTION must be dynamic or sampler, not ${kind}`);
}
