import { archOfCpu, characterizationArch } from './cpu';
import { hostKeyOf } from './host-census';
import { PASSIVE_HALF_LIFE_MS, PASSIVE_WINDOW_MS, type PassiveDecay, passiveAgeMs } from './passive-evidence';
import type {
  Arch,
  Characterization,
  CpuCounts,
  CpuKey,
  FunctionEvidence,
  HostCheck,
  HostReturns,
  RoutingView,
} from './types';
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
 * How many hosts the function keeps to is not published, so the router measures it. Each new instance is checked
 * against the function's hosts of the day in the view its batch started with (a batch's own earlier hosts are not
 * there, so packing within a batch, cold starts filling the host the last one opened, is no return); chance is those
 * hosts' share of the zone's fleet (the characterization's estimate). A function kept to k of the fleet's F hosts
 * lands on its known hosts F / k times as often as chance, so its window is `windowShare` = chance / returned of the
 * fleet, and the zone's mix counts as the hosts of that window the function has not shown (`windowPriorHosts`). A
 * function whose new instances land on any host (or on hosts that change within the day) returns at chance: its
 * hosts are then a few draws of the whole fleet, not a mix of its own (counted as its own against the zone's mix
 * worth a fixed 10 hosts, they priced its next batch with noise).
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

/** `functionMixOf`'s default: hosts the zone's mix is worth against a function's own. */
export const FUNCTION_MIX_PRIOR_HOSTS = 10;

/**
 * Pseudo-counts of the window prior: one new instance that returned to a known host where chance gave one. So a
 * function counts as keeping to part of the fleet only once its instances have come back to its hosts beyond chance.
 */
const WINDOW_PRIOR = { returned: 1, chance: 1 } as const;

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
  /** How often the period's new instances came back to hosts met earlier that day. */
  readonly returns?: HostReturns;
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
    const windowShare = windowShareOf(dated.map((d) => d.period.returns));
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
    const metToday: string[] = [];
    for (const [key, { cpu, age, day }] of last) {
      if (day >= today) metToday.push(key);
      const kept = day >= today ? 1 : persistence ** (today - day);
      hosts[cpu] = (hosts[cpu] ?? 0) + 2 ** (-age / halfLifeMs) * kept;
    }
    const first = dated[0].period;
    out[functionName] = {
      azId: first.azId,
      arch: first.arch,
      hosts,
      distinctHosts: last.size,
      persistence,
      windowShare,
      metToday,
    };
  }
  return out;
}

/** Host-return sums as a router adds to them: one check at a time, or another period's sums. */
export interface HostReturnTally {
  checked: number;
  returned: number;
  chance: number;
}

/** A tally with nothing checked. */
export function emptyHostReturns(): HostReturnTally {
  return { checked: 0, returned: 0, chance: 0 };
}

/** Adds `sums` (another tally, or one check: `{ checked: 1, returned: 0 or 1, chance }`) to `tally`. */
export function addHostReturns(tally: HostReturnTally, sums: HostReturns): void {
  tally.checked += sums.checked;
  tally.returned += sums.returned;
  tally.chance += sums.chance;
}

/**
 * The share of its zone's fleet a function's new instances keep to, 0..1 (1: any host), from how often they came
 * back to hosts it met earlier in the day against chance: a function confined to k of the fleet's F hosts lands on
 * its known hosts F / k times as often as chance, so k / F = chance / returned (the Schnabel census estimate of k),
 * with a prior of one instance that returned at chance, over every period given (unreadable sums are skipped).
 * @example windowShareOf([{ checked: 40, returned: 19, chance: 4 }]) // 0.25: a quarter of the fleet
 */
export function windowShareOf(returns: ReadonlyArray<HostReturns | undefined>): number {
  let returned: number = WINDOW_PRIOR.returned;
  let chance: number = WINDOW_PRIOR.chance;
  for (const r of returns) {
    if (!r || ![r.checked, r.returned, r.chance].every((n) => Number.isFinite(n) && n >= 0)) continue;
    returned += Math.min(r.returned, r.checked);
    chance += Math.min(r.chance, r.checked);
  }
  return Math.min(1, chance / returned);
}

/**
 * Hosts the zone's mix is worth against a function's own (`functionMixOf`): the hosts of the function's window it
 * has not shown, its window being `windowShare` of the fleet's estimated hosts (the characterization's estimate, at
 * least the hosts it saw). So a function that keeps to a few hosts it has shown is priced with their mix, and one
 * that lands anywhere (window share 1) counts its hosts as the few hosts of the whole fleet they are.
 */
export function windowPriorHosts(fleetHosts: number, windowShare: number, shownHosts: number): number {
  return Math.max(0, windowShare * fleetHosts - shownHosts);
}

/**
 * Checks a new instance of a function against the hosts the function met earlier today in `view`: whether its host
 * is one of them, and the chance it would be with no affinity (those hosts' share of the zone's fleet of the
 * function's architecture: the characterization's fleet estimate, at least the hosts it and the function saw).
 * Undefined when there is nothing to check against: no host met today, or no characterization of that fleet.
 * @example hostReturnCheck(view)('sky-use1-az1-x86_64-128', 'intel-xeon-2.50', 1764000000) // { returned: true, chance: 0.05 }
 */
export function hostReturnCheck(
  view: Pick<RoutingView, 'functionHosts' | 'zones'>,
): (functionName: string, cpu: CpuKey, bootTime: number) => HostCheck | undefined {
  const known = new Map<string, { hosts: ReadonlySet<string>; chance: number } | undefined>();
  const knownOf = (functionName: string) => {
    if (known.has(functionName)) return known.get(functionName);
    const evidence = view.functionHosts?.[functionName];
    let entry: { hosts: ReadonlySet<string>; chance: number } | undefined;
    if (evidence && evidence.metToday.length > 0) {
      const zone = view.zones.find((z) => z.azId === evidence.azId && characterizationArch(z) === evidence.arch);
      if (zone) {
        const hosts = new Set(evidence.metToday);
        entry = { hosts, chance: hosts.size / Math.max(fleetHostsOf(zone, evidence.arch), hosts.size) };
      }
    }
    known.set(functionName, entry);
    return entry;
  };
  return (functionName, cpu, bootTime) => {
    const entry = knownOf(functionName);
    return entry && { returned: entry.hosts.has(hostKeyOf(bootTime, cpu)), chance: entry.chance };
  };
}

/**
 * A characterized fleet's hosts: the characterization's estimate, at least the hosts it saw (of `arch`); 0 when it
 * saw none.
 */
export function fleetHostsOf(zone: Pick<Characterization, 'counts' | 'confidence'>, arch: Arch): number {
  let seen = 0;
  for (const cpu of Object.keys(zone.counts)) if (archOfCpu(cpu) === arch) seen += zone.counts[cpu];
  return Math.max(zone.confidence?.fleetEstimate ?? 0, zone.confidence?.hostsSeen ?? 0, seen);
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
