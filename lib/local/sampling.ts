import type { SkyStore } from '../aws/store';
import { apeOfCounts } from '../core/distribution';
import type { Arch, Characterization } from '../core/types';
import { runLocalExecution } from '../infra/local-state-machine';
import { SAMPLING_STATES } from '../infra/sampling-state-machine';
import type { AslDefinition } from '../infra/state-machine-definition';
import type { ProgressTask } from './progress';

/** How one zone's sampling run ended, with what it stored. */
export interface ZoneSamplingResult {
  readonly azId: string;
  /** The fleet sampled: the zone's x86_64 fleet or its arm64 one. */
  readonly arch: Arch;
  readonly region: string;
  readonly executionName: string;
  readonly status: 'SUCCEEDED' | 'FAILED';
  /** Error and cause of a failed run. */
  readonly error?: string;
  /** The zone's `LATEST` characterization of the fleet's architecture as read back from the table. */
  readonly characterization?: Characterization;
  /** Polls recorded under the run, read back from the table. */
  readonly pollsRecorded: number;
  /** APE of the cumulative characterization after each recorded poll against the zone's true mix. */
  readonly apeByPoll: readonly number[];
  /** APE of the stored characterization against the zone's true mix. */
  readonly apeVsTruth: number | null;
}

export interface ZoneSamplingPlan {
  readonly azId: string;
  /** The fleet the state machine samples. @default 'x86_64' */
  readonly arch?: Arch;
  readonly region: string;
  /** Where the state machine and its functions run (a zone on another provider: the home region). @default region */
  readonly machineRegion?: string;
  readonly definition: AslDefinition;
  /** The zone's true mix today (share per CPU key), to measure the characterization against. */
  readonly trueMix: Readonly<Record<string, number>>;
}

/** Shortened waits: state machine pauses and retry backoffs are minutes in the cloud, nothing here. */
const NO_WAITS = Object.fromEntries([SAMPLING_STATES.stagger, SAMPLING_STATES.pause].map((s) => [s, 0]));
const NO_RETRY_PAUSES = Object.fromEntries(
  [
    SAMPLING_STATES.start,
    SAMPLING_STATES.poll,
    SAMPLING_STATES.record,
    SAMPLING_STATES.decide,
    SAMPLING_STATES.finalize,
    SAMPLING_STATES.markFailed,
  ].map((s) => [s, 0]),
);

/**
 * Runs one zone's synthesized sampling state machine with aws-local-stepfunctions: its Lambda tasks
 * (fan-out, steps) go through the loopback Lambda API, its records into the table. Then reads back
 * what the run stored: its polls and the zone's `LATEST` characterization.
 */
export async function sampleZoneLocally(
  plan: ZoneSamplingPlan,
  context: { readonly lambdaEndpoint: string; readonly store: SkyStore; readonly executionName: string },
  task?: ProgressTask,
): Promise<ZoneSamplingResult> {
  const outcome = await runLocalExecution(plan.definition, {
    lambdaEndpoint: context.lambdaEndpoint,
    region: plan.machineRegion ?? plan.region,
    executionName: context.executionName,
    input: { force: true },
    waitTimeOverrides: NO_WAITS,
    retryIntervalOverrides: NO_RETRY_PAUSES,
  });
  const polls = await context.store.polls(context.executionName);
  const apeByPoll: number[] = [];
  const cumulative: Record<string, number> = {};
  for (const poll of polls) {
    for (const [cpu, count] of Object.entries(poll.aggregate.cpuCounts))
      cumulative[cpu] = (cumulative[cpu] ?? 0) + count;
    apeByPoll.push(apeOfCounts(cumulative, plan.trueMix));
  }
  const arch = plan.arch ?? 'x86_64';
  const characterization = await context.store.latestCharacterization(plan.azId, arch);
  const apeVsTruth = characterization ? apeOfCounts(characterization.counts, plan.trueMix) : null;
  task?.update(polls.length);
  task?.done(outcome.status === 'SUCCEEDED' ? (characterization?.stoppedBecause ?? 'done') : 'FAILED');
  return {
    azId: plan.azId,
    arch,
    region: plan.region,
    executionName: context.executionName,
    status: outcome.status,
    ...(outcome.status === 'FAILED' ? { error: `${outcome.error}: ${outcome.cause}` } : {}),
    ...(characterization ? { characterization } : {}),
    pollsRecorded: polls.length,
    apeByPoll,
    apeVsTruth,
  };
}
