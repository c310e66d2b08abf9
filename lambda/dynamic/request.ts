import * as z from 'zod/mini';
import type { DynamicRequest } from '../../lib/contracts';
import {
  BUNDLE_ENCODINGS,
  CODE_ENTRY_PATTERN,
  MAX_BUNDLE_BASE64_CHARS,
  MAX_SOURCE_CHARS,
} from '../../lib/contracts/work-limits';
import { shortPath, tooDeepAt } from '../../lib/core/nesting';
import { describeIssue, fieldOf } from '../shared/issues';
import { BadRequestError } from './errors';

/** Longest user-code budget: Lambda's own 15-minute limit. */
export const MAX_TIMEOUT_MS = 15 * 60 * 1000;

/**
 * Deepest nesting of objects and arrays in a request (its `input` above all): deep enough for any real
 * data, shallow enough that copying the input to the code's worker and the result back never runs out
 * of stack.
 */
export const MAX_REQUEST_DEPTH = 512;

/**
 * Most characters of an error's message, and of its stack, that an answer carries: what the code threw may be any
 * size, and an answer over Lambda's 6 MB response limit reaches the caller as the platform's error, not the code's.
 */
export const MAX_ERROR_TEXT_CHARS = 64 * 1024;

/**
 * The dynamic function's request, as a zod schema that mirrors `DynamicRequest` in
 * `lib/contracts/protocol.ts`. What it accepts of sent work (sizes, the entry's form, the bundle's encoding) is
 * defined in `lib/contracts/work-limits.ts`, which the router checks too, with what a bundle may unpack to in a
 * function of a given memory (`bundleUnpackLimitBytes`).
 */
export const dynamicRequestSchema = z.strictObject({
  code: z.optional(
    z.strictObject({
      source: z.string().check(z.minLength(1), z.maxLength(MAX_SOURCE_CHARS)),
      entry: z.optional(z.string().check(z.regex(CODE_ENTRY_PATTERN, 'entry must be a JavaScript identifier'))),
    }),
  ),
  workload: z.optional(
    z.strictObject({
      name: z.string().check(z.minLength(1)),
      size: z.optional(z.enum(['test', 'small', 'large'])),
    }),
  ),
  input: z.optional(z.unknown()),
  bundle: z.optional(
    z.strictObject({
      data: z
        .string()
        .check(
          z.minLength(1),
          z.maxLength(MAX_BUNDLE_BASE64_CHARS, 'the bundle limit: 5 MiB of base64, which fits the 6 MB invoke payload'),
        ),
      sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits')),
      encoding: z.enum(BUNDLE_ENCODINGS),
    }),
  ),
  reject: z.optional(
    z.strictObject({
      cpus: z.array(z.string().check(z.minLength(1))).check(z.maxLength(64)),
      holdMs: z.int().check(z.gte(0), z.lte(MAX_TIMEOUT_MS)),
      endInstance: z.optional(z.boolean()),
    }),
  ),
  timeoutMs: z.optional(z.int().check(z.gte(1), z.lte(MAX_TIMEOUT_MS))),
});

/**
 * Validates an event as a `DynamicRequest`.
 * @throws BadRequestError naming the first field at fault (e.g. `code`, `bundle.data`, `reject.holdMs`).
 */
export function parseDynamicRequest(event: unknown): DynamicRequest {
  if (typeof event === 'string') {
    try {
      event = JSON.parse(event);
    } catch {
      throw new BadRequestError('(body)', 'the request is a string that is not JSON');
    }
  }
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new BadRequestError('(body)', `the request must be a JSON object, got ${describe(event)}`);
  }
  const deep = tooDeepAt(event, MAX_REQUEST_DEPTH);
  if (deep !== undefined) {
    const field = /^\$\.(\w+)/.exec(deep)?.[1] ?? '(body)';
    throw new BadRequestError(
      field,
      `${field} nests objects or arrays more than ${MAX_REQUEST_DEPTH} levels deep (at ${shortPath(deep)})`,
    );
  }
  const parsed = dynamicRequestSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const extra =
      issue.code === 'unrecognized_keys' ? '; allowed: code, workload, input, bundle, reject, timeoutMs' : '';
    throw new BadRequestError(fieldOf(issue), `${describeIssue(issue, event)}${extra}`);
  }
  const request = parsed.data as DynamicRequest;
  if (request.code && request.workload) {
    throw new BadRequestError('code', 'send exactly one of code and workload, not both');
  }
  if (!request.code && !request.workload) {
    throw new BadRequestError('code', 'the request has neither code nor workload; send exactly one');
  }
  return request;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
