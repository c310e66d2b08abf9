import { type DatedFunctionHosts, functionEvidenceOf } from '../core/function-mix';
import { initEvidenceOf } from '../core/init-evidence';
import { type DatedPassiveCounts, decayedPassiveCounts } from '../core/passive-evidence';
import type { Characterization, CpuCounts, RegionFacts, RoutingView, WorkloadProfile } from '../core/types';
import type { RouterConfig } from './config';
import type { FunctionHostsPeriod, InitPeriod, PassiveZoneCounts, Placer, PlacerFactory, RouterStore } from './types';

/** What the router learned beyond characterizations, profiles and passive counts, as the store returns it. */
export interface LearnedExtras {
  /** Every function's hosts, one entry per stored day. @default none */
  readonly functionHosts?: readonly FunctionHostsPeriod[];
  /** The INIT reports, one entry per stored day. @default none */
  readonly init?: readonly InitPeriod[];
  /** The threads each profile's requests last said. @default none */
  readonly parallelism?: Readonly<Record<string, number>>;
}

/** A view snapshot and the placer built over it. */
export interface CachedView {
  readonly view: RoutingView;
  readonly placer: Placer;
  /** ms since epoch when the table was read (or the read failed). */
  readonly loadedAt: number;
  /** Why this view is not a fresh table read, when it is not. */
  readonly notes: readonly string[];
  /** The failed read, when no good view was there to fall back on (this view is empty). */
  readonly readError?: unknown;
}

export interface ViewCacheOptions {
  readonly store: Pick<
    RouterStore,
    'latestCharacterizations' | 'profiles' | 'allPassiveCounts' | 'allFunctionHosts' | 'allInitSums' | 'allParallelism'
  >;
  readonly config: RouterConfig;
  readonly placerFactory: PlacerFactory;
  readonly clock: () => number;
  readonly ttlMs: number;
  readonly onLoadError?: (error: unknown) => void;
}

/** After a failed read, how long to keep answering from the last good view before trying again. */
const RETRY_AFTER_FAILURE_MS = 1_000;

/**
 * Every zone's `LATEST` characterization, its `PASSIVE` counts (new instances met by routed calls,
 * which the core merges into the zone's mix) and every profile, read from the table at most once per
 * TTL per router instance (concurrent callers share one read), so a warm router adds no table read.
 *
 * Fallbacks (documented in the README): when the read fails, the last good view is kept and a note
 * says how old it is; with no good view yet, the router places on an empty view (no
 * characterizations, no profiles) and the core router's own fallback for uncharacterized zones applies.
 * Stale characterizations are passed through: the core router judges staleness from `view.now`.
 */
export class ViewCache {
  private current: CachedView | undefined;
  private expiresAt = 0;
  private loading: Promise<CachedView> | undefined;
  private readonly regions: Readonly<Record<string, RegionFacts>>;
  /** Table reads made so far (for tests and metrics). */
  reads = 0;

  constructor(private readonly options: ViewCacheOptions) {
    const regions: Record<string, RegionFacts> = {};
    for (const zone of options.config.deployed) regions[zone.region] ??= options.config.regionFacts(zone.region);
    this.regions = regions;
  }

