import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ITEM_TYPES, keys, TABLE_SCHEMA } from '../contracts';
import {
  type CharacterizationExtra,
  EMPTY_TOTALS,
  type FunctionHostsRecord,
  groupProfiles,
  mergeTotals,
  type PassiveCounts,
  type PollRecord,
  type RecordPollResult,
  type RunRecord,
  type RunStart,
  type RuntimeSums,
  runtimeStatsOf,
  storedAggregate,
} from '../contracts/table-records';
import { characterizationArch } from '../core/cpu';
import { INIT_WINDOW_MS } from '../core/init-evidence';
import { PASSIVE_WINDOW_MS } from '../core/passive-evidence';
import type {
  Arch,
  Characterization,
  CpuCounts,
  CpuKey,
  PollAggregate,
  ProfileKey,
  WorkloadProfile,
} from '../core/types';
import type { ExplorationUnit, LeaseClaim } from '../routing/exploration-lease';
import type { InitPeriod, InitSums } from '../routing/types';
import { InvalidRecordError, PollOutOfOrderError, RunFinishedError, RunNotFoundError } from './store-errors';

export type { CharacterizationExtra, RecordPollResult };

/** How the store reaches its table. */
export interface SkyStoreOptions {
  readonly client: DynamoDBDocumentClient;
  /** @default 'skymesh' */
  readonly tableName?: string;
  /**
   * Days a poll record lives before TTL may delete it.
   * @default 30
   */
  readonly pollTtlDays?: number;
  /** Clock for `updatedAt` and TTL; ms since the epoch. @default Date.now */
  readonly now?: () => number;
}

const PASSIVE_PREFIX = 'cpu#';
const HOSTS_PREFIX = 'hosts#';
const PROFILE_KEY_PREFIX = keys.profile('');
const RUN_KEY_ATTRIBUTES = ['pk', 'sk', 'type'] as const;

type Item = Record<string, unknown>;

function withoutKeys<T>(item: Item): T {
  const copy: Item = { ...item };
  for (const k of RUN_KEY_ATTRIBUTES) delete copy[k];
  return copy as T;
}

