import { archOfCpu, characterizationArch } from './cpu';
import { BASELINE_CPU } from './cpu-speed';
import { fleetHostsOf, functionMixOf, windowPriorHosts } from './function-mix';
import type { Arch, Characterization, CpuCounts, CpuKey, RoutingView } from './types';

/** Where a zone's CPU mix came from. */
export type MixSource = 'measured' | 'passive' | 'stale-blend' | 'region-average' | 'global-average' | 'baseline-cpu';

/**
 * Mixes that describe a fleet someone met (a sampler or a routed call). A prior mix (another zone's average, the
 * baseline CPU) says nothing of what the zone holds, nor that it has a fleet of that architecture at all.
 */
const OBSERVED_MIXES: ReadonlySet<MixSource> = new Set<MixSource>(['measured', 'passive', 'stale-blend']);

/** Whether a mix from `source` was observed in its fleet, not assumed from elsewhere. */
export function isObservedMix(source: MixSource): boolean {
  return OBSERVED_MIXES.has(source);
}

/**
 * Whether a mix from `source` was borrowed from other zones' fleets of its architecture (their region's or the sky's
 * average): those fleets were sampled or met, this one was not, though it may have been sampled and held no instance
 * to meet (a sampling run that saturates before it meets enough instances stores nothing).
 */
export function isBorrowedMix(source: MixSource): boolean {
  return source === 'region-average' || source === 'global-average';
}

/** A zone's CPU shares for one architecture. */
export interface ZoneMix {
  readonly cpus: readonly CpuKey[];
  /** Shares aligned with `cpus`, summing to 1, all > 0. */
  readonly shares: readonly number[];
  readonly source: MixSource;
  /** How much the mix is a measurement of this zone (0..1): 1 measured, the measurement's weight when stale, 0.5 region average, 0.25 global average, 0 baseline CPU. */
  readonly confidence: number;
}

/** A deployed zone as the router sees it. */
export interface ResolvedZone {
  readonly azId: string;
  readonly region: string;
  readonly mixes: Readonly<Record<Arch, ZoneMix>>;
  /** Why the mix of an architecture is not simply the latest measurement, if it is not. */
  readonly notes: Readonly<Record<Arch, readonly string[]>>;
  /**
   * The mixes of the zone's dynamic functions that have shown hosts (`view.functionHosts`), by function name: the
   * zone's mix of the function's architecture moved toward its hosts (`functionMixOf`). A target whose function is
   * not here is priced with the zone's mix.
   */
  readonly functionMixes?: Readonly<Record<string, ZoneMix>>;
  /** The hosts of each characterized fleet of the zone, by architecture (`fleetHostsOf`). */
  readonly hosts?: Readonly<Partial<Record<Arch, number>>>;
}

type Shares = Map<CpuKey, number>;

/** The APE bound at which a measured mix is trusted as much as a region average (confidence 0.5). */
export const REGION_AVERAGE_EQUIVALENT_APE = 25;

/**
 * How much a measured mix is trusted (0..1), from the APE bound its sampling run recorded: 1 at 0,
 * 0.5 at `REGION_AVERAGE_EQUIVALENT_APE` (what a region average is worth), 0 at twice that or more.
 * A characterization without a recorded confidence counts as 1.
 */
export function measuredConfidence(zone: Pick<Characterization, 'confidence'>): number {
  const bound = zone.confidence?.apeBound;
  if (bound === undefined || !Number.isFinite(bound)) return 1;
  return Math.min(1, Math.max(0, 1 - bound / (2 * REGION_AVERAGE_EQUIVALENT_APE)));
}

/**
 * A characterization's counts rescaled to the sample size its APE bound is worth: n draws of a
 * multinomial are expected off by 100·√(2/π)·Σ√(p(1−p)/n) APE, so a bound b is worth about
 * n = (100·√(2/π)·Σ√(p(1−p)) / b)² draws (at least the hosts seen; b floored at 0.5). Passive counts
 * (new instances met by routed calls) then weigh against the measurement by evidence, not by unit.
 * Characterizations without a recorded confidence keep their counts.
 */
