import { previewJson } from '../../lib/core/nesting';
/**
 * Readable messages for zod issues. The handlers use `zod/mini` (about 30 KB bundled instead of
 * 750 KB for classic zod with its locales, which would add to every cold start), whose default
 * message is just "Invalid input"; this names the field, the value received and what is allowed.
 */

/** The parts of a zod 4 issue read here. */
export interface IssueLike {
  readonly code: string;
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly origin?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly expected?: string;
  readonly values?: readonly unknown[];
  readonly keys?: readonly string[];
  readonly format?: string;
}

/** The dotted field name of an issue (`(body)` for the request itself). */
export function fieldOf(issue: IssueLike): string {
  if (issue.code === 'unrecognized_keys' && issue.keys && issue.keys.length > 0) {
    const prefix = issue.path.map(String).join('.');
    return issue.keys.map((k) => (prefix ? `${prefix}.${k}` : k)).join(',');
  }
  return issue.path.length > 0 ? issue.path.map(String).join('.') : '(body)';
}

/** `field = value: what is wrong (what is allowed)`. */
export function describeIssue(issue: IssueLike, root: unknown): string {
  const field = fieldOf(issue);
  const value = valueAt(root, issue.path);
  const got = `${field} = ${short(value)}`;
  const unit = issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : '';
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown field(s) ${field}`;
    case 'invalid_type':
      return value === undefined
        ? `${field} is missing (expected ${issue.expected})`
        : `${got}: expected ${issue.expected}`;
    case 'too_small':
      return `${got}: must be at least ${issue.minimum}${unit}${issue.message !== 'Invalid input' ? ` (${issue.message})` : ''}`;
    case 'too_big':
      return `${got}: must be at most ${issue.maximum}${unit}${issue.message !== 'Invalid input' ? ` (${issue.message})` : ''}`;
    case 'invalid_value':
      return `${got}: allowed ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return `${got}: ${issue.message}`;
  }
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let at = root;
  for (const key of path)
    at = at !== null && typeof at === 'object' ? (at as Record<PropertyKey, unknown>)[key] : undefined;
  return at;
}

function short(value: unknown): string {
  if (typeof value === 'string' && value.length > 40) return `a string of ${value.length} characters`;
  return previewJson(value, 60);
}
