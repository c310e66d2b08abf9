import { MAX_NESTING_DEPTH } from '../core/nesting';
import type { ScenarioIssue } from './errors';

/** Names of Object.prototype's members: as keys of a scenario they would be dropped or read as those members. */
const PROTOTYPE_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * Keys a scenario may not use, and nesting it may not exceed, found before the schema sees the value (the
 * schema would drop a `__proto__` key without a word). Iterative, so any depth is safe.
 */
export function unsafeKeyIssues(value: unknown): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: '', depth: 0 }];
  while (stack.length > 0 && issues.length < 20) {
    const { value: at, path, depth } = stack.pop()!;
    if (at === null || typeof at !== 'object') continue;
    if (depth >= MAX_NESTING_DEPTH) {
      issues.push({ path, message: `nests objects or arrays more than ${MAX_NESTING_DEPTH} levels deep` });
      continue;
    }
    if (Array.isArray(at)) {
      at.forEach((item, i) => {
        stack.push({ value: item, path: `${path}[${i}]`, depth: depth + 1 });
      });
      continue;
    }
    for (const key of Object.keys(at)) {
      const child = path ? `${path}.${key}` : key;
      if (PROTOTYPE_NAMES.has(key)) {
        issues.push({
          path: child,
          message: `"${key}" is the name of a member of every JavaScript object and cannot be a key; rename it`,
        });
      } else {
        stack.push({ value: (at as Record<string, unknown>)[key], path: child, depth: depth + 1 });
      }
    }
  }
  return issues;
}
