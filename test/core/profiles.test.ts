import { CoreInputError } from '../../lib/core/errors';
import { CROSS_CPU_SPREAD, ProfileBook } from '../../lib/core/profiles';
import { beliefLogSd, runtimeLogSd } from '../../lib/core/runtime-belief';
import type { Target } from '../../lib/core/types';
import { EPYC, profile, X25, X29, X30, ZIPPER } from './fixtures';

const target = (arch: 'x86_64' | 'arm64' = 'x86_64', memoryMb = 2048): Target => ({
  azId: 'usw1-az1',
  region: 'us-west-1',
  arch,
  memoryMb,
  functionName: `sky-usw1-az1-${arch}-${memoryMb}`,
});

/** A profile entry on x86_64 of `count` runtimes around `meanMs` with a spread of `cv`. */
const x86EntryOfCv = (cv: number) => (cpu: string, memoryMb: number, meanMs: number, count: number) => ({
  cpu,
  arch: 'x86_64' as const,
  memoryMb,
  stats: { count, meanMs, m2: (count - 1) * (cv * meanMs) ** 2 },
});

describe('ProfileBook.runtime', () => {
  const book = new ProfileBook({ zipper: ZIPPER });

  it('returns observed means with high confidence', () => {
    const estimate = book.runtime('zipper', X30, 'x86_64', 2048);
    expect(estimate.source).toBe('observed');
    expect(estimate.meanMs).toBeCloseTo(2640, -1);
    // ZIPPER's cells hold 100 runtimes each with m2 = 100 × (0.03 × mean)²: a pooled cv of √(0.09 / 99).
    const cv = Math.sqrt(0.09 / 99);
    const spread = 1 / Math.sqrt(1 / CROSS_CPU_SPREAD ** 2 + 100 / cv ** 2);
    expect(estimate.confidence).toBeCloseTo(1 - spread / CROSS_CPU_SPREAD, 9);
  });

  it('is as sure of an observed runtime as the workload is steady: a few runtimes of a steady one, many of a noisy one', () => {
    const confidenceAfter = (count: number, cv: number): number => {
      const entries = [X25, X30].map((cpu) => ({
        cpu,
        arch: 'x86_64' as const,
        memoryMb: 2048,
        stats: { count, meanMs: 1000, m2: (count - 1) * (cv * 1000) ** 2 },
      }));
      return new ProfileBook({ w: { workload: 'w', entries } }).runtime('w', X30, 'x86_64', 2048).confidence;
    };
    // cv 0.05: one spread of 0.3 in log terms (what a runtime carried from another CPU is off by) is worth 36 runtimes.
    expect(confidenceAfter(3, 0.05)).toBeGreaterThan(0.89);
    expect(confidenceAfter(3, 0.3)).toBeLessThan(0.55);
    expect(confidenceAfter(30, 0.3)).toBeGreaterThan(0.8);
  });

  it.each([
    // workload, cpu, arch, memory, source, expected mean (ms)
    ['zipper', 'graviton2', 'arm64', 2048, 'arch-scaled', 3000],
    ['zipper', X25, 'x86_64', 1024, 'memory-scaled', (3000 * 1769) / 1024],
    ['zipper', X25, 'x86_64', 4096, 'memory-scaled', 3000],
    ['unknown', X25, 'x86_64', 2048, 'prior', 1000],
    ['unknown', EPYC, 'x86_64', 2048, 'prior', 1350],
    ['unknown', X30, 'x86_64', 128, 'prior', (900 * 1769) / 128],
  ] as const)('estimates %s on %s/%s/%p MB from the %s', (workload, cpu, arch, mb, source, mean) => {
    const estimate = book.runtime(workload, cpu, arch, mb);
    expect(estimate.source).toBe(source);
    // Observed runtimes are exactly baseMs × relative, so every carried-over estimate lands near the truth.
    expect(Math.abs(estimate.meanMs - mean) / mean).toBeLessThan(0.02);
    expect(estimate.confidence).toBeGreaterThanOrEqual(0);
    expect(estimate.confidence).toBeLessThan(source === 'prior' ? 1e-12 : 0.5);
  });

  it('carries a runtime over to an unseen CPU by relative speed', () => {
    const partial = new ProfileBook({ w: profile('w', 2000, { [X25]: 1 }) });
    const estimate = partial.runtime('w', X29, 'x86_64', 2048);
    expect(estimate.source).toBe('cpu-speed');
    expect(estimate.meanMs).toBeCloseTo(2000 * 1.22, 6);
  });

  it('scales memory with the workload parallelism', () => {
    const parallel = new ProfileBook({ zipper: ZIPPER }, { parallelism: { zipper: 2 } });
    // 2 threads: 4096 MB (2.3 vCPUs) runs 2 at once, 2048 MB (1.16 vCPUs) only 1.16.
    const expected = (3000 * (2048 / 1769)) / 2;
    expect(Math.abs(parallel.runtime('zipper', X25, 'x86_64', 4096).meanMs - expected) / expected).toBeLessThan(0.02);
  });
});

