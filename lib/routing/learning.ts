import { addHostReturns, emptyHostReturns, type HostReturnTally } from '../core/function-mix';
import type { Arch, CpuKey, HostCheck, ProfileKey } from '../core/types';
import type { RouterStore } from './types';

/** The function a new instance ran in, and its host's boot time when the instance reported one. */
export interface InstanceSite {
  readonly functionName: string;
  readonly arch: Arch;
  /** Host boot time (`btime`, seconds since the epoch); absent: the host is unknown. */
  readonly bootTime?: number;
  /** Whether the host is one the function met earlier today, and the chance it would be (`hostReturnCheck`). */
  readonly check?: HostCheck;
}

/**
 * Passive learning, off the response's critical path: observations are buffered as they happen,
 * coalesced (one ADD per profile entry and per zone × CPU), and written when `flush()` is called.
 * The handler calls `flush()` after its answer is computed and awaits it before returning, so a
 * normal return never loses an observation; concurrent calls on one router (batch mode, the
 * embedded router) share flushes, so a burst costs a few writes rather than one per call.
 * A failed write is reported to `onError` (logged and counted) and not retried: ADD is not
 * idempotent, and the SDK has already retried throttling. A new instance that reports its host's boot time also
 * joins its function's hosts (one set ADD per function), from which the router learns each function's own mix, and
 * with `site.check` counts toward how often the function's new instances come back to hosts it met earlier that day.
 */
export class LearningBuffer {
  private profiles = new Map<string, { workload: string; key: ProfileKey; runtimesMs: number[] }>();
  private passive = new Map<string, Record<CpuKey, number>>();
  private functionHosts = new Map<
    string,
    {
      azId: string;
      arch: Arch;
      hosts: Map<CpuKey, Set<string>>;
      returns: HostReturnTally;
    }
  >();
  private init = noInitSums();
  private parallelism = new Map<string, number>();
  private inFlight: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  /** Writes issued and failed so far (for metrics and tests). */
  readonly stats = { writes: 0, failedWrites: 0, observations: 0 };

  constructor(
    private readonly store: Pick<
      RouterStore,
      'addProfileSums' | 'addPassiveCpu' | 'addFunctionHosts' | 'addInitSums' | 'setParallelism'
    >,
    private readonly onError: (error: unknown, what: string) => void = () => {},
  ) {}

  /** Records the runtime of an accepted call. */
  observeRuntime(workload: string, key: ProfileKey, runtimeMs: number): void {
    const id = `${workload}\u0000${key.cpu}\u0000${key.arch}\u0000${key.memoryMb}`;
    const entry = this.profiles.get(id);
    if (entry) entry.runtimesMs.push(runtimeMs);
    else this.profiles.set(id, { workload, key, runtimesMs: [runtimeMs] });
    this.stats.observations++;
  }

  /**
   * Records a new instance seen on a CPU in a zone, and with `site` (its function, and its host's boot time when
   * reported) the host among its function's hosts.
   */
  observeInstance(azId: string, cpu: CpuKey, site?: InstanceSite): void {
    const counts = this.passive.get(azId);
    if (counts) counts[cpu] = (counts[cpu] ?? 0) + 1;
    else this.passive.set(azId, { [cpu]: 1 });
    this.stats.observations++;
    const boot = site?.bootTime;
    if (!site || !this.store.addFunctionHosts || boot === undefined || !Number.isSafeInteger(boot) || boot <= 0) return;
    let entry = this.functionHosts.get(site.functionName);
    if (!entry) {
      entry = { azId, arch: site.arch, hosts: new Map(), returns: emptyHostReturns() };
      this.functionHosts.set(site.functionName, entry);
    }
    const hosts = entry.hosts.get(cpu) ?? new Set<string>();
    hosts.add(String(boot));
    entry.hosts.set(cpu, hosts);
    const check = site.check;
    if (check && Number.isFinite(check.chance) && check.chance >= 0 && check.chance <= 1) {
      addHostReturns(entry.returns, { checked: 1, returned: check.returned ? 1 : 0, chance: check.chance });
    }
  }

