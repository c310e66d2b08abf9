import { expectedPlacementCost, initBilledMs } from '../core/cost-model';
import { archOfCpu } from '../core/cpu';
import { holdUnder, type RejectMode } from '../core/reject-mode';
import type { Arch } from '../core/types';
import { deployedZoneOf } from './deployed-zones';
import { catalogPrices, type PriceBook } from './prices';
import { mixOfDay, type Scenario, type ScenarioWorkload, type ScenarioZone } from './scenario';
import { allowedMemorySizes, modelRuntimeMs } from './workload-model';

/**
 * The memoryless bound: the least expected cost of a router that knows every zone's true mix and every
 * true runtime, but not an instance's CPU before a call has run there, and treats every attempt as a
 * draw on a new instance (the model `optimal` is exact for; the "Why"). It is the core's own
 * `expectedPlacementCost` minimized over zones, architectures, the oracle's memory sizes and reject sets
 * (a threshold on runtime is optimal with unlimited attempts, see `reject-set.ts`), each day, against the
 * fixed zone priced by the same model.
 *
 * It splits a miss of the oracle's target in two: what a CPU-blind router could still gain (the bound
 * against `optimal`), and what only knowing CPUs before placing gives (the oracle against the bound).
 * It is not a strict bound on a run: warm reuse, a function's preferred hosts and a zone's capacity are
 * outside the model, and move realised costs either way.
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
  readonly shares: Readonly<Record<string, number>>;
}

function fleetsOf(zone: ScenarioZone, day: number): Fleet[] {
  const fleets: Fleet[] = [{ arch: 'x86_64', shares: mixOfDay(zone, day) }];
  if (zone.arm64) fleets.push({ arch: 'arm64', shares: zone.arm64.mix[Math.min(day, zone.arm64.mix.length - 1)] });
  return fleets;
}

/** The least expected cost per request of one fleet at one memory size, over reject thresholds. */
function bestOfFleet(
  scenario: Scenario,
  workload: ScenarioWorkload,
  zone: ScenarioZone,
  fleet: Fleet,
  memoryMb: number,
  costing: { holdMs: number; initMs: number; prices: PriceBook },
  rejectNothing = false,
): { costUsd: number; reject: string[] } {
  const cpus = Object.entries(fleet.shares)
    .filter(([, share]) => share > 0)
    .map(([key, share]) => {
      const cpuKey = scenario.cpuList.find((c) => c.key === key)?.cpuKey ?? key;
      return { cpuKey, share, ms: modelRuntimeMs(scenario, workload, cpuKey, memoryMb) };
    })
    .filter((c) => archOfCpu(c.cpuKey) === fleet.arch)
    .sort((a, b) => a.ms - b.ms);
  const price = costing.prices.billing(zone.region, fleet.arch);
  let best = { costUsd: Number.POSITIVE_INFINITY, reject: [] as string[] };
  // accept the `accept` fastest CPUs, reject the rest
  for (let accept = cpus.length; accept >= (rejectNothing ? cpus.length : 1); accept--) {
    const { costUsd } = expectedPlacementCost({
      shares: cpus.map((c) => c.share),
      runtimesMs: cpus.map((c) => c.ms),
      reject: cpus.map((_, i) => i >= accept),
      holdMs: costing.holdMs,
      memoryMb,
      price,
      initBilledMs: costing.initMs,
    });
    if (costUsd < best.costUsd) best = { costUsd, reject: cpus.slice(accept).map((c) => c.cpuKey) };
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
      const atFixed = bestOfFleet(scenario, workload, fixed, fleetsOf(fixed, day)[0], workload.memoryMb, costing, true);
      fixedZoneUsd += atFixed.costUsd * scenario.burst;
      let best = { costUsd: Number.POSITIVE_INFINITY, where: '' };
      for (const zone of scenario.zones) {
        const deployed = deployedZoneOf(zone);
        for (const fleet of fleetsOf(zone, day)) {
          if (deployed.architectures && !deployed.architectures.includes(fleet.arch)) continue;
          for (const mb of sizes) {
            if (deployed.memorySizes && !deployed.memorySizes.includes(mb)) continue;
            const got = bestOfFleet(scenario, workload, zone, fleet, mb, costing);
            if (got.costUsd < best.costUsd) {
              const rejecting = got.reject.length > 0 ? got.reject.join(', ') : 'nothing';
              best = { costUsd: got.costUsd, where: `${zone.azId} ${fleet.arch} ${mb} MB rejecting ${rejecting}` };
            }
          }
        }
      }
      boundUsd += best.costUsd * scenario.burst;
      placements.push(best.where);
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
