import type { CpuKey } from './types';
import type { ZoneMix } from './zone-mix';

/**
 * How many of a batch's instances a fleet can hold on the CPUs a placement accepts, and how a wide batch spreads its
 * workers once one fleet cannot hold them all.
 *
 * A fleet's hosts each run one CPU type, so a placement that rejects some CPUs can keep at most as many instances as
 * its accepted hosts hold. Lambda does not publish how many instances a host holds. Its hosts are bare-metal EC2
 * instances running Firecracker microVMs (W. Vogels, "The Lambda PR/FAQ after 10 years", 2024), described by
 * Firecracker's authors as m5 metal with 384 GB (Agache et al., NSDI 2020): taken as what a host's memory allows,
 * 384 GiB over the instance's memory size, with no oversubscription. That is an upper bound: other functions share
 * those hosts. The hosts of a fleet are its characterization's estimate (`fleetHostsOf`).
 *
 * A burst wider than that meets the accepted hosts full: its other workers search through rejected CPUs and end on
 * one. Where another fleet runs the call for less than that overflow costs, the workers beyond the first fleet's
 * accepted capacity are better started there (`spreadWorkers`).
 */

/** Memory of a Lambda host for instances, MB: 384 GiB (module comment). */
export const HOST_MEMORY_MB = 384 * 1024;

/** Instances of `memoryMb` one host holds by memory (at least one). */
export function instancesPerHost(memoryMb: number): number {
  return Math.max(1, Math.floor(HOST_MEMORY_MB / Math.max(1, memoryMb)));
}

/**
 * Instances of `memoryMb` a fleet of `hosts` hosts with CPU mix `mix` holds on the CPUs not in `rejectCpus`: its
 * accepted hosts (hosts × their share of the mix) times what one host holds. Infinity when `hosts` is not known.
 * @example acceptedCapacity({ cpus: ['graviton2', 'graviton3'], shares: [0.85, 0.15], ... }, 15, ['graviton2'], 3538) // 249.75
 */
export function acceptedCapacity(
  mix: Pick<ZoneMix, 'cpus' | 'shares'>,
  hosts: number | undefined,
  rejectCpus: readonly CpuKey[],
  memoryMb: number,
): number {
  if (hosts === undefined || !Number.isFinite(hosts) || hosts <= 0) return Number.POSITIVE_INFINITY;
  let accepted = 0;
  mix.cpus.forEach((cpu, i) => {
    if (!rejectCpus.includes(cpu)) accepted += mix.shares[i];
  });
  return hosts * accepted * instancesPerHost(memoryMb);
}

/** A fleet a wide batch may start workers on. */
export interface SpreadFleet {
  /** Instances it holds on the CPUs its placement accepts (`acceptedCapacity`). */
  readonly capacity: number;
  /** Expected cost of a call there, as its placement prices it. */
  readonly costUsd: number;
}

/**
 * How many of `workers` workers start on each fleet: the own fleet up to its accepted capacity; then each of
 * `others`, cheapest first, up to its capacity, as long as it costs less than `overflowCostUsd` (what a call on the own
 * fleet pays once its accepted hosts are full: a run on the CPUs it rejects); the rest over the own fleet and those
 * others in proportion to their capacities.
 * @returns the own fleet's count, then one count per entry of `others` (in their given order).
 * @example spreadWorkers(1000, { capacity: 250, costUsd: 4 }, 7, [{ capacity: 400, costUsd: 5 }]) // [385, 615]
 */
export function spreadWorkers(
  workers: number,
  own: SpreadFleet,
  overflowCostUsd: number,
  others: readonly SpreadFleet[],
): number[] {
  const total = Math.max(0, Math.floor(workers));
  const counts = new Array<number>(others.length + 1).fill(0);
  const home = Math.min(total, Math.floor(own.capacity));
  let left = total - home;
  const order = others.map((_, i) => i).sort((a, b) => others[a].costUsd - others[b].costUsd);
  for (const i of order) {
    if (left <= 0 || !(others[i].costUsd < overflowCostUsd)) break;
    const n = Math.min(left, Math.max(0, Math.floor(others[i].capacity)));
    counts[i + 1] = n;
    left -= n;
  }
  if (left > 0) {
    // Beyond every fleet's capacity, the rest in proportion to what each holds: the fast slots free as calls end, and
    // each fleet's searchers take its own.
    const used = counts.map((n, i) => (i === 0 ? home : n));
    const held = used.reduce((sum, n) => sum + n, 0);
    if (held > 0) {
      for (let i = 1; i < counts.length; i++) {
        const extra = Math.floor((left * used[i]) / held);
        counts[i] += extra;
      }
    }
  }
  counts[0] = total - counts.slice(1).reduce((sum, n) => sum + n, 0);
  return counts;
}