/** The TTL (epoch seconds) of an item dated by the UTC day of `now`: `windowMs` after that day ends. */
function expiresAfterDay(now: number, windowMs: number): number {
  const dayEndMs = (Math.floor(now / 86_400_000) + 1) * 86_400_000;
  return Math.ceil((dayEndMs + windowMs) / 1000);
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

/**
 * The one module that owns the skymesh table: sampling runs and their polls, zone
 * characterizations (history and `LATEST`), workload profiles, passive CPU counts and the hosts each
 * dynamic function's instances met.
 *
 * Uses only single-item operations and queries (no transactions), so it runs unchanged against
 * a local DynamoDB-compatible server. Writes that a retry could duplicate are conditional.
 *
 * @example
 * const store = new SkyStore({ client: createDocumentClient({ region: 'us-west-2' }) });
 * const zones = await store.latestCharacterizations();
 */
export class SkyStore {
  readonly tableName: string;
  private readonly client: DynamoDBDocumentClient;
  private readonly pollTtlSeconds: number;
  private readonly now: () => number;

  constructor(options: SkyStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName ?? TABLE_SCHEMA.defaultTableName;
    const ttlDays = options.pollTtlDays ?? 30;
    if (!(ttlDays > 0)) throw new InvalidRecordError('pollTtlDays', ttlDays, 'a number of days > 0');
    this.pollTtlSeconds = Math.round(ttlDays * 86_400);
    this.now = options.now ?? Date.now;
  }

  // ---------------------------------------------------------------- runs

  /**
   * Creates the run's `META` record. Starting a run that exists already (a retried step)
   * returns the existing record unchanged.
   */
  async startRun(start: RunStart): Promise<RunRecord> {
    requireText('runId', start.runId);
    requireText('azId', start.azId);
    const record: RunRecord = {
      ...start,
      status: 'running',
      pollsRecorded: 0,
      totals: EMPTY_TOTALS,
      updatedAt: this.isoNow(),
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.run(start.runId), sk: keys.runMeta, type: ITEM_TYPES.run, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return record;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return this.requireRun(start.runId);
    }
  }

  /** The run's `META` record (strongly consistent), or undefined. */
  async getRun(runId: string): Promise<RunRecord | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.run(runId), sk: keys.runMeta },
        ConsistentRead: true,
      }),
    );
    return out.Item ? withoutKeys<RunRecord>(out.Item) : undefined;
  }

  /**
   * Writes poll `index` of a run and merges it into the run's totals, exactly once.
   *
   * The poll item is written only if absent, and the merge is a conditional update on
   * `pollsRecorded = index`: a retried step finds the poll merged already and reports
   * `duplicate: true` without counting anything twice.
   */
  async recordPoll(
    runId: string,
    index: number,
    poll: { readonly aggregate: PollAggregate; readonly target: string; readonly costUsd: number },
  ): Promise<RecordPollResult> {
    if (!Number.isInteger(index) || index < 0 || index > 9999) {
      throw new InvalidRecordError('poll index', index, 'an integer from 0 to 9999');
    }
    const run = await this.requireRun(runId);
    if (run.pollsRecorded > index) return { run, duplicate: true };
    if (run.pollsRecorded < index) throw new PollOutOfOrderError(runId, index, run.pollsRecorded);
    if (run.status !== 'running') throw new RunFinishedError(runId, run.status, `recording poll ${index}`);

    const aggregate = storedAggregate(poll.aggregate);
    const nowMs = this.now();
    const record: PollRecord = {
      runId,
      azId: run.azId,
      index,
      target: poll.target,
      recordedAt: new Date(nowMs).toISOString(),
      aggregate,
      costUsd: poll.costUsd,
      expiresAt: Math.floor(nowMs / 1000) + this.pollTtlSeconds,
    };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: keys.run(runId), sk: keys.poll(index), type: ITEM_TYPES.poll, ...record },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // Written by an earlier attempt that failed before the merge: the merge below decides.
      if (!isConditionFailure(error)) throw error;
    }

    const totals = mergeTotals(run.totals, aggregate, poll.costUsd);
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.run(runId), sk: keys.runMeta },
          UpdateExpression: 'SET totals = :totals, pollsRecorded = :next, updatedAt = :now, lastPollAt = :now',
          ConditionExpression: 'pollsRecorded = :index AND #status = :running',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':totals': totals,
            ':next': index + 1,
            ':index': index,
            ':running': 'running',
            ':now': record.recordedAt,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return { run: withoutKeys<RunRecord>(out.Attributes ?? {}), duplicate: false };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A concurrent attempt merged it first, or the run finished meanwhile.
      const latest = await this.requireRun(runId);
      if (latest.pollsRecorded > index) return { run: latest, duplicate: true };
      throw new RunFinishedError(runId, latest.status, `recording poll ${index}`);
    }
  }

  /** The run's polls in order (strongly consistent). */
  async polls(runId: string): Promise<PollRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :poll)',
      ExpressionAttributeValues: { ':pk': keys.run(runId), ':poll': 'POLL#' },
      ConsistentRead: true,
    });
    return items.map((item) => withoutKeys<PollRecord>(item));
  }

  /**
   * Marks a run succeeded. Repeating it (a retried step) is harmless; a failed run stays failed.
   */
  async finishRun(
    runId: string,
    outcome: Pick<RunRecord, 'stoppedBecause' | 'characterizationAt'> & { readonly finishedAt?: string },
  ): Promise<RunRecord> {
    const finishedAt = outcome.finishedAt ?? this.isoNow();
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.run(runId), sk: keys.runMeta },
          UpdateExpression: `SET #status = :succeeded, finishedAt = :at, updatedAt = :at${
            outcome.stoppedBecause ? ', stoppedBecause = :reason' : ''
          }${outcome.characterizationAt ? ', characterizationAt = :char' : ''}`,
          ConditionExpression: 'attribute_exists(pk) AND #status <> :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':succeeded': 'succeeded',
            ':failed': 'failed',
            ':at': finishedAt,
            ...(outcome.stoppedBecause ? { ':reason': outcome.stoppedBecause } : {}),
            ...(outcome.characterizationAt ? { ':char': outcome.characterizationAt } : {}),
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutKeys<RunRecord>(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const run = await this.getRun(runId);
      if (!run) throw new RunNotFoundError(runId);
      throw new RunFinishedError(runId, run.status, 'finishing');
    }
  }

  /**
   * Marks a run failed with its cause, keeping every recorded poll. Works even when the run
   * never got its `META` record (the start step itself failed); never overrides a success.
   * Returns undefined when the run had already succeeded.
   */
  async failRun(
    runId: string,
    failure: { readonly cause: string; readonly azId: string; readonly region?: string; readonly at?: string },
  ): Promise<RunRecord | undefined> {
    const at = failure.at ?? this.isoNow();
    try {
      const out = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: keys.run(runId), sk: keys.runMeta },
          UpdateExpression:
            'SET #status = :failed, #cause = :cause, finishedAt = :at, updatedAt = :at, #type = :type, ' +
            'runId = if_not_exists(runId, :runId), azId = if_not_exists(azId, :azId), ' +
            '#region = if_not_exists(#region, :region), startedAt = if_not_exists(startedAt, :at), ' +
            'pollsRecorded = if_not_exists(pollsRecorded, :zero), totals = if_not_exists(totals, :empty)',
          ConditionExpression: 'attribute_not_exists(pk) OR #status <> :succeeded',
          ExpressionAttributeNames: { '#status': 'status', '#cause': 'cause', '#type': 'type', '#region': 'region' },
          ExpressionAttributeValues: {
            ':failed': 'failed',
            ':succeeded': 'succeeded',
            ':cause': failure.cause.slice(0, 4000),
            ':at': at,
            ':type': ITEM_TYPES.run,
            ':runId': runId,
            ':azId': failure.azId,
            ':region': failure.region ?? 'unknown',
            ':zero': 0,
            ':empty': EMPTY_TOTALS,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      return withoutKeys<RunRecord>(out.Attributes ?? {});
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return undefined;
    }
  }

  // ---------------------------------------------------- characterizations

  /**
   * Stores a characterization as `CHAR#<measuredAt>` and, unless a newer one is there already,
   * as the zone's `LATEST` (the record the router reads). Idempotent.
   */
  async putCharacterization(characterization: Characterization, extra: CharacterizationExtra = {}): Promise<void> {
    await this.putCharacterizationHistory(characterization, extra);
    await this.promoteToLatest(characterization, extra);
  }

  /** Stores a characterization as `CHAR#<measuredAt>` only, in the zone's history. Idempotent. */
  async putCharacterizationHistory(
    characterization: Characterization,
    extra: CharacterizationExtra = {},
  ): Promise<void> {
    const body = checkedCharacterization(characterization, extra);
    await this.client.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: keys.zone(characterization.azId),
          sk: keys.characterization(characterization.measuredAt, characterizationArch(characterization)),
          type: ITEM_TYPES.characterization,
          ...body,
        },
      }),
    );
  }

  /**
   * Makes a characterization the zone's `LATEST` (the record the router reads), unless a newer one is
   * there already. Idempotent.
   */
  async promoteToLatest(characterization: Characterization, extra: CharacterizationExtra = {}): Promise<void> {
    const body = checkedCharacterization(characterization, extra);
    const key = { pk: keys.zone(characterization.azId), sk: keys.latestOf(characterizationArch(characterization)) };
    const put = (condition: string, values: Record<string, unknown>) =>
      this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key, type: ITEM_TYPES.latest, ...body },
          ConditionExpression: condition,
          ...(Object.keys(values).length > 0 ? { ExpressionAttributeValues: values } : {}),
        }),
      );
    try {
      await put('attribute_not_exists(pk) OR measuredAt <= :at', { ':at': characterization.measuredAt });
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // A newer characterization is LATEST already, and this one stays in the history only; unless the item there is
      // not one the store wrote (readers skip it), which would otherwise stay for good. It is replaced as it was read.
      const current = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: key, ConsistentRead: true }),
      );
      if (!current.Item || toCharacterization(current.Item)) return;
      const was = current.Item.measuredAt;
      try {
        await (was === undefined
          ? put('attribute_not_exists(measuredAt)', {})
          : put('measuredAt = :was', { ':was': was }));
      } catch (retry) {
        if (!isConditionFailure(retry)) throw retry;
      }
    }
  }

  /** Every zone's `LATEST` characterization of every sampled architecture, in one query of the type index. */
  async latestCharacterizations(): Promise<Characterization[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: TABLE_SCHEMA.typeIndex.name,
      KeyConditionExpression: '#type = :latest',
      ExpressionAttributeNames: { '#type': TABLE_SCHEMA.typeIndex.partitionKey },
      ExpressionAttributeValues: { ':latest': ITEM_TYPES.latest },
    });
    return items.flatMap((item) => toCharacterization(item) ?? []);
  }

  /** One zone's `LATEST` characterization of an architecture (strongly consistent), or undefined. */
  async latestCharacterization(azId: string, arch: Arch = 'x86_64'): Promise<Characterization | undefined> {
    return (await this.latestCharacterizationRecord(azId, arch))?.characterization;
  }

  /** One zone's `LATEST` of an architecture with what the sampling stored beside it (run id, next sampling time). */
  async latestCharacterizationRecord(
    azId: string,
    arch: Arch = 'x86_64',
  ): Promise<({ readonly characterization: Characterization } & CharacterizationExtra) | undefined> {
    const out = await this.client.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { pk: keys.zone(azId), sk: keys.latestOf(arch) },
        ConsistentRead: true,
      }),
    );
    if (!out.Item) return undefined;
    const characterization = toCharacterization(out.Item);
    // Read as none: the zone is sampled afresh, and its new characterization replaces the item (`promoteToLatest`).
    if (!characterization) return undefined;
    const extra: Record<string, unknown> = {};
    for (const k of CHARACTERIZATION_EXTRA) if (out.Item[k] !== undefined) extra[k] = out.Item[k];
    // A time that does not parse would never be due: the zone would never be sampled again.
    if (extra.nextSampleAt !== undefined && !isTime(extra.nextSampleAt)) delete extra.nextSampleAt;
    return { characterization, ...(extra as CharacterizationExtra) };
  }

  /** A zone's characterization history of one architecture, oldest first (newest first with `newestFirst`). */
  async characterizations(
    azId: string,
    options: { readonly limit?: number; readonly newestFirst?: boolean; readonly arch?: Arch } = {},
  ): Promise<Characterization[]> {
    const items = await this.queryAll(
      {
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :char)',
        ExpressionAttributeValues: { ':pk': keys.zone(azId), ':char': keys.characterizationPrefix(options.arch) },
        ScanIndexForward: !options.newestFirst,
      },
      options.limit,
    );
    return items.flatMap((item) => toCharacterization(item) ?? []);
  }

  // ------------------------------------------------------------- profiles

  /** Adds one observed runtime to a workload's profile (atomic ADD; concurrent writers merge). */
  async addProfileObservation(workload: string, key: ProfileKey, runtimeMs: number): Promise<void> {
    if (!Number.isFinite(runtimeMs) || runtimeMs < 0) {
      throw new InvalidRecordError('runtimeMs', runtimeMs, 'a finite number of ms >= 0');
    }
    await this.addProfileSums(workload, key, { count: 1, sum: runtimeMs, sumSquares: runtimeMs * runtimeMs });
  }

  /** Adds a batch of observations, summed (see `runtimeSumsOf`), to a workload's profile. */
  async addProfileSums(workload: string, key: ProfileKey, sums: RuntimeSums): Promise<void> {
    requireText('workload', workload);
    requireText('cpu', key.cpu);
    if (!Number.isInteger(key.memoryMb) || key.memoryMb <= 0) {
      throw new InvalidRecordError('memoryMb', key.memoryMb, 'a positive integer');
    }
    if (!Number.isInteger(sums.count) || sums.count < 0) {
      throw new InvalidRecordError('count', sums.count, 'an integer >= 0');
    }
    if (sums.count === 0) return;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.profile(workload), sk: keys.profileEntry(key.cpu, key.arch, key.memoryMb) },
        UpdateExpression:
          'ADD #count :count, #sum :sum, sumSquares :sq SET #type = :type, workload = :workload, cpu = :cpu, ' +
          'arch = :arch, memoryMb = :mb, updatedAt = :now',
        ExpressionAttributeNames: { '#count': 'count', '#sum': 'sum', '#type': 'type' },
        ExpressionAttributeValues: {
          ':count': sums.count,
          ':sum': sums.sum,
          ':sq': sums.sumSquares,
          ':type': ITEM_TYPES.profile,
          ':workload': workload,
          ':cpu': key.cpu,
          ':arch': key.arch,
          ':mb': key.memoryMb,
          ':now': this.isoNow(),
        },
      }),
    );
  }

  /**
   * Workload profiles keyed by workload name: one query per named workload, or one query of
   * the type index for all of them.
   */
  async profiles(workloads?: readonly string[]): Promise<Record<string, WorkloadProfile>> {
    const items: Item[] = [];
    if (workloads) {
      const perWorkload = await Promise.all(
        workloads.map((workload) =>
          this.queryAll({
            TableName: this.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': keys.profile(workload) },
          }),
        ),
      );
      for (const list of perWorkload) items.push(...list);
    } else {
      items.push(
        ...(await this.queryAll({
          TableName: this.tableName,
          IndexName: TABLE_SCHEMA.typeIndex.name,
          KeyConditionExpression: '#type = :profile',
          ExpressionAttributeNames: { '#type': TABLE_SCHEMA.typeIndex.partitionKey },
          ExpressionAttributeValues: { ':profile': ITEM_TYPES.profile },
        })),
      );
    }
    return groupProfiles(items.flatMap((item) => toProfileEntry(item) ?? []));
  }

  /**
   * Stores the threads a request said a profile's work runs at once (`THREADS` / `PROFILE#<workload>`, apart from the
   * profile's entries), replacing what was stored: the last request to say decides.
   * @throws InvalidRecordError naming the field, before anything is written, on an empty name or a count of threads
   *   that is not a finite number > 0.
   */
  async setParallelism(workload: string, threads: number): Promise<void> {
    requireText('workload', workload);
    if (!(Number.isFinite(threads) && threads > 0)) {
      throw new InvalidRecordError('parallelism', threads, 'a finite number of threads > 0');
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.parallelism, sk: keys.profile(workload) },
        UpdateExpression: 'SET #type = :type, workload = :workload, parallelism = :threads, updatedAt = :now',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': ITEM_TYPES.parallelism,
          ':workload': workload,
          ':threads': threads,
          ':now': this.isoNow(),
        },
      }),
    );
  }

  /** The threads stored per profile, in one query by key; an item that is not a count of threads is skipped. */
  async allParallelism(): Promise<Record<string, number>> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.parallelism },
    });
    const out = Object.create(null) as Record<string, number>;
    for (const item of items) {
      const threads = Number(item.parallelism);
      if (typeof item.workload === 'string' && Number.isFinite(threads) && threads > 0) out[item.workload] = threads;
    }
    return out;
  }

  // ------------------------------------------------------ passive counts

  /**
   * Adds CPUs observed by routed calls to a zone's passive counts of the current UTC day (atomic
   * ADD per CPU into `PASSIVE#<day>`, which records its first and last ADD and expires by TTL once
   * the router no longer counts it, `PASSIVE_WINDOW_MS` after the day).
   */
  async addPassiveCpu(azId: string, cpus: CpuKey | CpuCounts, count = 1): Promise<void> {
    requireText('azId', azId);
    const counts: CpuCounts = typeof cpus === 'string' ? { [cpus]: count } : cpus;
    const entries = Object.entries(counts).filter(([, n]) => n !== 0);
    for (const [cpu, n] of entries) {
      requireText('cpu', cpu);
      if (!Number.isInteger(n) || n < 0) throw new InvalidRecordError(`count of ${cpu}`, n, 'an integer >= 0');
    }
    if (entries.length === 0) return;
    const now = this.now();
    const names: Record<string, string> = { '#type': 'type', '#ttl': TABLE_SCHEMA.ttlAttribute };
    const values: Record<string, unknown> = {
      ':type': ITEM_TYPES.passive,
      ':now': new Date(now).toISOString(),
      ':azId': azId,
      ':ttl': expiresAfterDay(now, PASSIVE_WINDOW_MS),
    };
    let total = 0;
    const adds = entries.map(([cpu, n], i) => {
      names[`#c${i}`] = `${PASSIVE_PREFIX}${cpu}`;
      values[`:c${i}`] = n;
      total += n;
      return `#c${i} :c${i}`;
    });
    values[':total'] = total;
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.zone(azId), sk: keys.passiveDay(now) },
        UpdateExpression:
          `ADD ${adds.join(', ')}, observations :total ` +
          'SET #type = :type, azId = :azId, firstAt = if_not_exists(firstAt, :now), updatedAt = :now, #ttl = :ttl',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * A zone's passive counts summed over every stored day (and the undated item written before
   * counts were dated), undecayed, with the first and last ADD; undefined when nothing was observed.
   */
  async passiveCounts(azId: string): Promise<PassiveCounts | undefined> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :passive)',
      ExpressionAttributeValues: { ':pk': keys.zone(azId), ':passive': keys.passive },
      ConsistentRead: true,
    });
    const periods = items.filter((item) => item.type === ITEM_TYPES.passive).map((item) => toPassive(item));
    if (periods.length === 0) return undefined;
    const counts = Object.create(null) as Record<string, number>;
    let observations = 0;
    for (const p of periods) {
      for (const cpu of Object.keys(p.counts)) counts[cpu] = (counts[cpu] ?? 0) + p.counts[cpu];
      observations += p.observations;
    }
    const times = (pick: (p: PassiveCounts) => string | undefined): string[] =>
      periods
        .map(pick)
        .filter((t): t is string => t !== undefined)
        .sort();
    const first = times((p) => p.firstAt ?? p.updatedAt)[0];
    const last = times((p) => p.updatedAt).at(-1);
    return {
      azId,
      counts,
      observations,
      ...(first !== undefined ? { firstAt: first } : {}),
      ...(last !== undefined ? { updatedAt: last } : {}),
    };
  }

  /** Every zone's passive counts, one entry per stored day (or undated item), in one query of the type index. */
  async allPassiveCounts(): Promise<PassiveCounts[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: TABLE_SCHEMA.typeIndex.name,
      KeyConditionExpression: '#type = :passive',
      ExpressionAttributeNames: { '#type': TABLE_SCHEMA.typeIndex.partitionKey },
      ExpressionAttributeValues: { ':passive': ITEM_TYPES.passive },
    });
    return items.map((item) => toPassive(item));
  }

  // ------------------------------------------------------ function hosts

  /**
   * Adds hosts a dynamic function's new instances met to its hosts of the current UTC day (`FNHOSTS#<name>#<day>`):
   * one string-set ADD per CPU, so a host added twice is kept once and concurrent routers merge. The item records its
   * first and last ADD and expires by TTL once the router no longer counts it (`PASSIVE_WINDOW_MS` after the day).
   * With `returns`, ADDs the day's sums of new instances checked against the hosts met earlier that day.
   * @throws InvalidRecordError naming the field, before anything is written, on an empty name or zone, an unknown
   *   architecture, a boot time that is not a positive whole number of seconds, or return sums out of range.
   */
  async addFunctionHosts(addition: Omit<FunctionHostsRecord, 'firstAt' | 'updatedAt'>): Promise<void> {
    requireText('functionName', addition.functionName);
    requireText('azId', addition.azId);
    if (addition.arch !== 'x86_64' && addition.arch !== 'arm64') {
      throw new InvalidRecordError('arch', addition.arch, 'x86_64 or arm64');
    }
    const entries = Object.entries(addition.hosts).filter(([, boots]) => boots.length > 0);
    for (const [cpu, boots] of entries) {
      requireText('cpu', cpu);
      for (const boot of boots) {
        if (typeof boot !== 'string' || !/^[1-9][0-9]{0,15}$/.test(boot)) {
          throw new InvalidRecordError(`boot time of a ${cpu} host`, boot, 'whole seconds since the epoch, as text');
        }
      }
    }
    const returns = addition.returns;
    if (returns) {
      for (const field of ['checked', 'returned', 'chance'] as const) {
        const n = returns[field];
        if (!(Number.isFinite(n) && n >= 0 && n <= returns.checked) || (field !== 'chance' && !Number.isInteger(n))) {
          throw new InvalidRecordError(
            `returns.${field}`,
            n,
            `a ${field === 'chance' ? 'number' : 'whole number'} from 0 to returns.checked`,
          );
        }
      }
    }
    if (entries.length === 0) return;
    const now = this.now();
    const names: Record<string, string> = { '#type': 'type', '#ttl': TABLE_SCHEMA.ttlAttribute };
    const values: Record<string, unknown> = {
      ':type': ITEM_TYPES.functionHosts,
      ':now': new Date(now).toISOString(),
      ':name': addition.functionName,
      ':azId': addition.azId,
      ':arch': addition.arch,
      ':ttl': expiresAfterDay(now, PASSIVE_WINDOW_MS),
    };
    const adds = entries.map(([cpu, boots], i) => {
      names[`#h${i}`] = `${HOSTS_PREFIX}${cpu}`;
      values[`:h${i}`] = new Set(boots);
      return `#h${i} :h${i}`;
    });
    if (returns && returns.checked > 0) {
      Object.assign(values, { ':rc': returns.checked, ':rr': returns.returned, ':rx': returns.chance });
      adds.push('returnsChecked :rc', 'returnsReturned :rr', 'returnsChance :rx');
    }
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.zone(addition.azId), sk: keys.functionHostsDay(addition.functionName, now) },
        UpdateExpression:
          `ADD ${adds.join(', ')} ` +
          'SET #type = :type, functionName = :name, azId = :azId, arch = :arch, ' +
          'firstAt = if_not_exists(firstAt, :now), updatedAt = :now, #ttl = :ttl',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Every function's hosts, one entry per stored day, in one query of the type index. */
  async allFunctionHosts(): Promise<FunctionHostsRecord[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: TABLE_SCHEMA.typeIndex.name,
      KeyConditionExpression: '#type = :hosts',
      ExpressionAttributeNames: { '#type': TABLE_SCHEMA.typeIndex.partitionKey },
      ExpressionAttributeValues: { ':hosts': ITEM_TYPES.functionHosts },
    });
    return items.flatMap((item) => toFunctionHosts(item) ?? []);
  }

  // ------------------------------------------------------- INIT reports

  /**
   * Adds the INIT phases the dynamic functions' new instances reported to the current UTC day's sums (`INIT` /
   * `DAY#<day>`, atomic ADD). The item expires by TTL once the router no longer counts it (`INIT_WINDOW_MS` after the
   * day).
   * @throws InvalidRecordError naming the field, before anything is written, on counts that are not whole numbers
   *   >= 0, more billed than checked, or a sum that is not a finite number >= 0.
   */
  async addInitSums(sums: InitSums): Promise<void> {
    for (const field of ['count', 'billingChecked', 'billed'] as const) {
      const n = sums[field];
      if (!Number.isInteger(n) || n < 0) throw new InvalidRecordError(field, n, 'a whole number >= 0');
    }
    if (sums.billed > sums.billingChecked) {
      throw new InvalidRecordError('billed', sums.billed, `at most billingChecked (${sums.billingChecked})`);
    }
    if (!(Number.isFinite(sums.sumMs) && sums.sumMs >= 0)) {
      throw new InvalidRecordError('sumMs', sums.sumMs, 'a finite number of ms >= 0');
    }
    if (sums.count === 0) return;
    const now = this.now();
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: keys.init, sk: keys.initDay(now) },
        UpdateExpression:
          'ADD #count :count, sumMs :sum, billingChecked :checked, billed :billed ' +
          'SET #type = :type, updatedAt = :now, #ttl = :ttl',
        ExpressionAttributeNames: { '#count': 'count', '#type': 'type', '#ttl': TABLE_SCHEMA.ttlAttribute },
        ExpressionAttributeValues: {
          ':count': sums.count,
          ':sum': sums.sumMs,
          ':checked': sums.billingChecked,
          ':billed': sums.billed,
          ':type': ITEM_TYPES.init,
          ':now': new Date(now).toISOString(),
          ':ttl': expiresAfterDay(now, INIT_WINDOW_MS),
        },
      }),
    );
  }

  /** Every stored day's INIT sums, in one query by key. */
  async allInitSums(): Promise<InitPeriod[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.init },
    });
    return items
      .filter((item) => item.type === ITEM_TYPES.init)
      .map((item) => ({
        count: Number(item.count ?? 0),
        sumMs: Number(item.sumMs ?? 0),
        billingChecked: Number(item.billingChecked ?? 0),
        billed: Number(item.billed ?? 0),
        ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
      }));
  }

  // -------------------------------------------------- exploration leases

  /**
   * Takes the lease to explore a unit (workload × function × CPU) for `holder` until `leaseUntil` (ms since the
   * epoch), in one conditional update that succeeds only when no lease is there, the one there ended by `now`, or
   * `holder` holds it already (see `lib/routing/exploration-lease.ts`). A lost race reads who holds it until when;
   * when that read fails too, the answer says only that it is taken. The item expires by TTL a day after the lease.
   */
  async takeExplorationLease(
    unit: ExplorationUnit,
    holder: string,
    now: number,
    leaseUntil: number,
  ): Promise<LeaseClaim> {
    const key = leaseKeyOf(unit, holder, leaseUntil);
    requireTime('now', now);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression:
            'SET holder = :holder, leaseUntil = :until, workload = :workload, functionName = :fn, cpu = :cpu, ' +
            'updatedAt = :at, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntil <= :now OR holder = :holder',
          ExpressionAttributeNames: { '#ttl': TABLE_SCHEMA.ttlAttribute },
          ExpressionAttributeValues: {
            ':holder': holder,
            ':until': leaseUntil,
            ':workload': unit.workload,
            ':fn': unit.functionName,
            ':cpu': unit.cpu,
            ':at': new Date(now).toISOString(),
            ':ttl': leaseTtlSeconds(leaseUntil),
            ':now': now,
          },
        }),
      );
      return { taken: true };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    try {
      const [item] = await this.queryAll({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk = :sk',
        ExpressionAttributeValues: { ':pk': key.pk, ':sk': key.sk },
        ConsistentRead: true,
      });
      const until = Number(item?.leaseUntil);
      return {
        taken: false,
        ...(typeof item?.holder === 'string' ? { holder: item.holder } : {}),
        ...(Number.isFinite(until) ? { leaseUntil: until } : {}),
      };
    } catch {
      // The race is lost all the same: the caller assumes a lease of its own default length.
      return { taken: false };
    }
  }

  /**
   * Moves the end of `holder`'s lease of a unit to `leaseUntil` (earlier: given up; later: kept). Nothing when another
   * holder has it by now (its own lease stands).
   */
  async endExplorationLease(unit: ExplorationUnit, holder: string, leaseUntil: number): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: leaseKeyOf(unit, holder, leaseUntil),
          UpdateExpression: 'SET leaseUntil = :until, #ttl = :ttl',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeNames: { '#ttl': TABLE_SCHEMA.ttlAttribute },
          ExpressionAttributeValues: {
            ':holder': holder,
            ':until': leaseUntil,
            ':ttl': leaseTtlSeconds(leaseUntil),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  // -------------------------------------------------------------- helpers

  private async requireRun(runId: string): Promise<RunRecord> {
    const run = await this.getRun(runId);
    if (!run) throw new RunNotFoundError(runId);
    return run;
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }

  private async queryAll(input: QueryCommandInput, limit?: number): Promise<Item[]> {
    const items: Item[] = [];
    let start: QueryCommandInput['ExclusiveStartKey'];
    do {
      const out = await this.client.send(
        new QueryCommand({
          ...input,
          ExclusiveStartKey: start,
          ...(limit !== undefined ? { Limit: limit - items.length } : {}),
        }),
      );
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start && (limit === undefined || items.length < limit));
    return items;
  }
}

