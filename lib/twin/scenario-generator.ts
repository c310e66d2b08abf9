import { regionInfo } from '../catalog';
import {
  ABSENT_CPU_PSEUDO_COUNT,
  FLAT_RELATIVE,
  GENERATOR_CPUS,
  GRAVITON2_RELATIVE,
  GRAVITON3_OVER_GRAVITON2,
  GRAVITON3_SHARE,
  MEASURED_MIX_2024,
  MEASURED_RELATIVE_2025,
  PAPER_RELATIVE,
  type Range,
  SHAPE,
  SHIFTED_MIX_2025,
  type X86CpuKey,
  ZONE_CONCENTRATION,
} from './generator-ranges';
import { type Rng, randomIndex, rngFor, shuffleInPlace } from './random';
import { parseScenario, type Scenario } from './scenario';
import { DYNAMIC_TIMEOUT_MS, fitsScenarioTimeout, scenarioHeadroom } from './workload-model';
import { DEFAULT_HOST_MEMORY_MB } from './zone';

/**
 * Seeded scenarios the project has not seen: zones of measured regions whose mixes stray from the measured
 * shares, some with arm64 fleets, some that drift or shift abruptly; workloads short and long whose CPU speeds
 * follow the paper's or the 2025 measurements (memory-dependent); bursts from a handful to thousands. Every draw
 * comes from `rngFor(seed, 'generator', ...)`, so a seed names one scenario for a given GENERATOR_VERSION.
 */

/** Bumped whenever a seed would generate a different scenario, so a figure quoted with a seed stays traceable. */
export const GENERATOR_VERSION = 1;

/** How each zone's mix moves over the days. */
export type DriftKind = 'stable' | 'drifting' | 'shift';
/** How many requests a burst sends at once. */
export type ConcurrencyClass = 'low' | 'mid' | 'high';
/** Where a workload's CPU speeds come from. */
export type SpeedProfile = 'paper' | 'flat' | 'measured-2025';

/** What a generated scenario exercises, for its description and for picking seeds that cover a feature. */
export interface GeneratedTraits {
  readonly concurrency: ConcurrencyClass;
  readonly drift: Readonly<Record<string, DriftKind>>;
  /** Zones with an arm64 fleet, and of those the ones with any Graviton3. */
  readonly arm64Zones: readonly string[];
  readonly graviton3Zones: readonly string[];
  readonly workloads: Readonly<Record<string, { readonly length: 'short' | 'long'; readonly speeds: SpeedProfile }>>;
}

/** A generated scenario: the file as JSON (what `--save-scenario` writes), the parsed scenario and its traits. */
export interface GeneratedScenario {
  readonly json: Readonly<Record<string, unknown>>;
  readonly scenario: Scenario;
  readonly traits: GeneratedTraits;
}

/** The name a generated scenario carries, from its seed. */
export function generatedScenarioName(seed: number): string {
  return `generated-${seed}`;
}

const uniform = (rng: Rng, [low, high]: Range): number => low + (high - low) * rng.next();
const logUniform = (rng: Rng, [low, high]: Range): number => Math.exp(uniform(rng, [Math.log(low), Math.log(high)]));
const wholeIn = (rng: Rng, [low, high]: Range): number => low + randomIndex(rng, high - low + 1);
const pick = <T>(rng: Rng, items: readonly T[]): T => items[randomIndex(rng, items.length)];
const round = (x: number, digits: number): number => Number(x.toFixed(digits));

/** A Gamma(shape, 1) draw (Marsaglia and Tsang 2000; shape < 1 boosted by U^(1/shape)). */
function gamma(rng: Rng, shape: number): number {
  if (shape < 1) return gamma(rng, shape + 1) * rng.next() ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      // Box–Muller, inline so the draw stays on this stream
      let u1 = rng.next();
      while (u1 <= Number.EPSILON) u1 = rng.next();
      x = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng.next());
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x ** 4 || Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/** A Dirichlet draw with parameters `alpha` (by key). */
function dirichlet<K extends string>(rng: Rng, alpha: Readonly<Record<K, number>>): Record<K, number> {
  const keys = Object.keys(alpha) as K[];
  const draws = keys.map((k) => gamma(rng, alpha[k]));
  const sum = draws.reduce((a, b) => a + b, 0);
  return Object.fromEntries(keys.map((k, i) => [k, draws[i] / sum])) as Record<K, number>;
}

/**
 * Shares rounded to 3 decimals that sum to exactly 1 (the remainder goes to the largest), without the CPUs that
 * round to nothing: the form a scenario file takes.
 */
