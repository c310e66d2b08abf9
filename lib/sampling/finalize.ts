import { failureTotal } from '../contracts/table-records';
import { classifyDrift, driftBetween, driftNoiseApe, samplingIntervalHours } from '../core/drift';
import { characterizationCountsOf } from '../core/host-census';
import { confidenceOf } from '../core/stopping-rule';
import type { Characterization, DriftClass } from '../core/types';
import { type StepContext, samplerArchOf } from './context';
import { StepInputError } from './errors';
import type { EventOf, RunState, SamplingSettings } from './events';

/**
 * Hours until the zone is sampled again: the core's interval for its drift class (stable zones
 * less often, drifting ones more often), kept within [sampleEvery / 2, 2 × sampleEvery].
 */
export function nextIntervalHours(driftClass: DriftClass, settings: SamplingSettings): number {
  const base = settings.sampleEveryHours;
  if (!settings.adaptiveSchedule) return base;
  return Math.min(2 * base, Math.max(base / 2, samplingIntervalHours(driftClass, base)));
}

/**
 * A characterization's APE against the zone's previous one (rounded as stored) and its drift class,
 * against both characterizations' bounds. The twin links its days with this too, so its drift classes
 * are the deployed ones.
 */
export function driftFromPrevious(
  previous: Pick<Characterization, 'counts' | 'measuredAt' | 'confidence'> | undefined,
  current: Pick<Characterization, 'counts' | 'measuredAt' | 'confidence'>,
): { readonly apeVsPrevious?: number; readonly driftClass: DriftClass } {
  const drift = driftBetween(previous, current);
  const apeVsPrevious = Number.isFinite(drift.ape) ? round(drift.ape) : undefined;
  return {
    ...(apeVsPrevious !== undefined ? { apeVsPrevious } : {}),
    driftClass: classifyDrift(apeVsPrevious, driftNoiseApe(previous, current)),
  };
}

/**
 * Finalize: writes the characterization (`CHAR#<time>` and `LATEST`): distinct hosts per CPU, its
 * confidence (the stopping rule's APE bound, hosts seen, fleet estimate), its APE against the
 * previous one, the zone's drift class (against both characterizations' bounds), the instances
 * seen and the run's estimated cost; marks
 * the run succeeded; and picks when the zone is due again.
 *
 * A run that saw no instance writes no characterization, and neither does a run that saturated
 * before it saw `minInstancesForCharacterization` instances (a zone already full on the first poll
 * tells little about its mix): the zone keeps its previous `LATEST` and is due at the next tick.
 * A run stopped by its poll or cost cap before it saw that many instances goes into the history, but
 * becomes `LATEST` only where the zone has none: a handful of instances must not replace a
 * characterization of thousands. Either way the zone's `nextSampleAt` stays its `LATEST`'s, so it is
 * due at the next tick.
 *
 * Order of the writes: the characterization goes into the zone's history (`CHAR#`), then the run is
 * marked succeeded, and only then does the characterization become the zone's `LATEST`, so `LATEST`
 * only ever points at a finished run: if marking the run fails, the run ends failed and `LATEST`
 * still points at the previous run's characterization.
 *
 * Idempotent: the characterization's time is the run's last poll time, so a retry rewrites the
 * same items; a run finished already answers what it wrote (and makes it `LATEST` if an earlier
 * attempt stopped before that).
 */
export async function finalizeStep(event: EventOf<'finalize'>, ctx: StepContext): Promise<RunState> {
  const { runId, azId, region, settings, run: state } = event;
  const decision = state.decision;
  if (decision?.action !== 'stop' || !decision.reason) {
    throw new StepInputError('run.decision', decision, 'a stop decision with a reason (from the decide step)');
  }
  const run = await ctx.store.getRun(runId);
  if (!run) throw new StepInputError('runId', runId, 'a run created by the start step');
  // A failed run stays failed: finishing it would answer as if it had measured the zone.
  if (run.status === 'failed') throw new StepInputError('runId', runId, 'a run that has not failed');

  const totals = run.totals;
  const measuredAt = run.lastPollAt ?? new Date(ctx.now()).toISOString();
  const thin = totals.instancesSeen < settings.minInstancesForCharacterization;
  const enough = totals.instancesSeen > 0 && !(thin && decision.reason === 'saturated');
  const promote = enough && !(thin && decision.reason !== 'converged' && run.previous !== undefined);
  // The characterization counts hosts (when the samplers report them), read back from the stored polls.
  const polls = (await ctx.store.polls(runId)).map((record) => record.aggregate);
  const counts = polls.length > 0 ? characterizationCountsOf(polls) : totals.cpuCounts;
  const confidence = confidenceOf(polls);
  const drift = driftFromPrevious(run.previous, { counts, measuredAt, confidence });
  const apeVsPrevious = drift.apeVsPrevious;
  // The zone's drift class: what this run measured if it becomes LATEST, else the one LATEST keeps.
  const driftClass: DriftClass = promote ? drift.driftClass : (run.previous?.driftClass ?? 'unknown');
  const scheduledAt = Date.parse(run.startedAt);
  const nextSampleAt = promote
    ? new Date(
        (Number.isFinite(scheduledAt) ? scheduledAt : ctx.now()) + nextIntervalHours(driftClass, settings) * 3_600_000,
      ).toISOString()
    : undefined;

  let characterizationAt = run.characterizationAt;
  let characterization: Characterization | undefined;
  if (enough && (run.status === 'running' || characterizationAt === measuredAt)) {
    const arch = samplerArchOf(settings);
    characterization = {
      azId,
      region,
      // absent means x86_64, so x86_64 records read the same as before arm64 fleets were sampled
      ...(arch !== 'x86_64' ? { arch } : {}),
      counts,
      instancesSeen: totals.instancesSeen,
      polls: run.pollsRecorded,
      failures: failureTotal(totals.failures),
      measuredAt,
      ...(apeVsPrevious !== undefined ? { apeVsPrevious } : {}),
      driftClass: drift.driftClass,
      costUsd: totals.costUsd,
      stoppedBecause: decision.reason,
      confidence,
    };
  }
  const extra = { runId, ...(nextSampleAt ? { nextSampleAt } : {}), estimatedApe: decision.estimatedApe };
  if (characterization && run.status === 'running') {
    await ctx.store.putCharacterizationHistory(characterization, extra);
    characterizationAt = measuredAt;
  }
  if (run.status === 'running') {
    await ctx.store.finishRun(runId, {
      stoppedBecause: decision.reason,
      ...(characterizationAt ? { characterizationAt } : {}),
    });
    ctx.metrics.runFinished(azId, totals.costUsd);
  }
  if (characterization && promote) await ctx.store.promoteToLatest(characterization, extra);
  return {
    ...state,
    ...(nextSampleAt ? { nextSampleAt } : {}),
    ...(characterizationAt ? { characterizationAt } : {}),
    costUsd: totals.costUsd,
    instancesSeen: totals.instancesSeen,
    ...(apeVsPrevious !== undefined ? { apeVsPrevious } : {}),
    driftClass,
  };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