/** A lease item's key, after checking the parts it is made of. */
function leaseKeyOf(unit: ExplorationUnit, holder: string, leaseUntil: number): { pk: string; sk: string } {
  requireText('workload', unit.workload);
  requireText('functionName', unit.functionName);
  requireText('cpu', unit.cpu);
  requireText('holder', holder);
  requireTime('leaseUntil', leaseUntil);
  return { pk: keys.explorationLeases(unit.workload), sk: keys.explorationLease(unit.functionName, unit.cpu) };
}

/** TTL of a lease item: a day after its lease, so that expired leases leave the table (TTL is not exact). */
function leaseTtlSeconds(leaseUntil: number): number {
  return Math.ceil(leaseUntil / 1000) + 86_400;
}

function requireTime(field: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) throw new InvalidRecordError(field, value, 'ms since the epoch, >= 0');
}

function requireText(field: string, value: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new InvalidRecordError(field, value, 'a non-empty string');
  }
}

const CHARACTERIZATION_EXTRA = ['runId', 'nextSampleAt', 'estimatedApe'] as const;

/**
 * A characterization from its item, or undefined when the item is not one the store wrote (no zone or region, counts
 * that are not numbers ≥ 0, a measuredAt that is not a time): such an item is skipped, as a bad profile is, rather
 * than failing every view that reads it.
 */
