import { archOfCpu } from '../core/cpu';
import type { Arch } from '../core/types';
import type { Clock } from './clock';
import { type Rng, randomIndex, rngFor } from './random';
import type { ScenarioCpu } from './scenario';

/**
 * An emulated availability zone: hosts with one CPU type each, a memory size and a most number of
 * instances. A call to a function reuses an idle warm instance of that function if there is one,
 * else starts a new instance (a cold start) on a host with room for the function's memory, else the
 * zone cannot scale and the call is throttled, as Lambda throttles it.
 *
 * Time here is the zone's clock (virtual in experiments, scaled real time behind the loopback
 * API): an idle instance stays warm `keepAliveMs` after its last call, then frees its slot.
 *
 * What is public about Lambda and what is assumed here (the README's "How the twin emulates Lambda's
 * instances" cites each source):
 * - One call per instance at a time: documented (Developer Guide, "Understanding Lambda function scaling").
 * - Warm reuse: documented that a frozen environment "may" be reused for a non-deterministic time; which idle
 *   instance is chosen is not. Assumed: the most recently released one (LIFO), so a rejected instance that stays
 *   warm takes the retry right back.
 * - Keep-alive: not published by AWS. Assumed: a fixed five minutes, the figure the sampling paper relies on
 *   (its §3.1, citing Lloyd et al., UCC Companion 2018). The documented recycling "every few hours" of busy
 *   environments is not modelled: each day's fleet is new.
 * - Host size: Lambda runs Firecracker microVMs on bare-metal EC2 hosts, "thousands of micro VMs onto a single
 *   bare metal instance" (W. Vogels, "The Lambda PR/FAQ after 10 years", 2024); Firecracker's authors describe
 *   those hosts as m5 metal with 48 cores and 384 GB (Agache et al., NSDI 2020, and its talk). Assumed: a host
 *   holds instances while their configured memory sums to at most `hostMemoryMb` (default 384 GiB, no
 *   oversubscription; the paper reports 10-20× for soft-allocated memory, which would let small instances pack
 *   denser still) and their number to at most `slotsPerHost`.
 * - Placement: Lambda packs microVMs on workers by memory (Wang et al., USENIX ATC 2018, saw one account's
 *   instances fill a worker's memory before the next) and mixes many functions on a worker so their loads do
 *   not move together (Agache et al., NSDI 2020, "soft allocation"). Assumed: a function's cold starts prefer a
 *   random `placementSpread` × hosts of the zone (the function's own draw of the day's fleet, so the same
 *   hosts whichever functions started before it: Lambda's placement is not published to depend on that order, and a
 *   window drawn from the zone's shared stream made a function's hosts in a profiling phase differ from its hosts in
 *   a burst the same day) and fill the host they last started on up to the function's
 *   share of a host (`functionShareOfHost` of its memory, 12 GiB by default, so one instance of Lambda's
 *   largest size fits) before opening another preferred host; with no preferred host left, any host with room
 *   in the function's share, then any host with room at all. So small instances of one function pack onto few
 *   hosts (a poll of small samplers meets fewer hosts per request) and an instance of the largest size lands
 *   on a host of its own: what a sampler saves in memory it pays in hosts seen. An instance that ends itself
 *   is replaced by a fresh placement (see Ending), not on the host it left.
 * - Scaling: Lambda limits new environments to 1,000 per function per 10 s (Developer Guide, "Lambda scaling
 *   behavior"); not modelled. A zone with no free slot throttles.
 * - Ending: after a crash Lambda resets the environment and may reuse it with a new INIT (Developer Guide,
 *   "Failures during the invoke phase"). Assumed: an ended instance frees its slot and its replacement is placed
 *   afresh, as Minos (Schirmer et al., IC2E 2025) observed on Google Cloud Functions. If Lambda re-initializes in
 *   place, ending buys an INIT and no new CPU; the twin would then overstate what ending gains.
 */

/**
 * Lambda keeps an idle execution environment "for a non-deterministic period of time" (AWS Lambda Operator Guide)
 * and does not publish how long; the sampling paper relies on about five minutes (its §3.1, ref. [21]).
 */
export const DEFAULT_KEEP_ALIVE_MS = 5 * 60_000;

