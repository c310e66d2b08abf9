import { hostKeyOf } from '../core/host-census';
import type { CpuKey } from '../core/types';
import type { AttemptRecord } from './types';

/**
 * Calls each instance is expected to serve in a batch with `remaining` calls still to start at `concurrency` (the
 * pool model's input, `PoolContext.usesPerInstance`): each worker of the batch sends its next call as soon as its
 * last one answers, and the platform hands it the most recently used idle instance, the one that call just left
 * warm. So the instance a call settles on serves about remaining/concurrency calls, and the cost of finding it
 * (rejected attempts, INIT) is shared by them.
 * @example usesPerInstance(1000, 250); // 4
 */
export function usesPerInstance(remaining: number, concurrency: number): number {
  return Math.max(1, Math.ceil(remaining / Math.max(1, concurrency)));
}

/**
 * The host an attempt's instance runs on, as far as the answer tells: its host key (`hostKeyOf`: boot time and CPU)
 * when the instance reported its host's boot time, else undefined (an older handler, another provider).
 */
export function hostOfAttempt(attempt: Pick<AttemptRecord, 'bootTime' | 'cpu'>): string | undefined {
  return attempt.bootTime !== undefined && attempt.cpu !== undefined
    ? hostKeyOf(attempt.bootTime, attempt.cpu)
    : undefined;
}

/**
 * The CPUs of the hosts a batch's last `size` new instances ran on, on one function: what its next new instance is
 * likely to be drawn from (see `pool-draws.ts` in the core). A zone's mix is a share of hosts, and the platform packs a
 * function's cold starts onto a few hosts at a time, so 27 new instances from 3 hosts are 3 draws of the mix, not 27:
 * each host counts once, however many of those instances it started. The window is the last instances, not the last
 * distinct hosts: a function that reaches fewer hosts than the window holds would otherwise keep every host it ever
 * met, and its draws would stop showing where its new instances land as the batch takes the slots of the CPUs it
 * accepts. An instance that reports no boot time counts as a host of its own (the instance count, as before hosts
 * were known). Only instances a call reported as new count; a warm instance met again says nothing about the free
 * slots.
 */
export class DrawWindow {
  /** The host key (or an instance's own key when its host is unknown) and CPU of each new instance, oldest first. */
  private readonly recent: Array<{ readonly host: string; readonly cpu: CpuKey }> = [];
  private functionName: string | undefined;
  private unknownHosts = 0;

  constructor(private readonly size = 100) {}

  /** Counts an attempt's host if its instance was new (a new function name starts the window afresh). */
  observe(attempt: AttemptRecord): void {
    if (attempt.newInstance !== true || attempt.cpu === undefined) return;
    if (attempt.functionName !== this.functionName) {
      this.functionName = attempt.functionName;
      this.recent.length = 0;
    }
    this.recent.push({ host: hostOfAttempt(attempt) ?? `instance#${this.unknownHosts++}`, cpu: attempt.cpu });
    if (this.recent.length > this.size) this.recent.shift();
  }

  /** Hosts per CPU in the window, for the function `functionName`; undefined when it holds none of it. */
  counts(functionName: string): Record<CpuKey, number> | undefined {
    if (functionName !== this.functionName || this.recent.length === 0) return undefined;
    const hosts = new Map<string, CpuKey>();
    for (const { host, cpu } of this.recent) hosts.set(host, cpu);
    const counts: Record<CpuKey, number> = {};
    for (const cpu of hosts.values()) counts[cpu] = (counts[cpu] ?? 0) + 1;
    return counts;
  }
}

/**
 * The prior of a function's retry-repeat estimate (`PoolContext.retryRepeat`): independent draws (0), the model the
 * router priced with before it measured packing, weighed as `trials` observed retries. It keeps the first few
 * retries of a batch from swinging the reject set: one retry that repeated its CPU where chance gave it nothing
 * gives 0.2, not 1; by 20 such retries the estimate is 0.83 and the prior hardly counts.
 */
export const RETRY_REPEAT_PRIOR = { rho: 0, trials: 4 } as const;

/** What a batch measured of one function's retries (for the answer). */
export interface RetryRepeatTally {
  /** Retries (attempts after a rejected one, on another instance of the same function) that reported their CPU. */
  readonly retries: number;
  /** Of them, retries that met the rejected CPU again. */
  readonly sameCpu: number;
  /** Retries whose instance and the rejected one both reported their host (compared host to host). */
  readonly hostRetries: number;
  /** Of those, retries that met the rejected instance's host again. */
  readonly sameHost: number;
  /** The estimate placements were given (`PoolContext.retryRepeat`), prior included. */
  readonly estimate: number;
}