function toCharacterization(item: Item): Characterization | undefined {
  if (typeof item.azId !== 'string' || typeof item.region !== 'string' || !isTime(item.measuredAt)) return undefined;
  if (item.arch !== undefined && item.arch !== 'x86_64' && item.arch !== 'arm64') return undefined;
  const counts = item.counts;
  if (counts === null || typeof counts !== 'object' || Array.isArray(counts)) return undefined;
  if (!Object.values(counts).every((n) => typeof n === 'number' && Number.isFinite(n) && n >= 0)) return undefined;
  const copy = withoutKeys<Item>(item);
  for (const k of CHARACTERIZATION_EXTRA) delete copy[k];
  return copy as unknown as Characterization;
}

/** Whether `value` is a time as the store writes one (ISO 8601 text that parses). */
function isTime(value: unknown): value is string {
  return typeof value === 'string' && Number.isFinite(Date.parse(value));
}

/**
 * A zone's passive counts from its item. The CPU keys come from attribute names, so the counts are a
 * null-prototype record: a CPU called `__proto__` or `constructor` is a count like any other. (Read-only:
 * the DynamoDB marshaller refuses null-prototype objects, and passive counts are only ever ADDed to.)
 */
/**
 * One stored profile entry, or undefined when the item is not one the store wrote (no CPU, an unknown
 * architecture, counts that are not numbers): such an item is skipped rather than fed to the router as NaN.
 */