describe('ProfileBook across memory sizes', () => {
  // As late-2025 measurements found: EPYC 0.55× the 2.5 GHz Xeon's runtime at 128 MB, 1.03× at 2048 MB
  // (the prior says 1.35× everywhere).
  // Every cell's runtimes spread by 3% (cv): a runtime carried over from another CPU weighs (0.03 / 0.3)² = 0.01
  // observations against a CPU's own.
  const entry = (cpu: string, memoryMb: number, meanMs: number, count = 3) => ({
    cpu,
    arch: 'x86_64' as const,
    memoryMb,
    stats: { count, meanMs, m2: (count - 1) * (0.03 * meanMs) ** 2 },
  });
  const carried = (0.03 / CROSS_CPU_SPREAD) ** 2;
  const book = new ProfileBook({
    gemm: {
      workload: 'gemm',
      entries: [
        entry(X25, 128, 12000),
        entry(EPYC, 128, 6600),
        entry(X25, 256, 6000),
        entry(X25, 2048, 620),
        entry(EPYC, 2048, 640),
      ],
    },
  });

  it("carries a CPU's ratio learned at the nearest memory size to a size it never ran at", () => {
    const estimate = book.runtime('gemm', EPYC, 'x86_64', 256);
    expect(estimate.source).toBe('cpu-speed');
    // 3 runtimes of the pair at 128 MB against 0.01 pseudo-observations of the prior ratio 1.35: 0.55×, not 1.35×.
    const ratio = Math.exp((3 * Math.log(6600 / 12000) + carried * Math.log(1.35)) / (3 + carried));
    // Its own 6,600 ms at 128 MB, moved as the 2.5 GHz Xeon's runtimes moved (12,000 → 6,000), joins by precision.
    const across = book.acrossMemory('gemm', EPYC, 'x86_64', 256);
    expect(across?.meanMs).toBeCloseTo(3300, 6);
    const w = across?.weight ?? 0;
    expect(w).toBeGreaterThan(carried);
    expect(estimate.meanMs).toBeCloseTo((carried * 6000 * ratio + w * 3300) / (carried + w), 6);
    expect(estimate.meanMs / 6000).toBeLessThan(0.56);
  });

  it("scales a CPU's own runtime to a size no CPU ran at", () => {
    const estimate = book.runtime('gemm', EPYC, 'x86_64', 1024);
    // The nearest observed size is 2048 MB: EPYC's own 640 ms there (barely shrunk toward what the 2.5 GHz Xeon
    // says through their ratio at 128 MB), then scaled by CPU share.
    expect(estimate.source).toBe('memory-scaled');
    expect(estimate.scaledFromMb).toBe(2048);
    const there = book.runtime('gemm', EPYC, 'x86_64', 2048).meanMs;
    expect(estimate.meanMs).toBeCloseTo((there * 1769) / 1024, 6);
    expect(Math.abs(there - 640) / 640).toBeLessThan(0.01);
  });

  it('keeps the prior ratio where two CPUs never ran at one size', () => {
    const lone = new ProfileBook({
      gemm: { workload: 'gemm', entries: [entry(X25, 128, 12000), entry(X29, 2048, 700)] },
    });
    expect(lone.runtime('gemm', X29, 'x86_64', 128).meanMs).toBeCloseTo(12000 * 1.22, 6);
    expect(lone.count('gemm', X29, 'x86_64', 2048)).toBe(3);
    expect(lone.count('gemm', X29, 'x86_64', 128)).toBe(0);
  });
});