export function roundedMix(shares: Readonly<Record<string, number>>): Record<string, number> {
  const entries = Object.entries(shares)
    .map(([k, v]) => [k, Math.round(v * 1000)] as const)
    .filter(([, v]) => v > 0);
  const total = entries.reduce((s, [, v]) => s + v, 0);
  const largest = entries.reduce((best, e) => (e[1] > best[1] ? e : best), entries[0]);
  return Object.fromEntries(entries.map(([k, v]) => [k, (k === largest[0] ? v + 1000 - total : v) / 1000]));
}

function strayedMix(rng: Rng, around: Readonly<Record<X86CpuKey, number>>, concentration: number) {
  const alpha = Object.fromEntries(
    (Object.keys(around) as X86CpuKey[]).map((k) => [k, concentration * around[k] + ABSENT_CPU_PSEUDO_COUNT]),
  ) as Record<X86CpuKey, number>;
  return dirichlet(rng, alpha);
}

function shiftedMix(rng: Rng): Record<X86CpuKey, number> {
  const raw = Object.fromEntries(
    (Object.keys(SHIFTED_MIX_2025) as X86CpuKey[]).map((k) => [k, uniform(rng, SHIFTED_MIX_2025[k])]),
  ) as Record<X86CpuKey, number>;
  const sum = Object.values(raw).reduce((a, b) => a + b, 0);
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, v / sum])) as Record<X86CpuKey, number>;
}

/** Regions with a measured mix that the catalog knows, each with its AZ IDs. */
function usableRegions(): { region: string; azIds: readonly string[] }[] {
  return Object.keys(MEASURED_MIX_2024)
    .sort()
    .flatMap((region) => {
      const azIds = regionInfo(region)?.azIds ?? [];
      return azIds.length > 0 ? [{ region, azIds }] : [];
    });
}

interface DrawnZone {
  readonly json: Record<string, unknown> & { hosts: number; slotsPerHost: number };
  readonly azId: string;
  readonly region: string;
  readonly drift: DriftKind;
  readonly arm64: boolean;
  readonly graviton3: boolean;
}

function drawZone(seed: number, k: number, region: string, azId: string, days: number): DrawnZone {
  const rng = rngFor(seed, 'generator', 'zone', k);
  const measured = MEASURED_MIX_2024[region];
  const day0 = strayedMix(rng, measured, logUniform(rng, ZONE_CONCENTRATION));
  const driftDraw = rng.next();
  const drift: DriftKind = driftDraw < 0.45 ? 'stable' : driftDraw < 0.75 ? 'drifting' : 'shift';
  const mixes: Record<X86CpuKey, number>[] = [day0];
  if (drift === 'drifting') {
    for (let d = 1; d < days; d++) mixes.push(strayedMix(rng, mixes[d - 1], uniform(rng, [40, 150])));
  } else if (drift === 'shift') {
    const at = wholeIn(rng, [1, days - 1]);
    const after = shiftedMix(rng);
    for (let d = 1; d < days; d++) mixes.push(d < at ? day0 : after);
  }
  const hosts = Math.round(logUniform(rng, SHAPE.hosts));
  const slotsPerHost = wholeIn(rng, SHAPE.slotsPerHost);
  const packs = rng.next() < 0.7;
  const json: DrawnZone['json'] = {
    azId,
    region,
    hosts,
    slotsPerHost,
    ...(packs ? { placementSpread: round(uniform(rng, SHAPE.placementSpread), 2) } : {}),
    mix: mixes.map(roundedMix),
  };
  let arm64 = false;
  let graviton3 = false;
  if (rng.next() < SHAPE.arm64Chance) {
    arm64 = true;
    const share = rng.next() < 0.5 ? 0 : uniform(rng, GRAVITON3_SHARE);
    graviton3 = share > 0;
    const armMixes = [roundedMix({ graviton2: 1 - share, graviton3: share })];
    // Some fleets gain Graviton3 hosts part-way (as stress-arm-rare-fast's does on day 2).
    if (graviton3 && days > 1 && rng.next() < 0.5) {
      const at = wholeIn(rng, [1, days - 1]);
      const later = Math.min(0.9, share * uniform(rng, [1.5, 3]));
      for (let d = 1; d < days; d++)
        armMixes.push(d < at ? armMixes[0] : roundedMix({ graviton2: 1 - later, graviton3: later }));
    }
    json.arm64 = { hosts: wholeIn(rng, SHAPE.arm64Hosts), mix: armMixes };
  }
  return { json, azId, region, drift, arm64, graviton3 };
}

interface DrawnWorkload {
  readonly name: string;
  readonly json: Record<string, unknown> & { memoryMb: number; baseMs: number; cv: number };
  readonly length: 'short' | 'long';
  readonly speeds: SpeedProfile;
}

