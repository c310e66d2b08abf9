import fc from 'fast-check';
import { ConfigError, loadSkyConfig } from '../../lib/config';
import { KNOWN_KEYS } from '../../lib/config/load';

const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'];

function nest(depth: number): unknown {
  let value: unknown = 'us-west-1';
  for (let i = 0; i < depth; i++) value = i % 2 ? { a: value } : [value];
  return value;
}

/** Any value a settings file or `-c key=value` could hold, and some no JSON could. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.anything({ maxDepth: 2, withBigInt: true, withMap: true, withSet: true, withTypedArray: true, withDate: true }),
  fc.integer({ min: 65, max: 50_000 }).map(nest),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, -1, 0, 1e308, '', ' ', 'all', 'us-west-1,,', '-5', '1e9'),
  fc.string(),
);

const hostileSettings = fc.dictionary(
  fc.oneof(fc.constantFrom(...KNOWN_KEYS, ...PROTOTYPE_NAMES), fc.string({ maxLength: 12 })),
  hostileValue,
  { maxKeys: 5 },
);

describe('config loader: 1,000 hostile settings', () => {
  it('returns a config or a ConfigError naming each key, its value as JSON and what is allowed; nothing else', () => {
    let refused = 0;
    fc.assert(
      fc.property(hostileSettings, (settings) => {
        // JSON.parse gives `__proto__` as an own key, as a cdk.json would
        const context = JSON.parse('{}') as Record<string, unknown>;
        for (const [key, value] of Object.entries(settings))
          Object.defineProperty(context, key, { value, enumerable: true });
        let error: unknown;
        try {
          loadSkyConfig(context);
          return;
        } catch (caught) {
          error = caught;
        }
        expect(error).toBeInstanceOf(ConfigError);
        refused++;
        const { problems, message } = error as ConfigError;
        expect(problems.length).toBeGreaterThan(0);
        for (const problem of problems) {
          expect(typeof problem.key).toBe('string');
          expect(problem.allowed.length).toBeGreaterThan(0);
        }
        expect(message).toMatch(/skymesh\./);
        expect(message).not.toMatch(/\[object Object\]|Maximum call stack/);
      }),
      { numRuns: 1000, seed: 4711 },
    );
    expect(refused).toBeGreaterThan(500);
  });
});
