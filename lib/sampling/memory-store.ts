import {
  type CharacterizationExtra,
  EMPTY_TOTALS,
  mergeTotals,
  type PollRecord,
  type RecordPollResult,
  type RunRecord,
  type RunStart,
  storedAggregate,
} from '../contracts';
import { characterizationArch } from '../core/cpu';
import type { Arch, Characterization, PollAggregate, StopReason } from '../core/types';
import type { SamplingStore } from './store';

type Latest = { readonly characterization: Characterization } & CharacterizationExtra;

/** A zone has one `LATEST` and one history per sampled architecture. */
function zoneArchKey(azId: string, arch: Arch): string {
  return `${azId}|${arch}`;
}

/** A run that is not in the store (mirrors the table store's error of the same meaning). */
export class SamplingRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/**
 * A {@link SamplingStore} in memory, for the twin: what the sampling steps write to the table, kept in
 * Maps, with the table store's rules (a poll is merged once and in order, a finished run takes no more
 * polls, a failed run never turns succeeded, `LATEST` never goes back in time). The sampling logic itself
 * is not here: the twin runs the same steps as the Lambda against this store.
 */
export class MemorySamplingStore implements SamplingStore {
  private readonly runs = new Map<string, RunRecord>();
  private readonly pollsByRun = new Map<string, PollRecord[]>();
  private readonly latest = new Map<string, Latest>();
  private readonly history = new Map<string, Map<string, Latest>>();

  constructor(private readonly now: () => number) {}

  async latestCharacterizationRecord(azId: string, arch: Arch = 'x86_64'): Promise<Latest | undefined> {
    return this.latest.get(zoneArchKey(azId, arch));
  }

  /** A zone's characterizations of an architecture in the order they were measured. */
  characterizations(azId: string, arch: Arch = 'x86_64'): Characterization[] {
    const byTime = this.history.get(zoneArchKey(azId, arch)) ?? new Map<string, Latest>();
    return [...byTime.keys()].sort().map((at) => (byTime.get(at) as Latest).characterization);
  }

  async startRun(start: RunStart): Promise<RunRecord> {
    const existing = this.runs.get(start.runId);
    if (existing) return existing;
    const record: RunRecord = {
      ...start,
      status: 'running',
      pollsRecorded: 0,
      totals: EMPTY_TOTALS,
      updatedAt: this.iso(),
    };
    this.runs.set(start.runId, record);
    this.pollsByRun.set(start.runId, []);
    return record;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    return this.runs.get(runId);
  }

  async recordPoll(
    runId: string,
    index: number,
    poll: { readonly aggregate: PollAggregate; readonly target: string; readonly costUsd: number },
  ): Promise<RecordPollResult> {
    const run = this.requireRun(runId);
    if (run.pollsRecorded > index) return { run, duplicate: true };
    if (run.pollsRecorded < index) {
      throw new SamplingRunError(`Run ${runId}: poll ${index} recorded before poll ${run.pollsRecorded}`);
    }
    if (run.status !== 'running')
      throw new SamplingRunError(`Run ${runId} is ${run.status}; cannot record poll ${index}`);
    const aggregate = storedAggregate(poll.aggregate);
    const recordedAt = this.iso();
    this.pollsByRun.get(runId)?.push({
      runId,
      azId: run.azId,
      index,
      target: poll.target,
      recordedAt,
      aggregate,
      costUsd: poll.costUsd,
      expiresAt: 0,
    });
    const next: RunRecord = {
      ...run,
      totals: mergeTotals(run.totals, aggregate, poll.costUsd),
      pollsRecorded: index + 1,
      updatedAt: recordedAt,
      lastPollAt: recordedAt,
    };
    this.runs.set(runId, next);
    return { run: next, duplicate: false };
  }

  async polls(runId: string): Promise<PollRecord[]> {
    return [...(this.pollsByRun.get(runId) ?? [])];
  }

  async finishRun(
    runId: string,
    outcome: {
      readonly stoppedBecause?: StopReason;
      readonly characterizationAt?: string;
      readonly finishedAt?: string;
    },
  ): Promise<RunRecord> {
    const run = this.requireRun(runId);
    if (run.status === 'failed') throw new SamplingRunError(`Run ${runId} is failed; cannot finish it`);
    const at = outcome.finishedAt ?? this.iso();
    const next: RunRecord = {
      ...run,
      status: 'succeeded',
      finishedAt: at,
      updatedAt: at,
      ...(outcome.stoppedBecause ? { stoppedBecause: outcome.stoppedBecause } : {}),
      ...(outcome.characterizationAt ? { characterizationAt: outcome.characterizationAt } : {}),
    };
    this.runs.set(runId, next);
    return next;
  }

  async failRun(
    runId: string,
    failure: { readonly cause: string; readonly azId: string; readonly region?: string; readonly at?: string },
  ): Promise<RunRecord | undefined> {
    const at = failure.at ?? this.iso();
    const run = this.runs.get(runId);
    if (run?.status === 'succeeded') return undefined;
    const next: RunRecord = {
      runId,
      azId: failure.azId,
      region: failure.region ?? 'unknown',
      startedAt: at,
      pollsRecorded: 0,
      totals: EMPTY_TOTALS,
      ...run,
      status: 'failed',
      cause: failure.cause.slice(0, 4000),
      finishedAt: at,
      updatedAt: at,
    };
    this.runs.set(runId, next);
    return next;
  }

  async putCharacterizationHistory(
    characterization: Characterization,
    extra: CharacterizationExtra = {},
  ): Promise<void> {
    const key = zoneArchKey(characterization.azId, characterizationArch(characterization));
    const byTime = this.history.get(key) ?? new Map<string, Latest>();
    byTime.set(characterization.measuredAt, { characterization, ...extra });
    this.history.set(key, byTime);
  }

  async promoteToLatest(characterization: Characterization, extra: CharacterizationExtra = {}): Promise<void> {
    const key = zoneArchKey(characterization.azId, characterizationArch(characterization));
    const current = this.latest.get(key);
    if (current && current.characterization.measuredAt > characterization.measuredAt) return;
    this.latest.set(key, { characterization, ...extra });
  }

  private requireRun(runId: string): RunRecord {
    const run = this.runs.get(runId);
    if (!run) throw new SamplingRunError(`Run ${runId} does not exist`);
    return run;
  }

  private iso(): string {
    return new Date(this.now()).toISOString();
  }
}