function toProfileEntry(item: Item): ({ workload: string } & WorkloadProfile['entries'][number]) | undefined {
  const sums = { count: Number(item.count ?? 0), sum: Number(item.sum ?? 0), sumSquares: Number(item.sumSquares ?? 0) };
  const memoryMb = Number(item.memoryMb);
  if (typeof item.cpu !== 'string' || (item.arch !== 'x86_64' && item.arch !== 'arm64')) return undefined;
  if (!Number.isInteger(memoryMb) || memoryMb <= 0 || !Object.values(sums).every(Number.isFinite)) return undefined;
  return {
    workload: typeof item.workload === 'string' ? item.workload : String(item.pk).slice(PROFILE_KEY_PREFIX.length),
    cpu: item.cpu,
    arch: item.arch,
    memoryMb,
    stats: runtimeStatsOf(sums),
  };
}

/**
 * A function's hosts of one day from its item, or undefined when the item is not one the store wrote (no name or
 * zone, an unknown architecture): such an item is skipped. CPU keys come from attribute names, so the hosts are a
 * null-prototype record.
 */
function toFunctionHosts(item: Item): FunctionHostsRecord | undefined {
  if (typeof item.functionName !== 'string' || typeof item.azId !== 'string') return undefined;
  if (item.arch !== 'x86_64' && item.arch !== 'arm64') return undefined;
  const hosts = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of Object.entries(item)) {
    if (!name.startsWith(HOSTS_PREFIX)) continue;
    const boots = value instanceof Set ? [...value] : Array.isArray(value) ? value : [];
    hosts[name.slice(HOSTS_PREFIX.length)] = boots.filter((b): b is string => typeof b === 'string');
  }
  return {
    functionName: item.functionName,
    azId: item.azId,
    arch: item.arch,
    hosts,
    ...(typeof item.returnsChecked === 'number' &&
    typeof item.returnsReturned === 'number' &&
    typeof item.returnsChance === 'number'
      ? { returns: { checked: item.returnsChecked, returned: item.returnsReturned, chance: item.returnsChance } }
      : {}),
    ...(typeof item.firstAt === 'string' ? { firstAt: item.firstAt } : {}),
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
  };
}

