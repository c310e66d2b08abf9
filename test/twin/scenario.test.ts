// biome-ignore-all lint/suspicious/noExplicitAny: the tests mutate raw scenario JSON at arbitrary paths

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { ScenarioError } from '../../lib/twin/errors';
import { loadScenario, parseScenario } from '../../lib/twin/scenario';
import { smallScenarioJson } from './fixtures';

function issuesOf(value: unknown): ReadonlyArray<{ path: string; message: string }> {
  try {
    parseScenario(value, 'test');
  } catch (error) {
    expect(error).toBeInstanceOf(ScenarioError);
    return (error as ScenarioError).issues;
  }
  throw new Error('the scenario was accepted');
}

describe('scenario schema', () => {
  it('accepts the small scenario and fills in defaults', () => {
    const { burst, holdMs, ...rest } = smallScenarioJson();
    const scenario = parseScenario(rest);
    expect(scenario.burst).toBe(1000);
    expect(scenario.holdMs).toBe(150);
    expect(scenario.noise).toBe('lognormal');
    expect(scenario.cpuList.map((c) => c.cpuKey)).toEqual([
      'intel-xeon-2.50',
      'intel-xeon-2.90',
      'intel-xeon-3.00',
      'amd-epyc',
    ]);
  });

  it('fills in the 2026 fields with their defaults', () => {
    const scenario = parseScenario(smallScenarioJson());
    expect(scenario.pricing).toEqual({ initBilled: true });
    expect(scenario.initMs).toBe(150);
    expect(scenario.zones[0].provider).toBe('aws');
    expect(scenario.workloads.zipper).toMatchObject({ vcpus: 1, minMemoryMb: 128 });
    expect(scenario.workloads.zipper.relativeAtMemory).toBeUndefined();
  });

  it("accepts the spec's example fields: names, providers, vCPUs, memory-dependent speeds, 2024 billing", () => {
    const json: any = smallScenarioJson({ pricing: { initBilled: false }, initMs: 180 });
    json.zones[0].name = 'us-west-1b';
    json.zones[0].placementSpread = 0.4;
    json.zones.push({
      azId: 'ibm-us-south',
      provider: 'ibm-code-engine',
      region: 'us-south',
      hosts: 4,
      slotsPerHost: 10,
      mix: [{ xeon25: 1 }],
    });
    json.workloads.zipper = {
      ...json.workloads.zipper,
      vcpus: 2,
      minMemoryMb: 512,
      relativeAtMemory: { '128': { epyc: 0.6 } },
    };
    const scenario = parseScenario(json);
    expect(scenario.pricing.initBilled).toBe(false);
    expect(scenario.initMs).toBe(180);
    expect(scenario.zones[0]).toMatchObject({ name: 'us-west-1b', placementSpread: 0.4 });
    expect(scenario.zones[2]).toMatchObject({ azId: 'ibm-us-south', provider: 'ibm-code-engine' });
    expect(scenario.workloads.zipper).toMatchObject({
      vcpus: 2,
      minMemoryMb: 512,
      relativeAtMemory: { '128': { epyc: 0.6 } },
    });
  });

  it('accepts an arm64 fleet of Graviton hosts (project extension)', () => {
    const json: any = smallScenarioJson();
    json.cpus.graviton2 = { model: 'graviton2' };
    json.zones[0].arm64 = { hosts: 5, mix: [{ graviton2: 1 }] };
    expect(parseScenario(json).zones[0].arm64).toEqual({ hosts: 5, mix: [{ graviton2: 1 }] });
  });

  it('accepts the shipped paper scenario', () => {
    const { loadScenario } = jest.requireActual('../../lib/twin/scenario') as typeof import('../../lib/twin/scenario');
    const scenario = loadScenario(`${__dirname}/../../scenarios/paper-ex5.json`);
    expect(scenario.zones.map((z) => z.azId)).toEqual(['usw1-az1', 'usw1-az3', 'sae1-az1', 'eun1-az1', 'cac1-az1']);
    expect(Object.keys(scenario.workloads)).toHaveLength(12);
    expect(scenario.baselineZone).toBe('usw1-az3');
  });

  it.each([
    ['a mix that does not sum to 1', (s: any) => (s.zones[0].mix[1].xeon25 = 0.5), 'zones[0].mix[1]', /sum to 0.9/],
    [
      'an undeclared CPU in a mix',
      (s: any) => (s.zones[1].mix[0] = { xeon25: 0.5, arm: 0.5 }),
      'zones[1].mix[0].arm',
      /not a declared CPU/,
    ],
    [
      'an undeclared CPU in a workload',
      (s: any) => (s.workloads.zipper.relative.i7 = 1.1),
      'workloads.zipper.relative.i7',
      /not a declared CPU/,
    ],
    [
      'a baseline zone that is not a zone',
      (s: any) => (s.baselineZone = 'use1-az1'),
      'baselineZone',
      /not one of the zones/,
    ],
    ['an AZ name instead of an AZ ID', (s: any) => (s.zones[0].azId = 'us-west-1b'), 'zones[0].azId', /AZ ID/],
    [
      'an AZ ID of another region',
      (s: any) => (s.zones[1].azId = 'usw1-az1'),
      'zones[1].azId',
      /not an AZ ID of sa-east-1/,
    ],
    [
      'a region the catalog does not know',
      (s: any) => (s.zones[1].region = 'xx-nowhere-9'),
      'zones[1].region',
      /not a Lambda region/,
    ],
    ['a zone listed twice', (s: any) => s.zones.push({ ...s.zones[0] }), 'zones[2].azId', /appears twice/],
    ['an unknown field (a typo)', (s: any) => (s.zones[0].slotPerHost = 5), 'zones[0]', /slotPerHost/],
    [
      'a negative share',
      (s: any) => (s.zones[1].mix[0] = { xeon25: 1.5, xeon30: -0.5 }),
      'zones[1].mix[0].xeon30',
      /between 0 and 1/,
    ],
    ['memory beyond Lambda', (s: any) => (s.workloads.zipper.memoryMb = 20000), 'workloads.zipper.memoryMb', /10240/],
    [
      'two CPUs an instance cannot tell apart',
      (s: any) => (s.cpus.epyc2 = { model: 'AMD EPYC' }),
      'cpus.epyc2.model',
      /same CPU/,
    ],
    ['no zones', (s: any) => (s.zones = []), 'zones', /at least one zone/],
    ['a fractional burst', (s: any) => (s.burst = 10.5), 'burst', /whole number/],
    [
      'a placement spread of 0',
      (s: any) => (s.zones[0].placementSpread = 0),
      'zones[0].placementSpread',
      /more than 0/,
    ],
    [
      'a placement spread over 1',
      (s: any) => (s.zones[0].placementSpread = 1.5),
      'zones[0].placementSpread',
      /at most 1/,
    ],
    [
      'INIT billing that is not a boolean',
      (s: any) => (s.pricing = { initBilled: 'no' }),
      'pricing.initBilled',
      /true or false/,
    ],
    ['an unknown pricing field', (s: any) => (s.pricing = { initbilled: false }), 'pricing', /initbilled/],
    ['a negative INIT', (s: any) => (s.initMs = -1), 'initMs', /0 or more/],
    ["an INIT beyond Lambda's 10 s", (s: any) => (s.initMs = 20_000), 'initMs', /10 s/],
    [
      'an AZ name of another region',
      (s: any) => (s.zones[0].name = 'eu-north-1a'),
      'zones[0].name',
      /not an AZ name of us-west-1/,
    ],
    [
      'two zones with one name',
      (s: any) => {
        s.zones[0].name = 'x';
        s.zones[1].name = 'x';
      },
      'zones[1].name',
      /also the name/,
    ],
    [
      'an unknown provider',
      (s: any) => (s.zones[1].provider = 'azure'),
      'zones[1].provider',
      /aws, ibm-code-engine, digitalocean/,
    ],
    [
      'a provider zone not keyed by its region',
      (s: any) => Object.assign(s.zones[1], { provider: 'digitalocean', azId: 'do-ams3', region: 'nyc3' }),
      'zones[1].azId',
      /do-nyc3/,
    ],
    [
      'a provider zone in a region the provider does not have',
      (s: any) => Object.assign(s.zones[1], { provider: 'digitalocean', azId: 'do-mars1', region: 'mars1' }),
      'zones[1].region',
      /must be a digitalocean region: .*tor1/,
    ],
    ['vCPUs beyond Lambda', (s: any) => (s.workloads.zipper.vcpus = 8), 'workloads.zipper.vcpus', /at most 6/],
    ['zero vCPUs', (s: any) => (s.workloads.zipper.vcpus = 0), 'workloads.zipper.vcpus', /more than 0/],
    [
      "a memory below the workload's minimum",
      (s: any) => (s.workloads.zipper.minMemoryMb = 8192),
      'workloads.zipper.memoryMb',
      /below the workload's minMemoryMb 8192/,
    ],
    [
      'a memory key that is not a size',
      (s: any) => (s.workloads.zipper.relativeAtMemory = { big: { epyc: 1 } }),
      'workloads.zipper.relativeAtMemory.big',
      /memory size/,
    ],
    [
      'a memory key beyond Lambda',
      (s: any) => (s.workloads.zipper.relativeAtMemory = { '20000': { epyc: 1 } }),
      'workloads.zipper.relativeAtMemory.20000',
      /not a Lambda memory size/,
    ],
    [
      'an undeclared CPU at a memory size',
      (s: any) => (s.workloads.zipper.relativeAtMemory = { '512': { i7: 1 } }),
      'workloads.zipper.relativeAtMemory.512.i7',
      /not a declared CPU/,
    ],
    [
      'an arm64 CPU in the x86_64 mix',
      (s: any) => {
        s.cpus.graviton2 = { model: 'graviton2' };
        s.zones[0].mix = [{ xeon25: 0.5, graviton2: 0.5 }];
      },
      'zones[0].mix[0].graviton2',
      /arm64 CPU; put it in zones\[0\]\.arm64\.mix/,
    ],
    [
      'a memory key with a leading zero (which would name a size twice)',
      (s: any) => (s.workloads.zipper.relativeAtMemory = { '0128': { xeon25: 1 }, '128': { xeon25: 1 } }),
      'workloads.zipper.relativeAtMemory.0128',
      /not a Lambda memory size/,
    ],
    [
      'an x86 CPU in an arm64 fleet',
      (s: any) => (s.zones[0].arm64 = { hosts: 2, mix: [{ xeon25: 1 }] }),
      'zones[0].arm64.mix[0].xeon25',
      /not an arm64 CPU/,
    ],
    [
      'a workload whose slowest CPU passes the timeout at its memoryMb',
      // epyc 1.35 × 200 s = 270 s, × 1.09 for 3 × cv 0.03 = 294.3 s fits; 205 s does not (301.7 s)
      (s: any) => (s.workloads.zipper.baseMs = 205_000),
      'workloads.zipper.baseMs',
      /205000 ms runs 276750 ms on its slowest CPU \(epyc\) at memoryMb 4096, 301658 ms with 3 × its cv of spread \(× 1\.09\): past the dynamic functions' 300000 ms timeout/,
    ],
    [
      'a memoryMb the fixed zone on another provider does not offer',
      (s: any) => {
        s.zones.push({
          azId: 'do-nyc3',
          provider: 'digitalocean',
          region: 'nyc3',
          hosts: 4,
          slotsPerHost: 10,
          mix: [{ xeon25: 1 }],
        });
        s.baselineZone = 'do-nyc3';
      },
      'workloads.zipper.memoryMb',
      /4096 MB is not a memory size of the fixed zone do-nyc3 \(digitalocean offers 128, 256, 512, 1024 MB\)/,
    ],
  ])('refuses %s, naming the field', (_what, mutate, path, reason) => {
    const json = smallScenarioJson();
    mutate(json);
    const issues = issuesOf(json);
    const issue = issues.find((i) => i.path === path);
    expect(issue).toBeDefined();
    expect(issue?.message).toMatch(reason);
  });

  it('accepts a workload that just fits the timeout on its slowest CPU', () => {
    const json = smallScenarioJson();
    (json as any).workloads.zipper.baseMs = 200_000;
    expect(parseScenario(json, 'test').workloads.zipper.baseMs).toBe(200_000);
  });

  it('refuses any scenario whose numbers break the format (fuzz)', () => {
    // Each case breaks one numeric field with a value outside what the spec allows.
    const numericFields: Array<[string, (s: any, v: number) => void, fc.Arbitrary<number>]> = [
      [
        'seed',
        (s, v) => (s.seed = v),
        fc.oneof(fc.double({ max: -1e-9, noNaN: true }), fc.double({ min: 2 ** 33, noNaN: true })),
      ],
      ['days', (s, v) => (s.days = v), fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 367 }))],
      ['zones[0].hosts', (s, v) => (s.zones[0].hosts = v), fc.integer({ max: 0 })],
      [
        'zones[0].slotsPerHost',
        (s, v) => (s.zones[0].slotsPerHost = v),
        fc.double({ min: 1.01, max: 99.99, noInteger: true }),
      ],
      // A host must hold one instance of Lambda's largest size.
      ['zones[0].hostMemoryMb', (s, v) => (s.zones[0].hostMemoryMb = v), fc.integer({ min: -1, max: 10_239 })],
      ['workloads.zipper.baseMs', (s, v) => (s.workloads.zipper.baseMs = v), fc.double({ max: 0, noNaN: true })],
      ['workloads.zipper.cv', (s, v) => (s.workloads.zipper.cv = v), fc.double({ max: -1e-9, noNaN: true })],
      ['holdMs', (s, v) => (s.holdMs = v), fc.double({ max: -1e-9, noNaN: true })],
      [
        'zones[0].mix[0].xeon25',
        (s, v) => (s.zones[0].mix[0].xeon25 = v),
        fc.double({ min: 0.6, max: 1, noNaN: true }),
      ],
    ];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: numericFields.length - 1 }), fc.nat(), (which, salt) => {
        const [path, mutate, values] = numericFields[which];
        const value = fc.sample(values, { numRuns: 1, seed: salt })[0];
        const json = smallScenarioJson();
        mutate(json, value);
        const issues = issuesOf(json);
        return issues.some((i) => i.path === path || path.startsWith(`${i.path}.`) || i.path.startsWith(`${path}`));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses values of the wrong type anywhere (fuzz)', () => {
    const paths = ['name', 'seed', 'days', 'baselineZone', 'cpus', 'zones', 'workloads', 'burst', 'holdMs'];
    fc.assert(
      fc.property(
        fc.constantFrom(...paths),
        fc.oneof(fc.constant(null), fc.boolean(), fc.array(fc.integer(), { maxLength: 2 }), fc.constant('x')),
        (path, value) => {
          const json = smallScenarioJson();
          const original = json[path];
          if (typeof original === typeof value && !Array.isArray(value) && value !== null) return true;
          json[path] = value;
          if (path === 'baselineZone' && value === 'x') return issuesOf(json).some((i) => i.path === 'baselineZone');
          const issues = issuesOf(json);
          return issues.some((i) => i.path === path || i.path.startsWith(`${path}.`) || i.path.startsWith(`${path}[`));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses text that is not JSON, naming the file', () => {
    const { loadScenario } = jest.requireActual('../../lib/twin/scenario') as typeof import('../../lib/twin/scenario');
    expect(() => loadScenario(`${__filename}`)).toThrow(/not valid JSON/);
  });

  it('reads a file that starts with a byte-order mark', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sky-bom-'));
    try {
      const file = join(dir, 'bom.json');
      writeFileSync(file, `\uFEFF${JSON.stringify(smallScenarioJson())}`);
      expect(loadScenario(file).zones.length).toBe((smallScenarioJson().zones as unknown[]).length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("says what a CPU key must be when one is not (not only that the record's key is invalid)", () => {
    const json = smallScenarioJson();
    (json.cpus as Record<string, unknown>)['bad key!'] = { model: 'AMD EPYC' };
    expect(issuesOf(json)).toContainEqual({
      path: 'cpus.bad key!',
      message: 'a CPU key is 1..48 letters, digits, dot, dash or underscore',
    });
  });
});
