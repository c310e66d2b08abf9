import { archOfCpu } from './cpu';
import { PASSIVE_HALF_LIFE_MS, PASSIVE_WINDOW_MS, type PassiveDecay, passiveAgeMs } from './passive-evidence';
import type { Arch, CpuCounts, CpuKey, FunctionEvidence } from './types';
import type { ZoneMix } from './zone-mix';

/**
 * A dynamic function's own CPU mix. Lambda packs a function's instances onto part of a zone's hosts (Wang et al.,
 * USENIX ATC 2018, saw one account's instances fill a worker before the next), so the CPUs a function meets are
 * those of its own hosts, not the zone's mix that sampling measures over a hundred sampler functions. The new
 * instances a function's calls met say which hosts it has, by host: an instance reports its host's boot time, and
 * (boot time, CPU) keys a host as the host census does. The function's mix starts from its zone's and moves toward
 * the CPUs of the hosts it has shown, by how many hosts that is (not instances: 27 instances on 3 hosts are 3
 * draws of the function's hosts).
 *
 * Evidence ages in two ways:
 * - like the zone's passive counts (`passive-evidence.ts`): a host weighs 2^(−age / half-life) from when it was
 *   last met, and nothing older than the window counts;
 * - by how long a function keeps its hosts, which is not published: a host met on an earlier UTC day than today
 *   counts only as the chance it is still the function's, per day. That chance (`persistence`) is measured from the
 *   function's own periods: the share of the hosts it met on a day that it had met on an earlier day, with a prior of
 *   one host that did not recur, so that an unverified guess never stands for a measurement. A platform that keeps a
 *   function's hosts makes old hosts count; one that moves them (as the twin does, drawing each day's fleet anew)
 *   makes them fade at once.
 * Instances that report no boot time (older handlers, other providers) cannot be told apart by host and are not
 * counted here; they still count toward the zone's passive mix.
 */

/** Hosts the zone's mix is worth against a function's own: a function that has shown this many weighs half. */
export const FUNCTION_MIX_PRIOR_HOSTS = 10;

/**
 * Pseudo-counts of the persistence prior: one host checked that did not recur. So hosts of earlier days count only
 * once the function has been seen to come back to hosts it met before, and then by how often it does.
 */
const PERSISTENCE_PRIOR = { recurring: 0, checked: 1 } as const;

const DAY_MS = 86_400_000;

/** The hosts one dynamic function's new instances ran on in one period (one UTC day), by CPU. */
export interface DatedFunctionHosts {
  readonly functionName: string;
  readonly azId: string;
  readonly arch: Arch;
  /** Per CPU, the hosts met: each one's boot time as text (a host is its boot time and CPU). */
  readonly hosts: Readonly<Record<CpuKey, readonly string[]>>;
  /** ms since epoch of the first host recorded in the period, when known. */
  readonly firstAt?: number;
  /** ms since epoch of the last host recorded in the period. */
  readonly lastAt?: number;
}

/**
 * The evidence of every function with hosts met within the window, keyed by function name.
 * @example functionEvidenceOf([{ functionName: 'sky-use1-az1-x86_64-128', azId: 'use1-az1', arch: 'x86_64',
 *   hosts: { 'intel-xeon-2.50': ['1764000000'] }, lastAt: now }], now)['sky-use1-az1-x86_64-128'].hosts
 */
export function functionEvidenceOf(
  periods: readonly DatedFunctionHosts[],
  now: number,
  decay: PassiveDecay = {},
): Record<string, FunctionEvidence> {
  const halfLifeMs = decay.halfLifeMs ?? PASSIVE_HALF_LIFE_MS;
  const windowMs = decay.windowMs ?? PASSIVE_WINDOW_MS;
  const byFunction = new Map<string, DatedFunctionHosts[]>();
  for (const p of periods) {
    const list = byFunction.get(p.functionName) ?? [];
    list.push(p);
    byFunction.set(p.functionName, list);
  }
  const today = Math.floor(now / DAY_MS);
  const out: Record<string, FunctionEvidence> = Object.create(null);
  for (const [functionName, list] of byFunction) {
    const dated = list
      .filter((p) => passiveAgeMs(p, now, windowMs) <= windowMs)
      .map((p) => ({ period: p, age: passiveAgeMs(p, now, windowMs), day: dayOf(p, now, windowMs) }))
      .sort((a, b) => a.day - b.day || b.age - a.age);
    if (dated.length === 0) continue;
    const persistence = persistenceOf(dated.map((d) => ({ day: d.day, hosts: hostKeys(d.period) })));
    // Each host counts once, from the period it was last met in.
    const last = new Map<string, { cpu: CpuKey; age: number; day: number }>();
    for (const { period, age, day } of dated) {
      for (const cpu of Object.keys(period.hosts)) {
        if (archOfCpu(cpu) !== period.arch) continue;
        for (const boot of period.hosts[cpu] ?? []) {
          const key = `${cpu}@${boot}`;
          const seen = last.get(key);
          if (!seen || day > seen.day || (day === seen.day && age < seen.age)) last.set(key, { cpu, age, day });
        }
      }
    }
    if (last.size === 0) continue;
    const hosts: Record<CpuKey, number> = Object.create(null);
    for (const { cpu, age, day } of last.values()) {
      const kept = persistence ** Math.max(0, today - day);
      hosts[cpu] = (hosts[cpu] ?? 0) + 2 ** (-age / halfLifeMs) * kept;
    }
    const first = dated[0].period;
    out[functionName] = { azId: first.azId, arch: first.arch, hosts, distinctHosts: last.size, persistence };
  }
  return out;
}

