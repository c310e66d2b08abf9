import { type StepContext, samplerIndexOf, samplerTarget, samplerTargets } from './context';
import { estimatePollCostUsd } from './cost';
import { SamplerFaultError } from './errors';
import type { EventOf, RunState } from './events';

/**
 * Failure types that say the sampler itself is broken rather than the zone full: the function
 * threw (`Unhandled`/`Handled`), does not exist, or refused the request. Everything else
 * (throttling, service errors, timeouts) is capacity and counts toward saturation.
 */
export const SAMPLER_FAULTS: ReadonlySet<string> = new Set([
  'Unhandled',
  'Handled',
  'ResourceNotFoundException',
  'AccessDeniedException',
  'InvalidRequestContentException',
  'InvalidParameterValueException',
  'RequestTooLargeException',
  'UnsupportedMediaTypeException',
  'InvalidRuntimeException',
  'InvalidZipFileException',
]);

/** The failures of a poll that are sampler faults. */
export function samplerFaultsOf(failures: Readonly<Record<string, number>>): Record<string, number> {
  const faults: Record<string, number> = {};
  for (const [type, n] of Object.entries(failures)) {
    const bare = type.startsWith('Lambda.') ? type.slice('Lambda.'.length) : type;
    if (SAMPLER_FAULTS.has(bare) && n > 0) faults[type] = n;
  }
  return faults;
}

/**
 * Record: writes the poll and merges it into the run's totals exactly once (a retried step is
 * recognized and counts nothing twice), then fails the run if the sampler itself broke on more
 * than the saturation share of the poll — after the poll is stored, so nothing is lost.
 */
export async function recordStep(event: EventOf<'record'>, ctx: StepContext): Promise<RunState> {
  const { runId, azId, settings, run, poll } = event;
  const samplerIndex = samplerIndexOf(run.samplerStart, run.pollIndex, settings);
  const costUsd = estimatePollCostUsd(poll, samplerIndex, settings);
  const { duplicate } = await ctx.store.recordPoll(runId, run.pollIndex, {
    aggregate: poll,
    target: run.target,
    costUsd,
  });
  if (!duplicate) ctx.metrics.pollRecorded(azId);

  const faults = samplerFaultsOf(poll.failures);
  const faulted = Object.values(faults).reduce((a, b) => a + b, 0);
  if (poll.requested > 0 && faulted > settings.saturationFailureRate * poll.requested) {
    throw new SamplerFaultError(run.target, faults, poll.requested);
  }
  const next = run.pollIndex + 1;
  return {
    skipped: false,
    pollIndex: next,
    samplerStart: run.samplerStart,
    target: samplerTarget(azId, run.samplerStart, next, settings),
    targets: samplerTargets(azId, run.samplerStart, next, settings),
    staggerSeconds: 0,
  };
}