export function evidenceCounts(zone: Pick<Characterization, 'counts' | 'confidence'>): CpuCounts {
  const confidence = zone.confidence;
  if (!confidence || !Number.isFinite(confidence.apeBound)) return zone.counts;
  const counts = positive(zone.counts);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return counts;
  let spread = 0;
  for (const n of Object.values(counts)) spread += Math.sqrt((n / total) * (1 - n / total));
  const worth = ((100 * Math.sqrt(2 / Math.PI) * spread) / Math.max(0.5, confidence.apeBound)) ** 2;
  const size = Math.max(confidence.hostsSeen, worth);
  const out: Record<CpuKey, number> = {};
  for (const [cpu, n] of Object.entries(counts)) out[cpu] = (n / total) * size;
  return out;
}

/** The finite, positive counts of a record (passive counts come from the outside). */
function positive(counts: CpuCounts): CpuCounts {
  const out: Record<CpuKey, number> = {};
  for (const cpu of Object.keys(counts)) if (Number.isFinite(counts[cpu]) && counts[cpu] > 0) out[cpu] = counts[cpu];
  return out;
}

function sharesOf(zone: Pick<Characterization, 'counts'>, arch: Arch): Shares | undefined {
  let total = 0;
  const shares: Shares = new Map();
  for (const cpu of Object.keys(zone.counts).sort()) {
    const n = zone.counts[cpu];
    if (!Number.isFinite(n) || n <= 0 || archOfCpu(cpu) !== arch) continue;
    shares.set(cpu, n);
    total += n;
  }
  if (total === 0) return undefined;
  for (const [cpu, n] of shares) shares.set(cpu, n / total);
  return shares;
}

function average(list: readonly Shares[]): Shares | undefined {
  if (list.length === 0) return undefined;
  const sum: Shares = new Map();
  for (const shares of list) for (const [cpu, p] of shares) sum.set(cpu, (sum.get(cpu) ?? 0) + p / list.length);
  return sum;
}

const PRIOR_CONFIDENCE: Readonly<Record<MixSource, number>> = {
  measured: 1,
  passive: 1,
  'stale-blend': 1,
  'region-average': 0.5,
  'global-average': 0.25,
  'baseline-cpu': 0,
};

function toMix(shares: Shares, source: MixSource, confidence = PRIOR_CONFIDENCE[source]): ZoneMix {
  const cpus = [...shares.keys()].filter((cpu) => (shares.get(cpu) ?? 0) > 0).sort();
  const total = cpus.reduce((sum, cpu) => sum + (shares.get(cpu) ?? 0), 0);
  return { cpus, shares: cpus.map((cpu) => (shares.get(cpu) ?? 0) / total), source, confidence };
}

/**
 * Resolves every deployed zone's CPU mix per architecture, with these documented fallbacks:
 * - measured: the zone's latest characterization, restricted to the architecture's CPUs;
 * - stale (older than `staleAfterMs`): the measurement keeps weight staleAfterMs / age (half at
 *   twice the limit) and the prior below fills the rest, and a note says so;
 * - no characterization (or none of this architecture's CPUs): the average of the region's other
 *   measured zones, else of all measured zones, else the architecture's baseline CPU alone
 *   (the 2.5 GHz Xeon, present in every Lambda region per §4.2; Graviton2 on arm64), noted.
 * The measured mix's confidence comes from the APE bound its run recorded (`measuredConfidence`),
 * so the router's uncertainty penalty weighs a loosely measured zone against better-known ones.
 *
 * Passive counts (`view.passive`: new instances met by routed calls, already aged by
 * `decayedPassiveCounts`) join by evidence. The characterization is worth the draws its APE bound
 * is worth (`evidenceCounts`), N, times its staleness weight w; the passive counts are worth their
 * aged total, P; the prior stands in only for evidence that is missing, with max(0, N·(1 − w) − P)
 * draws. So a fresh characterization takes passive counts as more draws of the same mix; a stale
 * one without passive counts is blended toward the prior exactly as above; and a stale or wrong
 * one gives way to what routed calls meet, the mix tending to the passive counts' as they grow
 * past N·w. A zone (or architecture) with passive counts but no characterization gets a `passive`
 * mix from them alone. Averages use fresh measurements when there are any. If `deployed` is
 * empty, the characterized zones are taken as deployed. Each dynamic function that has shown hosts
 * (`view.functionHosts`) gets its own mix from its zone's (`functionMixes`, see `function-mix.ts`).
 */
