import { samplerMemoryOf } from '../contracts/sampling-settings';
import { pollCostUsd } from '../core/stopping-rule';
import type { PollInput, SamplingSettings } from './events';

/**
 * Estimated USD of one poll: the samplers' billed time and the INIT of each new sampler instance
 * at their memory size and price plus a request charge each (the core's `pollCostUsd`), and the fan-out tree's own invocations. The
 * tree reports the duration of its inner calls; the root's is taken as the slowest leaf latency.
 */
export function estimatePollCostUsd(poll: PollInput, samplerIndex: number, settings: SamplingSettings): number {
  const samplers = pollCostUsd(poll, {
    samplerMemoryMb: samplerMemoryOf(settings, samplerIndex),
    pricePerGbSecond: settings.pricePerGbSecond,
    pricePerRequest: settings.pricePerRequest,
    initBilledMs: settings.initBilledMs,
  });
  const fanoutMs = (poll.fanoutMs ?? 0) + poll.latencyMs.max;
  const fanoutCalls = (poll.fanoutCalls ?? 0) + 1;
  // The fan-out is a Lambda function: for a zone on another provider it has the home region's price.
  const fanout =
    (fanoutMs / 1000) *
      (settings.fanoutMemoryMb / 1024) *
      (settings.fanoutPricePerGbSecond ?? settings.pricePerGbSecond) +
    fanoutCalls * (settings.fanoutPricePerRequest ?? settings.pricePerRequest);
  return samplers + fanout;
}
