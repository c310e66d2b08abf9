import { type SpreadFleet, spreadWorkers } from '../core/fleet-capacity';
import type { CpuKey, Placement } from '../core/types';
import { pinnedTo, priceOf, type Route, SEARCH_ELSEWHERE_CANDIDATES } from './follow';
import type { Placer } from './types';

/** Where a wide batch starts some of the workers its own fleet's accepted hosts cannot hold. */
export interface WorkerSpread {
  /** Workers `from` (0-based) up to, not including, `to` start on `route`. */
  readonly from: number;
  readonly to: number;
  readonly route: Route;
}

/**
 * The spread of `workers` workers of a batch of `profile` that follows `current` (`spreadWorkers` in the core): none
 * while the fleet `current` places on holds them all on the CPUs its placement accepts (`Placer.acceptedCapacity`),
 * for a placement that rejects nothing, or one not chosen by price (only `optimal`'s). Beyond that capacity a worker
 * meets the accepted hosts full and ends on a CPU the placement rejects. Two places may take the workers beyond, each
 * up to what it holds, cheapest first, where a call there is expected to cost less than such a call (the rejected
 * CPUs' warm calls at their shares of the mix, `Placer.callOn`):
 * - the best placement off the function in another fleet (`Route.placementOff`, as a call still searching weighs it:
 *   at no less memory, where the call can finish on every CPU), up to what that fleet holds on the CPUs it accepts;
 * - the function itself, placed for a pool whose accepted hosts are full (`fullOwnPlacement`), up to what it holds on
 *   the CPUs that placement adds; its workers keep its reject set (`Route.keptOn`).
 * Workers beyond what all of them hold are split in proportion to it. `uses` is the calls each instance is expected
 * to serve.
 * @returns the ranges of workers that start elsewhere, by their ids; undefined where none does.
 */
export function spreadOf(
  placer: Placer,
  profile: string,
  current: Route,
  workers: number,
  uses: number,
): readonly WorkerSpread[] | undefined {
  const own = current.placement;
  if (own.strategy !== 'optimal' || own.rejectCpus.length === 0 || !placer.acceptedCapacity) return undefined;
  const ownCapacity = placer.acceptedCapacity(own);
  if (!(workers > ownCapacity)) return undefined;
  const overflowCostUsd = rejectedCallCost(placer, profile, own);
  if (overflowCostUsd === undefined) return undefined;
  const places: Array<{ readonly fleet: SpreadFleet; readonly route: () => Route }> = [];
  const off = current.placementOff(uses, {
    from: own.target,
    minMemoryMb: own.target.memoryMb,
    siblings: false,
    fitting: true,
    candidates: SEARCH_ELSEWHERE_CANDIDATES,
  });
  if (off) {
    const fleet = { capacity: placer.acceptedCapacity(off), costUsd: off.expected.costUsd };
    places.push({ fleet, route: () => current.movedTo(off) });
  }
  const full = fullOwnPlacement(placer, current, uses, ownCapacity);
  if (full) places.push({ fleet: full.fleet, route: () => current.keptOn(full.placement) });
  if (places.length === 0) return undefined;
  const [, ...counts] = spreadWorkers(
    workers,
    { capacity: ownCapacity, costUsd: own.expected.costUsd },
    overflowCostUsd,
    places.map((p) => p.fleet),
  );
  const spread: WorkerSpread[] = [];
  let from = Math.floor(ownCapacity);
  counts.forEach((count, i) => {
    if (count <= 0) return;
    spread.push({ from, to: from + count, route: places[i].route() });
    from += count;
  });
  return spread.length > 0 ? spread : undefined;
}

/**
 * Hosts the draws of `fullOwnPlacement` count, against the mix's `DRAW_PRIOR_WEIGHT` (50): enough to take the
 * accepted CPUs' shares to about nothing.
 */
const FULL_POOL_DRAWS = 10_000;

/**
 * The best placement on `current`'s function for a worker that meets the CPUs its placement accepts full: its new
 * instances come from the hosts of the CPUs the placement rejects, so it is placed on draws of those CPUs alone, at
 * their shares of the mix (`PoolContext.draws`), and priced by the core for that pool. It holds what the model gives
 * the CPUs it accepts that the placement rejects (`Placer.acceptedCapacity`) beyond `ownCapacity`, what the placement
 * holds. Undefined where it accepts none of them, or they hold no worker.
 */
function fullOwnPlacement(
  placer: Placer,
  current: Route,
  uses: number,
  ownCapacity: number,
): { readonly fleet: SpreadFleet; readonly placement: Placement } | undefined {
  const own = current.placement;
  const mix = placer.mixFor?.(own.target);
  if (!mix || !placer.acceptedCapacity) return undefined;
  const draws: Record<CpuKey, number> = {};
  mix.cpus.forEach((cpu, i) => {
    draws[cpu] = own.rejectCpus.includes(cpu) ? mix.shares[i] * FULL_POOL_DRAWS : 0;
  });
  let placement: Placement;
  try {
    const pool = { ...current.request.pool, usesPerInstance: uses, draws };
    placement = priceOf(placer, pinnedTo({ ...current.request, pool }, own.target));
  } catch {
    return undefined;
  }
  if (placement.target.functionName !== own.target.functionName) return undefined;
  const added = own.rejectCpus.filter(
    (cpu) => !placement.rejectCpus.includes(cpu) && !(placement.unfitCpus ?? []).includes(cpu),
  );
  if (added.length === 0) return undefined;
  const withAdded = placer.acceptedCapacity({
    target: own.target,
    rejectCpus: own.rejectCpus.filter((cpu) => !added.includes(cpu)),
  });
  const capacity = withAdded - ownCapacity;
  if (!(capacity >= 1)) return undefined;
  return { fleet: { capacity, costUsd: placement.expected.costUsd }, placement };
}

/**
 * A warm call on `placement`'s target on one of the CPUs it rejects and the call can finish on (a call never runs on an
 * unfit one), averaged at their shares of its mix.
 */
function rejectedCallCost(placer: Placer, profile: string, placement: Placement): number | undefined {
  const mix = placer.mixFor?.(placement.target);
  if (!mix || !placer.callOn) return undefined;
  let share = 0;
  let cost = 0;
  mix.cpus.forEach((cpu, i) => {
    if (!placement.rejectCpus.includes(cpu) || placement.unfitCpus?.includes(cpu)) return;
    const call = placer.callOn?.(profile, placement.target, cpu);
    if (!call) return;
    share += mix.shares[i];
    cost += mix.shares[i] * call.costUsd;
  });
  return share > 0 ? cost / share : undefined;
}
