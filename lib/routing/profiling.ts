import type { ProfilingRequest, ProfilingStep } from '../core/profiling-plan';
import type { Arch, CpuKey, Placement, PlacementRequest } from '../core/types';
import { type FollowContext, followRoute, Route } from './follow';
import type { Work } from './request';
import type { Placer, RoutedCall } from './types';

/**
 * A profiling run: the calls the core plans (`Router.profilingSteps`) to measure a workload on every
 * CPU × architecture × memory size its limits allow, made through the same following and learning
 * as routed calls, so their runtimes join the workload's profile in the table. The answer reads like
 * AWS Lambda Power Tuning's: per memory size and architecture, the runtime on each CPU and the best
 * placement there now. Cells that already hold the runtimes wanted get no call, so a run that stopped
 * (out of time, or at `maxCalls`) continues where it left off when sent again.
 */

/** What a profiling request asks beyond the core's `ProfilingRequest`. */
export interface ProfilingOptions {
  /** Runtimes wanted per CPU × architecture × memory size. */
  readonly observations?: number;
  /** Calls in flight at once. */
  readonly concurrency: number;
  /** Most calls this run makes. */
  readonly maxCalls: number;
}

/** What one memory size × architecture came to. */
export interface ProfiledSize {
  readonly arch: Arch;
  readonly memoryMb: number;
  /** Per CPU: runtimes measured by this run and their mean, ms. */
  readonly cpus: Readonly<Record<CpuKey, { readonly calls: number; readonly meanMs: number }>>;
  /** Where the workload would be placed at this size now, with what that is expected to cost a call. */
  readonly best?: {
    readonly functionName: string;
    readonly rejectCpus: readonly CpuKey[];
    readonly expectedCostUsd: number;
    readonly expectedRuntimeMs: number;
  };
}

/** The router's answer to a profiling request. */
export interface ProfilingAnswer {
  readonly status: 'profiling';
  readonly profile: string;
  /** Memory sizes × architectures that had calls or a placement, by architecture then size. */
  readonly sizes: readonly ProfiledSize[];
  readonly summary: {
    /** Cells that wanted runtimes. */
    readonly cells: number;
    readonly calls: number;
    readonly attempts: number;
    readonly failed: number;
    /** What the run's calls cost (every attempt, INIT included where billed), USD. */
    readonly costUsd: number;
  };
  readonly notes?: readonly string[];
}

/** Time kept back for the answer when a deadline stops the run, ms. */
const STOP_MARGIN_MS = 5_000;

/**
 * Runs the profiling steps, at most `concurrency` calls at a time, interleaved across cells so a run
 * stopped early has measured as many cells as it could.
 */
