import { expectedPlacementCost, initBilledMs } from '../core/cost-model';
import { archOfCpu } from '../core/cpu';
import { DEFAULT_MAX_ATTEMPTS } from '../core/lambda-limits';
import { holdUnder, type RejectMode } from '../core/reject-mode';
import type { Arch } from '../core/types';
import { deployedZoneOf } from './deployed-zones';
import { catalogPrices, type PriceBook } from './prices';
import { burstConcurrency } from './routing';
import type { Scenario, ScenarioCpu, ScenarioWorkload, ScenarioZone } from './scenario';
import { arm64FleetOf, fleetOf } from './twin';
import { allowedMemorySizes, modelRuntimeMs } from './workload-model';
import { DEFAULT_HOST_MEMORY_MB } from './zone';

/**
 * The memoryless bound: the least expected cost of a router that knows every zone's true mix (the hosts
 * the twin built that day) and every true runtime, but not an instance's CPU before a call has run there,
 * and treats every attempt as a draw on a new instance (the model `optimal` is exact for; the issue's
 * "Why"). It is the core's own `expectedPlacementCost` with the router's attempt budget (the last attempt
 * accepts any CPU), minimized over zones, architectures, the oracle's memory sizes and every reject set,
 * each day, against the fixed zone priced by the same model. A fleet takes at most as many of a burst's calls at
 * once (`burstConcurrency`) as it holds instances at that memory size; the rest go to the next-cheapest fleet.
 *
 * It splits a miss of the oracle's target in two: what a CPU-blind router could still gain (the bound
 * against `optimal`), and what only knowing CPUs before placing gives (the oracle against the bound).
 * It is not a strict bound on a run: warm reuse and a function's preferred hosts are outside the model, and
 * move realised costs either way. In the twin a function's cold starts, retries' replacements included, fill one
 * host's share before opening the next, so a burst meets a few hosts, not independent draws: a CPU on few hosts
 * is then harder to reach than the bound assumes.
 */

/** The bound of one workload over the days of a run. */
export interface MemorylessBoundRow {
  readonly workload: string;
  /** Σ over days of burst × the least expected cost per request, USD. */
  readonly boundUsd: number;
  /** Σ over days of burst × the fixed zone's expected cost per request (memoryMb, x86_64, no rejects), USD. */
  readonly fixedZoneUsd: number;
  /** 100 × (fixedZoneUsd − boundUsd) / fixedZoneUsd. */
  readonly savingsPct: number;
  /** Where the bound placed it, per day: `<azId> <arch> <MB> MB rejecting <cpus>`. */
  readonly placements: readonly string[];
}

interface Fleet {
  readonly arch: Arch;
  /** Hosts per normalized CPU key. */
  readonly hosts: ReadonlyMap<string, number>;
}

function hostsOf(cpus: readonly ScenarioCpu[]): Map<string, number> {
  const hosts = new Map<string, number>();
  for (const c of cpus) hosts.set(c.cpuKey, (hosts.get(c.cpuKey) ?? 0) + 1);
  return hosts;
}

function fleetsOf(scenario: Scenario, zone: ScenarioZone, day: number): Fleet[] {
  const fleets: Fleet[] = [{ arch: 'x86_64', hosts: hostsOf(fleetOf(scenario, zone.azId, day)) }];
  const arm = arm64FleetOf(scenario, zone.azId, day);
  if (arm.length > 0) fleets.push({ arch: 'arm64', hosts: hostsOf(arm) });
  return fleets;
}

/** The least expected cost per request of one fleet at one memory size, over every reject set. */
function bestOfFleet(
  scenario: Scenario,
  workload: ScenarioWorkload,
  zone: ScenarioZone,
  fleet: Fleet,
  memoryMb: number,
  costing: { holdMs: number; initMs: number; prices: PriceBook },
  rejectNothing = false,
): { costUsd: number; reject: string[] } {
  const cpus = [...fleet.hosts]
    .filter(([cpuKey, hosts]) => hosts > 0 && archOfCpu(cpuKey) === fleet.arch)
    .map(([cpuKey, hosts]) => ({ cpuKey, hosts, ms: modelRuntimeMs(scenario, workload, cpuKey, memoryMb) }))
    .sort((a, b) => a.ms - b.ms);
  const price = costing.prices.billing(zone.region, fleet.arch);
  let best = { costUsd: Number.POSITIVE_INFINITY, reject: [] as string[] };
  // every subset (a fleet has a handful of CPU types): with a finite budget a threshold need not be best
  const subsets = rejectNothing ? 1 : 2 ** cpus.length - 1;
  for (let bits = 0; bits < subsets; bits++) {
    const { costUsd } = expectedPlacementCost({
      shares: cpus.map((c) => c.hosts),
      runtimesMs: cpus.map((c) => c.ms),
      reject: cpus.map((_, i) => (bits & (1 << i)) !== 0),
      holdMs: costing.holdMs,
      maxAttempts: DEFAULT_MAX_ATTEMPTS,
      memoryMb,
      price,
      initBilledMs: costing.initMs,
    });
    if (costUsd < best.costUsd)
      best = { costUsd, reject: cpus.filter((_, i) => (bits & (1 << i)) !== 0).map((c) => c.cpuKey) };
  }
  return best;
}

