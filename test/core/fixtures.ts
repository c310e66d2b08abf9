import { buildCandidate, type Candidate, type EvaluationParams, targetOf } from '../../lib/core/candidate';
import type { Arch, Characterization, RegionFacts, RoutingView, WorkloadProfile } from '../../lib/core/types';

export const NOW = Date.parse('2026-03-01T00:00:00Z');
export const X25 = 'intel-xeon-2.50';
export const X30 = 'intel-xeon-3.00';
export const X29 = 'intel-xeon-2.90';
export const EPYC = 'amd-epyc';

export function facts(region: string, lat: number, lon: number, carbon: number, x86 = 0.0000166667): RegionFacts {
  return {
    region,
    location: { lat, lon },
    pricePerGbSecond: { x86_64: x86, arm64: x86 * 0.8 },
    pricePerRequest: 0.0000002,
    carbonGPerKwh: carbon,
  };
}

export const REGIONS: Record<string, RegionFacts> = {
  'us-west-1': facts('us-west-1', 37.77, -122.42, 250),
  'sa-east-1': facts('sa-east-1', -23.55, -46.63, 90, 0.0000216),
  'eu-north-1': facts('eu-north-1', 59.33, 18.07, 10),
  'ca-central-1': facts('ca-central-1', 45.5, -73.57, 30),
};

export function characterization(
  azId: string,
  region: string,
  counts: Record<string, number>,
  hoursAgo = 1,
): Characterization {
  const instancesSeen = Object.values(counts).reduce((s, n) => s + n, 0);
  return {
    azId,
    region,
    counts,
    instancesSeen,
    polls: 3,
    failures: 0,
    measuredAt: new Date(NOW - hoursAgo * 3_600_000).toISOString(),
    driftClass: 'unknown',
    costUsd: 0.05,
  };
}

/** A profile with one entry per CPU at one memory size: baseMs × relative runtime, 100 observations each. */
export function profile(
  workload: string,
  baseMs: number,
  relative: Record<string, number>,
  memoryMb = 2048,
  arch: Arch = 'x86_64',
): WorkloadProfile {
  return {
    workload,
    entries: Object.entries(relative).map(([cpu, r]) => ({
      cpu,
      arch,
      memoryMb,
      stats: { count: 100, meanMs: baseMs * r, m2: 100 * (0.03 * baseMs * r) ** 2 },
    })),
  };
}

export const ZIPPER = profile('zipper', 3000, { [X25]: 1, [X30]: 0.88, [X29]: 1.22, [EPYC]: 1.35 });

export function paperView(overrides: Partial<RoutingView> = {}): RoutingView {
  const zones = [
    characterization('usw1-az1', 'us-west-1', { [X25]: 550, [X30]: 300, [X29]: 150 }),
    characterization('usw1-az3', 'us-west-1', { [X25]: 500, [X30]: 150, [X29]: 250, [EPYC]: 100 }),
    characterization('sae1-az1', 'sa-east-1', { [X25]: 300, [X30]: 650, [X29]: 50 }),
    characterization('eun1-az1', 'eu-north-1', { [X25]: 900, [X30]: 100 }),
  ];
  return {
    zones,
    deployed: [...zones.map((z) => ({ azId: z.azId, region: z.region })), { azId: 'cac1-az1', region: 'ca-central-1' }],
    architectures: ['x86_64', 'arm64'],
    memorySizes: [128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240],
    profiles: { zipper: ZIPPER },
    regions: REGIONS,
    now: NOW,
    ...overrides,
  };
}

/** The region of the candidates `candidateOf` builds. */
export const CANDIDATE_REGION = facts('us-west-1', 37.77, -122.42, 250);

/** A candidate of usw1-az1 x86_64 for one workload: CPUs `cpu-0`, `cpu-1`, … with these shares and runtimes. */
export function candidateOf(
  shares: readonly number[],
  runtimesMs: readonly number[],
  options: {
    readonly memoryMb?: number;
    readonly cpus?: readonly string[];
    readonly confidences?: readonly number[];
    readonly slowest?: readonly string[];
    readonly mixConfidence?: number;
    readonly uncertaintyPenalty?: number;
    /** @default CANDIDATE_REGION */
    readonly facts?: RegionFacts;
  } = {},
): Candidate {
  return buildCandidate(
    0,
    0,
    targetOf('usw1-az1', 'us-west-1', 'x86_64', options.memoryMb ?? 1024),
    0,
    options.facts ?? CANDIDATE_REGION,
    options.cpus ?? shares.map((_, i) => `cpu-${i}`),
    shares,
    runtimesMs,
    options.confidences ?? shares.map(() => 1),
    new Set(options.slowest ?? []),
    options.mixConfidence ?? 1,
    options.uncertaintyPenalty ?? 0,
  );
}

/** `candidateOf` with `shares` normalised to sum to 1 (property tests draw them unnormalised). */
export function normalisedCandidateOf(
  shares: readonly number[],
  runtimesMs: readonly number[],
  memoryMb: number,
): Candidate {
  const total = shares.reduce((a, b) => a + b, 0);
  return candidateOf(
    shares.map((p) => p / total),
    runtimesMs,
    { memoryMb },
  );
}

/** Cost-only evaluation params: a 150 ms hold that ends the rejected instance, INIT 150 ms, one call per instance. */
export function evaluationParams(overrides: Partial<EvaluationParams> = {}): EvaluationParams {
  return {
    wCost: 1,
    wLatency: 0,
    wCarbon: 0,
    holdMs: 150,
    maxAttempts: 10,
    retryOverheadMs: 10,
    maxAddedLatencyMs: Number.POSITIVE_INFINITY,
    initBilledMs: 150,
    coldStartShare: 1,
    usesPerInstance: 1,
    searchUses: 1,
    keepBeforeLastAttempt: false,
    rejectedStayWarm: false,
    returnShare: 1,
    retryRepeat: 0,
    ...overrides,
  };
}
