/**
 * Why a value would not survive JSON the way the caller expects, or undefined if it would.
 * JSON.stringify throws on BigInt and cycles but silently drops functions and symbols and turns
 * Map and Set into `{}`; all of these are reported with the path of the offending value.
 */
export function unserializableReason(value: unknown): string | undefined {
  return visit(value, '$', new Set());
}

function visit(value: unknown, path: string, ancestors: Set<object>): string | undefined {
  switch (typeof value) {
    case 'bigint':
      return `${path} is a BigInt (JSON has no BigInt; convert it to a string)`;
    case 'function':
      return `${path} is a function`;
    case 'symbol':
      return `${path} is a symbol`;
    case 'object':
      break;
    default:
      return undefined;
  }
  if (value === null) return undefined;
  const object = value as Record<string, unknown> & { toJSON?: () => unknown };
  if (typeof object.toJSON === 'function') return visit(object.toJSON(), path, ancestors);
  // Tag checks, not instanceof: user code may come from another realm.
  const tag = Object.prototype.toString.call(value);
  if (tag === '[object Map]' || tag === '[object Set]') {
    return `${path} is a ${tag.slice(8, -1)} (JSON turns it into {}; convert it to an object or array)`;
  }
  if (ancestors.has(object)) return `${path} refers back to one of its ancestors (a cycle)`;
  ancestors.add(object);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const reason = visit(value[i], `${path}[${i}]`, ancestors);
        if (reason) return reason;
      }
      return undefined;
    }
    if (ArrayBuffer.isView(value)) return undefined;
    for (const key of Object.keys(object)) {
      const reason = visit(object[key], `${path}.${key}`, ancestors);
      if (reason) return reason;
    }
    return undefined;
  } finally {
    ancestors.delete(object);
  }
}