const rangeDraws = <K extends string>(rng: Rng, ranges: Readonly<Record<K, Range>>): Record<K, number> =>
  Object.fromEntries((Object.keys(ranges) as K[]).map((k) => [k, round(uniform(rng, ranges[k]), 3)])) as Record<
    K,
    number
  >;

function drawWorkload(seed: number, k: number, withArm64: boolean): DrawnWorkload {
  const rng = rngFor(seed, 'generator', 'workload', k);
  const length = rng.next() < 0.55 ? 'short' : 'long';
  const speedDraw = rng.next();
  const speeds: SpeedProfile = speedDraw < 0.5 ? 'paper' : speedDraw < 0.75 ? 'measured-2025' : 'flat';
  const memoryMb = pick(rng, length === 'short' ? SHAPE.shortMemoryMb : SHAPE.longMemoryMb);
  const vcpus = length === 'long' && rng.next() < 0.4 ? 2 : 1;
  const cv = round(uniform(rng, SHAPE.cv), 3);
  let baseMs = Math.round(logUniform(rng, length === 'short' ? SHAPE.shortMs : SHAPE.longMs));
  const minMemoryMb = length === 'short' ? 128 : Math.min(memoryMb, pick(rng, [128, 512, 1024]));
  let relative: Record<string, number>;
  let relativeAtMemory: Record<string, Record<string, number>> | undefined;
  if (speeds === 'measured-2025') {
    relativeAtMemory = Object.fromEntries(
      Object.entries(MEASURED_RELATIVE_2025).map(([mb, ranges]) => [mb, rangeDraws(rng, ranges)]),
    );
    // `relative` holds at memoryMb: the breakpoint at or below it.
    const at = Object.keys(relativeAtMemory)
      .map(Number)
      .filter((mb) => mb <= memoryMb)
      .sort((a, b) => b - a)[0];
    relative = { ...relativeAtMemory[String(at)] };
  } else {
    relative = rangeDraws(rng, speeds === 'paper' ? PAPER_RELATIVE : FLAT_RELATIVE);
  }
  if (withArm64) {
    const graviton2 = uniform(rng, GRAVITON2_RELATIVE);
    relative.graviton2 = round(graviton2, 3);
    relative.graviton3 = round(graviton2 * uniform(rng, GRAVITON3_OVER_GRAVITON2), 3);
  }
  // The fixed zone runs it at memoryMb: its slowest CPU must fit the dynamic function's timeout there.
  const slowest = Math.max(
    1,
    ...Object.values(relative),
    ...Object.values(relativeAtMemory ?? {}).flatMap(Object.values),
  );
  if (!fitsScenarioTimeout(baseMs * slowest, DYNAMIC_TIMEOUT_MS, cv)) {
    baseMs = Math.floor((0.95 * DYNAMIC_TIMEOUT_MS) / (slowest * scenarioHeadroom(cv)));
  }
  return {
    name: `${length}-${speeds === 'measured-2025' ? 'gemm' : speeds === 'flat' ? 'io' : 'cpu'}-${k + 1}`,
    json: {
      memoryMb,
      baseMs,
      cv,
      ...(vcpus === 1 ? {} : { vcpus }),
      minMemoryMb,
      relative,
      ...(relativeAtMemory ? { relativeAtMemory } : {}),
    },
    length,
    speeds,
  };
}

/** Instances of `memoryMb` a zone can hold at once (slots per host, or the host's memory, whichever binds). */
function capacityAt(zone: { hosts: number; slotsPerHost: number }, memoryMb: number): number {
  return zone.hosts * Math.min(zone.slotsPerHost, Math.floor(DEFAULT_HOST_MEMORY_MB / memoryMb));
}

/**
 * The scenario of `seed`: valid by the scenario format (it is parsed before it is returned), drawn from the
 * measured ranges of `generator-ranges.ts` and the design ranges beside them.
 * @throws ScenarioError if a draw broke the format (a bug in the generator: the message names the field).
 * @example
 * const { scenario, json } = generateScenario(12);
 * scenario.name; // 'generated-12'
 */
