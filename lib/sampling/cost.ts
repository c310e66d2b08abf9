import { samplerMemoryOf } from '../contracts/sampling-settings';
import { pollCostUsd } from '../core/stopping-rule';
import type { PollInput, SamplingSettings } from './events';

/**
 * USD of one poll: the samplers' billed time (what Lambda's REPORT records billed, INIT included, where the fan-out
 * read them; the INIT of the other new instances estimated) at their memory size and price plus a request charge
 * each (the core's `pollCostUsd`), and the fan-out tree's own invocations. The tree reports what its inner calls were
 * billed; the root's time, which only the state machine sees, is estimated as the slowest leaf latency.
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
