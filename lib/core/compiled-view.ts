import { targetOf } from './candidate';
import { archOfCpu } from './cpu';
import { isLambdaMemorySize } from './lambda-limits';
import type { Arch, CpuKey, RegionFacts, RoutingView, Target } from './types';
import { type ResolvedZone, resolveZones } from './zone-mix';

/**
 * Facts assumed for a region the view has no facts for: us-east-1's first-tier prices (x86_64
 * $0.0000166667 and arm64 $0.0000133334 per GB-s, $0.20 per million requests) and a world-average
 * grid of 475 gCO2e/kWh (IEA, 2022); no location, so its network latency is `UNKNOWN_REGION_RTT_MS`.
 */
export const DEFAULT_REGION_FACTS: Omit<RegionFacts, 'region'> = Object.freeze({
  location: { lat: Number.NaN, lon: Number.NaN },
  pricePerGbSecond: { x86_64: 0.0000166667, arm64: 0.0000133334 },
  pricePerRequest: 0.0000002,
  carbonGPerKwh: 475,
});

/** Round trip assumed to a region without coordinates (an intercontinental guess), ms. */
export const UNKNOWN_REGION_RTT_MS = 150;

/** The workload-independent part of a view, computed once per view. */
export interface CompiledView {
  readonly view: RoutingView;
  /** Deployed zones sorted by AZ ID. */
  readonly zones: readonly ResolvedZone[];
  readonly zoneIndex: ReadonlyMap<string, number>;
  /** Region of each zone, as an index into `regions`. */
  readonly zoneRegion: Int32Array;
  readonly regions: readonly RegionFacts[];
  readonly regionIndex: ReadonlyMap<string, number>;
  /** Notes per region (facts assumed). */
  readonly regionNotes: ReadonlyArray<readonly string[]>;
  readonly architectures: readonly Arch[];
  /** Valid memory sizes, ascending. */
  readonly memorySizes: readonly number[];
  /** Every CPU type present in some zone's mix, per architecture, sorted. */
  readonly cpusByArch: Readonly<Record<Arch, readonly CpuKey[]>>;
  /** targets[(zone × 2 + arch) × memorySizes.length + memory], arch 0 = x86_64, 1 = arm64. */
  readonly targets: readonly Target[];
  /**
   * Whether each target is deployed, aligned with `targets`: a zone of a provider with fewer
   * configurations (IBM Code Engine: 1, 2 and 4 GB, x86_64) lists its own in `RoutingView.deployed`.
   */
  readonly targetDeployed: Uint8Array;
}

/** Compiles a view: zone mixes with their fallbacks, region facts, sizes. */
export function compileView(view: RoutingView, staleAfterMs: number): CompiledView {
  const zones = resolveZones(view, staleAfterMs).sort((a, b) => (a.azId < b.azId ? -1 : a.azId > b.azId ? 1 : 0));
  const zoneIndex = new Map(zones.map((z, i) => [z.azId, i]));
  const regions: RegionFacts[] = [];
  const regionNotes: string[][] = [];
  const regionIndex = new Map<string, number>();
  const zoneRegion = new Int32Array(zones.length);
  zones.forEach((zone, i) => {
    let r = regionIndex.get(zone.region);
    if (r === undefined) {
      r = regions.length;
      regionIndex.set(zone.region, r);
      const facts = view.regions[zone.region];
      regions.push(facts ?? { region: zone.region, ...DEFAULT_REGION_FACTS });
      regionNotes.push(
        facts ? [] : [`no facts for region ${zone.region}: us-east-1 prices and a world-average grid assumed`],
      );
    }
    zoneRegion[i] = r;
  });
  const architectures = (['x86_64', 'arm64'] as const).filter((a) => view.architectures.includes(a));
  const memorySizes = [...new Set(view.memorySizes)].filter(isLambdaMemorySize).sort((a, b) => a - b);
  const cpusByArch: Record<Arch, Set<CpuKey>> = { x86_64: new Set(), arm64: new Set() };
  for (const zone of zones) {
    for (const arch of ['x86_64', 'arm64'] as const) {
      for (const cpu of zone.mixes[arch].cpus) if (archOfCpu(cpu) === arch) cpusByArch[arch].add(cpu);
    }
    for (const mix of Object.values(zone.functionMixes ?? {})) {
      for (const cpu of mix.cpus) cpusByArch[archOfCpu(cpu)].add(cpu);
    }
  }
  const targets: Target[] = [];
  const targetDeployed = new Uint8Array(zones.length * 2 * memorySizes.length);
  const deployedById = new Map(view.deployed.map((z) => [z.azId, z]));
  for (const zone of zones) {
    const own = deployedById.get(zone.azId);
    for (const arch of ['x86_64', 'arm64'] as const) {
      const archDeployed = own?.architectures ? own.architectures.includes(arch) : true;
      for (const mb of memorySizes) {
        const memDeployed = own?.memorySizes ? own.memorySizes.includes(mb) : true;
        targetDeployed[targets.length] = archDeployed && memDeployed ? 1 : 0;
        targets.push(targetOf(zone.azId, zone.region, arch, mb));
      }
    }
  }
  return {
    view,
    targets,
    targetDeployed,
    zones,
    zoneIndex,
    zoneRegion,
    regions,
    regionIndex,
    regionNotes,
    architectures,
    memorySizes,
    cpusByArch: { x86_64: [...cpusByArch.x86_64].sort(), arm64: [...cpusByArch.arm64].sort() },
  };
}
