import { DEFAULT_PROFILING_OBSERVATIONS, type ProfilingRequest, type ProfilingStep } from '../core/profiling-plan';
import type { Arch, CpuKey, Placement, PlacementRequest } from '../core/types';
import { type FollowContext, followRoute, isRefusedWork, priceOf, Route } from './follow';
import type { Work } from './request';
import type { FailedCall, Placer, RoutedCall } from './types';

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
  /** Give only cells that could still win more than one runtime (false: every cell gets `observations`). */
  readonly worthOnly: boolean;
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
    /** Cells left with fewer runtimes than wanted because even at their fastest they would cost more than the best target. */
    readonly skipped: number;
    readonly calls: number;
    readonly attempts: number;
    readonly failed: number;
    /** What the run's calls cost (every attempt, INIT included where billed), USD. */
    readonly costUsd: number;
    /** Calls not made: the router ran short of time, or reached `maxCalls`. Sending the request again makes them. */
    readonly notMade: number;
  };
  readonly notes?: readonly string[];
}

/** Time kept back for the answer when a deadline stops the run, ms. */
const STOP_MARGIN_MS = 5_000;

/**
 * Runs a profiling request in two rounds: one runtime of every cell, then the rest of the runtimes wanted of
 * the cells that could still win (`ProfilingRequest.worthOnly`: a memory size far too dear for the workload gets
 * one call per CPU, not `observations`); with `worthOnly` false, one round of every runtime wanted. Each round makes at most `concurrency` calls at a time, interleaved
 * across cells so a run stopped early has measured as many cells as it could.
 * Work the dynamic function refuses (`BadRequest`, `UnknownWorkload`) stops the run: where nothing was measured, the
 * answer is that refusal.
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
): Promise<ProfilingAnswer | FailedCall> {
  const plan = placer.profilingSteps?.bind(placer);
  if (!plan) throw new Error('the placer of this routing service cannot plan profiling');
  const wanted = request.observations ?? DEFAULT_PROFILING_OBSERVATIONS;
  const run: ProfilingRun = {
    measured: new Map(),
    planned: [],
    attempts: 0,
    failed: 0,
    costUsd: 0,
    made: 0,
    notMade: 0,
    outOfTime: false,
    missed: new Map(),
    notReached: 0,
    unreached: new Set(),
  };
  const first = plan({ ...request, observations: options.worthOnly ? Math.min(1, wanted) : wanted });
  await runRound(context, work, profile, placer, first, placementRequest, deployed, options, run);
  let skipped = 0;
  // Work the function refused is the request's fault: where no call measured anything, the answer is that refusal.
  if (run.refused && run.measured.size === 0) return run.refused;
  if (options.worthOnly && wanted > 1 && !run.outOfTime && !run.refused) {
    const rest = plan({ ...request, worthOnly: true });
    skipped = plan(request).length - rest.length;
    await runRound(context, work, profile, placer, rest, placementRequest, deployed, options, run);
  }
  const notes: string[] = [];
  if (skipped > 0) {
    notes.push(
      `${skipped} cell(s) got fewer than ${wanted} runtimes: even at their fastest they would cost more than the best target now`,
    );
  }
  if (run.notReached > 0) {
    notes.push(
      `${run.notReached} call(s) were not made: every zone tried for ${[...run.unreached].sort().join(', ')} gave a call only other CPUs`,
    );
  }
  if (run.outOfTime) {
    notes.push(
      `the router ran short of time: ${run.notMade} call(s) were not made; send the request again to profile the cells left`,
    );
  } else if (run.notMade > 0) {
    notes.push(`${run.notMade} call(s) over maxCalls ${options.maxCalls} were not made; send again to continue`);
  }
  return {
    status: 'profiling',
    profile,
    sizes: sizesOf(placer, placementRequest, run.planned, run.measured),
    summary: {
      cells: first.length,
      skipped,
      calls: run.made,
      attempts: run.attempts,
      failed: run.failed,
      costUsd: run.costUsd,
      notMade: run.notMade,
    },
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/** What a profiling request's rounds did so far. */
interface ProfilingRun {
  readonly measured: Map<string, { arch: Arch; memoryMb: number; cpus: Map<CpuKey, number[]> }>;
  readonly planned: ProfilingStep[];
  attempts: number;
  failed: number;
  costUsd: number;
  made: number;
  /** Calls planned and not made (out of time, or over `maxCalls`). */
  notMade: number;
  outOfTime: boolean;
  /** Per cell (`cellOf`), the zones where a call's attempts all met other CPUs: its later calls go elsewhere. */
  readonly missed: Map<string, Set<string>>;
  /** Calls not made because every zone of their cell had missed its CPU. */
  notReached: number;
  /** Those cells, as the answer's note names them. */
  readonly unreached: Set<string>;
  /** The first call whose work the dynamic function refused: every call would be, so none is made after it. */
  refused?: FailedCall;
}

