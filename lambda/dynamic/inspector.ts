import { randomUUID } from 'node:crypto';
import type { CpuTicks, Inspection } from '../../lib/contracts';
import { cpuKeyOf } from '../../lib/core/cpu';
import type { Arch, CpuKey } from '../../lib/core/types';
import type { Platform } from '../shared/platform';

/**
 * Reports the machine a call runs on, after the Inspector of SAAF (Cordingly et al.): the CPU
 * from /proc/cpuinfo, host boot time and CPU ticks from /proc/stat, and an instance marker in
 * the scratch folder (its id survives as long as the scratch folder; `newInstance` is true on
 * the first call that had to create it). Everything goes through the `Platform`, so the twin can inject an emulated
 * CPU, boot time and zone while this code stays the same.
 */

/** The static facts of a CPU, read once per instance. */
export interface CpuFacts {
  readonly cpuModel: string;
  readonly cpuKey: CpuKey;
  readonly mhz?: number;
  readonly cores: number;
  readonly arch: Arch;
}

/** Name of the instance marker file inside the platform's scratch folder. */
export const INSTANCE_MARKER = '.sky-instance.json';

/**
 * Parses /proc/cpuinfo. x86 kernels print `model name` and `cpu MHz`; arm64 kernels print no
 * model, so the model string becomes `arm64 (CPU part: 0xd0c)`, which `cpuKeyOf` maps to a Graviton.
 */
export function parseCpuinfo(cpuinfo: string | undefined, fallbackArch: string = process.arch): CpuFacts {
  const text = cpuinfo ?? '';
  const model = /^model name\s*:\s*(.+)$/m.exec(text)?.[1]?.trim();
  const part = /^CPU part\s*:\s*(0x[0-9a-fA-F]+)/m.exec(text)?.[1]?.toLowerCase();
  const mhzText = /^cpu MHz\s*:\s*([\d.]+)/m.exec(text)?.[1];
  const cores = (text.match(/^processor\s*:/gm) ?? []).length;
  const isArm = part !== undefined || /^CPU architecture\s*:\s*8/m.test(text);
  const arch: Arch = isArm ? 'arm64' : model ? 'x86_64' : fallbackArch === 'arm64' ? 'arm64' : 'x86_64';
  const cpuModel = model ?? (part ? `arm64 (CPU part: ${part})` : 'unknown');
  return {
    cpuModel,
    cpuKey: cpuKeyOf(cpuModel),
    ...(mhzText !== undefined ? { mhz: Number(mhzText) } : {}),
    cores: Math.max(cores, 1),
    arch,
  };
}

/** Parses `btime` and the aggregate `cpu` line of /proc/stat. */
export function parseProcStat(stat: string | undefined): { bootTime?: number; ticks?: CpuTicks } {
  if (!stat) return {};
  const btime = /^btime\s+(\d+)/m.exec(stat)?.[1];
  const cpu = /^cpu\s+(.+)$/m.exec(stat)?.[1]?.trim().split(/\s+/).map(Number);
  const ticks =
    cpu && cpu.length >= 4
      ? {
          user: cpu[0] ?? 0,
          nice: cpu[1] ?? 0,
          system: cpu[2] ?? 0,
          idle: cpu[3] ?? 0,
          iowait: cpu[4] ?? 0,
          steal: cpu[7] ?? 0,
        }
      : undefined;
  return { ...(btime ? { bootTime: Number(btime) } : {}), ...(ticks ? { ticks } : {}) };
}

/** What the marker file holds. */
interface Marker {
  readonly id: string;
  /** When the marker was made, ms since the epoch. */
  readonly createdAt: number;
}

/**
 * Reads the instance marker, creating it when absent (a new instance). The marker holds the id
 * and is written once: a file write costs about a millisecond on some disks, so calls are counted
 * by the caller in memory, which lives exactly as long as the instance.
 */
export function readOrCreateInstanceMarker(platform: Platform): { instanceId: string; newInstance: boolean } {
  const path = `${platform.tmpDir}/${INSTANCE_MARKER}`;
  const previous = readMarker(platform.readFile(path));
  if (previous) return { instanceId: previous.id, newInstance: false };
  const marker: Marker = { id: platform.randomId?.() ?? randomUUID(), createdAt: platform.now() };
  platform.writeFile(path, JSON.stringify(marker));
  return { instanceId: marker.id, newInstance: true };
}

