import type { Platform } from '../contracts';
import { archOfCpu } from '../core/cpu';
import type { Clock } from './clock';
import type { Host } from './zone';

/**
 * The Platform of one emulated function instance: the only thing that differs between a real
 * Lambda instance and an emulated one, so the real handler code runs unchanged and its inspector
 * reports the emulated CPU, host boot time, zone and /tmp marker.
 */

/** What the platform needs to know about the instance it serves. */
export interface InstanceFacts {
  readonly functionName: string;
  readonly memoryMb: number;
  readonly region: string;
  readonly azId: string;
  readonly host: Host;
  /** The instance's id in the zone; seeds the marker id so runs are reproducible. */
  readonly instanceId: string;
  /**
   * Whether /proc/stat carries the CPU tick line (inspectors then report per-call CPU time).
   * Bulk experiments leave it out: nothing there reads CPU time and parsing it twice a call is
   * a large share of an emulated call's cost. @default true
   */
  readonly cpuTicks?: boolean;
  /**
   * How a call's duration is measured (see {@link CallTiming}). @default 'clock'
   */
  readonly timing?: CallTiming;
}

/**
 * How long a call lasts. `clock`: the emulated time between the handler's start and its answer. `work`: exactly the
 * emulated time the handler slept (a sampler's hold, a modelled workload runtime); within a call the instance's clock
 * advances only by those sleeps. `work` is for a clock that runs faster than real time (the local sky routes 200 times
 * as fast), where this host's own scheduling delays would otherwise be measured, and billed, scaled up as much.
 * A handler that waits on other calls (a fan-out) must be timed by the clock.
 */
export type CallTiming = 'clock' | 'work';

/** The call an instance is serving: when it began and how long it has slept. */
interface CurrentCall {
  readonly startedAt: number;
  sleptMs: number;
}

/** Lambda gives one vCPU per 1,769 MB, at least two visible processors and at most six. */
export function visibleProcessors(memoryMb: number): number {
  return Math.max(2, Math.min(6, Math.ceil(memoryMb / 1769)));
}

const ARM_PART: Readonly<Record<string, string>> = { graviton2: '0xd0c', graviton3: '0xd40', graviton4: '0xd4f' };

const cpuinfoCache = new Map<string, string>();

/** `/proc/cpuinfo` as a Lambda x86 or arm64 instance prints it, for one CPU model (cached: it never changes). */
export function cpuinfoText(model: string, cpuKey: string, processors: number): string {
  const key = `${processors}|${cpuKey}|${model}`;
  let text = cpuinfoCache.get(key);
  if (text === undefined) {
    text = buildCpuinfo(model, cpuKey, processors);
    cpuinfoCache.set(key, text);
  }
  return text;
}

function buildCpuinfo(model: string, cpuKey: string, processors: number): string {
  const blocks: string[] = [];
  if (archOfCpu(cpuKey) === 'arm64') {
    const part = ARM_PART[cpuKey] ?? '0xd0c';
    for (let p = 0; p < processors; p++) {
      blocks.push(
        [
          `processor\t: ${p}`,
          'BogoMIPS\t: 243.75',
          'Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm lrcpc dcpop asimddp ssbs',
          'CPU implementer\t: 0x41',
          'CPU architecture: 8',
          'CPU variant\t: 0x3',
          `CPU part\t: ${part}`,
          'CPU revision\t: 1',
        ].join('\n'),
      );
    }
    return `${blocks.join('\n\n')}\n`;
  }
  const ghz = /@\s*([\d.]+)\s*GHz/i.exec(model)?.[1];
  const mhz = ghz ? (Number(ghz) * 1000 - 0.002).toFixed(3) : '2650.000';
  const amd = /amd|epyc/i.test(model);
  for (let p = 0; p < processors; p++) {
    blocks.push(
      [
        `processor\t: ${p}`,
        `vendor_id\t: ${amd ? 'AuthenticAMD' : 'GenuineIntel'}`,
        `cpu family\t: ${amd ? 23 : 6}`,
        `model\t\t: ${amd ? 49 : 85}`,
        `model name\t: ${model}`,
        'stepping\t: 7',
        `cpu MHz\t\t: ${mhz}`,
        `cache size\t: ${amd ? '512 KB' : '33792 KB'}`,
        'physical id\t: 0',
        `siblings\t: ${processors}`,
        `core id\t\t: ${Math.floor(p / 2)}`,
        `cpu cores\t: ${Math.max(1, processors / 2)}`,
        'fpu\t\t: yes',
        'flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht syscall nx lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm',
      ].join('\n'),
    );
  }
  return `${blocks.join('\n\n')}\n`;
}

