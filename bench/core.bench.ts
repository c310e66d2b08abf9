import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { REGIONS, regionFacts } from '../lib/catalog';
import { dynamicFunctionName } from '../lib/core/naming';
import { Router } from '../lib/core/router';
import type {
  Characterization,
  PlacementRequest,
  RegionFacts,
  RoutingView,
  StrategyName,
  WorkloadProfile,
} from '../lib/core/types';

export const title = 'Core router: place() on the whole global mesh';

/** The paper's 12 workloads (Table 1) with relative runtimes in Figure 9's ranges. */
const WORKLOADS: ReadonlyArray<[string, number, number]> = [
  ['graph_mst', 900, 1],
  ['graph_bfs', 700, 1],
  ['page_rank', 1500, 1.2],
  ['disk_writer', 1200, 1],
  ['disk_write_and_process', 2000, 1],
  ['zipper', 3000, 2],
  ['thumbnailer', 800, 1],
  ['sha1_hash', 400, 1],
  ['json_flattener', 600, 1],
  ['math_service', 2500, 2],
  ['matrix_multiply', 2200, 2],
  ['logistic_regression', 4000, 2],
];
const CPUS = ['intel-xeon-2.50', 'intel-xeon-3.00', 'intel-xeon-2.90', 'amd-epyc'];
const MEMORY = [128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240];

function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Every catalog region and AZ, with synthetic CPU mixes (the 2.5 GHz Xeon in every zone, as §4.2 found). */
function globalMesh(): RoutingView {
  const random = seeded(2026);
  const now = Date.parse('2026-03-01T00:00:00Z');
  const zones: Characterization[] = [];
  const regions: Record<string, RegionFacts> = {};
  for (const region of REGIONS) {
    regions[region.code] = regionFacts(region.code);
    for (const azId of region.azIds) {
      const counts: Record<string, number> = { 'intel-xeon-2.50': 300 + Math.floor(random() * 600) };
      for (const cpu of CPUS.slice(1)) if (random() < 0.7) counts[cpu] = Math.floor(random() * 400);
      zones.push({
        azId,
        region: region.code,
        counts,
        instancesSeen: Object.values(counts).reduce((s, n) => s + n, 0),
        polls: 2,
        failures: 0,
        measuredAt: new Date(now - random() * 40 * 3_600_000).toISOString(),
        driftClass: 'stable',
        costUsd: 0.08,
      });
    }
  }
  const profiles: Record<string, WorkloadProfile> = {};
  for (const [name, baseMs] of WORKLOADS) {
    const relative = [1, 0.85 + random() * 0.1, 1.15 + random() * 0.15, 1.1 + random() * 0.4];
    profiles[name] = {
      workload: name,
      entries: CPUS.map((cpu, i) => ({
        cpu,
        arch: 'x86_64' as const,
        memoryMb: 2048,
        stats: { count: 1000, meanMs: baseMs * relative[i], m2: 1000 * (0.03 * baseMs) ** 2 },
      })),
    };
  }
  return {
    zones,
    deployed: zones.map((z) => ({ azId: z.azId, region: z.region })),
    architectures: ['x86_64', 'arm64'],
    memorySizes: MEMORY,
    profiles,
    regions,
    now,
  };
}

function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

/** Times each call with hrtime (minus the timer's own cost) and the whole loop for throughput. */
function measure(label: string, router: Router, requests: readonly PlacementRequest[], calls: number): void {
  const perCall = new Float64Array(calls);
  let sink = 0;
  const timerCost = (() => {
    const samples = new Float64Array(10_000);
    for (let i = 0; i < samples.length; i++) {
      const t0 = process.hrtime.bigint();
      samples[i] = Number(process.hrtime.bigint() - t0);
    }
    return quantile(samples.sort(), 0.5);
  })();
  for (let i = 0; i < calls; i++) {
    const request = requests[i % requests.length];
    const t0 = process.hrtime.bigint();
    sink += router.place(request).maxAttempts;
    perCall[i] = Number(process.hrtime.bigint() - t0) - timerCost;
  }
  const loopStart = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) sink += router.place(requests[i % requests.length]).maxAttempts;
  const loopNs = Number(process.hrtime.bigint() - loopStart);
  perCall.sort();
  const median = Math.max(0, quantile(perCall, 0.5));
  const p99 = Math.max(0, quantile(perCall, 0.99));
  console.log(
    `${label.padEnd(44)} median ${median.toFixed(0).padStart(7)} ns   p99 ${p99.toFixed(0).padStart(8)} ns   ` +
      `${Math.round((calls / loopNs) * 1e9)
        .toLocaleString('en-US')
        .padStart(11)} placements/s` +
      (sink < 0 ? ' ' : ''),
  );
}

