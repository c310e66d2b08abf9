// biome-ignore-all lint/suspicious/noExplicitAny: the fuzzer writes hostile values at arbitrary paths of raw JSON
import fc from 'fast-check';
import { ScenarioError } from '../../lib/twin/errors';
import { parseScenario } from '../../lib/twin/scenario';
import { smallScenarioJson } from '../twin/fixtures';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf'];

/** Every path of objects in a JSON value (where a key can be added or a value replaced). */
function objectPaths(value: unknown, path: Array<string | number> = []): Array<Array<string | number>> {
  if (value === null || typeof value !== 'object') return [];
  const here = [path];
  const children = Array.isArray(value)
    ? value.flatMap((item, i) => objectPaths(item, [...path, i]))
    : Object.entries(value).flatMap(([key, item]) => objectPaths(item, [...path, key]));
  return [...here, ...children];
}

const BASE = smallScenarioJson();
const PATHS = objectPaths(BASE);

function nest(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.integer({ min: 65, max: 20_000 }).map(nest),
  fc.constantFrom(Number.NaN, -1, 0, 1e308, '', null, [], {}),
);

/** The small scenario with one to three hostile edits: a value replaced, or a key (often a prototype name) added. */
const hostileScenario = fc
  .array(
    fc.record({
      at: fc.nat({ max: PATHS.length - 1 }),
      key: fc.oneof(fc.constantFrom(...PROTOTYPE_NAMES), fc.string({ maxLength: 10 })),
      value: hostileValue,
      replace: fc.boolean(),
    }),
    { minLength: 1, maxLength: 3 },
  )
  .map((edits) => {
    const json = JSON.parse(JSON.stringify(BASE));
    for (const edit of edits) {
      const path = PATHS[edit.at]!;
      let target: any = json;
      for (const part of path) target = target?.[part];
      if (target === null || typeof target !== 'object') continue;
      const keys = Object.keys(target);
      const key = edit.replace && keys.length > 0 ? keys[edit.at % keys.length]! : edit.key;
      // an own property even for `__proto__`, as JSON.parse makes it
      Object.defineProperty(target, key, { value: edit.value, enumerable: true, writable: true, configurable: true });
    }
    return json;
  });

describe('scenario parser: 1,000 hostile scenarios', () => {
  it('returns a scenario or a ScenarioError naming each field; prototype names are refused, never dropped', () => {
    let refused = 0;
    fc.assert(
      fc.property(hostileScenario, (json) => {
        let error: unknown;
        try {
          const scenario = parseScenario(json, 'fuzz');
          // accepted: then no prototype name can have been among its keys
          expect(JSON.stringify(objectPaths(json))).not.toMatch(
            /"(__proto__|constructor|toString|hasOwnProperty|valueOf|isPrototypeOf)"/,
          );
          expect(scenario.zones.length).toBeGreaterThan(0);
          return;
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(ScenarioError);
        refused++;
        const { issues, message } = error as ScenarioError;
        expect(issues.length).toBeGreaterThan(0);
        for (const issue of issues) {
          expect(typeof issue.path).toBe('string');
          expect(issue.message.length).toBeGreaterThan(0);
        }
        expect(message).not.toMatch(/\[object Object\]|Maximum call stack/);
      }),
      { numRuns: 1000, seed: 4711 },
    );
    expect(refused).toBeGreaterThan(300);
  });

  it.each(PROTOTYPE_NAMES)('refuses a %s key with the field named', (name) => {
    const json = JSON.parse(JSON.stringify(BASE));
    Object.defineProperty(json.workloads, name, {
      value: json.workloads[Object.keys(json.workloads)[0]!],
      enumerable: true,
    });
    expect(() => parseScenario(json, 'fuzz')).toThrow(new RegExp(`workloads\\.${name.replace(/_/g, '_')}`));
  });
});
