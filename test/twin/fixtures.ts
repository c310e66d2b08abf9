import { parseScenario, type Scenario } from '../../lib/twin/scenario';

/** A small two-zone scenario for tests: few hosts, so saturation comes after a few polls. */
export function smallScenarioJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'small',
    description: 'test scenario',
    seed: 11,
    days: 2,
    baselineZone: 'usw1-az3',
    cpus: {
      xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
      xeon29: { model: 'Intel(R) Xeon(R) Processor @ 2.90GHz' },
      xeon30: { model: 'Intel(R) Xeon(R) Processor @ 3.00GHz' },
      epyc: { model: 'AMD EPYC' },
    },
    zones: [
      {
        azId: 'usw1-az3',
        region: 'us-west-1',
        hosts: 20,
        slotsPerHost: 10,
        mix: [
          { xeon25: 0.5, xeon29: 0.25, xeon30: 0.15, epyc: 0.1 },
          { xeon25: 0.6, xeon29: 0.2, xeon30: 0.1, epyc: 0.1 },
        ],
      },
      {
        azId: 'sae1-az1',
        region: 'sa-east-1',
        hosts: 10,
        slotsPerHost: 10,
        mix: [{ xeon25: 0.5, xeon30: 0.5 }],
      },
    ],
    workloads: {
      zipper: {
        memoryMb: 4096,
        baseMs: 1000,
        cv: 0.03,
        relative: { xeon25: 1, xeon30: 0.88, xeon29: 1.22, epyc: 1.35 },
      },
      'disk-writer': { memoryMb: 2048, baseMs: 800, cv: 0.05, relative: { xeon30: 0.95, xeon29: 1.1, epyc: 0.97 } },
    },
    burst: 50,
    holdMs: 150,
    ...overrides,
  };
}

export function smallScenario(overrides: Record<string, unknown> = {}): Scenario {
  return parseScenario(smallScenarioJson(overrides), 'test');
}