/** Heap growth across cached calls (after a GC when one can be forced): ~0 when the hot path allocates nothing. */
function heapGrowth(router: Router, requests: readonly PlacementRequest[], calls: number): number {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (() => void) | undefined;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let sink = 0;
  for (let i = 0; i < calls; i++) sink += router.place(requests[i % requests.length]).maxAttempts;
  const after = process.memoryUsage().heapUsed;
  return after - before + (sink < 0 ? 1 : 0);
}

export async function run(): Promise<void> {
  const view = globalMesh();
  const targets = view.deployed.length * view.architectures.length * view.memorySizes.length;
  console.log(
    `view: ${REGIONS.length} regions, ${view.deployed.length} AZs x ${view.architectures.length} arch x ${view.memorySizes.length} memory = ${targets} targets, ${WORKLOADS.length} workloads with profiles`,
  );

  const compile = (label: string): Router => {
    const start = process.hrtime.bigint();
    const cpuStart = process.cpuUsage();
    const compiled = new Router(view, { baselineZone: 'usw1-az3' });
    for (const [name] of WORKLOADS) compiled.place({ workload: name });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(cpuStart);
    console.log(
      `${label}: ${wallMs.toFixed(1)} ms wall, ${((cpu.user + cpu.system) / 1000).toFixed(1)} ms CPU (once per view)`,
    );
    return compiled;
  };
  compile('compile view + 12 workload plans, cold JIT');
  const router = compile('compile view + 12 workload plans, warm JIT');

  const strategies: StrategyName[] = ['baseline', 'regional', 'retry-slow', 'focus-fastest', 'hybrid', 'optimal'];
  const objectives = ['cost', 'latency', 'carbon'] as const;
  const cachedRequests: PlacementRequest[] = [];
  for (const [name] of WORKLOADS) {
    for (const strategy of strategies) {
      for (const objective of objectives)
        cachedRequests.push({
          workload: name,
          strategy,
          objective,
          limits: { regions: ['us-west-1', 'us-east-1', 'eu-west-1'] },
        });
    }
  }
  // Fresh request objects each call, as a service parsing JSON would have them.
  const copies = cachedRequests.map((r) => JSON.parse(JSON.stringify(r)) as PlacementRequest);
  measure('cached (216 request shapes, same objects)', router, cachedRequests, 1_000_000);
  measure('cached (equal but distinct request objects)', router, copies, 1_000_000);
  heapGrowth(router, copies, 200_000);
  console.log(`heap growth over 1,000,000 warm cached placements: ${heapGrowth(router, copies, 1_000_000)} bytes`);

  const random = seeded(7);
  const codes = REGIONS.map((r) => r.code);
  const pick = <T>(list: readonly T[], n: number): T[] => {
    const copy = [...list];
    for (let i = copy.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  };
  const varying = (
    strategy: StrategyName,
    extra: (i: number) => Partial<PlacementRequest['limits']>,
  ): PlacementRequest[] =>
    Array.from({ length: 20_000 }, (_, i) => ({
      workload: WORKLOADS[i % WORKLOADS.length][0],
      strategy,
      objective: objectives[i % 3],
      limits: {
        regions: pick(codes, 1 + Math.floor(random() * 8)),
        memorySizes: pick(MEMORY, 1 + Math.floor(random() * 9)),
        ...extra(i),
      },
    }));
  const uncached = new Router(view, { baselineZone: 'usw1-az3', cacheSize: 1 });
  for (const [name] of WORKLOADS) uncached.place({ workload: name });
  measure(
    'uncached optimal, varying regions/memory',
    uncached,
    varying('optimal', () => ({})),
    20_000,
  );
  measure(
    'uncached hybrid, varying regions/memory',
    uncached,
    varying('hybrid', () => ({})),
    20_000,
  );
  measure(
    'uncached optimal + client location + latency cap',
    uncached,
    varying('optimal', (i) => ({
      clientLocation: { lat: -40 + (i % 80), lon: -120 + (i % 240) },
      maxAddedLatencyMs: 400,
    })),
    5_000,
  );
  const everything: PlacementRequest[] = Array.from({ length: 2_000 }, (_, i) => ({
    workload: WORKLOADS[i % WORKLOADS.length][0],
    objective: { cost: 1, latency: (i % 7) + 1, carbon: 1 },
    limits: { maxAttempts: 2 + (i % 9) },
  }));
  measure('uncached optimal, whole mesh, weighted objective', uncached, everything, 2_000);
  relearn(view);
}

/**
 * A workload profiled at every memory size of both architectures (the state profiling leaves), placed after
 * every observation: with `refreshFraction` 0 each runtime learned recompiles its plan, so this times a plan's
 * compilation (every runtime estimate of every target) plus one placement, as a learning router pays it.
 */
function relearn(view: RoutingView): void {
  const x86 = CPUS;
  const arm = ['graviton2', 'graviton3'];
  const entries: WorkloadProfile['entries'][number][] = [];
  for (const [arch, cpus] of [
    ['x86_64', x86],
    ['arm64', arm],
  ] as const) {
    for (const memoryMb of MEMORY) {
      cpus.forEach((cpu, i) => {
        const meanMs = (2_000 * 1769) / Math.min(memoryMb, 1769) / (1 + 0.1 * i);
        entries.push({ cpu, arch, memoryMb, stats: { count: 40, meanMs, m2: 39 * (0.05 * meanMs) ** 2 } });
      });
    }
  }
  const router = new Router(
    { ...view, profiles: { ...view.profiles, render: { workload: 'render', entries } } },
    { baselineZone: 'usw1-az3', refreshFraction: 0 },
  );
  const zone = view.zones.find((z) => z.azId === 'usw1-az3') as Characterization;
  const calls = 400;
  const perCall = new Float64Array(calls);
  let sink = 0;
  for (let i = 0; i < calls + 50; i++) {
    const arch = i % 2 === 0 ? 'x86_64' : 'arm64';
    const memoryMb = MEMORY[i % MEMORY.length];
    const cpu = arch === 'x86_64' ? x86[i % x86.length] : arm[i % arm.length];
    const t0 = process.hrtime.bigint();
    router.observe({
      workload: 'render',
      target: {
        azId: zone.azId,
        region: zone.region,
        arch,
        memoryMb,
        functionName: dynamicFunctionName(zone.azId, arch, memoryMb),
      },
      cpu,
      runtimeMs: 2_000 * (1 + 0.05 * Math.sin(i)),
      rejected: false,
    });
    sink += router.place({
      workload: 'render',
      limits: { regions: ['us-west-1', 'us-east-1', 'eu-west-1'] },
    }).maxAttempts;
    // The first 50 warm the JIT.
    if (i >= 50) perCall[i - 50] = Number(process.hrtime.bigint() - t0) / 1e3;
  }
  perCall.sort();
  // The profile book's part of a recompile: a plan asks for each CPU × arch × memory size's runtime once, and each
  // estimate in an observed cell pools the workload's cv over all its cells twice (confidence, carried weight).
  const book = router.profiles;
  const rounds = 200;
  const perPlan = MEMORY.length * (x86.length + arm.length);
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) {
    for (const memoryMb of MEMORY) {
      for (const cpu of x86) sink += book.runtime('render', cpu, 'x86_64', memoryMb).meanMs;
      for (const cpu of arm) sink += book.runtime('render', cpu, 'arm64', memoryMb).meanMs;
    }
  }
  const estimatesUs = Number(process.hrtime.bigint() - t0) / 1e3 / rounds;
  const t1 = process.hrtime.bigint();
  for (let r = 0; r < rounds * 2 * perPlan; r++) sink += book.runtimeCv('render') ?? 0;
  const poolingUs = Number(process.hrtime.bigint() - t1) / 1e3 / rounds;
  console.log(
    `${'learn + place (plan recompiled, 2 arch x 9 MB x 6 CPUs profiled)'.padEnd(44)} median ${quantile(perCall, 0.5).toFixed(0).padStart(7)} µs   p99 ${quantile(perCall, 0.99).toFixed(0).padStart(8)} µs` +
      (sink < 0 ? ' ' : ''),
  );
  console.log(
    `  of one recompile: ${perPlan} runtime estimates ${estimatesUs.toFixed(0)} µs, ` +
      `of which pooling the cv (twice per estimate) ${poolingUs.toFixed(0)} µs`,
  );
}