function readMarker(text: string | undefined): Marker | undefined {
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as Partial<Marker>;
    if (typeof value.id === 'string' && value.id.length > 0)
      return { id: value.id, createdAt: Number(value.createdAt) };
  } catch {
    // A torn marker counts as absent: the instance gets a fresh id.
  }
  return undefined;
}

/** The part of an inspection known when a call starts. */
export interface InspectionStart {
  readonly facts: CpuFacts;
  readonly instanceId: string;
  readonly newInstance: boolean;
  readonly instanceCalls: number;
  readonly bootTime?: number;
  readonly ticks?: CpuTicks;
  readonly region?: string;
  readonly azId?: string;
  readonly memoryMb?: number;
  readonly functionName?: string;
}

/**
 * The per-instance inspector. CPU facts and the marker are read once (neither changes under a
 * running instance) and calls are counted in memory; /proc/stat is read at the start and end of
 * every call.
 */
export class Inspector {
  private facts: CpuFacts | undefined;
  private instance: { instanceId: string; newInstance: boolean } | undefined;
  /** Zone, region, memory and name, read once: what this instance is does not change under it. */
  private identity: Pick<InspectionStart, 'region' | 'azId' | 'memoryMb' | 'functionName'> | undefined;
  private calls = 0;

  constructor(private readonly platform: Platform) {}

  /** Reads what is known at the start of a call and counts the call on the marker. */
  start(functionName?: string): InspectionStart {
    const platform = this.platform;
    this.facts ??= parseCpuinfo(platform.readFile('/proc/cpuinfo'));
    const first = this.instance === undefined;
    this.instance ??= readOrCreateInstanceMarker(platform);
    this.calls++;
    const stat = parseProcStat(platform.readFile('/proc/stat'));
    this.identity ??= this.readIdentity();
    const name = functionName ?? this.identity.functionName;
    return {
      facts: this.facts,
      instanceId: this.instance.instanceId,
      newInstance: first && this.instance.newInstance,
      instanceCalls: this.calls,
      ...(stat.bootTime !== undefined ? { bootTime: stat.bootTime } : {}),
      ...(stat.ticks ? { ticks: stat.ticks } : {}),
      ...optional('region', this.identity.region),
      ...optional('azId', this.identity.azId),
      ...(this.identity.memoryMb !== undefined ? { memoryMb: this.identity.memoryMb } : {}),
      ...optional('functionName', name),
    };
  }

  private readIdentity(): Pick<InspectionStart, 'region' | 'azId' | 'memoryMb' | 'functionName'> {
    const env = this.platform.env;
    const memory = Number(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
    return {
      ...optional('region', env.AWS_REGION),
      ...optional('azId', env.SKY_AZ_ID),
      ...(Number.isFinite(memory) && memory > 0 ? { memoryMb: memory } : {}),
      ...optional('functionName', env.AWS_LAMBDA_FUNCTION_NAME),
    };
  }

  /** Completes an inspection with the CPU ticks spent since `start` and the call's timings. */
  finish(start: InspectionStart, timings: Inspection['timings']): Inspection {
    const end = start.ticks ? parseProcStat(this.platform.readFile('/proc/stat')).ticks : undefined;
    return {
      ...start.facts,
      instanceId: start.instanceId,
      newInstance: start.newInstance,
      instanceCalls: start.instanceCalls,
      ...(start.bootTime !== undefined ? { bootTime: start.bootTime } : {}),
      ...(start.ticks && end ? { cpuTime: tickDelta(start.ticks, end) } : {}),
      ...(start.region !== undefined ? { region: start.region } : {}),
      ...(start.azId !== undefined ? { azId: start.azId } : {}),
      ...(start.memoryMb !== undefined ? { memoryMb: start.memoryMb } : {}),
      ...(start.functionName !== undefined ? { functionName: start.functionName } : {}),
      timings,
    };
  }
}

function tickDelta(a: CpuTicks, b: CpuTicks): CpuTicks {
  return {
    user: b.user - a.user,
    nice: b.nice - a.nice,
    system: b.system - a.system,
    idle: b.idle - a.idle,
    iowait: b.iowait - a.iowait,
    steal: b.steal - a.steal,
  };
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value ? { [key]: value } : {}) as { [P in K]?: string };
}