describe('ProfileBook.acrossMemory', () => {
  // A workload of cv 0.074 that runs 1.158× faster at 2048 MB than at 1769 on every CPU, the 3.0 GHz Xeon 0.93× the
  // 2.5 GHz one; three runtimes of the 2.5 GHz Xeon at 2048 MB came out 10% fast (9,340 ms for 10,420).
  const entry = x86EntryOfCv(0.074);
  const luckyBook = (): ProfileBook =>
    new ProfileBook({
      cpu: {
        workload: 'cpu',
        entries: [
          entry(X25, 1769, 11662, 9),
          entry(X30, 1769, 10903, 3),
          entry(X25, 2048, 9340, 3),
          entry(X30, 2048, 10028, 3),
        ],
      },
    });
  const book = luckyBook();

  it("carries a CPU's runtime from another size by how the other CPUs moved between the two", () => {
    const across = book.acrossMemory('cpu', X25, 'x86_64', 2048);
    // The 3.0 GHz Xeon moved 10,903 → 10,028 (3 and 3 runtimes: precision 1.5); the drift is 0.12 per doubling.
    const drift = 0.12 * Math.log2(2048 / 1769);
    const pooled = book.runtimeCv('cpu') ?? 0;
    const variance = pooled ** 2 / 9 + pooled ** 2 / 1.5 + drift ** 2;
    expect(across?.fromMb).toBe(1769);
    expect(across?.meanMs).toBeCloseTo((11662 * 10028) / 10903, 6);
    expect(across?.weight).toBeCloseTo(pooled ** 2 / variance, 9);
    expect(book.acrossMemory('cpu', EPYC, 'x86_64', 2048)).toBeUndefined();
  });

  it('does not let a few lucky runtimes at one size outrank a CPU that was faster at both', () => {
    const x25 = book.runtime('cpu', X25, 'x86_64', 2048);
    const x30 = book.runtime('cpu', X30, 'x86_64', 2048);
    expect(x25.source).toBe('observed');
    expect(x30.meanMs).toBeLessThan(x25.meanMs);
    // Between the lucky mean and what 1,769 MB says, nearer the mean (3 runtimes against about 1.1).
    expect(x25.meanMs).toBeGreaterThan(9400);
    expect(x25.meanMs).toBeLessThan((9340 + (11662 * 10028) / 10903) / 2);
  });

  it('narrows the belief in a cell by what the other size carries', () => {
    const pooled = book.runtimeCv('cpu') ?? 0;
    const carriedRuns = book.acrossMemory('cpu', X25, 'x86_64', 2048)?.weight ?? 0;
    expect(carriedRuns).toBeGreaterThan(0.5);
    expect(runtimeLogSd(book, 'cpu', X25, 'x86_64', 2048, pooled)).toBeCloseTo(
      beliefLogSd(3 + carriedRuns, pooled),
      12,
    );
  });

  it('answers from the runtimes known now: a new one at either size moves it', () => {
    const learning = luckyBook();
    const before = learning.acrossMemory('cpu', X25, 'x86_64', 2048);
    expect(learning.acrossMemory('cpu', X25, 'x86_64', 2048)).toEqual(before);
    const cvBefore = learning.runtimeCv('cpu');
    learning.observe({ workload: 'cpu', target: target('x86_64', 2048), cpu: X30, runtimeMs: 12000, rejected: false });
    const after = learning.acrossMemory('cpu', X25, 'x86_64', 2048);
    // The 3.0 GHz Xeon's mean at 2048 MB rose, and with it the move the 2.5 GHz Xeon's runtime is carried by.
    expect(after?.meanMs).toBeGreaterThan(before?.meanMs ?? Number.POSITIVE_INFINITY);
    expect(learning.runtimeCv('cpu')).not.toBe(cvBefore);
  });

  it("takes the workload's move between two sizes from the other architecture's CPUs where its own has no other", () => {
    // The Graviton2 alone on arm64: 1,933 runtimes at 256 MB, 3 at 128 MB that came out 5% fast; the 2.5 GHz Xeon
    // ran 1.9× slower at 128 MB than at 256.
    const g2 = 'graviton2';
    const arm = (memoryMb: number, meanMs: number, count: number) => ({
      ...entry(g2, memoryMb, meanMs, count),
      arch: 'arm64' as const,
    });
    const io = new ProfileBook({
      io: {
        workload: 'io',
        entries: [arm(256, 1162, 1933), arm(128, 2196, 3), entry(X25, 256, 1000, 5), entry(X25, 128, 1900, 5)],
      },
    });
    const across = io.acrossMemory('io', g2, 'arm64', 128);
    expect(across?.fromMb).toBe(256);
    expect(across?.meanMs).toBeCloseTo(1162 * 1.9, 6);
    // Its 3 runtimes there and the weight the other size carries, by precision.
    const w = across?.weight ?? 0;
    expect(w).toBeGreaterThan(0.2);
    expect(io.runtime('io', g2, 'arm64', 128).meanMs).toBeCloseTo((3 * 2196 + w * 1162 * 1.9) / (3 + w), 6);
  });
});