/**
 * How often a rejected instance's replacement meets the rejected CPU again beyond chance, per function within a
 * batch: the estimate of `PoolContext.retryRepeat` (ρ) the batch's placements are priced with. A retry is the attempt
 * right after a rejected one in the same call, on the same function, on another instance (the rejected instance
 * itself, kept for a last attempt, is no replacement).
 *
 * The cost model's ρ is about CPUs: after a reject on CPU c the next attempt meets c again with probability ρ and
 * draws from the mix otherwise, so P(same CPU) = ρ + (1 − ρ)·q with q the chance a fresh draw is c. Each retry adds
 * (same CPU − q) repeats out of (1 − q) retries (the method of moments), and with the prior
 * ρ̂ = (repeats + ρ₀·m) / (retries + m), within [0, 1]. q is the chance the batch's placements price: c's share of
 * the hosts the batch met new instances on (`DrawWindow`: each host once, so packing does not inflate it; an instance
 * without a boot time counts alone), blended into the function's mix (`drawnChance` in the core), so that ρ̂ is
 * the repeat those placements lack. Meeting the same host is one way to repeat the CPU, not the only one: in the
 * twin, once a burst has filled its function's share of the fast hosts, its replacements land in the slots rejected
 * instances freed, on other hosts of the rejected CPUs, and a host-only count (`sameHost`, reported beside) would
 * miss those. Where chance gives c every time (q = 1) a repeat is what any draw would give, so the retry weighs
 * nothing. Before the batch has any draw of the
 * function, a retry whose hosts are known counts as a repeat when it met the same host: a lower bound of the CPU
 * repeat.
 */
export class RetryRepeats {
  private readonly tallies = new Map<
    string,
    { retries: number; sameCpu: number; hostRetries: number; sameHost: number; repeats: number; weight: number }
  >();

  /**
   * Tells the attempt `next` that followed `previous` in one call. `chance(functionName, cpu)` is the share of `cpu`
   * among the function's fresh draws (undefined when unknown).
   */
  observe(
    previous: AttemptRecord | undefined,
    next: AttemptRecord,
    chance: (functionName: string, cpu: CpuKey) => number | undefined,
  ): void {
    if (previous?.status !== 'rejected' || previous.cpu === undefined || next.cpu === undefined) return;
    if (next.functionName !== previous.functionName) return;
    if (previous.instanceId !== undefined && next.instanceId === previous.instanceId) return;
    const before = hostOfAttempt(previous);
    const after = hostOfAttempt(next);
    const hostKnown = before !== undefined && after !== undefined;
    const sameCpu = next.cpu === previous.cpu ? 1 : 0;
    const sameHost = hostKnown && before === after ? 1 : 0;
    const q = chance(next.functionName, previous.cpu);
    let evidence: { repeats: number; weight: number } | undefined;
    if (q !== undefined && q >= 0 && q < 1) evidence = { repeats: sameCpu - q, weight: 1 - q };
    else if (hostKnown && q === undefined) evidence = { repeats: sameHost, weight: 1 };
    const t = this.tallies.get(next.functionName) ?? {
      retries: 0,
      sameCpu: 0,
      hostRetries: 0,
      sameHost: 0,
      repeats: 0,
      weight: 0,
    };
    t.retries++;
    t.sameCpu += sameCpu;
    if (hostKnown) t.hostRetries++;
    t.sameHost += sameHost;
    if (evidence) {
      t.repeats += evidence.repeats;
      t.weight += evidence.weight;
    }
    this.tallies.set(next.functionName, t);
  }

  /**
   * Starts every function's estimate afresh (the prior alone), keeping the counts the answer reports: a batch that
   * widens spreads over more of its function's hosts, and the repeats its pacing met there say little of them.
   */
  restart(): void {
    for (const t of this.tallies.values()) {
      t.repeats = 0;
      t.weight = 0;
    }
  }

  /** The estimate for a function: the prior alone before any of its retries was seen. */
  estimate(functionName: string): number {
    const t = this.tallies.get(functionName);
    const { rho, trials } = RETRY_REPEAT_PRIOR;
    if (!t) return rho;
    return Math.min(1, Math.max(0, (t.repeats + rho * trials) / (t.weight + trials)));
  }

  /** What was measured, per function that had a retry. */
  summary(): Record<string, RetryRepeatTally> {
    const out: Record<string, RetryRepeatTally> = {};
    for (const [fn, t] of this.tallies) {
      const { retries, sameCpu, hostRetries, sameHost } = t;
      out[fn] = { retries, sameCpu, hostRetries, sameHost, estimate: this.estimate(fn) };
    }
    return out;
  }
}
