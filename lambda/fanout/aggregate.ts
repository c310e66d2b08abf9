import type { FanoutDetail, FanoutResponse, InvokeResult, SamplerResponse } from '../../lib/contracts';
import { cpuKeyOf } from '../../lib/core/cpu';
import { hostKeyOf } from '../../lib/core/host-census';
import type { CpuKey, HostSighting } from '../../lib/core/types';
import { EMPTY_SKETCH, type LatencySketch, mergeSketches, percentilesOf, sketchOf } from './latency';

/** An aggregate with the detail parents need to merge it exactly. */
export type DetailedAggregate = FanoutResponse & FanoutDetail;

/** Failure type for a sampler answer that is not a `SamplerResponse`. */
export const INVALID_SAMPLER_PAYLOAD = 'InvalidSamplerPayload';
/** Failure type for a child fan-out answer that is not an aggregate. */
export const INVALID_FANOUT_PAYLOAD = 'InvalidFanoutPayload';

/**
 * Accumulates a poll: leaf results (sampler calls) and child aggregates. CPU counts count each
 * distinct instance once across the whole tree (the per-instance records travel up), failures are
 * kept by type (invoker failures, bad sampler answers, and every request of a failed child),
 * latency goes into a mergeable sketch, and billed time sums what Lambda billed each successful
 * sampler call (its REPORT record's Billed Duration, INIT included, counted in `initsBilled`), or
 * `ceil(elapsedMs)` where the invoke carried no REPORT (the invoke latency when the sampler did not
 * report it either). Each instance record also keeps its host's boot time and the sampler function
 * it belongs to, so the root can list the hosts met, with how many instances and sampler functions
 * met each (the host-level evidence of the stopping rule).
 */
export class PollAccumulator {
  private requested = 0;
  private succeeded = 0;
  private readonly failures: Record<string, number> = {};
  private readonly instances: Record<string, InstanceRecord> = {};
  private readonly cpuModels: Record<CpuKey, string> = {};
  private readonly bootTimes = new Set<number>();
  private readonly latencies: number[] = [];
  private readonly sketches: LatencySketch[] = [];
  private billedMs = 0;
  private fanoutCalls = 0;
  private fanoutMs = 0;
  private initsBilled = 0;

  /** Adds one call of sampler function `target`. */
  addLeaf(result: InvokeResult, target: string): void {
    this.requested++;
    if (!result.ok) {
      this.fail(result.errorType, 1);
      return;
    }
    const answer = asSamplerResponse(result.payload);
    if (!answer) {
      this.fail(INVALID_SAMPLER_PAYLOAD, 1);
      return;
    }
    this.succeeded++;
    const cpu = cpuKeyOf(answer.cpuModel);
    this.cpuModels[cpu] ??= answer.cpuModel;
    this.addInstance(answer.instanceId, {
      cpu,
      new: answer.newInstance,
      target,
      ...(answer.bootTime !== undefined ? { bootTime: answer.bootTime } : {}),
    });
    if (answer.bootTime !== undefined) this.bootTimes.add(answer.bootTime);
    this.latencies.push(result.durationMs);
    const { report } = result;
    this.billedMs += report ? report.billedMs : Math.ceil(answer.elapsedMs ?? result.durationMs);
    if (report?.initMs !== undefined) this.initsBilled++;
  }

  /** Adds one child fan-out call that was meant to make `count` requests. */
  addChild(result: InvokeResult, count: number): void {
    this.fanoutCalls++;
    this.fanoutMs += result.ok && result.report ? result.report.billedMs : result.durationMs;
    if (!result.ok) {
      this.requested += count;
      this.fail(result.errorType, count);
      return;
    }
    const child = asDetailedAggregate(result.payload);
    if (!child) {
      this.requested += count;
      this.fail(INVALID_FANOUT_PAYLOAD, count);
      return;
    }
    this.requested += child.requested;
    this.succeeded += child.succeeded;
    for (const [type, n] of Object.entries(child.failures)) this.fail(type, n);
    for (const [id, seen] of Object.entries(child.instances)) this.addInstance(id, seen);
    for (const [cpu, model] of Object.entries(child.cpuModels)) this.cpuModels[cpu] ??= model;
    for (const t of child.bootTimes) this.bootTimes.add(t);
    this.sketches.push(child.latencySketch);
    this.billedMs += child.billedMs;
    this.fanoutCalls += child.fanoutCalls ?? 0;
    this.fanoutMs += child.fanoutMs ?? 0;
    this.initsBilled += child.initsBilled ?? 0;
  }