/** Memory of a Lambda host for instances: 384 GiB, the m5 metal hosts Firecracker's authors describe (module comment). */
export const DEFAULT_HOST_MEMORY_MB = 384 * 1024;

/** One function's share of a host: 12 GiB of 384 GiB, so one instance of Lambda's largest size (10,240 MB) fits. */
export const DEFAULT_FUNCTION_SHARE_OF_HOST = 1 / 32;

/** The smallest Lambda instance, MB: a host with less memory free than this takes no instance. */
const SMALLEST_INSTANCE_MB = 128;

/** One physical host of the zone. */
export interface Host {
  readonly index: number;
  readonly cpu: ScenarioCpu;
  readonly arch: Arch;
  /** Boot time in seconds since the epoch, as `/proc/stat` reports it (`btime`). */
  readonly bootTime: number;
  /** Instances on the host (busy or warm). */
  used: number;
  /** Their configured memory, MB. */
  usedMb: number;
}

export type InstanceState = 'busy' | 'idle' | 'gone';

/** One function instance (execution environment) living on a host slot. */
export interface Instance<T = unknown> {
  /** Unique in the zone: `<azId>:<serial>`. */
  readonly id: string;
  readonly functionName: string;
  /** Configured memory, MB: what the instance takes of its host. */
  readonly memoryMb: number;
  readonly host: Host;
  state: InstanceState;
  /** Calls served, including the current one. */
  calls: number;
  /** Incremented at every release, so stale keep-alive entries can be recognised. */
  generation: number;
  lastReleasedAt: number;
  /** What the twin runs in the instance (its handler and platform). */
  payload?: T;
}

/** The outcome of asking the zone for an instance. */
export type Acquisition<T> =
  | { readonly ok: true; readonly instance: Instance<T>; readonly cold: boolean }
  | { readonly ok: false; readonly reason: 'no-capacity' };

interface FunctionPool<T> {
  readonly functionName: string;
  readonly idle: Instance<T>[];
  live: number;
  /** The hosts this function's cold starts prefer (all hosts when the spread is 1). */
  window?: Host[];
  /** MB of this function's instances per host index. */
  readonly mbOnHost: Map<number, number>;
  /** The host the function's last cold start went to: the next one fills it first. */
  open?: Host;
}

interface Expiry<T> {
  readonly instance: Instance<T>;
  readonly generation: number;
  readonly at: number;
}

/** Counters of what happened in the zone since it was configured. */
export interface ZoneStats {
  coldStarts: number;
  warmStarts: number;
  throttles: number;
  expired: number;
  ended: number;
}

export interface EmulatedZoneOptions {
  readonly azId: string;
  readonly region: string;
  /** Most instances one host runs at once, whatever their memory. */
  readonly slotsPerHost: number;
  /** Memory of one host for instances, MB. @default DEFAULT_HOST_MEMORY_MB */
  readonly hostMemoryMb?: number;
  /**
   * Share of a host's memory one function's instances fill before its cold starts move on to another
   * host (0 < share ≤ 1); a hard limit only while some host still has room within it.
   * @default DEFAULT_FUNCTION_SHARE_OF_HOST
   */
  readonly functionShareOfHost?: number;
  readonly clock: Clock;
  /** Draws hosts for cold starts. */
  readonly rng: Rng;
  /** @default DEFAULT_KEEP_ALIVE_MS */
  readonly keepAliveMs?: number;
  /**
   * Share of the zone's hosts that one function's cold starts prefer (0 < spread ≤ 1). Lambda packs
   * a function's instances on a subset of its workers, which is why one poll sees only part of a
   * zone and the paper rotated 100 functions; when the preferred hosts are full, cold starts spill
   * over to any host with a free slot. 1: every cold start picks any host with a free slot.
   * @default 1
   */
  readonly placementSpread?: number;
}

/** An emulated zone; see the module comment. */
export class EmulatedZone<T = unknown> {
  readonly azId: string;
  readonly region: string;
  readonly slotsPerHost: number;
  readonly hostMemoryMb: number;
  /** MB of one host one function's instances fill before moving on. */
  readonly functionHostMb: number;
  readonly keepAliveMs: number;
  readonly placementSpread: number;
  readonly stats: ZoneStats = { coldStarts: 0, warmStarts: 0, throttles: 0, expired: 0, ended: 0 };
  private readonly clock: Clock;
  private rng: Rng;
  private hostList: Host[] = [];
  /** Per architecture, the hosts with a free slot, and each host's position in that list. */
  private free = new Map<Arch, Host[]>();
  private freePos: number[] = [];
  private pools = new Map<string, FunctionPool<T>>();
  /** Identifies the day's fleet (its hosts' boot times): with a function's name, it seeds the function's window. */
  private fleetSeed = 0;
  private expiries: Expiry<T>[] = [];
  private expiryHead = 0;
  private serial = 0;
  private onDestroy?: (instance: Instance<T>) => void;