/**
 * The share of the hosts met on a day that had been met on an earlier day, over every day after the first, with
 * the prior (0 with nothing to compare).
 */
export function persistenceOf(
  days: ReadonlyArray<{ readonly day: number; readonly hosts: ReadonlySet<string> }>,
): number {
  const byDay = new Map<number, Set<string>>();
  for (const { day, hosts } of days) {
    const set = byDay.get(day) ?? new Set<string>();
    for (const h of hosts) set.add(h);
    byDay.set(day, set);
  }
  let recurring: number = PERSISTENCE_PRIOR.recurring;
  let checked: number = PERSISTENCE_PRIOR.checked;
  const earlier = new Set<string>();
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    const hosts = byDay.get(day) as Set<string>;
    if (earlier.size > 0) {
      for (const h of hosts) {
        checked++;
        if (earlier.has(h)) recurring++;
      }
    }
    for (const h of hosts) earlier.add(h);
  }
  return recurring / checked;
}

/**
 * A function's mix: its zone's mix worth `priorHosts` hosts, plus the hosts the function has shown (`evidence.hosts`,
 * already weighed), over the union of their CPUs of the zone mix's architecture. Its source stays the zone's; its
 * confidence moves toward 1 (what routed calls met) by the evidence's weight. The zone's mix itself when the
 * function has shown no host of that architecture.
 * @example functionMixOf(zoneMix, { 'intel-xeon-3.00': 10 }); // half the zone's mix, half 3.0 GHz Xeon
 */
export function functionMixOf(zone: ZoneMix, evidence: CpuCounts, priorHosts = FUNCTION_MIX_PRIOR_HOSTS): ZoneMix {
  const arch = zone.cpus.length > 0 ? archOfCpu(zone.cpus[0]) : undefined;
  let shown = 0;
  const met = new Map<CpuKey, number>();
  for (const cpu of Object.keys(evidence)) {
    const n = evidence[cpu];
    if (!(Number.isFinite(n) && n > 0) || (arch !== undefined && archOfCpu(cpu) !== arch)) continue;
    met.set(cpu, n);
    shown += n;
  }
  if (!(shown > 0)) return zone;
  const prior = Math.max(0, priorHosts);
  const total = prior + shown;
  const shares = new Map<CpuKey, number>();
  for (let i = 0; i < zone.cpus.length; i++) shares.set(zone.cpus[i], (prior * zone.shares[i]) / total);
  for (const [cpu, n] of met) shares.set(cpu, (shares.get(cpu) ?? 0) + n / total);
  const cpus = [...shares.keys()].filter((cpu) => (shares.get(cpu) ?? 0) > 0).sort();
  return {
    cpus,
    shares: cpus.map((cpu) => shares.get(cpu) ?? 0),
    source: zone.source,
    confidence: (prior * zone.confidence + shown) / total,
  };
}

function hostKeys(period: DatedFunctionHosts): Set<string> {
  const out = new Set<string>();
  for (const cpu of Object.keys(period.hosts)) for (const boot of period.hosts[cpu] ?? []) out.add(`${cpu}@${boot}`);
  return out;
}

/** The UTC day (days since the epoch) a period's hosts were met in: that of its last host, else the window's start. */
function dayOf(period: Pick<DatedFunctionHosts, 'firstAt' | 'lastAt'>, now: number, windowMs: number): number {
  const at = period.lastAt !== undefined && Number.isFinite(period.lastAt) ? period.lastAt : now - windowMs;
  return Math.floor(Math.min(at, now) / DAY_MS);
}
