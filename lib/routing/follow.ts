import type { DynamicRequest, DynamicResponse, Inspection, InvokeResult, Invoker } from '../contracts';
import { endsRejectedInstance } from '../core/reject-mode';
import type { Placement, PlacementRequest, RegionFacts, Target } from '../core/types';
import { billedCostUsd, carbonGrams } from './estimate';
import type { LearningBuffer } from './learning';
import type { Work } from './request';
import type { AttemptRecord, AttemptStatus, PlacementSummary, Placer, RoutedCall, RunEstimate } from './types';

/**
 * The placement a request (or a whole batch) follows, and the zones that failed under it.
 * When a zone throttles, errs or times out, the placement is computed again without the failed
 * zones: the next-best target in the order of `placement.fallbacks`, with a reject set fit for its
 * zone. In a batch the route is shared, so once one call finds a zone down the others skip it.
 */
export class Route {
  private readonly failed = new Set<string>();
  private readonly allowed: readonly string[];
  /** Attempts a call may make in all, failovers included: the request's `maxAttempts`. */
  readonly attemptBudget: number;

  constructor(
    private readonly placer: Placer,
    readonly request: PlacementRequest,
    public placement: Placement,
    deployed: ReadonlyArray<{ readonly azId: string; readonly region: string }>,
  ) {
    const limits = request.limits ?? {};
    this.attemptBudget = limits.maxAttempts ?? placement.maxAttempts;
    this.allowed = deployed
      .filter((z) => !limits.regions || limits.regions.includes(z.region))
      .filter((z) => !limits.zones || limits.zones.includes(z.azId))
      .map((z) => z.azId);
  }

  /** Zones found failing, in the order found. */
  get failedZones(): readonly string[] {
    return [...this.failed];
  }

  /**
   * The placement of a call when each instance it settles on is expected to serve `uses` calls (the batch's work
   * still to come per worker): the same target, with the reject set and expectation the pool model gives for it, so
   * the reject set follows the pool as the batch runs down. The route's placement when that cannot be computed.
   */
  placementFor(uses: number, draws?: Readonly<Record<string, number>>): Placement {
    const current = this.placement;
    // Only `optimal` chooses its reject set by cost; the paper's strategies reject by a fixed rule.
    if (current.strategy !== 'optimal') return current;
    const { azId, arch, memoryMb, functionName } = current.target;
    try {
      const next = this.placer.place({
        ...this.request,
        pool: { ...this.request.pool, usesPerInstance: uses, ...(draws ? { draws } : {}) },
        limits: { ...this.request.limits, zones: [azId], architectures: [arch], memorySizes: [memoryMb] },
      });
      return next.target.functionName === functionName ? next : current;
    } catch {
      return current;
    }
  }

  /**
   * Marks a zone failed and moves the placement off it.
   * @returns the placement to use next, or undefined when no allowed zone is left.
   */
  failZone(azId: string): Placement | undefined {
    this.failed.add(azId);
    if (!this.failed.has(this.placement.target.azId)) return this.placement;
    const remaining = this.allowed.filter((z) => !this.failed.has(z));
    if (remaining.length === 0) return undefined;
    try {
      const next = this.placer.place({ ...this.request, limits: { ...this.request.limits, zones: remaining } });
      if (this.failed.has(next.target.azId)) return undefined;
      this.placement = next;
      return next;
    } catch {
      return undefined;
    }
  }
}

export interface FollowContext {
  readonly invoker: Invoker;
  readonly learning: LearningBuffer;
  readonly placer: Placer;
  readonly regionFacts: (region: string) => RegionFacts;
  readonly invokeTimeoutMs: number;
  /** The dynamic functions' configured timeout, ms: after it the platform has stopped the function. */
  readonly functionTimeoutMs: number;
  /** ms left before the router must answer; Infinity outside Lambda. */
  readonly remainingMs: () => number;
}

