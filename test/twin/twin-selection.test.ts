import { benchRunsOf, benchSelectionOf, inFixedZoneOnly } from '../../bench/twin-selection';
import { parseScenario } from '../../lib/twin/scenario';
import { smallScenarioJson } from './fixtures';

describe('the twin bench selection (SKY_BENCH_TWIN_*)', () => {
  const small = parseScenario(smallScenarioJson({ name: 'small', seed: 11, days: 2 }));
  const long = parseScenario(smallScenarioJson({ name: 'long', seed: 7, days: 14 }));

  it('runs every scenario at its own seed for all its days when nothing is set', () => {
    const selection = benchSelectionOf({});
    expect(selection).toEqual({ extraSeeds: [] });
    expect(benchRunsOf([small, long], selection).map((r) => [r.scenario.name, r.scenario.seed, r.days])).toEqual([
      ['small', 11, 2],
      ['long', 7, 14],
    ]);
  });

  it('caps the days, adds seeds (once each, not the own one again) and keeps to the named scenarios', () => {
    const selection = benchSelectionOf({
      SKY_BENCH_TWIN_DAYS: '3',
      SKY_BENCH_TWIN_SEEDS: '7, 8,8',
      SKY_BENCH_TWIN_SCENARIOS: 'long',
    });
    expect(selection).toEqual({ maxDays: 3, extraSeeds: [7, 8], scenarios: ['long'] });
    const runs = benchRunsOf([small, long], selection);
    expect(runs.map((r) => [r.scenario.name, r.scenario.seed, r.days])).toEqual([
      ['long', 7, 3],
      ['long', 8, 3],
    ]);
    // a run at another seed is the same scenario otherwise
    expect({ ...runs[1].scenario, seed: 7 }).toEqual(long);
    expect(benchRunsOf([small], benchSelectionOf({ SKY_BENCH_TWIN_DAYS: '5' }))[0].days).toBe(2);
  });

  it.each([
    [{ SKY_BENCH_TWIN_DAYS: '0' }, /SKY_BENCH_TWIN_DAYS: "0" is not a whole number of days ≥ 1/],
    [{ SKY_BENCH_TWIN_DAYS: '2.5' }, /SKY_BENCH_TWIN_DAYS: "2.5"/],
    [{ SKY_BENCH_TWIN_SEEDS: '1,x' }, /SKY_BENCH_TWIN_SEEDS: "x" is not comma-separated seeds/],
    [{ SKY_BENCH_TWIN_SEEDS: '4294967296' }, /SKY_BENCH_TWIN_SEEDS: "4294967296"/],
    [{ SKY_BENCH_TWIN_SEEDS: '1,,2' }, /SKY_BENCH_TWIN_SEEDS: "1,,2" has an empty item/],
    [{ SKY_BENCH_TWIN_SCENARIOS: 'a,' }, /SKY_BENCH_TWIN_SCENARIOS: "a," has an empty item/],
  ])('fails when %j is malformed, naming the variable', (env, message) => {
    expect(() => benchSelectionOf(env)).toThrow(message);
  });

  it('adds the generated scenarios of seeds 1..n after the shipped ones, and a trailing * takes them by prefix', () => {
    const selection = benchSelectionOf({ SKY_BENCH_TWIN_GENERATED: '2', SKY_BENCH_TWIN_SCENARIOS: 'generated-*' });
    expect(selection).toEqual({ extraSeeds: [], scenarios: ['generated-*'], generated: { from: 1, to: 2 } });
    const g1 = parseScenario(smallScenarioJson({ name: 'generated-1', seed: 1, days: 2 }));
    const g2 = parseScenario(smallScenarioJson({ name: 'generated-2', seed: 2, days: 2 }));
    expect(benchRunsOf([small, long, g1, g2], selection).map((r) => r.scenario.name)).toEqual([
      'generated-1',
      'generated-2',
    ]);
    expect(() =>
      benchRunsOf([small, g1], benchSelectionOf({ SKY_BENCH_TWIN_GENERATED: '1', SKY_BENCH_TWIN_SCENARIOS: 'gen-*' })),
    ).toThrow(/"gen-\*" is not a shipped or generated scenario \(generated-1, small\)/);
  });

  it('takes a range a-b of generated seeds', () => {
    expect(benchSelectionOf({ SKY_BENCH_TWIN_GENERATED: '11-40' }).generated).toEqual({ from: 11, to: 40 });
    expect(benchSelectionOf({ SKY_BENCH_TWIN_GENERATED: ' 7 - 7 ' }).generated).toEqual({ from: 7, to: 7 });
  });

  it.each(['0', '1001', 'x', '0-3', '5-4', '1-1001', '3-', '-3', '1-2-3'])(
    'fails when SKY_BENCH_TWIN_GENERATED is %s, naming the variable and the range',
    (n) => {
      expect(() => benchSelectionOf({ SKY_BENCH_TWIN_GENERATED: n })).toThrow(
        new RegExp(`SKY_BENCH_TWIN_GENERATED: "${n}" is not a whole number n of 1..1000, or a range a-b`),
      );
    },
  );

  it('runs every scenario, at every seed, in its fixed zone alone when SKY_BENCH_TWIN_FIXED_ZONE_ONLY is 1', () => {
    const selection = benchSelectionOf({ SKY_BENCH_TWIN_FIXED_ZONE_ONLY: '1', SKY_BENCH_TWIN_SEEDS: '12' });
    expect(selection).toEqual({ extraSeeds: [12], fixedZoneOnly: true });
    expect(small.zones.map((z) => z.azId)).toEqual(['usw1-az3', 'sae1-az1']);
    const runs = benchRunsOf([small], selection);
    expect(runs.map((r) => [r.scenario.seed, r.scenario.zones.map((z) => z.azId)])).toEqual([
      [11, ['usw1-az3']],
      [12, ['usw1-az3']],
    ]);
    // only the zones change: the fixed zone as it was, the rest of the scenario as it was
    expect(runs[0].scenario).toEqual({ ...small, zones: [small.zones[0]] });
    expect(inFixedZoneOnly({ ...small, baselineZone: 'sae1-az1' }).zones).toEqual([small.zones[1]]);
    expect(benchSelectionOf({ SKY_BENCH_TWIN_FIXED_ZONE_ONLY: '0' })).toEqual({ extraSeeds: [] });
    expect(benchRunsOf([small], benchSelectionOf({}))[0].scenario.zones).toHaveLength(2);
  });

  it.each(['yes', '2', '-1', ' '])(
    'fails when SKY_BENCH_TWIN_FIXED_ZONE_ONLY is "%s", naming the variable',
    (value) => {
      expect(() => benchSelectionOf({ SKY_BENCH_TWIN_FIXED_ZONE_ONLY: value })).toThrow(
        new RegExp(`SKY_BENCH_TWIN_FIXED_ZONE_ONLY: "${value}" is not 1 or 0`),
      );
    },
  );

  it('fails when a named scenario is not shipped, listing the ones that are', () => {
    expect(() => benchRunsOf([small, long], benchSelectionOf({ SKY_BENCH_TWIN_SCENARIOS: 'small,lnog' }))).toThrow(
      /SKY_BENCH_TWIN_SCENARIOS: "lnog" is not a shipped scenario \(long, small\)/,
    );
  });
});