  /** The current view, re-read when the TTL has passed. */
  get(): Promise<CachedView> {
    if (this.current && this.options.clock() < this.expiresAt) return Promise.resolve(this.current);
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  /** Forgets the cached view so the next `get()` reads the table. */
  invalidate(): void {
    this.expiresAt = 0;
  }

  /** Region facts of every deployed region (and of any other region asked for). */
  regionFacts(region: string): RegionFacts {
    return this.regions[region] ?? this.options.config.regionFacts(region);
  }

  private async load(): Promise<CachedView> {
    const { store, clock, ttlMs } = this.options;
    this.reads++;
    try {
      const [zones, profiles, passive, functionHosts, init, parallelism] = await Promise.all([
        store.latestCharacterizations(),
        store.profiles(),
        store.allPassiveCounts(),
        store.allFunctionHosts?.() ?? [],
        store.allInitSums?.() ?? [],
        store.allParallelism?.() ?? {},
      ]);
      const now = clock();
      this.current = this.build(zones, profiles, passive, now, [], { functionHosts, init, parallelism });
      this.expiresAt = now + ttlMs;
    } catch (error) {
      this.options.onLoadError?.(error);
      const now = clock();
      const reason = error instanceof Error ? error.message : String(error);
      if (this.current) {
        const ageS = Math.round((now - this.current.loadedAt) / 1000);
        this.current = { ...this.current, notes: [`table read failed (${reason}); using data read ${ageS} s ago`] };
      } else {
        this.current = {
          ...this.build([], {}, [], now, [
            `table read failed (${reason}); placing without characterizations or profiles`,
          ]),
          readError: error,
        };
      }
      this.expiresAt = now + Math.min(ttlMs, RETRY_AFTER_FAILURE_MS);
    }
    return this.current;
  }

  private build(
    zones: readonly Characterization[],
    profiles: Readonly<Record<string, WorkloadProfile>>,
    passive: readonly PassiveZoneCounts[],
    now: number,
    notes: string[],
    learned: LearnedExtras = {},
  ): CachedView {
    const view = routingViewOf(this.options.config, this.regions, zones, profiles, passive, now, learned);
    return { view, placer: this.options.placerFactory(view), loadedAt: now, notes };
  }
}

/**
 * The view the router places from: the deployed zones' characterizations and passive counts (of
 * zones no longer deployed, nothing can be routed to), every profile, and the mesh's shape. Each
 * zone's stored periods of passive counts are aged to `now` and summed (`decayedPassiveCounts`);
 * the core weighs the sum against the characterization by evidence (`resolveZones`). Each deployed zone's
 * functions' hosts are aged likewise (`functionEvidenceOf`), and the core prices each function with its own mix. The
 * INIT reports of the window are summed (`initEvidenceOf`), and the core prices INIT by them once enough reported;
 * each profile's stored threads are the core's until a request says otherwise.
 */
export function routingViewOf(
  config: Pick<RouterConfig, 'deployed' | 'architectures' | 'memorySizes' | 'passiveDecay'>,
  regions: Readonly<Record<string, RegionFacts>>,
  zones: readonly Characterization[],
  profiles: Readonly<Record<string, WorkloadProfile>>,
  passive: readonly PassiveZoneCounts[],
  now: number,
  { functionHosts = [], init = [], parallelism = {} }: LearnedExtras = {},
): RoutingView {
  const deployedIds = new Set(config.deployed.map((z) => z.azId));
  const batches = new Map<string, DatedPassiveCounts[]>();
  for (const p of passive) {
    if (!deployedIds.has(p.azId)) continue;
    const list = batches.get(p.azId) ?? [];
    list.push({ counts: p.counts, firstAt: timeOf(p.firstAt), lastAt: timeOf(p.updatedAt) });
    batches.set(p.azId, list);
  }
  const passiveByZone: Record<string, CpuCounts> = Object.create(null);
  for (const [azId, list] of batches) {
    const counts = decayedPassiveCounts(list, now, config.passiveDecay);
    if (Object.keys(counts).length > 0) passiveByZone[azId] = counts;
  }
  const hostPeriods: DatedFunctionHosts[] = functionHosts
    .filter((p) => deployedIds.has(p.azId))
    .map((p) => ({
      functionName: p.functionName,
      azId: p.azId,
      arch: p.arch,
      hosts: p.hosts,
      ...(p.returns ? { returns: p.returns } : {}),
      firstAt: timeOf(p.firstAt),
      lastAt: timeOf(p.updatedAt),
    }));
  const hostEvidence = hostPeriods.length > 0 ? functionEvidenceOf(hostPeriods, now, config.passiveDecay) : undefined;
  const initEvidence = initEvidenceOf(
    init.map(({ updatedAt, ...sums }) => ({ ...sums, lastAt: timeOf(updatedAt) })),
    now,
  );
  return {
    zones: zones.filter((z) => deployedIds.has(z.azId)),
    deployed: config.deployed,
    architectures: config.architectures,
    memorySizes: config.memorySizes,
    profiles,
    regions,
    passive: passiveByZone,
    ...(hostEvidence && Object.keys(hostEvidence).length > 0 ? { functionHosts: hostEvidence } : {}),
    ...(initEvidence ? { initEvidence } : {}),
    ...(Object.keys(parallelism).length > 0 ? { parallelism } : {}),
    now,
  };
}

/** ms since epoch of an ISO time, or undefined when absent or not a time. */
function timeOf(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? ms : undefined;
}
