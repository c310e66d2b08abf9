import type { Candidate } from './candidate';
import type { CpuKey } from './types';

/**
 * What the pool says about the next new instance. A zone's mix is the share of its hosts on each CPU, but a burst
 * that keeps the instances it accepts takes slots as it goes: new instances come from the slots still free, which
 * hold fewer and fewer of the accepted CPUs when those are scarce. The CPUs of the hosts a batch met new instances on
 * most recently (`PoolContext.draws`, what a deployment sees in its answers: each instance reports its host's boot
 * time) tell where that stands, so a placement blends them into the zone's mix, weighing them as many hosts as they
 * count against `DRAW_PRIOR_WEIGHT` for the mix. They count hosts, not instances: the platform packs a function's cold
 * starts onto a few hosts at a time, so the 27 new instances a burst met on 3 hosts are 3 draws of the mix, and
 * counting them as 27 would let a few hosts outweigh the measured mix.
 */

/** Pseudo-count (in hosts) of the zone's mix against the draws a batch observed. */
export const DRAW_PRIOR_WEIGHT = 50;

/**
 * A candidate whose shares are its zone's mix blended with observed draws (n hosts: weight n / (n + 50)). CPUs drawn
 * that the candidate has no runtime for are left out (the mix is renormalized over the CPUs it knows).
 * @example withDrawnShares(candidate, { 'intel-xeon-2.50': 40, 'intel-xeon-3.00': 2 });
 */
export function withDrawnShares(c: Candidate, draws: Readonly<Record<CpuKey, number>>): Candidate {
  const n = drawnOn(draws, c.cpus);
  if (!(n > 0)) return c;
  const shares = c.cpus.map((cpu, j) => blended(c.shares[j], drawnOf(draws, cpu), n));
  return { ...c, shares };
}

/**
 * The chance that a function's next new instance runs `cpu`, as a placement blending `draws` into `mix` prices it
 * (`withDrawnShares`): (hosts drawn on `cpu` + 50 × its share of the mix) / (hosts drawn + 50). Without a mix, its
 * share of the draws alone; undefined without draws.
 * @example drawnChance({ graviton2: 3 }, 'graviton2', { cpus: ['graviton2', 'graviton3'], shares: [0.9, 0.1] }); // (3 + 45) / 53
 */
export function drawnChance(
  draws: Readonly<Record<CpuKey, number>>,
  cpu: CpuKey,
  mix?: { readonly cpus: readonly CpuKey[]; readonly shares: readonly number[] },
): number | undefined {
  // As `withDrawnShares`, a mix counts only the draws of the CPUs it knows.
  const n = drawnOn(draws, mix ? mix.cpus : Object.keys(draws));
  if (!(n > 0)) return undefined;
  if (!mix) return drawnOf(draws, cpu) / n;
  const j = mix.cpus.indexOf(cpu);
  return blended(j >= 0 ? mix.shares[j] : 0, drawnOf(draws, cpu), n);
}

/** Hosts drawn on `cpu` (a negative count as none). */
function drawnOf(draws: Readonly<Record<CpuKey, number>>, cpu: CpuKey): number {
  return Math.max(0, draws[cpu] ?? 0);
}

/** Hosts drawn on any of `cpus`. */
function drawnOn(draws: Readonly<Record<CpuKey, number>>, cpus: readonly CpuKey[]): number {
  let n = 0;
  for (const cpu of cpus) n += drawnOf(draws, cpu);
  return n;
}

/** A CPU's `share` of the mix blended with the `drawn` of `n` hosts drawn on it: weight n / (n + 50) for the draws. */
function blended(share: number, drawn: number, n: number): number {
  const w = n / (n + DRAW_PRIOR_WEIGHT);
  return (1 - w) * share + (w * drawn) / n;
}

/** Whether a request carries any observed draw. */
export function hasDraws(draws: Readonly<Record<CpuKey, number>> | undefined): draws is Record<CpuKey, number> {
  if (!draws) return false;
  for (const cpu of Object.keys(draws)) if (draws[cpu] > 0) return true;
  return false;
}
