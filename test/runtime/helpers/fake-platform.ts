import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Platform } from '../../../lambda/shared/platform';

export const INTEL_CPUINFO = [0, 1]
  .map(
    (i) => `processor\t: ${i}
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Processor @ 2.50GHz
cpu MHz\t\t: 2499.998
`,
  )
  .join('\n');

export const AMD_CPUINFO = `processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC
cpu MHz\t\t: 2650.000
`;

export const GRAVITON2_CPUINFO = [0, 1]
  .map(
    (i) => `processor\t: ${i}
BogoMIPS\t: 243.75
CPU implementer\t: 0x41
CPU architecture: 8
CPU variant\t: 0x3
CPU part\t: 0xd0c
`,
  )
  .join('\n');

export function procStat(btime: number, user: number, system: number): string {
  return `cpu  ${user} 0 ${system} 1000 5 0 0 2 0 0
cpu0 ${user} 0 ${system} 1000 5 0 0 2 0 0
intr 1
btime ${btime}
processes 10
`;
}

/** An in-memory platform with a fake clock: sleeps advance the clock and are recorded, never waited. */
export class FakePlatform implements Platform {
  readonly files = new Map<string, string>();
  readonly sleeps: number[] = [];
  ended = 0;
  clock = 1_700_000_000_000;
  private ids = 0;
  /** Ticks added to /proc/stat's user time on each read, to make CPU deltas visible. */
  userTicksPerRead = 0;
  private statReads = 0;
  readonly tmpDir: string;
  readonly env: Record<string, string | undefined>;

  constructor(
    options: {
      cpuinfo?: string;
      btime?: number;
      env?: Record<string, string | undefined>;
      tmpDir?: string;
      idPrefix?: string;
    } = {},
  ) {
    this.files.set('/proc/cpuinfo', options.cpuinfo ?? INTEL_CPUINFO);
    this.btime = options.btime ?? 1_699_990_000;
    this.tmpDir = options.tmpDir ?? '/tmp';
    this.env = options.env ?? {};
    this.idPrefix = options.idPrefix ?? 'inst';
  }

  private readonly btime: number;
  private readonly idPrefix: string;

  readFile(path: string): string | undefined {
    if (path === '/proc/stat') {
      this.statReads++;
      return procStat(this.btime, 100 + this.statReads * this.userTicksPerRead, 50);
    }
    return this.files.get(path);
  }
  writeFile(path: string, data: string): void {
    this.files.set(path, data);
  }
  now(): number {
    return this.clock;
  }
  monotonicMs(): number {
    return this.clock;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.clock += ms;
  }
  endInstance(): void {
    this.ended++;
  }
  randomId(): string {
    this.ids++;
    return `${this.idPrefix}-${this.ids}`;
  }
}

/** A fresh real folder under the OS temp folder. */
export function realTmp(prefix = 'sky-rt-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