  /** The aggregate with its merge detail. */
  result(): DetailedAggregate {
    const latencySketch = mergeSketches([sketchOf(this.latencies), ...this.sketches, EMPTY_SKETCH]);
    const cpuCounts: Record<CpuKey, number> = {};
    let newInstances = 0;
    const hosts = new Map<string, { bootTime: number; cpu: CpuKey; instances: number; targets: Set<string> }>();
    const samplers = new Set<string>();
    for (const seen of Object.values(this.instances)) {
      cpuCounts[seen.cpu] = (cpuCounts[seen.cpu] ?? 0) + 1;
      if (seen.new) newInstances++;
      if (seen.target !== undefined) samplers.add(seen.target);
      if (seen.bootTime === undefined) continue;
      const key = hostKeyOf(seen.bootTime, seen.cpu);
      let host = hosts.get(key);
      if (!host) {
        host = { bootTime: seen.bootTime, cpu: seen.cpu, instances: 0, targets: new Set() };
        hosts.set(key, host);
      }
      host.instances++;
      host.targets.add(seen.target ?? '');
    }
    const hostList: HostSighting[] = [...hosts.values()]
      .map((h) => ({ bootTime: h.bootTime, cpu: h.cpu, instances: h.instances, samplers: h.targets.size }))
      .sort((a, b) => a.bootTime - b.bootTime || (a.cpu < b.cpu ? -1 : a.cpu > b.cpu ? 1 : 0));
    return {
      requested: this.requested,
      succeeded: this.succeeded,
      failures: { ...this.failures },
      cpuCounts,
      cpuModels: { ...this.cpuModels },
      instanceIds: Object.keys(this.instances),
      newInstances,
      bootTimes: [...this.bootTimes].sort((a, b) => a - b),
      hosts: hostList,
      samplers: Math.max(samplers.size, hostList.length > 0 ? 1 : 0),
      latencyMs: percentilesOf(latencySketch),
      billedMs: this.billedMs,
      fanoutCalls: this.fanoutCalls,
      fanoutMs: Math.round(this.fanoutMs),
      initsBilled: this.initsBilled,
      instances: { ...this.instances },
      latencySketch,
    };
  }

  private fail(type: string, n: number): void {
    this.failures[type] = (this.failures[type] ?? 0) + n;
  }

  private addInstance(id: string, record: InstanceRecord): void {
    const seen = this.instances[id];
    this.instances[id] = seen ? { ...record, ...seen, new: seen.new || record.new } : { ...record };
  }
}

/** What the tree keeps of one instance until the root counts it. */
type InstanceRecord = FanoutDetail['instances'][string];

/** Drops the merge detail, leaving the public aggregate. */
export function withoutDetail(aggregate: DetailedAggregate): FanoutResponse {
  const { instances: _instances, latencySketch: _sketch, ...rest } = aggregate;
  return rest;
}

function asSamplerResponse(payload: unknown): SamplerResponse | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const p = payload as Record<string, unknown>;
  if (typeof p.cpuModel !== 'string' || typeof p.instanceId !== 'string' || typeof p.newInstance !== 'boolean') {
    return undefined;
  }
  if (p.bootTime !== undefined && typeof p.bootTime !== 'number') return undefined;
  if (p.elapsedMs !== undefined && typeof p.elapsedMs !== 'number') return undefined;
  return p as unknown as SamplerResponse;
}

function asDetailedAggregate(payload: unknown): DetailedAggregate | undefined {
  if (payload === null || typeof payload !== 'object') return undefined;
  const p = payload as Record<string, unknown>;
  const numbers = ['requested', 'succeeded', 'billedMs'].every((k) => typeof p[k] === 'number');
  const objects = ['failures', 'instances', 'cpuModels', 'latencySketch'].every(
    (k) => p[k] !== null && typeof p[k] === 'object',
  );
  if (!numbers || !objects || !Array.isArray(p.bootTimes)) return undefined;
  if (p.initsBilled !== undefined && typeof p.initsBilled !== 'number') return undefined;
  return p as unknown as DetailedAggregate;
}
