import { prng, randomInt } from './prng';
import type { Workload } from './types';

export interface JsonFlattenerInput {
  readonly seed: number;
  /** Nesting depth of the generated object. */
  readonly depth: number;
  /** Children per object or array. */
  readonly breadth: number;
}

export interface JsonFlattenerOutput {
  readonly leaves: number;
  readonly pairs: number;
  readonly jsonBytes: number;
  readonly longestKey: number;
  readonly checksum: number;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Recursively generates a JSON value; counts its leaves into `counter`. */
export function generateJson(random: () => number, depth: number, breadth: number, counter: { leaves: number }): Json {
  if (depth === 0) {
    counter.leaves++;
    const kind = randomInt(random, 4);
    if (kind === 0) return randomInt(random, 1_000_000);
    if (kind === 1) return random() < 0.5;
    if (kind === 2) return null;
    return random().toString(36).slice(2, 10);
  }
  if (random() < 0.3) return Array.from({ length: breadth }, () => generateJson(random, depth - 1, breadth, counter));
  const object: { [key: string]: Json } = {};
  for (let i = 0; i < breadth; i++)
    object[`k${i}_${randomInt(random, 1000)}`] = generateJson(random, depth - 1, breadth, counter);
  return object;
}

/** Flattens to dotted keys: `{ a: { b: [1] } }` -> `[['a.b.0', 1]]`. Empty containers become leaves. */
export function flatten(value: Json, prefix = '', out: Array<[string, Json]> = []): Array<[string, Json]> {
  if (value !== null && typeof value === 'object') {
    const keys = Array.isArray(value) ? value.map((_, i) => String(i)) : Object.keys(value);
    if (keys.length === 0) out.push([prefix, value]);
    for (const key of keys) {
      const child = Array.isArray(value) ? value[Number(key)]! : value[key]!;
      flatten(child, prefix ? `${prefix}.${key}` : key, out);
    }
  } else {
    out.push([prefix, value]);
  }
  return out;
}

/** Table 1: "Recursively generates a large JSON object and flattens it into key-value pairs." */
export const jsonFlattener: Workload<JsonFlattenerInput, JsonFlattenerOutput> = {
  name: 'json-flattener',
  vCpus: 1,
  description: 'Recursively generates a large JSON object and flattens it into key-value pairs.',
  sizes: {
    test: { seed: 19, depth: 4, breadth: 5 },
    small: { seed: 19, depth: 6, breadth: 7 },
    large: { seed: 19, depth: 7, breadth: 10 },
  },
  run(input) {
    const counter = { leaves: 0 };
    const generated = generateJson(prng(input.seed), input.depth, input.breadth, counter);
    // Round-trip through text, as a service receiving the document would.
    const text = JSON.stringify(generated);
    const pairs = flatten(JSON.parse(text) as Json);
    let checksum = 0;
    let longestKey = 0;
    for (const [key] of pairs) {
      longestKey = Math.max(longestKey, key.length);
      for (let i = 0; i < key.length; i++) checksum = (checksum * 31 + key.charCodeAt(i)) >>> 0;
    }
    return { leaves: counter.leaves, pairs: pairs.length, jsonBytes: text.length, longestKey, checksum };
  },
  check(output, input) {
    if (output.pairs !== output.leaves) return `flattened ${output.pairs} pairs from ${output.leaves} leaves`;
    if (output.leaves !== input.breadth ** input.depth)
      return `generated ${output.leaves} leaves, expected ${input.breadth ** input.depth}`;
    return undefined;
  },
};