describe('ProfileBook.acrossMemory without another CPU at both sizes', () => {
  // Modelled on generated seed 232's gemm (cv 0.085): the AMD EPYC ran once at 128 MB and never at 256 MB, where the
  // Xeons ran (at 128 MB they would outlast the call's budget); EPYC and the 2.9 GHz Xeon both ran at 1,024 MB, where
  // the EPYC's lead is smaller (0.74×) than the twin gives it at 128–256 MB (0.68×).
  const entry = x86EntryOfCv(0.085);
  const entries = [
    entry(EPYC, 128, 232_000, 1),
    entry(X29, 256, 171_000, 3),
    entry(X25, 256, 206_000, 3),
    entry(EPYC, 1024, 34_000, 3),
    entry(X29, 1024, 46_000, 3),
    entry(X25, 1024, 60_000, 3),
    entry(EPYC, 2048, 18_000, 3),
    entry(X29, 4096, 16_000, 3),
  ];
  const book = new ProfileBook({ gemm: { workload: 'gemm', entries } });

  it("carries a CPU's own runtime by CPU share between two sizes below one vCPU", () => {
    const across = book.acrossMemory('gemm', EPYC, 'x86_64', 256);
    expect(across?.fromMb).toBe(128);
    // Twice the memory, twice the CPU share: half the runtime.
    expect(across?.meanMs).toBeCloseTo(116_000, 6);
    const pooled = book.runtimeCv('gemm') ?? 0;
    expect(across?.weight).toBeCloseTo(pooled ** 2 / (pooled ** 2 / 1 + 0.12 ** 2), 9);
  });

  it('moves the estimate at a size the CPU never ran at toward its own runtime next to it', () => {
    const alone = new ProfileBook({
      gemm: { workload: 'gemm', entries: entries.filter((e) => e.memoryMb !== 128) },
    });
    const fromOthers = alone.runtime('gemm', EPYC, 'x86_64', 256);
    const estimate = book.runtime('gemm', EPYC, 'x86_64', 256);
    // Through the ratios learned at 1,024 MB alone (and the prior's 1.35×) the EPYC looks slower at 256 MB than its
    // 232 s at 128 MB say (116 s), which carry more than the ratios' pseudo-observations.
    expect(fromOthers.meanMs).toBeGreaterThan(120_000);
    expect(estimate.meanMs).toBeLessThan((fromOthers.meanMs + 116_000) / 2);
    expect(estimate.meanMs).toBeGreaterThan(116_000);
    // Still an estimate carried over: as sure as the ratio made it.
    expect(estimate.source).toBe('cpu-speed');
    expect(estimate.confidence).toBe(fromOthers.confidence);
  });

  it('carries nothing past one vCPU, where the CPU share no longer tells a workload of several threads', () => {
    expect(book.acrossMemory('gemm', EPYC, 'x86_64', 4096)).toBeUndefined();
  });
});

