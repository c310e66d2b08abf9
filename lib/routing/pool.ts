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
