import { z } from 'zod';
import type { FanoutRequest } from '../shared/protocol';
import { FanoutRequestError } from './errors';

/** Deepest tree allowed (a guard: with branching >= 2 a poll of 100,000 needs 17 levels at most). */
export const MAX_DEPTH = 24;
/** Most requests one poll may ask for. */
export const MAX_COUNT = 100_000;

export const fanoutRequestSchema = z
  .object({
    target: z.string().min(1).max(256),
    count: z.number().int().min(1).max(MAX_COUNT),
    branching: z.number().int().min(2).max(1000),
    leafTimeoutMs: z.number().int().positive().max(900_000).optional(),
    leafPayload: z.unknown().optional(),
    includeDetail: z.boolean().optional(),
    depth: z.number().int().min(0).max(MAX_DEPTH).optional(),
  })
  .strict();

/**
 * Validates a fan-out request.
 * @throws FanoutRequestError naming the field at fault.
 */
export function parseFanoutRequest(event: unknown): FanoutRequest {
  const parsed = fanoutRequestSchema.safeParse(event);
  if (parsed.success) return parsed.data as FanoutRequest;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
  const value = issue.path.length > 0 ? valueAt(event, issue.path) : event;
  throw new FanoutRequestError(
    field,
    `bad fan-out request: ${field} = ${short(value)}: ${issue.message} ` +
      '(expected { target: string, count: 1..100000, branching: 2..1000, leafTimeoutMs?: ms })',
  );
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root;
  for (const key of path)
    at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
