import { randomUUID } from 'node:crypto';
import type { ExplorationGate } from '../core/exploration';
import type { CpuKey } from '../core/types';

/**
 * Exploration shared across router instances. A deployed router runs as many Lambda instances as it has calls in
 * flight, and each one's core `Router` decides on its own to accept a CPU its estimates reject, to learn the
 * workload's runtime there (`lib/core/exploration.ts`). Unshared, the cost of exploring multiplies with the
 * router's concurrency, while one call's runtime teaches every instance (through the profile in the table).
 *
 * So exploring a unit (workload × function × CPU, what one exploring call learns) takes a lease first: a
 * conditional write to the table that succeeds only when no other instance holds the unit's lease, or when its
 * lease has expired. The lease lasts until the exploring call has certainly ended (its attempt budget of invoke
 * timeouts, within the router's own deadline), so a router that crashes mid-call frees it by expiry. When the
 * call ends, the lease is kept for `settleMs` more when the call ran on the explored CPU (other instances re-read
 * the profile, runtime included, within their view cache's TTL, and then see no reason to explore it), and given
 * up at once when it did not (it taught nothing: another instance may explore it now).
 *
 * What becomes of a request in each case (none fails because of the lease):
 * - lease taken: the call explores as placed;
 * - race lost (another instance holds the lease): the unit is marked taken until that lease ends (or one view TTL,
 *   whichever is sooner, when it tries again), and the call is placed again as if one of this instance's own calls
 *   explored the unit (`ExplorationGate`): no exploration of it;
 * - store error (the table unreachable or refusing), or a store without leases: the call explores as placed, as a
 *   router on its own would; the error is reported (`onError`), never thrown.
 */

/** What one exploring call learns: the runtime of `workload` on `cpu` behind `functionName`. */
export interface ExplorationUnit {
  readonly workload: string;
  readonly functionName: string;
  readonly cpu: CpuKey;
}

/** What a conditional lease write came to. */
export type LeaseClaim =
  | { readonly taken: true }
  /** Another holder has it until `leaseUntil` (ms since the epoch; undefined when the item could not be read). */
  | { readonly taken: false; readonly holder?: string; readonly leaseUntil?: number };

/** The table operations a shared exploration needs (implemented by `SkyStore` and `MemoryRouterStore`). */
export interface ExplorationLeaseStore {
  /**
   * Takes the unit's lease for `holder` until `leaseUntil` (ms since the epoch), only when nobody holds it, its lease
   * ended by `now`, or `holder` holds it already (one conditional write).
   */
  takeExplorationLease(unit: ExplorationUnit, holder: string, now: number, leaseUntil: number): Promise<LeaseClaim>;
  /** Ends `holder`'s lease of the unit at `leaseUntil` (sooner or later than it was); nothing when another holds it. */
  endExplorationLease(unit: ExplorationUnit, holder: string, leaseUntil: number): Promise<void>;
}

/** How a router instance shares exploration. */
export interface ExplorationLeasesOptions {
  /** The table; undefined, or a store without the lease operations: every unit is this instance's own. */
  readonly store?: Partial<ExplorationLeaseStore>;
  /** The clock leases are timed with, ms since the epoch. */
  readonly clock: () => number;
  /** How long a lease stays held after a call that ran on the explored CPU, ms: the view cache's TTL. */
  readonly settleMs: number;
  /** Who this router instance is. @default - a random UUID */
  readonly holder?: string;
  /** Told of a failed lease write or read (the request goes on). */
  readonly onError?: (error: unknown, what: string) => void;
}

/** What `claim` came to for one exploring call. */
export type ClaimOutcome = 'leased' | 'held-elsewhere' | 'unshared';

/** Least time a lost race keeps a unit marked taken before this instance may try its lease again, ms. */
const MIN_RECHECK_MS = 1_000;

