import { spreadWorkers } from '../core/fleet-capacity';
import type { Placement } from '../core/types';
import { type Route, SEARCH_ELSEWHERE_CANDIDATES } from './follow';
import type { Placer } from './types';

/** Where a wide batch starts workers its own fleet's accepted hosts cannot hold. */
export interface WorkerSpread {
  /** Workers `from` (0-based) up to, not including, `to` start on `route`; the others on the batch's own. */
  readonly from: number;
  readonly to: number;
  readonly route: Route;
}

/**
 * The spread of `workers` workers of a batch of `profile` that follows `current` (`spreadWorkers` in the core): none
 * while the fleet `current` places on holds them all on the CPUs its placement accepts (`Placer.acceptedCapacity`),
 * for a placement that rejects nothing, or one not chosen by price (only `optimal`'s). Beyond that capacity a worker
 * meets the accepted hosts full and ends on a CPU the placement rejects; the best placement off the function in
 * another fleet (`Route.placementOff`, as a call still searching weighs it: at no less memory, where the call can
 * finish on every CPU) takes the workers beyond, up to its own accepted capacity, and its share of those beyond both
 * by capacity, where it is expected to cost less than such a call (the rejected CPUs' warm calls at their shares of
 * the mix, `Placer.callOn`). `uses` is the calls each instance is expected to serve.
 */
export function spreadOf(
  placer: Placer,
  profile: string,
  current: Route,
  workers: number,
  uses: number,
): WorkerSpread | undefined {
  const own = current.placement;
  if (own.strategy !== 'optimal' || own.rejectCpus.length === 0 || !placer.acceptedCapacity) return undefined;
  const ownCapacity = placer.acceptedCapacity(own);
  if (!(workers > ownCapacity)) return undefined;
  const overflowCostUsd = rejectedCallCost(placer, profile, own);
  if (overflowCostUsd === undefined) return undefined;
  const off = current.placementOff(uses, {
    from: own.target,
    minMemoryMb: own.target.memoryMb,
    siblings: false,
    fitting: true,
    candidates: SEARCH_ELSEWHERE_CANDIDATES,
  });
  if (!off) return undefined;
  const [, elsewhere] = spreadWorkers(
    workers,
    { capacity: ownCapacity, costUsd: own.expected.costUsd },
    overflowCostUsd,
    [{ capacity: placer.acceptedCapacity(off), costUsd: off.expected.costUsd }],
  );
  if (elsewhere === 0) return undefined;
  const from = Math.floor(ownCapacity);
  return { from, to: from + elsewhere, route: current.movedTo(off) };
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
