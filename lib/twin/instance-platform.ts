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
  private callStartedAt: number | undefined;

  constructor(
    private readonly facts: InstanceFacts,
    private readonly clock: Clock,
  ) {
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

  now(): number {
    return this.clock.now();
  }

  sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms);
  }

  endInstance(): void {
    this.ending = true;
  }

  /** Virtual in experiments: code decoding takes no emulated time. */
  monotonicMs(): number {
    return this.clock.now();
  }

  /** A reproducible id for the instance marker, derived from the zone's instance serial. */
  randomId(): string {
    return `twin-${this.facts.instanceId.replace(':', '-')}-${(this.ids++).toString(36)}`;
  }

  /** Marks the start of a call (for the CPU time in /proc/stat). */
  beginCall(): void {
    this.callStartedAt = this.clock.now();
  }

  /** Marks the end of a call. */
  endCall(): void {
    if (this.callStartedAt !== undefined) this.busyMs += this.clock.now() - this.callStartedAt;
    this.callStartedAt = undefined;
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
    const now = this.clock.now();
    const busy = this.busyMs + (this.callStartedAt !== undefined ? now - this.callStartedAt : 0);
    const user = Math.floor(busy / 10);
    const system = Math.floor(busy / 200);
    const uptimeTicks = Math.max(0, Math.floor((now / 1000 - this.facts.host.bootTime) * 100));
    const idle = Math.max(0, uptimeTicks * this.processors - user - system);
    // The aggregate line and btime are what inspectors read; per-CPU lines are left out (they cost
    // time on every call and nothing reads them).
    return `cpu  ${user} 0 ${system} ${idle} 0 0 0 0 0 0\nbtime ${this.facts.host.bootTime}\nprocesses 1\nprocs_running 1\n`;
  }
}