/** How a batch follows the pool from inside a call (all optional: a lone call uses the route's placement). */
export interface PoolHooks {
  /** The placement of the call's first attempt. @default - the route's */
  readonly start?: Placement;
  /** The placement for a retry on the same target, as the pool stands now. */
  readonly refresh?: () => Placement;
  /** Told of every attempt that reached a dynamic function (its CPU, instance, whether new). */
  readonly onAttempt?: (attempt: AttemptRecord) => void;
}

/**
 * Runs one piece of work by following a route: a `rejected` answer is retried on the same target
 * (the rejected instance ends, or is held, or is kept for the last attempt, as the placement's reject
 * mode says: `endsRejectedInstance`); a throttle, a zone error, a timeout or a
 * missing function fails over to the next-best zone; a user-code error is the user's answer and is
 * not retried. The last attempt of the budget is sent without a reject set, so a request that has
 * met only rejected CPUs still runs rather than failing.
 */
export async function followRoute(
  context: FollowContext,
  work: Work,
  profile: string,
  route: Route,
  pool: PoolHooks = {},
): Promise<RoutedCall> {
  const attempts: AttemptRecord[] = [];
  /** The target of each attempt, for its price. */
  const targets: Target[] = [];
  let placement = pool.start ?? route.placement;
  // Rejects are retried within the placement's own budget; failovers within the request's.
  const budget = Math.max(route.attemptBudget, 1);
  let onPlacement = 0;
  while (attempts.length < budget) {
    const target = placement.target;
    const remaining = context.remainingMs();
    const timeoutMs = Math.min(context.invokeTimeoutMs, remaining);
    if (timeoutMs <= 0) {
      return failure(
        context,
        profile,
        placement,
        attempts,
        targets,
        'DeadlineExceeded',
        504,
        'the router ran out of time',
      );
    }
    if (onPlacement > 0 && pool.refresh) {
      // A retry on the same target: its reject set follows the pool as it stands now.
      const next = pool.refresh();
      if (next.target.functionName === placement.target.functionName) placement = next;
    }
    const last = onPlacement >= placement.maxAttempts - 1 || attempts.length >= budget - 1;
    const nextIsLast = onPlacement + 1 >= placement.maxAttempts - 1 || attempts.length + 1 >= budget - 1;
    const endInstance = endsRejectedInstance(placement.rejectMode, nextIsLast, placement.keepBeforeLastAttempt);
    const payload = payloadFor(work, placement, last, endInstance);
    onPlacement++;
    const result = await context.invoker.invoke(target.functionName, payload, { timeoutMs });
    targets.push(target);
    if (!result.ok) {
      const status = failedStatus(result);
      // A throttled call never ran; a timed-out one ran (and was billed) at least this long.
      const billedMs = status === 'timeout' ? Math.ceil(result.durationMs) : undefined;
      attempts.push({
        functionName: target.functionName,
        azId: target.azId,
        status,
        roundTripMs: result.durationMs,
        errorType: result.errorType,
        errorMessage: result.message,
        ...(billedMs !== undefined ? { billedMs } : {}),
        costUsd: billedMs !== undefined ? costOf(context, target, billedMs) : 0,
      });
      // Fail over only when the work cannot be running anywhere: the function never started, or its own
      // configured timeout has passed (Lambda stopped it). Anything else could run the work twice.
      if (status === 'timeout' && timeoutMs < context.functionTimeoutMs) {
        const message =
          `${target.functionName} did not answer within ${Math.round(timeoutMs)} ms and may still be running ` +
          `(its timeout is ${context.functionTimeoutMs} ms), so the work is not sent to another zone`;
        return failure(context, profile, placement, attempts, targets, 'DeadlineExceeded', 504, message);
      }
      if (status === 'zone-error' && !neverStarted(result)) {
        const message = `${target.functionName} failed with ${result.errorType}: ${result.message}`;
        return failure(context, profile, placement, attempts, targets, 'FunctionError', 502, message);
      }
      const next = route.failZone(target.azId);
      if (!next) {
        const message = `no allowed zone is left to fail over to (failed: ${route.failedZones.join(', ')})`;
        return failure(context, profile, placement, attempts, targets, 'NoCapacity', 503, message);
      }
      if (next !== placement) onPlacement = 0;
      placement = next;
      continue;
    }
    const response = asDynamicResponse(result.payload);
    if (!response) {
      attempts.push({
        functionName: target.functionName,
        azId: target.azId,
        status: 'zone-error',
        roundTripMs: result.durationMs,
        errorType: 'FunctionError',
        costUsd: 0,
      });
      const message = `${target.functionName} answered with something that is not a dynamic function response`;
      return failure(context, profile, placement, attempts, targets, 'FunctionError', 502, message);
    }
    const inspection = response.inspection;
    const status: AttemptStatus =
      response.status === 'ok'
        ? 'ok'
        : response.status === 'rejected'
          ? 'rejected'
          : response.error.type === 'BadRequest' || response.error.type === 'UnknownWorkload'
            ? 'bad-request'
            : 'user-error';
    attempts.push(attemptOf(context, target, status, inspection, result.durationMs, response));
    pool.onAttempt?.(attempts[attempts.length - 1]);
    learn(context, profile, target, response, inspection);
    if (response.status === 'ok') {
      return {
        status: 'ok',
        result: response.result,
        profile,
        placement: summarize(placement),
        attempts,
        estimate: estimateOf(context, attempts, targets, inspection.timings.userMs),
      };
    }
    if (response.status === 'error') {
      const { type, message, field, stack } = response.error;
      return {
        status: 'error',
        error: { type, message, ...(field ? { field } : {}), ...(stack ? { stack } : {}) },
        httpStatus: status === 'bad-request' ? 400 : 422,
        profile,
        placement: summarize(placement),
        attempts,
        estimate: estimateOf(context, attempts, targets),
      };
    }
  }
  const message = `every one of ${attempts.length} attempts was rejected or failed`;
  return failure(context, profile, placement, attempts, targets, 'NoCapacity', 503, message);
}

