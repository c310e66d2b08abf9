import type { Arch } from '../core/types';
import type { ProfilingAnswer } from '../routing/profiling';
import type { RouterRequestBody } from '../routing/request';

/** What the profiling requests of one workload cover. */
export interface ProfilingScope {
  /** The workload as the request names it. */
  readonly workload: RouterRequestBody['workload'];
  /** The memory size the paper's strategies run it at. */
  readonly memoryMb: number;
  /** The least memory it runs in. */
  readonly minMemoryMb: number;
  /** Every memory size a strategy that chooses the configuration may place it at. */
  readonly memorySizes: readonly number[];
  readonly architectures: readonly Arch[];
  /** Runtimes wanted of each CPU × architecture × memory size. */
  readonly observations: number;
  /** Calls each request keeps in flight. */
  readonly concurrency: number;
  /** Threads the workload runs at once, as its requests tell the router. */
  readonly parallelism: number;
}

/**
 * The two profiling requests (the router's `profiling` option, as `sky invoke --profiling` sends it) a user profiling
 * a workload sends: across every memory size, where only the cells that could still win get every runtime wanted;
 * then at the workload's own size, where the paper's strategies run it, every runtime wanted of every cell.
 * The twin and the local sky both profile with these.
 */
export function profilingRequests(scope: ProfilingScope): [across: RouterRequestBody, own: RouterRequestBody] {
  const request = (memorySizes: readonly number[], worthOnly: boolean): RouterRequestBody => ({
    workload: scope.workload,
    objective: 'cost',
    parallelism: scope.parallelism,
    limits: {
      memorySizes: [...memorySizes],
      minMemoryMb: scope.minMemoryMb,
      architectures: [...scope.architectures],
    },
    profiling: { observations: scope.observations, concurrency: scope.concurrency, worthOnly },
  });
  return [request(scope.memorySizes, true), request([scope.memoryMb], false)];
}

/** Most times a profiling request is sent, for the calls earlier sends left (the router's deadline, its maxCalls). */
export const MAX_PROFILING_SENDS = 10;

/**
 * Sends a profiling request as a user who follows its answer does: again while a send left calls not made (the
 * router Lambda ran short of time, or reached `maxCalls`) and made some, up to {@link MAX_PROFILING_SENDS} times.
 * Each send profiles only the cells still short of runtimes. Returns every answer.
 */
export async function profileUntilDone(
  send: (request: RouterRequestBody) => Promise<ProfilingAnswer>,
  request: RouterRequestBody,
): Promise<ProfilingAnswer[]> {
  const answers: ProfilingAnswer[] = [];
  while (answers.length < MAX_PROFILING_SENDS) {
    const answer = await send(request);
    answers.push(answer);
    if (answer.summary.notMade === 0 || answer.summary.calls === 0) break;
  }
  return answers;
}
