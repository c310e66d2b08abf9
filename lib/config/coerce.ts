/**
 * Coercions for values that arrive as strings from the command line (`-c skymesh.regions=us-west-1,sa-east-1`,
 * `-c skymesh.samplersPerZone=10`). A value that cannot be coerced is returned unchanged, so validation
 * reports it as received.
 */

const NUMBER_PATTERN = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** `"42"` → 42, `" 0.5 "` → 0.5; anything else unchanged. */
export function coerceNumber(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  return NUMBER_PATTERN.test(text) ? Number(text) : value;
}

/** `"a, b,c"` → `['a', 'b', 'c']`, `'["a","b"]'` → `['a', 'b']`; arrays and anything else unchanged. */
export function coerceList(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text.startsWith('[')) {
    try {
      return JSON.parse(text);
    } catch {
      return value;
    }
  }
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** A list whose items are coerced to numbers where they are numeric strings. */
export function coerceNumberList(value: unknown): unknown {
  const list = coerceList(value);
  return Array.isArray(list) ? list.map(coerceNumber) : list;
}