export function generateScenario(seed: number): GeneratedScenario {
  const rng = rngFor(seed, 'generator', 'shape');
  let days = wholeIn(rng, SHAPE.days);
  let workloadCount = wholeIn(rng, SHAPE.workloads);
  const zoneCount = wholeIn(rng, SHAPE.zones);
  const concurrencyDraw = rng.next();
  const concurrency: ConcurrencyClass = concurrencyDraw < 0.3 ? 'low' : concurrencyDraw < 0.65 ? 'mid' : 'high';
  const burst = wholeIn(
    rng,
    concurrency === 'low' ? SHAPE.burstLow : concurrency === 'mid' ? SHAPE.burstMid : SHAPE.burstHigh,
  );
  // Keep a run to at most 12,000 requests per strategy, so a handful of seeds runs in minutes.
  while (burst * days * workloadCount > 12_000 && days > 2) days--;
  while (burst * days * workloadCount > 12_000 && workloadCount > 1) workloadCount--;
  const initMs = Math.round(uniform(rng, SHAPE.initMs));

  const regions = shuffleInPlace(rng, usableRegions());
  const picked: { region: string; azId: string }[] = [];
  for (const r of regions) {
    if (picked.length === zoneCount) break;
    picked.push({ region: r.region, azId: pick(rng, r.azIds) });
    // Now and then a second zone of the same region: AZs of one region differ too (the paper's us-west-1a/1b).
    if (picked.length < zoneCount && r.azIds.length > 1 && rng.next() < 0.25) {
      picked.push({ region: r.region, azId: r.azIds.find((id) => id !== picked[picked.length - 1].azId) as string });
    }
  }
  const zones = picked.map((p, k) => drawZone(seed, k, p.region, p.azId, days));
  const withArm64 = zones.some((z) => z.arm64);
  const workloads = Array.from({ length: workloadCount }, (_, k) => drawWorkload(seed, k, withArm64));

  // The fixed zone must hold a burst of the largest workload, as the paper's did: the baseline never fails.
  const baseline = zones[randomIndex(rng, zones.length)];
  const largestMb = Math.max(...workloads.map((w) => w.json.memoryMb));
  const needed = Math.ceil(1.25 * Math.min(burst, 1000));
  if (capacityAt(baseline.json, largestMb) < needed) {
    baseline.json.hosts = Math.ceil(
      needed / Math.min(baseline.json.slotsPerHost, Math.floor(DEFAULT_HOST_MEMORY_MB / largestMb)),
    );
  }

  const cpus = Object.fromEntries(
    Object.entries(GENERATOR_CPUS)
      .filter(([key]) => withArm64 || !key.startsWith('graviton'))
      .map(([key, model]) => [key, { model }]),
  );
  const traits: GeneratedTraits = {
    concurrency,
    drift: Object.fromEntries(zones.map((z) => [z.azId, z.drift])),
    arm64Zones: zones.filter((z) => z.arm64).map((z) => z.azId),
    graviton3Zones: zones.filter((z) => z.graviton3).map((z) => z.azId),
    workloads: Object.fromEntries(workloads.map((w) => [w.name, { length: w.length, speeds: w.speeds }])),
  };
  const json = {
    name: generatedScenarioName(seed),
    description: describe(seed, traits, burst),
    seed,
    days,
    baselineZone: baseline.azId,
    pricing: { initBilled: true },
    initMs,
    cpus,
    zones: zones.map((z) => z.json),
    workloads: Object.fromEntries(workloads.map((w) => [w.name, w.json])),
    burst,
    holdMs: 150,
  };
  return { json, scenario: parseScenario(json, `generated scenario (seed ${seed})`), traits };
}

function describe(seed: number, traits: GeneratedTraits, burst: number): string {
  const drift = Object.entries(traits.drift)
    .map(([az, d]) => `${az} ${d}`)
    .join(', ');
  const workloads = Object.entries(traits.workloads)
    .map(([name, w]) => `${name} (${w.length}, ${w.speeds} speeds)`)
    .join(', ');
  return (
    `Generated by skymesh's scenario generator (version ${GENERATOR_VERSION}) from seed ${seed}; ` +
    '`sky twin --generate <seed>` reproduces it. Day-0 x86_64 mixes stray (a Dirichlet draw) from the measured 2024 ' +
    "shares of the zone's region (SAAF cpu_distribution notebook); a 'shift' zone moves on one day to a mix drawn " +
    "within us-east-1's late-2025 shifted shares (classifaas-results); 'drifting' zones move a little every day. " +
    "CPU speeds follow the paper's ranges ('paper', 'flat' for disk-bound work) or the late-2025 matrix multiply per " +
    'memory size (measured-2025). Capacities, bursts, INIT time, arm64 fleets and Graviton speeds are design choices ' +
    `(no Graviton was measured). Zones: ${drift}; arm64 fleets: ${traits.arm64Zones.join(', ') || 'none'} ` +
    `(with Graviton3: ${traits.graviton3Zones.join(', ') || 'none'}). Workloads: ${workloads}. ` +
    `Bursts of ${burst} (${traits.concurrency} concurrency).`
  );
}