function toPassive(item: Item): PassiveCounts {
  const counts = Object.create(null) as Record<string, number>;
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(PASSIVE_PREFIX)) counts[name.slice(PASSIVE_PREFIX.length)] = Number(value);
  }
  return {
    azId: String(item.azId ?? String(item.pk).slice('ZONE#'.length)),
    counts,
    observations: Number(item.observations ?? 0),
    ...(typeof item.firstAt === 'string' ? { firstAt: item.firstAt } : {}),
    updatedAt: item.updatedAt === undefined ? undefined : String(item.updatedAt),
  };
}

/** The item body of a characterization, after checking the fields its keys are made of. */
function checkedCharacterization(
  characterization: Characterization,
  extra: CharacterizationExtra,
): Characterization & CharacterizationExtra {
  requireText('azId', characterization.azId);
  const arch: unknown = characterization.arch;
  if (arch !== undefined && arch !== 'x86_64' && arch !== 'arm64') {
    throw new InvalidRecordError('arch', arch, 'x86_64 or arm64 (absent: x86_64)');
  }
  if (Number.isNaN(Date.parse(characterization.measuredAt))) {
    throw new InvalidRecordError('measuredAt', characterization.measuredAt, 'an ISO-8601 time');
  }
  return { ...characterization, ...extra };
}