function payloadFor(work: Work, placement: Placement, last: boolean, endInstance: boolean): DynamicRequest {
  if (last || placement.rejectCpus.length === 0) return work;
  return {
    ...work,
    reject: { cpus: placement.rejectCpus, holdMs: placement.holdMs, ...(endInstance ? { endInstance: true } : {}) },
  };
}

/**
 * Failures that prove the function never started, so another zone may run the work: throttles, a
 * missing or not-ready function, networking Lambda could not set up, credentials refused by another
 * provider's endpoint, an endpoint that could not be reached or answered 503. A connection that broke
 * after the request was sent proves nothing, and is not among them.
 */
const NEVER_STARTED = new Set([
  'TooManyRequestsException',
  'ResourceNotFoundException',
  'ResourceNotReadyException',
  'ResourceConflictException',
  'EC2ThrottledException',
  'ENILimitReachedException',
  'SubnetIPAddressLimitReachedException',
  'AuthenticationFailed',
  'SecretUnavailable',
  'EndpointUnreachable',
]);

function neverStarted(result: Extract<InvokeResult, { ok: false }>): boolean {
  return (
    NEVER_STARTED.has(result.errorType) ||
    /ECONNREFUSED/.test(`${result.errorType} ${result.message}`) ||
    (result.errorType === 'ServiceException' && /\bHTTP 503\b/.test(result.message))
  );
}

function failedStatus(result: Extract<InvokeResult, { ok: false }>): AttemptStatus {
  if (result.errorType === 'TooManyRequestsException') return 'throttled';
  if (result.errorType === 'Timeout' || result.errorType === 'TimeoutError') return 'timeout';
  return 'zone-error';
}