  /**
   * Records the INIT phase a new instance reported (its REPORT record's `Init Duration`), and with `billed` whether
   * its billed duration covered it (undefined: the report could not tell). Dropped where the store learns no INIT.
   */
  observeInit(initMs: number, billed?: boolean): void {
    if (!this.store.addInitSums || !(Number.isFinite(initMs) && initMs >= 0)) return;
    this.init.count++;
    this.init.sumMs += initMs;
    if (billed !== undefined) {
      this.init.billingChecked++;
      if (billed) this.init.billed++;
    }
    this.stats.observations++;
  }

  /** Records the threads a request said its profile's work runs at once (the last said is written). */
  observeParallelism(workload: string, threads: number): void {
    if (!this.store.setParallelism) return;
    this.parallelism.set(workload, threads);
  }

  /** True when nothing waits to be written. */
  get empty(): boolean {
    return (
      this.profiles.size === 0 &&
      this.passive.size === 0 &&
      this.functionHosts.size === 0 &&
      this.init.count === 0 &&
      this.parallelism.size === 0
    );
  }

  /** Resolves when every observation recorded before the call is written (or its write failed). Never rejects. */
  flush(): Promise<void> {
    if (this.queued) return this.queued;
    if (this.inFlight) {
      if (this.empty) return this.inFlight;
      this.queued = this.inFlight.then(() => {
        this.queued = undefined;
        return this.start();
      });
      return this.queued;
    }
    return this.empty ? Promise.resolve() : this.start();
  }

  private start(): Promise<void> {
    const profiles = [...this.profiles.values()];
    const passive = [...this.passive.entries()];
    const functionHosts = [...this.functionHosts.entries()];
    this.profiles = new Map();
    this.passive = new Map();
    this.functionHosts = new Map();
    const init = this.init;
    this.init = noInitSums();
    const parallelism = [...this.parallelism];
    this.parallelism = new Map();
    const writes = [
      ...parallelism.map(([workload, threads]) =>
        this.write(() => this.store.setParallelism?.(workload, threads) ?? Promise.resolve(), `threads of ${workload}`),
      ),
      ...(init.count > 0
        ? [this.write(() => this.store.addInitSums?.(init) ?? Promise.resolve(), 'INIT reports')]
        : []),
      ...profiles.map((p) =>
        this.write(() => this.store.addProfileSums(p.workload, p.key, sumsOf(p.runtimesMs)), `profile ${p.workload}`),
      ),
      ...passive.map(([azId, counts]) => this.write(() => this.store.addPassiveCpu(azId, counts), `passive ${azId}`)),
      ...functionHosts.map(([functionName, { azId, arch, hosts, returns }]) =>
        this.write(
          () =>
            this.store.addFunctionHosts?.({
              functionName,
              azId,
              arch,
              hosts: Object.fromEntries([...hosts].map(([cpu, set]) => [cpu, [...set]])),
              ...(returns.checked > 0 ? { returns } : {}),
            }) ?? Promise.resolve(),
          `hosts of ${functionName}`,
        ),
      ),
    ];
    const inFlight = Promise.all(writes).then(() => {
      if (this.inFlight === inFlight) this.inFlight = undefined;
    });
    this.inFlight = inFlight;
    return inFlight;
  }

  private async write(run: () => Promise<void>, what: string): Promise<void> {
    this.stats.writes++;
    try {
      await run();
    } catch (error) {
      this.stats.failedWrites++;
      this.onError(error, what);
    }
  }
}

function sumsOf(runtimesMs: readonly number[]): { count: number; sum: number; sumSquares: number } {
  let sum = 0;
  let sumSquares = 0;
  for (const ms of runtimesMs) {
    sum += ms;
    sumSquares += ms * ms;
  }
  return { count: runtimesMs.length, sum, sumSquares };
}

/** INIT sums before any report: what the buffer starts from and returns to after each write. */
function noInitSums(): { count: number; sumMs: number; billingChecked: number; billed: number } {
  return { count: 0, sumMs: 0, billingChecked: 0, billed: 0 };
}
