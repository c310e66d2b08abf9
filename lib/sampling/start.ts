import { type StepContext, samplerArchOf, samplerStartOf, samplerTarget, samplerTargets } from './context';
import { StepInputError } from './errors';
import type { EventOf, RunState } from './events';

/** A scheduled tick this close to the zone's `nextSampleAt` samples anyway (scheduler jitter). */
export const SCHEDULE_TOLERANCE_MS = 15 * 60_000;

/**
 * Start: with the adaptive schedule, skip the run when the zone is not due yet (its last
 * characterization set `nextSampleAt` from its drift class); otherwise create the run's record
 * with the previous characterization to compare against. Idempotent: a retried start finds
 * the run and resumes at its next poll.
 */
export async function startStep(event: EventOf<'start'>, ctx: StepContext): Promise<RunState> {
  const { runId, azId, region, settings } = event;
  // The previous characterization of the same fleet: each sampled architecture has its own.
  const latest = await ctx.store.latestCharacterizationRecord(azId, samplerArchOf(settings));
  const samplerStart = samplerStartOf(runId, settings.samplersPerZone);
  const force = event.input?.force === true;
  const due =
    latest?.nextSampleAt === undefined || ctx.now() >= Date.parse(latest.nextSampleAt) - SCHEDULE_TOLERANCE_MS;
  if (settings.adaptiveSchedule && !force && !due) {
    return {
      skipped: true,
      pollIndex: 0,
      samplerStart,
      target: samplerTarget(azId, samplerStart, 0, settings),
      targets: samplerTargets(azId, samplerStart, 0, settings),
      staggerSeconds: 0,
      nextSampleAt: latest?.nextSampleAt,
    };
  }
  const previous = latest?.characterization;
  const run = await ctx.store.startRun({
    runId,
    azId,
    region,
    startedAt: event.startedAt,
    previous: previous
      ? {
          measuredAt: previous.measuredAt,
          counts: previous.counts,
          driftClass: previous.driftClass,
          ...(previous.apeVsPrevious !== undefined ? { apeVsPrevious: previous.apeVsPrevious } : {}),
          ...(previous.confidence !== undefined ? { confidence: previous.confidence } : {}),
        }
      : undefined,
  });
  // An execution name is unique per state machine, not across zones: a run of that name may be another zone's.
  if (run.azId !== azId) {
    throw new StepInputError('runId', runId, `a run ID of this zone's own; run ${runId} is one of ${run.azId}`);
  }
  return {
    skipped: false,
    pollIndex: run.pollsRecorded,
    samplerStart,
    target: samplerTarget(azId, samplerStart, run.pollsRecorded, settings),
    targets: samplerTargets(azId, samplerStart, run.pollsRecorded, settings),
    staggerSeconds: force ? 0 : event.staggerSeconds,
  };
}
