import { CARBON_MODEL, carbonGrams, energyKwh, wattsOf } from '../../lib/core/carbon';
import { archRelativeRuntime, cpuFitsArch, relativeRuntime } from '../../lib/core/cpu-speed';
import { greatCircleKm, networkRttMs } from '../../lib/core/geo';
import { effectiveSpeed, memoryRuntimeFactor, vcpusOf } from '../../lib/core/memory-scaling';
import { resolveObjective } from '../../lib/core/objectives';
import { STRATEGIES, STRATEGY_NAMES } from '../../lib/core/strategies';

describe('carbon', () => {
  it('draws power in proportion to memory', () => {
    expect(wattsOf(2048)).toBeCloseTo(2 * wattsOf(1024), 12);
    expect(wattsOf(1769)).toBeCloseTo(
      (CARBON_MODEL.wattsPerVcpu + (1769 / 1024) * CARBON_MODEL.wattsPerGbMemory) * CARBON_MODEL.pue,
      12,
    );
  });
  it('turns time, memory and grid intensity into grams', () => {
    const kwh = energyKwh(3_600_000, 1769);
    expect(kwh).toBeCloseTo(wattsOf(1769) / 1000, 12);
    expect(carbonGrams(3_600_000, 1769, 400)).toBeCloseTo(kwh * 400, 12);
  });
});

describe('cpu speed priors', () => {
  it("orders the paper's CPUs as it measured them: 3.0 GHz < 2.5 GHz < 2.9 GHz < EPYC, unknown CPUs at the baseline", () => {
    const order = ['intel-xeon-3.00', 'intel-xeon-2.50', 'intel-xeon-2.90', 'amd-epyc'].map(relativeRuntime);
    for (let i = 1; i < order.length; i++) expect(order[i]).toBeGreaterThan(order[i - 1]);
    // §4.5: 3.0 GHz 5-15% faster, 2.9 GHz 15-30% slower, EPYC up to 50% slower than the 2.5 GHz baseline
    expect(relativeRuntime('intel-xeon-3.00')).toBeGreaterThanOrEqual(0.85);
    expect(relativeRuntime('intel-xeon-2.90')).toBeLessThanOrEqual(1.3);
    expect(relativeRuntime('amd-epyc')).toBeLessThanOrEqual(1.5);
    expect(relativeRuntime('amd-epyc-7r13')).toBe(relativeRuntime('amd-epyc'));
    expect(relativeRuntime('some-new-cpu')).toBe(relativeRuntime('intel-xeon-2.50'));
  });
  it('knows which CPUs fit which arch', () => {
    expect(cpuFitsArch('graviton2', 'arm64')).toBe(true);
    expect(cpuFitsArch('intel-xeon-2.50', 'arm64')).toBe(false);
    expect(archRelativeRuntime('x86_64')).toBe(1);
  });
});

describe('memory scaling', () => {
  it.each([
    [1769, 1],
    [128, 128 / 1769],
    [10240, 10240 / 1769],
    [20000, 6],
  ])('%p MB gets %p vCPUs', (mb, vcpus) => {
    expect(vcpusOf(mb)).toBeCloseTo(vcpus, 12);
  });
  it.each([
    [1024, 2048, 1, 0.57886],
    [4096, 2048, 2, 1.72754],
    [512, 256, 1, 2],
  ])('turns a runtime at %p MB into one at %p MB with %p threads by × %p', (from, to, threads, factor) => {
    expect(memoryRuntimeFactor(from, to, threads)).toBeCloseTo(factor, 4);
  });
  it('caps effective speed at the parallelism', () => {
    expect(effectiveSpeed(10240, 2)).toBe(2);
  });
  it('does not speed a single thread up past one vCPU', () => {
    expect(memoryRuntimeFactor(2048, 10240, 1)).toBe(1);
    expect(memoryRuntimeFactor(1024, 2048, 1)).toBeCloseTo(1024 / 1769, 12);
  });
});

describe('geo', () => {
  it.each([
    [{ lat: 40.71, lon: -74.01 }, { lat: 51.51, lon: -0.13 }, 5570],
    [{ lat: 37.77, lon: -122.42 }, { lat: -33.87, lon: 151.21 }, 11940],
    [{ lat: 0, lon: 0 }, { lat: 0, lon: 0 }, 0],
  ])('%j to %j is about %p km', (a, b, km) => {
    expect(Math.abs(greatCircleKm(a, b) - km)).toBeLessThan(30);
  });
  it('estimates round trips from distance', () => {
    expect(networkRttMs({ lat: 40.71, lon: -74.01 }, { lat: 51.51, lon: -0.13 })).toBeGreaterThan(70);
    expect(networkRttMs({ lat: 40.71, lon: -74.01 }, { lat: 51.51, lon: -0.13 })).toBeLessThan(90);
  });
});

describe('objectives', () => {
  it.each([
    [undefined, 'cost'],
    ['latency', 'latency'],
    [{ cost: 0, latency: 0, carbon: 2 }, 'carbon'],
    [{ cost: 1, latency: 1, carbon: 0 }, undefined],
  ] as const)('%j is pure %p', (objective, pure) => {
    const resolved = resolveObjective(objective);
    expect(resolved.pure).toBe(pure);
    expect(resolved.note).toBeUndefined();
  });
  it.each([[{ cost: 0, latency: 0, carbon: 0 }], [{ cost: Number.NaN, latency: 1, carbon: 0 }], ['fast']])(
    'falls back to cost for %j, with a note',
    (objective) => {
      const resolved = resolveObjective(objective as 'cost');
      expect(resolved.weights).toEqual({ cost: 1, latency: 0, carbon: 0 });
      expect(resolved.note).toMatch(/placed by cost/);
    },
  );
});

describe('strategies', () => {
  it.each([
    ['baseline', 'baseline', 'home', 'none'],
    ['regional', 'any', 'home', 'none'],
    ['retry-slow', 'baseline', 'home', 'slowest-two'],
    ['focus-fastest', 'baseline', 'home', 'all-but-fastest'],
    ['hybrid', 'any', 'home', 'slowest-two'],
    ['optimal', 'any', 'any', 'optimal'],
  ] as const)('%s looks at %s zones, %s configs, rejecting %s', (name, zones, configs, reject) => {
    expect(STRATEGIES[name]).toMatchObject({ name, zones, configs, reject });
  });
  it('lists every strategy once', () => {
    expect([...STRATEGY_NAMES].sort()).toEqual(Object.keys(STRATEGIES).sort());
  });
});