export async function runProfiling(
  context: FollowContext,
  work: Work,
  profile: string,
  placer: Placer,
  request: ProfilingRequest,
  placementRequest: PlacementRequest,
  deployed: ReadonlyArray<{ readonly azId: string; readonly region: string }>,
  options: ProfilingOptions,
): Promise<ProfilingAnswer> {
  if (!placer.profilingSteps) throw new Error('the placer of this routing service cannot plan profiling');
  const steps = placer.profilingSteps(request);
  const queue: ProfilingStep[] = [];
  for (let round = 0; steps.some((s) => s.calls > round); round++) {
    for (const step of steps) if (step.calls > round) queue.push(step);
  }
  const calls = queue.slice(0, options.maxCalls);
  const measured = new Map<string, { arch: Arch; memoryMb: number; cpus: Map<CpuKey, number[]> }>();
  let attempts = 0;
  let failed = 0;
  let costUsd = 0;
  let next = 0;
  let made = 0;
  let outOfTime = false;
  const worker = async (): Promise<void> => {
    while (next < calls.length) {
      if (context.remainingMs() < STOP_MARGIN_MS) {
        outOfTime = true;
        return;
      }
      const step = calls[next++];
      made++;
      const call = await followRoute(
        context,
        work,
        profile,
        routeOf(placer, step.placement, placementRequest, deployed),
      );
      attempts += call.attempts.length;
      costUsd += call.estimate?.costUsd ?? 0;
      if (call.status !== 'ok') {
        failed++;
        continue;
      }
      record(measured, call);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, calls.length) }, worker));
  const notes: string[] = [];
  if (outOfTime) {
    notes.push(
      `the router ran short of time: ${calls.length - made} call(s) were not made; send the request again to profile the cells left`,
    );
  }
  if (queue.length > calls.length) {
    notes.push(
      `${queue.length - calls.length} call(s) over maxCalls ${options.maxCalls} were not made; send again to continue`,
    );
  }
  return {
    status: 'profiling',
    profile,
    sizes: sizesOf(placer, placementRequest, steps, measured),
    summary: { cells: steps.length, calls: made, attempts, failed, costUsd },
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** A route that follows the step's placement, its attempt budget the placement's. */
function routeOf(
  placer: Placer,
  placement: Placement,
  placementRequest: PlacementRequest,
  deployed: ReadonlyArray<{ readonly azId: string; readonly region: string }>,
): Route {
  const request = {
    ...placementRequest,
    limits: { ...placementRequest.limits, maxAttempts: placement.maxAttempts },
  };
  return new Route(placer, request, placement, deployed);
}

function record(
  measured: Map<string, { arch: Arch; memoryMb: number; cpus: Map<CpuKey, number[]> }>,
  call: Extract<RoutedCall, { status: 'ok' }>,
): void {
  const last = call.attempts.at(-1);
  const runtimeMs = call.estimate.runtimeMs;
  if (!last?.cpu || runtimeMs === undefined) return;
  const { arch, memoryMb } = call.placement.target;
  const key = `${arch}#${memoryMb}`;
  let size = measured.get(key);
  if (!size) {
    size = { arch, memoryMb, cpus: new Map() };
    measured.set(key, size);
  }
  const list = size.cpus.get(last.cpu) ?? [];
  list.push(runtimeMs);
  size.cpus.set(last.cpu, list);
}

/** Per memory size × architecture profiled or placeable: what this run measured and the best placement now. */
function sizesOf(
  placer: Placer,
  placementRequest: PlacementRequest,
  steps: readonly ProfilingStep[],
  measured: ReadonlyMap<string, { arch: Arch; memoryMb: number; cpus: Map<CpuKey, number[]> }>,
): ProfiledSize[] {
  const keys = new Map<string, { arch: Arch; memoryMb: number }>();
  for (const s of steps) keys.set(`${s.arch}#${s.memoryMb}`, { arch: s.arch, memoryMb: s.memoryMb });
  for (const [key, m] of measured) keys.set(key, { arch: m.arch, memoryMb: m.memoryMb });
  const sizes: ProfiledSize[] = [];
  for (const [key, { arch, memoryMb }] of keys) {
    const cpus: Record<CpuKey, { calls: number; meanMs: number }> = {};
    for (const [cpu, runtimes] of measured.get(key)?.cpus ?? []) {
      cpus[cpu] = { calls: runtimes.length, meanMs: runtimes.reduce((a, b) => a + b, 0) / runtimes.length };
    }
    let best: ProfiledSize['best'];
    try {
      const placement = placer.place({
        ...placementRequest,
        limits: { ...placementRequest.limits, architectures: [arch], memorySizes: [memoryMb] },
      });
      best = {
        functionName: placement.target.functionName,
        rejectCpus: placement.rejectCpus,
        expectedCostUsd: placement.expected.costUsd,
        expectedRuntimeMs: placement.expected.runtimeMs,
      };
    } catch {
      // Nothing placeable at this size (e.g. it would not fit the call budget): the row says what was measured.
    }
    sizes.push({ arch, memoryMb, cpus, ...(best ? { best } : {}) });
  }
  return sizes.sort((a, b) => a.arch.localeCompare(b.arch) || a.memoryMb - b.memoryMb);
}
