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
 * The CPUs of the last `size` new instances a batch met on one function: what its next new instance is likely to be
 * drawn from (see `pool-draws.ts` in the core). Only instances a call reported as new count; a warm instance met
 * again says nothing about the free slots.
 */
export class DrawWindow {
  private readonly recent: string[] = [];
  private functionName: string | undefined;
  private next = 0;

  constructor(private readonly size = 100) {}

  /** Counts an attempt's instance if it was new (a new function name starts the window afresh). */
  observe(attempt: AttemptRecord): void {
    if (attempt.newInstance !== true || attempt.cpu === undefined) return;
    if (attempt.functionName !== this.functionName) {
      this.functionName = attempt.functionName;
      this.recent.length = 0;
      this.next = 0;
    }
    if (this.recent.length < this.size) this.recent.push(attempt.cpu);
    else this.recent[this.next] = attempt.cpu;
    this.next = (this.next + 1) % this.size;
  }

  /** CPU counts of the window, for the function `functionName`; undefined when it holds none of it. */
  counts(functionName: string): Record<string, number> | undefined {
    if (functionName !== this.functionName || this.recent.length === 0) return undefined;
    const counts: Record<string, number> = {};
    for (const cpu of this.recent) counts[cpu] = (counts[cpu] ?? 0) + 1;
    return counts;
  }
}
