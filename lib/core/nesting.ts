/**
 * Bounds for untrusted JSON-like values (requests, settings, scenarios): how deep they nest, and a short
 * JSON preview for messages. Both work with an explicit stack or a depth cap, so a value nested
 * 100,000 levels deep gets a clear error instead of "Maximum call stack size exceeded".
 */

/** Deepest nesting of objects and arrays accepted in settings and requests (far beyond any real one). */
export const MAX_NESTING_DEPTH = 64;

/**
 * The path (`$.a[0].b`) of the first object or array nested deeper than `limit` levels in `value`, or
 * undefined when it stays within. Iterative: safe for any depth; cycles count as deep.
 */
export function tooDeepAt(value: unknown, limit: number = MAX_NESTING_DEPTH): string | undefined {
  const stack: Array<{ value: unknown; depth: number; path: string }> = [{ value, depth: 0, path: '$' }];
  while (stack.length > 0) {
    const { value: at, depth, path } = stack.pop()!;
    if (at === null || typeof at !== 'object') continue;
    if (depth >= limit) return path;
    if (Array.isArray(at)) {
      for (let i = at.length - 1; i >= 0; i--) stack.push({ value: at[i], depth: depth + 1, path: `${path}[${i}]` });
    } else {
      for (const key of Object.keys(at)) {
        stack.push({ value: (at as Record<string, unknown>)[key], depth: depth + 1, path: `${path}.${key}` });
      }
    }
  }
  return undefined;
}

/** A path from `tooDeepAt` for a message: at most `maxChars`, cut with `...`. */
export function shortPath(path: string, maxChars = 80): string {
  return path.length > maxChars ? `${path.slice(0, maxChars - 3)}...` : path;
}

/**
 * A received value as JSON for a message, cut to `maxChars`: strings quoted, objects and arrays shown
 * (never `[object Object]`), levels below `maxDepth` as `…`, BigInt as `12n`, functions and symbols named,
 * cycles marked.
 */
export function previewJson(value: unknown, maxChars = 200, maxDepth = 6): string {
  const text = render(value, maxDepth, new Set(), maxChars + 1);
  return text.length > maxChars ? `${text.slice(0, maxChars - 3)}...` : text;
}

function render(value: unknown, depth: number, ancestors: Set<object>, budget: number): string {
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'bigint':
      return `${value}n`;
    case 'function':
      return '[function]';
    case 'symbol':
      return value.toString();
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : String(value);
    case 'string':
      return JSON.stringify(value.length > budget ? value.slice(0, budget) : value);
    case 'boolean':
      return String(value);
  }
  if (value === null) return 'null';
  const object = value as object;
  if (ancestors.has(object)) return '[cycle]';
  if (depth <= 0) return Array.isArray(object) ? '[…]' : '{…}';
  ancestors.add(object);
  try {
    const parts: string[] = [];
    let used = 2;
    const entries: Array<[string | undefined, unknown]> = Array.isArray(object)
      ? object.map((item) => [undefined, item])
      : Object.keys(object).map((key) => [key, (object as Record<string, unknown>)[key]]);
    for (const [key, item] of entries) {
      if (used > budget) {
        parts.push('…');
        break;
      }
      const shown = `${key === undefined ? '' : `${JSON.stringify(key)}:`}${render(item, depth - 1, ancestors, budget - used)}`;
      parts.push(shown);
      used += shown.length + 1;
    }
    return Array.isArray(object) ? `[${parts.join(',')}]` : `{${parts.join(',')}}`;
  } finally {
    ancestors.delete(object);
  }
}
