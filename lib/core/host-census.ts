import { mergeCounts } from './distribution';
import { CoreInputError } from './errors';
import type { CpuCounts, CpuKey, PollAggregate } from './types';

/**
 * A census of the hosts a sampling run has met, and an estimate of the zone's fleet.
 *
 * A zone's CPU mix is the share of its hosts of each CPU type; instances are only the way to
 * reach hosts. A host is known by the pair (boot time, CPU) its instances report: two hosts of the
 * same CPU that booted in the same second would count as one, and a host that reboots between
 * polls would count twice (both rare next to fleets of hundreds of hosts; see the README for how
 * to check it on live Lambda).
 *
 * Fleet size, by incidence (Chao2, Chao 1987): every sampler function is a sampling unit, because
 * the platform places one function's instances on its own subset of the hosts, so functions see
 * overlapping random subsets of the fleet. With T units, Q1 hosts met by exactly one unit and Q2
 * by exactly two, the unseen hosts number about f0 = (T−1)/T · Q1² / (2 Q2) (bias-corrected
 * (T−1)/T · Q1 (Q1−1) / 2 when Q2 = 0), and the fleet N̂ = S + f0 for S hosts seen. Its upper
 * bound at a confidence uses Chao's log-normal interval. Counting hosts met by one *instance*
 * instead (abundance) fails under clustered placement: a poll packs many instances onto each host
 * of its subset, so hardly any host is met once although most hosts were never met.
 */

/** What a run's polls say about the zone's hosts. */
export interface HostCensus {
  /** Distinct hosts met (S). */
  readonly hostsSeen: number;
  /** Distinct hosts met per CPU key: the characterization's counts. */
  readonly hostsByCpu: Readonly<Record<CpuKey, number>>;
  /** Sampling units (sampler functions summed over the polls) that met at least one host (T). */
  readonly units: number;
  /** Hosts met by exactly one unit (Q1) and by exactly two (Q2). */
  readonly metOnce: number;
  readonly metTwice: number;
  /** CPU types met on exactly one host (evidence of types not met yet). */
  readonly cpuTypesOnOneHost: number;
  /** Estimated hosts in the zone (Chao2); NaN with fewer than two units. */
  readonly fleetEstimate: number;
  /** Upper bound of the fleet at the confidence asked; NaN with fewer than two units. */
  readonly fleetUpper: number;
}

/** The key a host is known by. */
export function hostKeyOf(bootTime: number, cpu: CpuKey): string {
  return `${cpu}@${bootTime}`;
}

/**
 * Counts the hosts met by `polls` (their `hosts` lists) and estimates the fleet.
 * @param z normal quantile of the fleet's upper bound (e.g. 1.2816 for 90%)
 * @throws CoreInputError on a host entry with a negative or non-finite count.
 * @example hostCensusOf(polls, 1.2816).fleetEstimate // e.g. 104.6
 */
export function hostCensusOf(polls: readonly PollAggregate[], z: number): HostCensus {
  const incidence = new Map<string, { cpu: CpuKey; units: number }>();
  let units = 0;
  polls.forEach((poll, p) => {
    const hosts = poll.hosts ?? [];
    if (hosts.length === 0) return;
    const pollUnits = poll.samplers ?? 1;
    if (!Number.isInteger(pollUnits) || pollUnits < 1) {
      throw new CoreInputError(`polls[${p}].samplers`, pollUnits, 'an integer >= 1 when the poll met hosts');
    }
    units += pollUnits;
    hosts.forEach((host, h) => {
      if (!Number.isFinite(host.bootTime)) {
        throw new CoreInputError(`polls[${p}].hosts[${h}].bootTime`, host.bootTime, 'a finite number');
      }
      if (!Number.isInteger(host.samplers) || host.samplers < 1 || host.samplers > pollUnits) {
        throw new CoreInputError(`polls[${p}].hosts[${h}].samplers`, host.samplers, `an integer in [1, ${pollUnits}]`);
      }
      const key = hostKeyOf(host.bootTime, host.cpu);
      const seen = incidence.get(key);
      if (seen) seen.units += host.samplers;
      else incidence.set(key, { cpu: host.cpu, units: host.samplers });
    });
  });
  const hostsByCpu: Record<CpuKey, number> = {};
  let metOnce = 0;
  let metTwice = 0;
  for (const { cpu, units: u } of incidence.values()) {
    hostsByCpu[cpu] = (hostsByCpu[cpu] ?? 0) + 1;
    if (u === 1) metOnce++;
    else if (u === 2) metTwice++;
  }
  const hostsSeen = incidence.size;
  const cpuTypesOnOneHost = Object.values(hostsByCpu).filter((n) => n === 1).length;
  const fleet = units >= 2 ? chao2(hostsSeen, units, metOnce, metTwice, z) : { estimate: NaN, upper: NaN };
  return {
    hostsSeen,
    hostsByCpu,
    units,
    metOnce,
    metTwice,
    cpuTypesOnOneHost,
    fleetEstimate: fleet.estimate,
    fleetUpper: fleet.upper,
  };
}

/** Chao2 estimate of the fleet and its log-normal upper bound (Chao 1987; Chao et al. 2005). */
function chao2(seen: number, units: number, q1: number, q2: number, z: number): { estimate: number; upper: number } {
  const a = (units - 1) / units;
  let unseen: number;
  let variance: number;
  if (q2 > 0) {
    const r = q1 / q2;
    unseen = (a * q1 * q1) / (2 * q2);
    variance = q2 * ((a / 2) * r ** 2 + a * a * r ** 3 + ((a * a) / 4) * r ** 4);
  } else {
    unseen = (a * q1 * (q1 - 1)) / 2;
    const estimate = seen + unseen;
    variance =
      estimate > 0
        ? (a * q1 * (q1 - 1)) / 2 + (a * a * q1 * (2 * q1 - 1) ** 2) / 4 - (a * a * q1 ** 4) / (4 * estimate)
        : 0;
  }
  if (unseen <= 0) return { estimate: seen, upper: seen };
  const spread = Math.exp(z * Math.sqrt(Math.log(1 + Math.max(0, variance) / (unseen * unseen))));
  return { estimate: seen + unseen, upper: seen + unseen * spread };
}

/**
 * The counts a run's characterization records: distinct hosts per CPU when the polls met hosts,
 * else (samplers that report no boot time) instances per CPU.
 * @example characterizationCountsOf(polls) // { 'intel-xeon-2.50': 58, 'intel-xeon-3.00': 31 }
 */
export function characterizationCountsOf(polls: readonly PollAggregate[]): CpuCounts {
  const census = hostCensusOf(polls, 0);
  if (census.hostsSeen > 0) return census.hostsByCpu;
  return mergeCounts(...polls.map((poll) => poll.cpuCounts));
}
