import type { FanoutRequest, FanoutResponse, Invoker } from '../../lib/contracts';
import { PollAccumulator, withoutDetail } from './aggregate';
import { FanoutRequestError } from './errors';
import { parseFanoutRequest } from './request';

export interface FanoutHandlerOptions {
  /** How this function calls the sampler and itself. */
  readonly invoker: Invoker;
  /**
   * The name the tree uses to invoke itself.
   * @default - `context.functionName`
   */
  readonly selfName?: string;
}

/** The parts of the Lambda context the handler reads. */
export interface FanoutContext {
  readonly functionName?: string;
  getRemainingTimeInMillis?(): number;
}

/** Time kept back from this call's own deadline so that it can still answer, in ms. */
export const FANOUT_MARGIN_MS = 1000;

export type FanoutHandler = (event: unknown, context?: FanoutContext) => Promise<FanoutResponse>;

/**
 * How a call of `count` requests splits into children: as few children as keep every
 * grandchild within `branching` (at most `branching` children), sizes differing by at most one.
 * E.g. 1000 at branching 10 -> 10 × 100 -> 10 × 10 leaves each; 150 -> 10 × 15 -> 8 + 7 leaves.
 */
export function splitCount(count: number, branching: number): number[] {
  const children = Math.min(branching, Math.ceil(count / branching));
  const base = Math.floor(count / children);
  const extra = count % children;
  return Array.from({ length: children }, (_, i) => base + (i < extra ? 1 : 0));
}

/**
 * Creates the fan-out tree's handler. A request for `count` calls of `target`: at most
 * `branching` calls are made directly (the leaves, all at once); more are split across child
 * invocations of this function, which recurse. A request with `targets` first spreads `count` over
 * those functions, one child per function. Every level answers one aggregate (counts per CPU
 * by distinct instance, failures by type, latency percentiles, billed time), never raw records.
 * Failures are counted, never dropped: a child that fails counts all of its requests as failed
 * with its error type.
 *
 * @example
 * const handler = createFanoutHandler({ invoker: sdkInvoker(lambdaClientWithLimit({ maxSockets: 50 })) });
 * const poll = await handler({ target: 'sky-smp-usw2-az1-07', count: 1000, branching: 10 }, context);
 */
export function createFanoutHandler(options: FanoutHandlerOptions): FanoutHandler {
  const { invoker } = options;
  return async (event, context) => {
    const request = parseFanoutRequest(event);
    const depth = request.depth ?? 0;
    const acc = new PollAccumulator();
    // Calls still running at this call's deadline count as Timeout instead of losing the whole answer.
    const remaining = context?.getRemainingTimeInMillis?.();
    const budget = remaining !== undefined ? Math.max(1, remaining - FANOUT_MARGIN_MS) : undefined;
    const spread = request.targets !== undefined && request.targets.length > 0 ? request.targets : undefined;
    if (!spread && request.count <= request.branching) {
      const target = request.target as string;
      const payload = request.leafPayload ?? {};
      const leafMs = minDefined(request.leafTimeoutMs, budget);
      // The log tail carries each call's REPORT record: what Lambda billed, a new instance's INIT included.
      const options = { ...(leafMs !== undefined ? { timeoutMs: leafMs } : {}), logTail: true };
      const results = await Promise.all(
        Array.from({ length: request.count }, () => invoker.invoke(target, payload, options)),
      );
      for (const result of results) acc.addLeaf(result, target);
    } else {
      const self = options.selfName ?? context?.functionName;
      if (!self) {
        throw new FanoutRequestError(
          'selfName',
          `count ${request.count} exceeds branching ${request.branching}, so the tree must invoke itself, ` +
            'but neither selfName nor context.functionName is set',
        );
      }
      const children = spread
        ? spreadOver(request.count, spread)
        : splitCount(request.count, request.branching).map((count) => ({ count, target: request.target as string }));
      const sizes = children.map((child) => child.count);
      const results = await Promise.all(
        children.map(({ count, target }) =>
          invoker.invoke(self, childRequest(request, target, count, depth + 1), {
            ...(budget !== undefined ? { timeoutMs: budget } : {}),
            logTail: true,
          }),
        ),
      );
      for (const [i, result] of results.entries()) acc.addChild(result, sizes[i]!);
    }
    const aggregate = acc.result();
    return request.includeDetail ? aggregate : withoutDetail(aggregate);
  };
}

/** `count` requests in about equal parts over `targets` (parts differ by at most one; empty parts dropped). */
export function spreadOver(count: number, targets: readonly string[]): Array<{ count: number; target: string }> {
  const base = Math.floor(count / targets.length);
  const extra = count % targets.length;
  return targets.map((target, i) => ({ target, count: base + (i < extra ? 1 : 0) })).filter((c) => c.count > 0);
}

function childRequest(parent: FanoutRequest, target: string, count: number, depth: number): FanoutRequest {
  return {
    target,
    count,
    branching: parent.branching,
    ...(parent.leafTimeoutMs !== undefined ? { leafTimeoutMs: parent.leafTimeoutMs } : {}),
    ...(parent.leafPayload !== undefined ? { leafPayload: parent.leafPayload } : {}),
    includeDetail: true,
    depth,
  };
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}