export function resolveZones(view: RoutingView, staleAfterMs: number): ResolvedZone[] {
  // One characterization per zone × sampled architecture; a zone whose arm64 fleet was never sampled
  // reads its arm64 CPUs (if any) from its x86_64 characterization, as before arm64 sampling.
  const byZoneArch = new Map<string, Characterization>();
  for (const zone of view.zones) byZoneArch.set(`${zone.azId}|${characterizationArch(zone)}`, zone);
  const characterizationFor = (azId: string, arch: Arch): Characterization | undefined =>
    byZoneArch.get(`${azId}|${arch}`) ?? byZoneArch.get(`${azId}|x86_64`);
  const deployed =
    view.deployed.length > 0 ? view.deployed : view.zones.map((z) => ({ azId: z.azId, region: z.region }));
  const ageOf = (zone: Characterization): number => view.now - Date.parse(zone.measuredAt);
  const isFresh = (zone: Characterization): boolean => !(ageOf(zone) > staleAfterMs);

  const priorFor = (arch: Arch, azId: string, region: string): { shares: Shares; source: MixSource } => {
    const others = [...new Set(view.zones.map((z) => z.azId))]
      .filter((id) => id !== azId)
      .map((id) => characterizationFor(id, arch))
      .filter((z): z is Characterization => z !== undefined);
    const pick = (zones: readonly Characterization[]): Shares | undefined => {
      const fresh = zones.filter(isFresh);
      const use = fresh.length > 0 ? fresh : zones;
      return average(use.map((z) => sharesOf(z, arch)).filter((s): s is Shares => s !== undefined));
    };
    const regional = pick(others.filter((z) => z.region === region));
    if (regional) return { shares: regional, source: 'region-average' };
    const global = pick(others);
    if (global) return { shares: global, source: 'global-average' };
    return { shares: new Map([[BASELINE_CPU[arch], 1]]), source: 'baseline-cpu' };
  };

  const functionEvidence = Object.entries(view.functionHosts ?? {});
  const seen = new Set<string>();
  const resolved: ResolvedZone[] = [];
  for (const { azId, region } of deployed) {
    if (seen.has(azId)) continue;
    seen.add(azId);
    const notes: Record<Arch, string[]> = { x86_64: [], arm64: [] };
    const mixes = {} as Record<Arch, ZoneMix>;
    const passiveCounts = view.passive?.[azId];
    const hosts: Partial<Record<Arch, number>> = {};
    for (const arch of ['x86_64', 'arm64'] as const) {
      const zone = characterizationFor(azId, arch);
      if (zone && characterizationArch(zone) === arch) hosts[arch] = fleetHostsOf(zone, arch);
      const evidence = zone ? evidenceCounts(zone) : undefined;
      const measured = evidence ? countsOf(evidence, arch) : undefined;
      const passive = passiveCounts ? countsOf(passiveCounts, arch) : undefined;
      if (!measured && passive) {
        mixes[arch] = toMix(passive.shares, 'passive');
        notes[arch].push(
          zone
            ? `${azId} has no ${arch} characterization: its ${arch} mix comes from routed calls alone`
            : `${azId} has no characterization: its ${arch} mix comes from routed calls alone`,
        );
        continue;
      }
      if (!zone || !measured) {
        const prior = priorFor(arch, azId, region);
        mixes[arch] = toMix(prior.shares, prior.source);
        notes[arch].push(`${azId} has no ${arch} characterization: using the ${prior.source.replace('-', ' ')} mix`);
        continue;
      }
      const age = ageOf(zone);
      const stale = age > staleAfterMs;
      const weight = stale ? staleAfterMs / age : 1;
      const kept = measured.total * weight;
      const learned = passive?.total ?? 0;
      const missing = Math.max(0, measured.total - kept - learned);
      const prior = stale && missing > 0 ? priorFor(arch, azId, region) : undefined;
      const parts: Array<{ shares: Shares; draws: number; confidence: number }> = [
        { shares: measured.shares, draws: kept, confidence: measuredConfidence(zone) },
      ];
      if (passive) parts.push({ shares: passive.shares, draws: learned, confidence: PRIOR_CONFIDENCE.passive });
      if (prior) parts.push({ shares: prior.shares, draws: missing, confidence: PRIOR_CONFIDENCE[prior.source] });
      const draws = kept + learned + (prior ? missing : 0);
      const shares = mixOf(parts, draws);
      if (!stale) {
        mixes[arch] = toMix(shares, 'measured', measuredConfidence(zone));
        continue;
      }
      const confidence = parts.reduce((sum, p) => sum + (p.draws / draws) * p.confidence, 0);
      mixes[arch] = toMix(shares, 'stale-blend', confidence);
      const pct = (n: number): string => `${Math.round((n / draws) * 100)}%`;
      notes[arch].push(
        `${azId} was characterized ${(age / 3_600_000).toFixed(1)} h ago (stale after ${(staleAfterMs / 3_600_000).toFixed(1)} h): ` +
          `its ${arch} mix is weighted ${pct(kept)} on it` +
          (passive ? `, ${pct(learned)} on instances routed calls met` : '') +
          (prior ? `, ${pct(missing)} on the ${prior.source.replace('-', ' ')}` : ''),
      );
    }
    const functionMixes: Record<string, ZoneMix> = Object.create(null);
    let functions = 0;
    for (const [name, evidence] of functionEvidence) {
      if (evidence.azId !== azId || !mixes[evidence.arch]) continue;
      const zone = characterizationFor(azId, evidence.arch);
      // The function's window hosts not shown count as the zone's mix; a fleet never characterized has no size.
      if (!zone || characterizationArch(zone) !== evidence.arch) continue;
      const shown = Object.values(evidence.hosts).reduce((sum, n) => sum + n, 0);
      const prior = windowPriorHosts(fleetHostsOf(zone, evidence.arch), evidence.windowShare, shown);
      functionMixes[name] = functionMixOf(mixes[evidence.arch], evidence.hosts, prior);
      functions++;
    }
    resolved.push({
      azId,
      region,
      mixes,
      notes,
      ...(functions > 0 ? { functionMixes } : {}),
      ...(Object.keys(hosts).length > 0 ? { hosts } : {}),
    });
  }
  return resolved;
}

/** A record's counts of one architecture's CPUs as shares, with their total; undefined when none. */
function countsOf(counts: CpuCounts, arch: Arch): { shares: Shares; total: number } | undefined {
  const shares = sharesOf({ counts }, arch);
  if (!shares) return undefined;
  let total = 0;
  for (const cpu of shares.keys()) total += counts[cpu];
  return { shares, total };
}

/** The draws-weighted mix of several sources' shares. */
function mixOf(parts: ReadonlyArray<{ shares: Shares; draws: number }>, draws: number): Shares {
  const out: Shares = new Map();
  for (const part of parts) {
    for (const [cpu, p] of part.shares) out.set(cpu, (out.get(cpu) ?? 0) + (p * part.draws) / draws);
  }
  return out;
}