function asDynamicResponse(payload: unknown): DynamicResponse | undefined {
  if (typeof payload !== 'object' || payload === null) return undefined;
  const candidate = payload as Partial<DynamicResponse>;
  if (candidate.status !== 'ok' && candidate.status !== 'rejected' && candidate.status !== 'error') return undefined;
  const inspection = candidate.inspection as Partial<Inspection> | undefined;
  if (!inspection || typeof inspection.cpuKey !== 'string' || typeof inspection.timings !== 'object') return undefined;
  if (candidate.status === 'error' && typeof (candidate as { error?: unknown }).error !== 'object') return undefined;
  return candidate as DynamicResponse;
}

function attemptOf(
  context: FollowContext,
  target: Target,
  status: AttemptStatus,
  inspection: Inspection,
  roundTripMs: number,
  response: DynamicResponse,
): AttemptRecord {
  const billedMs = Math.max(1, Math.ceil(inspection.timings.totalMs));
  return {
    functionName: target.functionName,
    azId: target.azId,
    status,
    cpu: inspection.cpuKey,
    instanceId: inspection.instanceId,
    newInstance: inspection.newInstance,
    billedMs,
    roundTripMs,
    costUsd: costOf(context, target, billedMs),
    ...(response.status === 'error' ? { errorType: response.error.type } : {}),
  };
}

function learn(
  context: FollowContext,
  profile: string,
  target: Target,
  response: DynamicResponse,
  inspection: Inspection,
): void {
  const newInstance = inspection.newInstance === true;
  if (newInstance) context.learning.observeInstance(target.azId, inspection.cpuKey);
  if (response.status === 'ok') {
    const runtimeMs = inspection.timings.userMs;
    context.learning.observeRuntime(
      profile,
      { cpu: inspection.cpuKey, arch: target.arch, memoryMb: target.memoryMb },
      runtimeMs,
    );
    context.placer.observe?.({
      workload: profile,
      target,
      cpu: inspection.cpuKey,
      runtimeMs,
      rejected: false,
      newInstance,
    });
  } else {
    // A rejected or failed call met an instance too: its CPU counts toward the zone's mix.
    context.placer.observe?.({ workload: profile, target, cpu: inspection.cpuKey, rejected: true, newInstance });
  }
}

function costOf(context: Pick<FollowContext, 'regionFacts'>, target: Target, billedMs: number): number {
  return billedCostUsd(billedMs, target.memoryMb, target.arch, context.regionFacts(target.region));
}

/** Cost and carbon of the attempts made, each at its own target's price (`targets[i]` is attempt i's). */
export function estimateOf(
  context: Pick<FollowContext, 'regionFacts'>,
  attempts: readonly AttemptRecord[],
  targets: readonly Target[],
  runtimeMs?: number,
): RunEstimate {
  let costUsd = 0;
  let billedMs = 0;
  let carbonG = 0;
  attempts.forEach((attempt, i) => {
    costUsd += attempt.costUsd;
    if (attempt.billedMs === undefined) return;
    const target = targets[i];
    carbonG += carbonGrams(attempt.billedMs, target.memoryMb, context.regionFacts(target.region).carbonGPerKwh);
    billedMs += attempt.billedMs;
  });
  return { costUsd, billedMs, carbonG, ...(runtimeMs !== undefined ? { runtimeMs } : {}) };
}

export function summarize(placement: Placement): PlacementSummary {
  return {
    target: placement.target,
    strategy: placement.strategy,
    rejectCpus: placement.rejectCpus,
    holdMs: placement.holdMs,
    rejectMode: placement.rejectMode,
    keepBeforeLastAttempt: placement.keepBeforeLastAttempt,
    maxAttempts: placement.maxAttempts,
    expected: placement.expected,
    evidence: placement.evidence,
    notes: placement.notes,
  };
}

function failure(
  context: FollowContext,
  profile: string,
  placement: Placement,
  attempts: AttemptRecord[],
  targets: readonly Target[],
  type: 'NoCapacity' | 'DeadlineExceeded' | 'FunctionError',
  httpStatus: number,
  message: string,
): RoutedCall {
  return {
    status: 'error',
    error: { type, message },
    httpStatus,
    profile,
    placement: summarize(placement),
    attempts,
    estimate: estimateOf(context, attempts, targets),
  };
}