describe('ProfileBook.nearestObserved', () => {
  it('finds the nearest memory size (in ratio) at which the CPU ran on that architecture, the smaller on a tie', () => {
    const book = new ProfileBook({});
    const ran = (cpu: string, arch: 'x86_64' | 'arm64', memoryMb: number, times: number): void => {
      for (let i = 0; i < times; i++)
        book.observe({ workload: 'w', target: target(arch, memoryMb), cpu, runtimeMs: 1000, rejected: false });
    };
    ran(X25, 'x86_64', 512, 2);
    ran(X25, 'x86_64', 2048, 3);
    ran(X30, 'x86_64', 1024, 1);
    ran('graviton2', 'arm64', 1024, 1);
    expect(book.nearestObserved('w', X25, 'x86_64', 1024)).toEqual({ memoryMb: 512, count: 2 });
    expect(book.nearestObserved('w', X25, 'x86_64', 1536)).toEqual({ memoryMb: 2048, count: 3 });
    expect(book.nearestObserved('w', X30, 'x86_64', 128)).toEqual({ memoryMb: 1024, count: 1 });
    expect(book.nearestObserved('w', EPYC, 'x86_64', 1024)).toBeUndefined();
    expect(book.nearestObserved('w', X25, 'arm64', 1024)).toBeUndefined();
    expect(book.nearestObserved('other', X25, 'x86_64', 1024)).toBeUndefined();
  });
});

describe('ProfileBook learning', () => {
  it('learns from accepted outcomes and ignores rejected ones', () => {
    const book = new ProfileBook();
    const before = book.version;
    book.observe({ workload: 'w', target: target(), cpu: X25, rejected: true });
    expect(book.version).toBe(before);
    for (const ms of [100, 110, 120])
      book.observe({ workload: 'w', target: target(), cpu: X25, runtimeMs: ms, rejected: false });
    expect(book.observations('w')).toBe(3);
    expect(book.profile('w')?.entries).toEqual([
      { cpu: X25, arch: 'x86_64', memoryMb: 2048, stats: { count: 3, meanMs: 110, m2: 200 } },
    ]);
    expect(book.workloadNames()).toEqual(['w']);
  });

  it('shrinks a lone observation toward what other CPUs say, by how precise each is', () => {
    // Given as one pseudo-observation:
    const even = new ProfileBook({ w: profile('w', 1000, { [X25]: 1 }) }, { priorWeight: 1 });
    even.observe({ workload: 'w', target: target(), cpu: X30, runtimeMs: 500, rejected: false });
    expect(even.runtime('w', X30, 'x86_64', 2048).meanMs).toBeCloseTo((500 + 900) / 2, 6);
    // By default: the workload's runtimes spread 3%, so one is off by about 3% and a runtime carried over from
    // another CPU by about 30%: the carried one weighs (0.03 / 0.3)² = 0.01 observations.
    const book = new ProfileBook({ w: profile('w', 1000, { [X25]: 1 }) });
    book.observe({ workload: 'w', target: target(), cpu: X30, runtimeMs: 500, rejected: false });
    const weight = (book.runtimeCv('w') ?? 0) ** 2 / CROSS_CPU_SPREAD ** 2;
    expect(weight).toBeCloseTo(0.01, 3);
    expect(book.runtime('w', X30, 'x86_64', 2048).meanMs).toBeCloseTo((500 + weight * 900) / (1 + weight), 6);
  });

  it('merges added summaries as if observed together', () => {
    const book = new ProfileBook();
    book.add('w', { cpu: X25, arch: 'x86_64', memoryMb: 512 }, { count: 2, meanMs: 10, m2: 2 });
    book.add('w', { cpu: X25, arch: 'x86_64', memoryMb: 512 }, { count: 2, meanMs: 20, m2: 2 });
    expect(book.profile('w')?.entries[0].stats).toEqual({ count: 4, meanMs: 15, m2: 104 });
  });

  it('fails on a bad summary or option', () => {
    expect(() =>
      new ProfileBook().add('w', { cpu: X25, arch: 'x86_64', memoryMb: 512 }, { count: 1, meanMs: Number.NaN, m2: 0 }),
    ).toThrow(CoreInputError);
    expect(() => new ProfileBook({}, { defaultBaseMs: 0 })).toThrow(/defaultBaseMs/);
    expect(() => new ProfileBook({}, { priorWeight: -1 })).toThrow(/priorWeight/);
  });
});
