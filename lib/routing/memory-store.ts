import { keys } from '../contracts';
import { characterizationArch } from '../core/cpu';
import { addHostReturns, emptyHostReturns, type HostReturnTally } from '../core/function-mix';
import type { Characterization, CpuCounts, ProfileKey, WorkloadProfile } from '../core/types';
import type { ExplorationUnit, LeaseClaim } from './exploration-lease';
import type {
  FunctionHostsAddition,
  FunctionHostsPeriod,
  InitPeriod,
  InitSums,
  PassiveZoneCounts,
  RouterStore,
  RuntimeSums,
} from './types';

interface PassiveDay {
  readonly counts: Map<string, number>;
  readonly firstAt: number;
  lastAt: number;
}

interface FunctionHostsDay {
  readonly functionName: string;
  readonly azId: string;
  readonly arch: FunctionHostsPeriod['arch'];
  readonly hosts: Map<string, Set<string>>;
  readonly returns: HostReturnTally;
  readonly firstAt: number;
  lastAt: number;
}

interface ProfileSums {
  readonly key: ProfileKey;
  count: number;
  sum: number;
  sumSquares: number;
}

/**
 * A `RouterStore` held in memory, with the table's semantics: profile sums and passive counts
 * are added (as DynamoDB's ADD does), INIT reports per UTC day, passive counts per zone and UTC day with the times of their
 * first and last ADD by `now`, a function's hosts per UTC day as sets, characterizations are replaced per zone, and reads return copies. For an embedded router with no table and for the twin, whose router must learn only
 * from what its calls met. Keys come from requests, so they live in Maps, never as object keys.
 *
 * @example
 * const store = new MemoryRouterStore();
 * store.putCharacterization(characterization);
 * const service = new RoutingService({ store, invoker, config });
 */
export class MemoryRouterStore implements RouterStore {
  /** Keyed by zone and architecture: a zone has one `LATEST` per sampled architecture. */
  private readonly zones = new Map<string, Characterization>();
  private readonly profileSums = new Map<string, Map<string, ProfileSums>>();
  /** Per zone, per day key: the counts and when they were added. */
  private readonly passive = new Map<string, Map<string, PassiveDay>>();
  /** Per function and day key: the hosts its new instances met. */
  private readonly functionHosts = new Map<string, FunctionHostsDay>();
  /** Per day key: the INIT reports added, and when the last was. */
  private readonly initDays = new Map<string, InitSums & { lastAt: number }>();
  /** The threads each profile's requests last said. */
  private readonly parallelism = new Map<string, number>();
  /** Exploration leases by unit: who holds each until when. */
  private readonly leases = new Map<string, { holder: string; leaseUntil: number }>();

  /** @param options.now the clock that dates passive counts, ms since the epoch (@default Date.now) */
  constructor(private readonly options: { readonly now?: () => number } = {}) {}

  /** Makes `characterization` its zone's `LATEST` of its architecture. */
  putCharacterization(characterization: Characterization): void {
    this.zones.set(`${characterization.azId}|${characterizationArch(characterization)}`, characterization);
  }

  /** Forgets every zone's characterization (profiles and passive counts stay). */
  clearCharacterizations(): void {
    this.zones.clear();
  }

  async latestCharacterizations(): Promise<readonly Characterization[]> {
    return [...this.zones.values()];
  }

  async profiles(): Promise<Readonly<Record<string, WorkloadProfile>>> {
    const out: Record<string, WorkloadProfile> = Object.create(null);
    for (const [workload, entries] of this.profileSums) {
      out[workload] = {
        workload,
        entries: [...entries.values()].map((e) => ({ ...e.key, stats: statsOf(e) })),
      };
    }
    return out;
  }

  async addProfileSums(workload: string, key: ProfileKey, sums: RuntimeSums): Promise<void> {
    if (sums.count <= 0) return;
    let entries = this.profileSums.get(workload);
    if (!entries) {
      entries = new Map();
      this.profileSums.set(workload, entries);
    }
    const id = `${key.cpu}#${key.arch}#${key.memoryMb}`;
    const entry = entries.get(id) ?? {
      key: { cpu: key.cpu, arch: key.arch, memoryMb: key.memoryMb },
      count: 0,
      sum: 0,
      sumSquares: 0,
    };
    entry.count += sums.count;
    entry.sum += sums.sum;
    entry.sumSquares += sums.sumSquares;
    entries.set(id, entry);
  }

