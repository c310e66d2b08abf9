import type { CpuCounts, PollAggregate } from '../../lib/core/types';

/** A deterministic PRNG (mulberry32) for seeded simulations. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A poll aggregate with the given CPU counts; every other field is consistent with them. */
export function pollOf(
  cpuCounts: CpuCounts,
  extra: { requested?: number; failed?: number; billedMs?: number } = {},
): PollAggregate {
  const seen = Object.values(cpuCounts).reduce((sum, n) => sum + n, 0);
  const failed = extra.failed ?? 0;
  const requested = extra.requested ?? seen + failed;
  return {
    requested,
    succeeded: requested - failed,
    failures: failed > 0 ? { TooManyRequestsException: failed } : {},
    cpuCounts,
    cpuModels: {},
    instanceIds: [],
    newInstances: seen,
    bootTimes: [],
    latencyMs: { p50: 260, p90: 280, p99: 300, max: 320 },
    billedMs: extra.billedMs ?? 260 * (requested - failed),
  };
}

/**
 * An emulated zone for sampling simulations: hosts of given CPU types with slots; a poll puts each
 * request on a free slot. `clustered` fills hosts one after another (in a shuffled order), as a
 * platform that packs a burst onto few hosts would; otherwise slots are drawn uniformly.
 */
export class SimulatedZone {
  private readonly hostCpu: string[] = [];
  private readonly free: number[] = [];
  private readonly order: number[];
  constructor(
    mix: Readonly<Record<string, number>>,
    hosts: number,
    slotsPerHost: number,
    private readonly random: () => number,
    private readonly clustered: boolean,
  ) {
    const keys = Object.keys(mix);
    for (let h = 0; h < hosts; h++) {
      let u = (h + 0.5) / hosts;
      let cpu = keys[keys.length - 1];
      for (const key of keys) {
        if (u < mix[key]) {
          cpu = key;
          break;
        }
        u -= mix[key];
      }
      this.hostCpu.push(cpu);
      this.free.push(slotsPerHost);
    }
    this.order = this.hostCpu.map((_, i) => i);
    for (let i = this.order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [this.order[i], this.order[j]] = [this.order[j], this.order[i]];
    }
  }

  /** The true mix: shares of slots per CPU. */
  truth(): Record<string, number> {
    const shares: Record<string, number> = {};
    for (const cpu of this.hostCpu) shares[cpu] = (shares[cpu] ?? 0) + 1 / this.hostCpu.length;
    return shares;
  }

  poll(requests: number): PollAggregate {
    const counts: Record<string, number> = {};
    let failed = 0;
    for (let r = 0; r < requests; r++) {
      const host = this.pickHost();
      if (host < 0) {
        failed++;
        continue;
      }
      this.free[host]--;
      counts[this.hostCpu[host]] = (counts[this.hostCpu[host]] ?? 0) + 1;
    }
    return pollOf(counts, { requested: requests, failed });
  }

  private pickHost(): number {
    if (this.clustered) {
      for (const h of this.order) if (this.free[h] > 0) return h;
      return -1;
    }
    const totalFree = this.free.reduce((s, n) => s + n, 0);
    if (totalFree === 0) return -1;
    let u = Math.floor(this.random() * totalFree);
    for (let h = 0; h < this.free.length; h++) {
      if (u < this.free[h]) return h;
      u -= this.free[h];
    }
    return -1;
  }
}