  constructor(options: EmulatedZoneOptions) {
    this.azId = options.azId;
    this.region = options.region;
    this.slotsPerHost = options.slotsPerHost;
    this.clock = options.clock;
    this.rng = options.rng;
    this.keepAliveMs = options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS;
    this.placementSpread = options.placementSpread ?? 1;
    if (!(this.placementSpread > 0 && this.placementSpread <= 1)) {
      throw new RangeError(`placementSpread must be in (0, 1], got ${this.placementSpread}`);
    }
    this.hostMemoryMb = options.hostMemoryMb ?? DEFAULT_HOST_MEMORY_MB;
    if (!(this.hostMemoryMb >= SMALLEST_INSTANCE_MB)) {
      throw new RangeError(`hostMemoryMb must be at least ${SMALLEST_INSTANCE_MB}, got ${this.hostMemoryMb}`);
    }
    const share = options.functionShareOfHost ?? DEFAULT_FUNCTION_SHARE_OF_HOST;
    if (!(share > 0 && share <= 1)) throw new RangeError(`functionShareOfHost must be in (0, 1], got ${share}`);
    this.functionHostMb = share * this.hostMemoryMb;
  }

  /** Called when an instance leaves the zone (expired or ended), e.g. to drop its handler. */
  onInstanceDestroyed(listener: (instance: Instance<T>) => void): void {
    this.onDestroy = listener;
  }

  /**
   * Replaces the zone's fleet: `hostCpus[i]` is the CPU of host i. Every instance of the old
   * fleet is gone (a new day's fleet), and host boot times are drawn from `rng`. Cold starts draw their hosts from
   * `placementRng` when given (another draw of where instances land on the same fleet), else from `rng` after the
   * boot times.
   */
  configure(hostCpus: readonly ScenarioCpu[], rng: Rng, bootTimeBase: number, placementRng?: Rng): void {
    for (const pool of this.pools.values()) {
      for (const instance of pool.idle) instance.state = 'gone';
    }
    this.pools = new Map();
    this.expiries = [];
    this.expiryHead = 0;
    this.rng = placementRng ?? rng;
    this.hostList = hostCpus.map((cpu, index) => ({
      index,
      cpu,
      arch: archOfCpu(cpu.cpuKey),
      // Hosts booted at different times within the last ~30 days, one second apart at least.
      bootTime: Math.floor(bootTimeBase / 1000) - 3600 - randomIndex(rng, 30 * 86_400),
      used: 0,
      usedMb: 0,
    }));
    this.fleetSeed = this.hostList.reduce((seed, host) => (Math.imul(seed, 31) + host.bootTime) >>> 0, 0);
    this.free = new Map();
    this.freePos = new Array(this.hostList.length);
    for (const host of this.hostList) {
      let list = this.free.get(host.arch);
      if (!list) {
        list = [];
        this.free.set(host.arch, list);
      }
      this.freePos[host.index] = list.length;
      list.push(host);
    }
    Object.assign(this.stats, { coldStarts: 0, warmStarts: 0, throttles: 0, expired: 0, ended: 0 });
  }

  get hosts(): readonly Host[] {
    return this.hostList;
  }

  /** Most instances of `memoryMb` the zone holds at once. */
  capacityAt(memoryMb: number): number {
    return this.hostList.length * Math.min(this.slotsPerHost, Math.floor(this.hostMemoryMb / memoryMb));
  }

  /** Instances (busy or warm) right now. */
  get usedSlots(): number {
    this.expire();
    let used = 0;
    for (const host of this.hostList) used += host.used;
    return used;
  }

  /** Live instances of one function (busy or warm). */
  liveInstances(functionName: string): number {
    this.expire();
    return this.pools.get(functionName)?.live ?? 0;
  }