  async addPassiveCpu(azId: string, cpus: CpuCounts): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    let days = this.passive.get(azId);
    if (!days) {
      days = new Map();
      this.passive.set(azId, days);
    }
    const key = keys.passiveDay(now);
    const day = days.get(key) ?? { counts: new Map<string, number>(), firstAt: now, lastAt: now };
    for (const [cpu, n] of Object.entries(cpus)) day.counts.set(cpu, (day.counts.get(cpu) ?? 0) + n);
    day.lastAt = now;
    days.set(key, day);
  }

  async addFunctionHosts(addition: FunctionHostsAddition): Promise<void> {
    const now = (this.options.now ?? Date.now)();
    const key = `${addition.functionName}\u0000${keys.passiveDay(now)}`;
    const day = this.functionHosts.get(key) ?? {
      functionName: addition.functionName,
      azId: addition.azId,
      arch: addition.arch,
      hosts: new Map<string, Set<string>>(),
      returns: emptyHostReturns(),
      firstAt: now,
      lastAt: now,
    };
    if (addition.returns) addHostReturns(day.returns, addition.returns);
    for (const [cpu, boots] of Object.entries(addition.hosts)) {
      const set = day.hosts.get(cpu) ?? new Set<string>();
      for (const boot of boots) set.add(boot);
      day.hosts.set(cpu, set);
    }
    day.lastAt = now;
    this.functionHosts.set(key, day);
  }

  async allFunctionHosts(): Promise<readonly FunctionHostsPeriod[]> {
    return [...this.functionHosts.values()].map((day) => ({
      functionName: day.functionName,
      azId: day.azId,
      arch: day.arch,
      hosts: Object.fromEntries([...day.hosts].map(([cpu, set]) => [cpu, [...set]])),
      ...(day.returns.checked > 0 ? { returns: { ...day.returns } } : {}),
      firstAt: new Date(day.firstAt).toISOString(),
      updatedAt: new Date(day.lastAt).toISOString(),
    }));
  }

  async addInitSums(sums: InitSums): Promise<void> {
    if (sums.count <= 0) return;
    const now = (this.options.now ?? Date.now)();
    const key = keys.initDay(now);
    const day = this.initDays.get(key) ?? { count: 0, sumMs: 0, billingChecked: 0, billed: 0, lastAt: now };
    this.initDays.set(key, {
      count: day.count + sums.count,
      sumMs: day.sumMs + sums.sumMs,
      billingChecked: day.billingChecked + sums.billingChecked,
      billed: day.billed + sums.billed,
      lastAt: now,
    });
  }

  async setParallelism(workload: string, threads: number): Promise<void> {
    this.parallelism.set(workload, threads);
  }

  async allParallelism(): Promise<Readonly<Record<string, number>>> {
    const out: Record<string, number> = Object.create(null);
    for (const [workload, threads] of this.parallelism) out[workload] = threads;
    return out;
  }

  async allInitSums(): Promise<readonly InitPeriod[]> {
    return [...this.initDays.values()].map(({ lastAt, ...sums }) => ({
      ...sums,
      updatedAt: new Date(lastAt).toISOString(),
    }));
  }

  /** The table's conditional write (`SkyStore.takeExplorationLease`), in memory: routers sharing this store share leases. */
  async takeExplorationLease(
    unit: ExplorationUnit,
    holder: string,
    now: number,
    leaseUntil: number,
  ): Promise<LeaseClaim> {
    const key = leaseKeyOf(unit);
    const lease = this.leases.get(key);
    if (lease && lease.leaseUntil > now && lease.holder !== holder) {
      return { taken: false, holder: lease.holder, leaseUntil: lease.leaseUntil };
    }
    this.leases.set(key, { holder, leaseUntil });
    return { taken: true };
  }

  async endExplorationLease(unit: ExplorationUnit, holder: string, leaseUntil: number): Promise<void> {
    const lease = this.leases.get(leaseKeyOf(unit));
    if (lease?.holder === holder) lease.leaseUntil = leaseUntil;
  }

  async allPassiveCounts(): Promise<readonly PassiveZoneCounts[]> {
    return [...this.passive].flatMap(([azId, days]) =>
      [...days.values()].map((day) => ({
        azId,
        counts: Object.fromEntries(day.counts),
        firstAt: new Date(day.firstAt).toISOString(),
        updatedAt: new Date(day.lastAt).toISOString(),
      })),
    );
  }
}

function leaseKeyOf(unit: ExplorationUnit): string {
  return `${unit.workload}\u0000${unit.functionName}\u0000${unit.cpu}`;
}

/** Mean and M2 from sums, as the table's reader computes them. */
function statsOf(e: ProfileSums): { count: number; meanMs: number; m2: number } {
  const meanMs = e.sum / e.count;
  return { count: e.count, meanMs, m2: Math.max(0, e.sumSquares - e.count * meanMs * meanMs) };
}
