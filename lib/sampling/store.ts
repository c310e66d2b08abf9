import type { CharacterizationExtra, PollRecord, RecordPollResult, RunRecord, RunStart } from '../contracts';
import type { Arch, Characterization, PollAggregate, StopReason } from '../core/types';

/**
 * What progressive sampling reads and writes: a zone's `LATEST`, its characterization history, and
 * the run's record and polls. `SkyStore` (DynamoDB) implements it for the sampling steps Lambda and
 * the local sky; `MemorySamplingStore` for the twin. Every write is idempotent, so a retried step
 * counts nothing twice.
 */
export interface SamplingStore {
  /** A zone's `LATEST` of one architecture (absent: x86_64). */
  latestCharacterizationRecord(
    azId: string,
    arch?: Arch,
  ): Promise<({ readonly characterization: Characterization } & CharacterizationExtra) | undefined>;
  /** Creates the run's record; starting a run that exists answers the existing record. */
  startRun(start: RunStart): Promise<RunRecord>;
  getRun(runId: string): Promise<RunRecord | undefined>;
  /** Stores poll `index` and merges it into the run's totals, exactly once. */
  recordPoll(
    runId: string,
    index: number,
    poll: { readonly aggregate: PollAggregate; readonly target: string; readonly costUsd: number },
  ): Promise<RecordPollResult>;
  /** The run's polls in order. */
  polls(runId: string): Promise<PollRecord[]>;
  /** Marks a run succeeded; a failed run stays failed (throws). */
  finishRun(
    runId: string,
    outcome: {
      readonly stoppedBecause?: StopReason;
      readonly characterizationAt?: string;
      readonly finishedAt?: string;
    },
  ): Promise<RunRecord>;
  /** Marks a run failed with its cause; answers undefined when it had succeeded already. */
  failRun(
    runId: string,
    failure: { readonly cause: string; readonly azId: string; readonly region?: string; readonly at?: string },
  ): Promise<RunRecord | undefined>;
  /** Stores a characterization in the zone's history only. */
  putCharacterizationHistory(characterization: Characterization, extra?: CharacterizationExtra): Promise<void>;
  /** Makes a characterization the zone's `LATEST` unless a newer one is there. */
  promoteToLatest(characterization: Characterization, extra?: CharacterizationExtra): Promise<void>;
}