  /** Idle warm instances of one function. */
  idleInstances(functionName: string): number {
    this.expire();
    return this.pools.get(functionName)?.idle.filter((i) => i.state === 'idle').length ?? 0;
  }

  /**
   * Gets an instance for a call of `functionName` (configured with `memoryMb`) running on `arch`: the
   * most recently used idle warm one (assumed: AWS does not document which idle instance it picks),
   * else a cold start placed as the module comment says, else `no-capacity`.
   */
  acquire(functionName: string, arch: Arch, memoryMb: number): Acquisition<T> {
    this.expire();
    let pool = this.pools.get(functionName);
    if (pool) {
      const idle = pool.idle;
      while (idle.length > 0) {
        const instance = idle.pop() as Instance<T>;
        if (instance.state !== 'idle') continue;
        instance.state = 'busy';
        instance.calls++;
        this.stats.warmStarts++;
        return { ok: true, instance, cold: false };
      }
    }
    if (!pool) {
      pool = { functionName, idle: [], live: 0, mbOnHost: new Map() };
      this.pools.set(functionName, pool);
    }
    const host = this.placeCold(pool, arch, memoryMb);
    if (!host) {
      this.stats.throttles++;
      return { ok: false, reason: 'no-capacity' };
    }
    host.used++;
    host.usedMb += memoryMb;
    if (!this.hasRoom(host)) this.removeFree(host);
    pool.mbOnHost.set(host.index, (pool.mbOnHost.get(host.index) ?? 0) + memoryMb);
    pool.open = host;
    pool.live++;
    const instance: Instance<T> = {
      id: `${this.azId}:${++this.serial}`,
      functionName,
      memoryMb,
      host,
      state: 'busy',
      calls: 1,
      generation: 0,
      lastReleasedAt: 0,
    };
    this.stats.coldStarts++;
    return { ok: true, instance, cold: true };
  }

  /** Whether `host` takes one more instance of the smallest size. */
  private hasRoom(host: Host): boolean {
    return host.used < this.slotsPerHost && host.usedMb + SMALLEST_INSTANCE_MB <= this.hostMemoryMb;
  }

  private fits(host: Host, memoryMb: number): boolean {
    return host.used < this.slotsPerHost && host.usedMb + memoryMb <= this.hostMemoryMb;
  }

  /** Whether `host` has room for one more of the function's instances within the function's share. */
  private fitsShare(pool: FunctionPool<T>, host: Host, memoryMb: number): boolean {
    return this.fits(host, memoryMb) && (pool.mbOnHost.get(host.index) ?? 0) + memoryMb <= this.functionHostMb;
  }

  /**
   * The host for a cold start (module comment): the host the function last started on while its share there has
   * room, else a random preferred host with room in the share, else any host with room in the share, else any
   * host with room; undefined when no host has room.
   */
  private placeCold(pool: FunctionPool<T>, arch: Arch, memoryMb: number): Host | undefined {
    const candidates = this.free.get(arch);
    if (!candidates || candidates.length === 0) return undefined;
    const open = pool.open;
    if (open && open.arch === arch && this.fitsShare(pool, open, memoryMb)) return open;
    const inShare = (h: Host): boolean => this.fitsShare(pool, h, memoryMb);
    if (this.placementSpread < 1) {
      if (!pool.window) {
        const hosts = this.hostList.filter((h) => h.arch === arch);
        const k = Math.max(1, Math.round(this.placementSpread * hosts.length));
        // The function's own draw of the day's fleet, whatever started before it (module comment).
        const rng = rngFor(this.fleetSeed, 'window', this.azId, arch, pool.functionName);
        // Partial Fisher–Yates: k distinct random hosts.
        for (let i = 0; i < k; i++) {
          const j = i + randomIndex(rng, hosts.length - i);
          [hosts[i], hosts[j]] = [hosts[j], hosts[i]];
        }
        pool.window = hosts.slice(0, k);
      }
      const fromWindow = this.pick(pool.window, inShare);
      if (fromWindow) return fromWindow;
    }
    return this.pick(candidates, inShare) ?? this.pick(candidates, (h) => this.fits(h, memoryMb));
  }

