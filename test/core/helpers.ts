import type { CpuCounts, PollAggregate } from '../../lib/core/types';

/** A deterministic PRNG (mulberry32) for seeded simulations: the one the workloads use. */
export { prng as seededRandom } from '../../lib/workloads/prng';

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

/** A poll that met `hosts` ([boot time, CPU, sampler functions that met it]) through `samplers` functions. */
export function pollOfHosts(
  hosts: ReadonlyArray<readonly [number, string, number?]>,
  samplers: number,
  extra: { requested?: number; failed?: number } = {},
): PollAggregate {
  const counts: Record<string, number> = {};
  for (const [, cpu] of hosts) counts[cpu] = (counts[cpu] ?? 0) + 1;
  return {
    ...pollOf(counts, extra),
    bootTimes: hosts.map(([t]) => t),
    hosts: hosts.map(([bootTime, cpu, met]) => ({ bootTime, cpu, instances: 1, samplers: met ?? 1 })),
    samplers,
  };
}

/**
 * A zone for sampling simulations, as the twin places instances: hosts of given CPU types; each
 * sampler function prefers its own random `spread` share of the hosts, and each request lands on
 * a random host of that subset. A poll spreads its requests over `functions` new functions and
 * reports the hosts met, with how many of its functions met each.
 */
export class SimulatedFleet {
  readonly hostCpu: string[] = [];
  constructor(
    mix: Readonly<Record<string, number>>,
    hosts: number,
    private readonly spread: number,
    private readonly random: () => number,
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
    }
  }

  /** The true mix: shares of hosts per CPU. */
  truth(): Record<string, number> {
    const shares: Record<string, number> = {};
    for (const cpu of this.hostCpu) shares[cpu] = (shares[cpu] ?? 0) + 1 / this.hostCpu.length;
    return shares;
  }

  poll(functions: number, requestsPerFunction: number): PollAggregate {
    const met = new Map<number, number>();
    const n = this.hostCpu.length;
    const k = Math.max(1, Math.round(this.spread * n));
    for (let f = 0; f < functions; f++) {
      const order = this.hostCpu.map((_, i) => i);
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(this.random() * (n - i));
        [order[i], order[j]] = [order[j], order[i]];
      }
      const seen = new Set<number>();
      for (let r = 0; r < requestsPerFunction; r++) seen.add(order[Math.floor(this.random() * k)]);
      for (const h of seen) met.set(h, (met.get(h) ?? 0) + 1);
    }
    const hosts = [...met].map(([h, units]) => [1_700_000_000 + h, this.hostCpu[h], units] as const);
    return pollOfHosts(hosts, functions, { requested: functions * requestsPerFunction });
  }
}