function cellOf(step: ProfilingStep): string {
  return `${step.arch}#${step.memoryMb}#${step.cpu}`;
}

async function runRound(
  context: FollowContext,
  work: Work,
  profile: string,
  placer: Placer,
  steps: readonly ProfilingStep[],
  placementRequest: PlacementRequest,
  deployed: ReadonlyArray<{ readonly azId: string; readonly region: string }>,
  options: ProfilingOptions,
  run: ProfilingRun,
): Promise<void> {
  run.planned.push(...steps);
  const queue: ProfilingStep[] = [];
  for (let round = 0; steps.some((s) => s.calls > round); round++) {
    for (const step of steps) if (step.calls > round) queue.push(step);
  }
  const calls = queue.slice(0, Math.max(0, options.maxCalls - run.made));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < calls.length && !run.refused) {
      if (context.remainingMs() < STOP_MARGIN_MS) {
        run.outOfTime = true;
        return;
      }
      const step = calls[next++];
      const cell = cellOf(step);
      const missedIn = run.missed.get(cell) ?? new Set<string>();
      run.missed.set(cell, missedIn);
      const zones = [step.placement, ...step.alternatives].filter((p) => !missedIn.has(p.target.azId));
      if (zones.length === 0) {
        run.unreached.add(`${step.cpu} at ${step.memoryMb} MB ${step.arch}`);
        run.notReached++;
        continue;
      }
      run.made++;
      let call: RoutedCall | undefined;
      for (const placement of zones) {
        call = await followRoute(context, work, profile, routeOf(placer, placement, placementRequest, deployed), {
          keepsToFunction: true,
        });
        run.attempts += call.attempts.length;
        run.costUsd += call.estimate?.costUsd ?? 0;
        if (call.status === 'ok') record(run.measured, call);
        if (isRefusedWork(call)) {
          run.refused ??= call;
          break;
        }
        if (context.remainingMs() < STOP_MARGIN_MS) break;
        if (call.status === 'ok' && call.attempts.at(-1)?.cpu !== step.cpu) {
          // Its attempts met only other CPUs: the function's hosts there hold few of this one, if any (a function's
          // cold starts fill a host before the next, so small instances meet few hosts), and another zone's may not.
          missedIn.add(placement.target.azId);
          continue;
        }
        if (!neverRan(call)) break;
      }
      if (call?.status !== 'ok') run.failed++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, calls.length) }, worker));
  run.notMade += queue.length - Math.min(next, calls.length);
}

/**
 * A route that follows the step's placement in its zone only, its attempt budget the placement's: a call the zone
 * cannot run moves to the step's next alternative (which reaches the same CPU), never to a placement that the
 * router would choose for the workload elsewhere (which would measure some other cell).
 */
function routeOf(
  placer: Placer,
  placement: Placement,
  placementRequest: PlacementRequest,
  deployed: ReadonlyArray<{ readonly azId: string; readonly region: string }>,
): Route {
  const request = {
    ...placementRequest,
    limits: { ...placementRequest.limits, zones: [placement.target.azId], maxAttempts: placement.maxAttempts },
  };
  return new Route(placer, request, placement, deployed);
}

/** Whether a call failed without running anywhere: every attempt was throttled or found no function to run on. */
function neverRan(call: RoutedCall): boolean {
  return (
    call.status === 'error' &&
    call.error.type === 'NoCapacity' &&
    call.attempts.length > 0 &&
    call.attempts.every((a) => a.status === 'throttled' || (a.status === 'zone-error' && a.cpu === undefined))
  );
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
      const placement = priceOf(placer, {
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