/** A Platform whose machine is an emulated instance; see the module comment. */
export class InstancePlatform implements Platform {
  readonly tmpDir = '/tmp';
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Set when the handler asked to end the instance; the twin destroys it after the answer. */
  ending = false;
  private readonly files = new Map<string, string>();
  private readonly processors: number;
  private readonly cpuinfo: string;
  private busyMs = 0;
  private stat: string | undefined;
  private ids = 0;
  private call: CurrentCall | undefined;
  private readonly workTimed: boolean;

  constructor(
    private readonly facts: InstanceFacts,
    private readonly clock: Clock,
  ) {
    this.workTimed = facts.timing === 'work';
    this.processors = visibleProcessors(facts.memoryMb);
    this.cpuinfo = cpuinfoText(facts.host.cpu.model, facts.host.cpu.cpuKey, this.processors);
    this.env = Object.freeze({
      AWS_REGION: facts.region,
      AWS_DEFAULT_REGION: facts.region,
      SKY_AZ_ID: facts.azId,
      AWS_LAMBDA_FUNCTION_NAME: facts.functionName,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(facts.memoryMb),
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs20.x',
      LAMBDA_TASK_ROOT: '/var/task',
      TZ: ':UTC',
    });
  }

  readFile(path: string): string | undefined {
    if (path === '/proc/cpuinfo') return this.cpuinfo;
    if (path === '/proc/stat') return this.statText();
    return this.files.get(path);
  }

  writeFile(path: string, data: string): void {
    if (!path.startsWith(`${this.tmpDir}/`)) {
      throw Object.assign(new Error(`EROFS: read-only file system, open '${path}'`), { code: 'EROFS' });
    }
    this.files.set(path, data);
  }

  /** Emulated time; during a work-timed call, the call's start plus what it has slept. */
  now(): number {
    const call = this.call;
    return this.workTimed && call !== undefined ? call.startedAt + call.sleptMs : this.clock.now();
  }

  async sleep(ms: number): Promise<void> {
    const call = this.call;
    await this.clock.sleep(ms);
    // A sleep that outlives its call (a timer raced against the work) does not count in the next one.
    if (call !== undefined && call === this.call) call.sleptMs += Math.max(0, ms);
  }

  endInstance(): void {
    this.ending = true;
  }

  /** Virtual in experiments: code decoding takes no emulated time. */
  monotonicMs(): number {
    return this.now();
  }

  /** A reproducible id for the instance marker, derived from the zone's instance serial. */
  randomId(): string {
    return `twin-${this.facts.instanceId.replace(':', '-')}-${(this.ids++).toString(36)}`;
  }

  /** Marks the start of a call: its duration and the CPU time in /proc/stat count from here. */
  beginCall(): void {
    this.call = { startedAt: this.clock.now(), sleptMs: 0 };
  }

  /** How long the current call has lasted so far, as its timing measures it (0 outside a call). */
  callElapsedMs(): number {
    const call = this.call;
    if (call === undefined) return 0;
    return this.workTimed ? call.sleptMs : this.clock.now() - call.startedAt;
  }

  /** Marks the end of a call. */
  endCall(): void {
    this.busyMs += this.callElapsedMs();
    this.call = undefined;
  }

  /**
   * `/proc/stat` with the host's boot time. CPU ticks (USER_HZ 100) grow with the instance's busy
   * time, so the inspector's per-call deltas show the call's own CPU time.
   */
  private statText(): string {
    if (this.facts.cpuTicks === false) {
      this.stat ??= `btime ${this.facts.host.bootTime}\nprocesses 1\nprocs_running 1\n`;
      return this.stat;
    }
    const now = this.now();
    const busy = this.busyMs + this.callElapsedMs();
    const user = Math.floor(busy / 10);
    const system = Math.floor(busy / 200);
    const uptimeTicks = Math.max(0, Math.floor((now / 1000 - this.facts.host.bootTime) * 100));
    const idle = Math.max(0, uptimeTicks * this.processors - user - system);
    // The aggregate line and btime are what inspectors read; per-CPU lines are left out (they cost
    // time on every call and nothing reads them).
    return `cpu  ${user} 0 ${system} ${idle} 0 0 0 0 0 0\nbtime ${this.facts.host.bootTime}\nprocesses 1\nprocs_running 1\n`;
  }
}
