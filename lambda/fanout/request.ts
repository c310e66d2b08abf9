import * as z from 'zod/mini';
import type { FanoutRequest } from '../../lib/contracts';
import { jsonByteLength } from '../../lib/contracts/work-limits';
import { MAX_NESTING_DEPTH, shortPath, tooDeepAt } from '../../lib/core/nesting';
import { describeIssue, fieldOf } from '../shared/issues';
import { FanoutRequestError } from './errors';

/** Deepest tree allowed (a guard: with branching >= 2 a poll of 100,000 needs 17 levels at most). */
export const MAX_DEPTH = 24;
/** Most sampler functions one poll may spread over. */
export const MAX_TARGETS = 1000;
/** Most requests one poll may ask for. */
export const MAX_COUNT = 100_000;
/**
 * Largest `leafPayload`, as JSON: every leaf call, and every inner fan-out call with the rest of its request (up to
 * 1,000 target names), carries it in one Lambda invoke payload, limited to 6 MB. A sampler needs a few bytes.
 */
export const MAX_LEAF_PAYLOAD_BYTES = 1024 * 1024;

export const fanoutRequestSchema = z.strictObject({
  target: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
  targets: z.optional(
    z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.minLength(1), z.maxLength(MAX_TARGETS)),
  ),
  count: z.int().check(z.gte(1), z.lte(MAX_COUNT)),
  branching: z.int().check(z.gte(2), z.lte(1000)),
  leafTimeoutMs: z.optional(z.int().check(z.gte(1), z.lte(900_000))),
  leafPayload: z.optional(z.unknown()),
  includeDetail: z.optional(z.boolean()),
  depth: z.optional(z.int().check(z.gte(0), z.lte(MAX_DEPTH))),
});

/**
 * Validates a fan-out request.
 * @throws FanoutRequestError naming the field at fault.
 */
export function parseFanoutRequest(event: unknown): FanoutRequest {
  const parsed = fanoutRequestSchema.safeParse(event);
  if (parsed.success) {
    if ((parsed.data.target === undefined) === (parsed.data.targets === undefined)) {
      const which =
        parsed.data.target === undefined ? 'neither target nor targets is set' : 'both target and targets are set';
      throw new FanoutRequestError('target', `bad fan-out request: ${which} (give one)`);
    }
    // Measured as JSON below, which recurses: a payload nested deeper than any sampler's would exhaust the stack first.
    const deep = tooDeepAt(parsed.data.leafPayload);
    if (deep !== undefined) {
      throw new FanoutRequestError(
        'leafPayload',
        `bad fan-out request: leafPayload nests objects or arrays more than ${MAX_NESTING_DEPTH} levels deep (at ${shortPath(deep)})`,
      );
    }
    const leafBytes = jsonByteLength(parsed.data.leafPayload);
    if (leafBytes > MAX_LEAF_PAYLOAD_BYTES) {
      throw new FanoutRequestError(
        'leafPayload',
        `bad fan-out request: leafPayload is ${leafBytes} bytes as JSON; at most ${MAX_LEAF_PAYLOAD_BYTES} ` +
          '(each leaf and inner fan-out call carries it in a Lambda invoke payload, limited to 6 MB)',
      );
    }
    return parsed.data as FanoutRequest;
  }
  const issue = parsed.error.issues[0]!;
  throw new FanoutRequestError(
    fieldOf(issue),
    `bad fan-out request: ${describeIssue(issue, event)} ` +
      '(expected { target: string or targets: string[1..1000], count: 1..100000, branching: 2..1000, leafTimeoutMs?: ms })',
  );
}
