/**
 * Progressive sampling, written once: the steps the sampling state machine runs (start, record,
 * decide, finalize, fail) over a {@link SamplingStore}, used by the sampling-steps Lambda, the local
 * sky and the twin. This file only re-exports.
 */

export { effectiveMaxPolls } from '../contracts/sampling-settings';
export { type StepContext, samplerIndexOf, samplerStartOf, samplerTarget } from './context';
export { estimatePollCostUsd } from './cost';
export * from './errors';
export * from './events';
export { driftFromPrevious, nextIntervalHours } from './finalize';
export { describeCause } from './mark-failed';
export { MemorySamplingStore, SamplingRunError } from './memory-store';
export { NO_METRICS, type SamplingMetrics } from './metrics';
export { SAMPLER_FAULTS, samplerFaultsOf } from './record';
export { greetingOf, MAX_INLINE_SOURCE_BYTES, type SamplerVariant, samplerSource } from './sampler-source';
export { SCHEDULE_TOLERANCE_MS } from './start';
export { createStepsHandler, parseStepEvent, type StepsHandler } from './steps';
export type { SamplingStore } from './store';