/**
 * The memoryless bound of every workload of `scenario` over its first `days` days, under `rejectMode`'s hold.
 * @example
 * memorylessBound(loadScenario('scenarios/stress-mix-shift.json'), { days: 4, rejectMode: 'auto' });
 */
export function memorylessBound(
  scenario: Scenario,
  options: { readonly days: number; readonly rejectMode: RejectMode; readonly prices?: PriceBook },
): MemorylessBoundRow[] {
  const costing = {
    holdMs: holdUnder(options.rejectMode, scenario.holdMs),
    initMs: initBilledMs({ billed: scenario.pricing.initBilled, initMs: scenario.initMs }),
    prices: options.prices ?? catalogPrices,
  };
  const fixed = scenario.zones.find((z) => z.azId === scenario.baselineZone);
  if (!fixed) throw new RangeError(`baselineZone ${scenario.baselineZone} is not a zone of ${scenario.name}`);
  return Object.entries(scenario.workloads).map(([name, workload]) => {
    const sizes = allowedMemorySizes(scenario, workload);
    let boundUsd = 0;
    let fixedZoneUsd = 0;
    const placements: string[] = [];
    for (let day = 0; day < options.days; day++) {
      const atFixed = bestOfFleet(
        scenario,
        workload,
        fixed,
        fleetsOf(scenario, fixed, day)[0],
        workload.memoryMb,
        costing,
        true,
      );
      fixedZoneUsd += atFixed.costUsd * scenario.burst;
      // The best memory size and reject set of each fleet, then the cheapest fleets filled up to what they hold.
      const fleets: { costUsd: number; where: string; holds: number }[] = [];
      for (const zone of scenario.zones) {
        const deployed = deployedZoneOf(zone);
        for (const fleet of fleetsOf(scenario, zone, day)) {
          if (deployed.architectures && !deployed.architectures.includes(fleet.arch)) continue;
          let best = { costUsd: Number.POSITIVE_INFINITY, where: '', holds: 0 };
          for (const mb of sizes) {
            if (deployed.memorySizes && !deployed.memorySizes.includes(mb)) continue;
            const got = bestOfFleet(scenario, workload, zone, fleet, mb, costing);
            if (got.costUsd < best.costUsd) {
              const rejecting = got.reject.length > 0 ? got.reject.join(', ') : 'nothing';
              const hosts = [...fleet.hosts.values()].reduce((a, b) => a + b, 0);
              const perHost = Math.min(
                zone.slotsPerHost,
                Math.floor((zone.hostMemoryMb ?? DEFAULT_HOST_MEMORY_MB) / mb),
              );
              best = {
                costUsd: got.costUsd,
                where: `${zone.azId} ${fleet.arch} ${mb} MB rejecting ${rejecting}`,
                holds: hosts * perHost,
              };
            }
          }
          if (best.holds > 0) fleets.push(best);
        }
      }
      fleets.sort((a, b) => a.costUsd - b.costUsd);
      const concurrency = burstConcurrency(scenario.burst, 1);
      let left = concurrency;
      let dayUsd = 0;
      const used: string[] = [];
      for (const f of fleets) {
        const take = Math.min(left, f.holds);
        if (take === 0) continue;
        dayUsd += take * f.costUsd;
        left -= take;
        used.push(take === concurrency ? f.where : `${f.where} (${take} at once)`);
        if (left === 0) break;
      }
      // More calls at once than every fleet holds: the rest wait for the last fleet's slots.
      if (left > 0 && fleets.length > 0) dayUsd += left * fleets[fleets.length - 1].costUsd;
      boundUsd += (dayUsd / concurrency) * scenario.burst;
      placements.push(used.join(' + '));
    }
    return {
      workload: name,
      boundUsd,
      fixedZoneUsd,
      savingsPct: fixedZoneUsd > 0 ? (100 * (fixedZoneUsd - boundUsd)) / fixedZoneUsd : 0,
      placements,
    };
  });
}