/**
 * One router instance's side of shared exploration: it takes and ends leases, and tells its core `Router` which
 * units other instances hold (`ExplorationGate`). See the module comment for what happens in each case.
 * @example
 * const leases = new ExplorationLeases({ store, clock: Date.now, settleMs: 60_000 });
 * router.shareExploration(leases);
 * if ((await leases.claim(unit, 30_000)) !== 'held-elsewhere') {
 *   // ... make the exploring call ...
 *   await leases.end(unit, ranOnExploredCpu);
 * }
 */
export class ExplorationLeases implements ExplorationGate {
  readonly holder: string;
  /** Leases taken, races lost, and failed table operations so far (for tests and metrics). */
  readonly stats = { leased: 0, lost: 0, errors: 0 };
  /** Units other instances hold, until when (ms since the epoch). */
  private readonly elsewhere = new Map<string, number>();
  /** Units this instance holds: exploring calls in flight on each. */
  private readonly held = new Map<string, number>();
  private changes = 0;

  constructor(private readonly options: ExplorationLeasesOptions) {
    this.holder = options.holder ?? randomUUID();
  }

  get version(): number {
    const now = this.options.clock();
    for (const [key, until] of this.elsewhere) {
      if (until <= now) {
        this.elsewhere.delete(key);
        this.changes++;
      }
    }
    return this.changes;
  }

  mayExplore(workload: string, functionName: string, cpu: CpuKey): boolean {
    const until = this.elsewhere.get(keyOf({ workload, functionName, cpu }));
    return until === undefined || until <= this.options.clock();
  }

  /**
   * Takes the unit's lease for an exploring call expected to end within `callMs`.
   * @returns `leased` (explore), `held-elsewhere` (place again: the unit is marked taken) or `unshared` (explore on
   *   this instance's own: no lease store, or it failed).
   */
  async claim(unit: ExplorationUnit, callMs: number): Promise<ClaimOutcome> {
    const store = this.options.store;
    if (!store?.takeExplorationLease) return 'unshared';
    const now = this.options.clock();
    const key = keyOf(unit);
    let claim: LeaseClaim;
    try {
      claim = await store.takeExplorationLease(unit, this.holder, now, now + Math.max(0, callMs));
    } catch (error) {
      this.stats.errors++;
      this.options.onError?.(error, `taking the exploration lease of ${describe(unit)}`);
      return 'unshared';
    }
    if (claim.taken) {
      this.stats.leased++;
      this.held.set(key, (this.held.get(key) ?? 0) + 1);
      return 'leased';
    }
    this.stats.lost++;
    // Marked taken until the holder's lease ends, but tried again after one view TTL at most: a holder whose call
    // taught nothing gives its lease up early.
    const recheck = now + Math.max(MIN_RECHECK_MS, this.options.settleMs);
    this.elsewhere.set(key, claim.leaseUntil !== undefined ? Math.min(claim.leaseUntil, recheck) : recheck);
    this.changes++;
    return 'held-elsewhere';
  }

  /**
   * The exploring call of a unit this instance leased has ended: the lease is kept `settleMs` more when the call
   * `taught` (ran on the explored CPU), else given up. Never throws.
   */
  async end(unit: ExplorationUnit, taught: boolean): Promise<void> {
    const key = keyOf(unit);
    const inFlight = this.held.get(key) ?? 0;
    if (inFlight <= 0) return;
    if (inFlight > 1) {
      // Another of this instance's calls explores the unit still: the lease stays as taken.
      this.held.set(key, inFlight - 1);
      return;
    }
    this.held.delete(key);
    const store = this.options.store;
    if (!store?.endExplorationLease) return;
    const now = this.options.clock();
    try {
      await store.endExplorationLease(unit, this.holder, taught ? now + this.options.settleMs : now);
    } catch (error) {
      this.stats.errors++;
      // The lease ends by itself when it expires.
      this.options.onError?.(error, `ending the exploration lease of ${describe(unit)}`);
    }
  }
}

function keyOf(unit: ExplorationUnit): string {
  return `${unit.workload}\u0000${unit.functionName}\u0000${unit.cpu}`;
}

function describe(unit: ExplorationUnit): string {
  return `${unit.workload} on ${unit.cpu} of ${unit.functionName}`;
}
