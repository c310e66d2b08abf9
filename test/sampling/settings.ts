import type { SamplingSettings } from '../../lib/sampling/events';

/**
 * Sampling settings of one zone's state machine for the steps' tests: 4 samplers, one a poll, the paper's
 * 250 ms sleep, Lambda's x86_64 price. Tests change only what they are about.
 */
export function samplingSettings(overrides: Partial<SamplingSettings> = {}): SamplingSettings {
  return {
    samplersPerZone: 4,
    samplersPerPoll: 1,
    samplerMemoryMb: 10_140,
    samplerSleepMs: 250,
    pollConcurrency: 100,
    fanoutBranching: 10,
    fanoutMemoryMb: 1024,
    accuracyTarget: 0.95,
    saturationFailureRate: 0.5,
    maxPolls: 10,
    maxRunCostUsd: 0.2,
    sampleEveryHours: 22,
    adaptiveSchedule: true,
    minInstancesForCharacterization: 100,
    pricePerGbSecond: 0.0000166667,
    pricePerRequest: 0.0000002,
    initBilledMs: 150,
    ...overrides,
  };
}

/** Lambda's arm64 price per GB-second (us-east-1, first tier). */
export const ARM64_PRICE_PER_GB_SECOND = 0.0000133334;