  /** A random host of `hosts` that passes `ok`: a few random draws, then a scan. */
  private pick(hosts: readonly Host[], ok: (host: Host) => boolean): Host | undefined {
    for (let tries = 0; tries < 4; tries++) {
      const host = hosts[randomIndex(this.rng, hosts.length)];
      if (ok(host)) return host;
    }
    const fit = hosts.filter(ok);
    return fit.length > 0 ? fit[randomIndex(this.rng, fit.length)] : undefined;
  }

  /** The call on `instance` finished: it stays warm for `keepAliveMs`, then frees its slot. */
  release(instance: Instance<T>): void {
    if (instance.state !== 'busy') return;
    instance.state = 'idle';
    instance.generation++;
    instance.lastReleasedAt = this.clock.now();
    this.pools.get(instance.functionName)?.idle.push(instance);
    this.expiries.push({ instance, generation: instance.generation, at: instance.lastReleasedAt + this.keepAliveMs });
  }

  /**
   * The instance ends itself (or crashed): its slot is freed at once, so the next call is a cold start placed
   * afresh. Assumed, see the module comment: Lambda may instead reset the environment and reuse it in place.
   */
  end(instance: Instance<T>): void {
    if (instance.state === 'gone') return;
    this.stats.ended++;
    // Placed afresh: the replacement does not fill the host the ended instance left.
    const pool = this.pools.get(instance.functionName);
    if (pool?.open === instance.host) pool.open = undefined;
    this.destroy(instance);
  }

  /** Frees the slots of instances idle for longer than the keep-alive. */
  expire(): void {
    const now = this.clock.now();
    const queue = this.expiries;
    while (this.expiryHead < queue.length && queue[this.expiryHead].at <= now) {
      const { instance, generation } = queue[this.expiryHead++];
      if (instance.state === 'idle' && instance.generation === generation) {
        this.stats.expired++;
        this.destroy(instance);
      }
    }
    if (this.expiryHead > 4096 && this.expiryHead * 2 > queue.length) {
      this.expiries = queue.slice(this.expiryHead);
      this.expiryHead = 0;
    }
  }

  private destroy(instance: Instance<T>): void {
    instance.state = 'gone';
    const pool = this.pools.get(instance.functionName);
    const host = instance.host;
    if (pool) {
      pool.live--;
      const left = (pool.mbOnHost.get(host.index) ?? 0) - instance.memoryMb;
      if (left > 0) pool.mbOnHost.set(host.index, left);
      else pool.mbOnHost.delete(host.index);
    }
    const hadRoom = this.hasRoom(host);
    host.used--;
    host.usedMb -= instance.memoryMb;
    if (!hadRoom) this.addFree(host);
    this.onDestroy?.(instance);
  }

  private removeFree(host: Host): void {
    const list = this.free.get(host.arch) as Host[];
    const pos = this.freePos[host.index];
    const last = list.pop() as Host;
    if (last !== host) {
      list[pos] = last;
      this.freePos[last.index] = pos;
    }
    this.freePos[host.index] = -1;
  }

  private addFree(host: Host): void {
    const list = this.free.get(host.arch) as Host[];
    this.freePos[host.index] = list.length;
    list.push(host);
  }
}

/**
 * How many hosts of each CPU a fleet of `hosts` gets for a mix: largest-remainder rounding, so
 * the counts sum to `hosts` and each is within one host of `share × hosts`. Ties break by the
 * CPU's order in the scenario.
 */
export function hostCounts(
  mix: Readonly<Record<string, number>>,
  cpuOrder: readonly string[],
  hosts: number,
): Map<string, number> {
  const entries = cpuOrder.filter((k) => (mix[k] ?? 0) > 0).map((k) => ({ key: k, exact: (mix[k] ?? 0) * hosts }));
  const total = entries.reduce((s, e) => s + e.exact, 0);
  // Renormalize so that shares summing to 1 ± 0.001 still fill the fleet exactly.
  const scaled = entries.map((e, order) => {
    const exact = total > 0 ? (e.exact * hosts) / total : 0;
    return { key: e.key, floor: Math.floor(exact), rest: exact - Math.floor(exact), order };
  });
  let left = hosts - scaled.reduce((s, e) => s + e.floor, 0);
  const byRest = [...scaled].sort((a, b) => b.rest - a.rest || a.order - b.order);
  for (const e of byRest) {
    if (left <= 0) break;
    e.floor++;
    left--;
  }
  return new Map(scaled.map((e) => [e.key, e.floor]));
}
