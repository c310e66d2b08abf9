import { Template } from 'aws-cdk-lib/assertions';
import { lambdaPrice } from '../../lib/catalog/prices';
import { ConfigError } from '../../lib/config';
import { samplerFunctionName, samplingStateMachineName } from '../../lib/core/naming';
import { MeshLimitError } from '../../lib/infra/errors';
import { RegionMeshStack } from '../../lib/infra/region-mesh-stack';
import { SkyMesh } from '../../lib/infra/sky-mesh';
import { ZoneSamplerStack } from '../../lib/infra/zone-sampler-stack';
import { inlineStatements, resourcesOf, testApp, twoRegionProps } from './fixtures';

type Json = Record<string, unknown>;

/** The settings a state machine's Configure state bakes into its executions. */
function configuredSettings(template: Template, name: string): Json {
  const machine = resourcesOf(template, 'AWS::StepFunctions::StateMachine').find(
    (m) => m.properties.StateMachineName === name,
  );
  if (!machine) throw new Error(`no state machine ${name}`);
  const body = machine.properties.DefinitionString as unknown as { 'Fn::Join': [string, unknown[]] } | string;
  const text = typeof body === 'string' ? body : body['Fn::Join'][1].filter((p) => typeof p === 'string').join('');
  const settings = /"settings":(\{[^}]*\})/.exec(text);
  if (!settings) throw new Error(`no settings in ${name}`);
  return JSON.parse(settings[1]) as Json;
}

describe('ZoneSamplerStack sampling two architectures', () => {
  let stack: ZoneSamplerStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN the zone usw2-az1, WHEN its sampler stack samples both architectures with 4 samplers each
    const app = testApp();
    const region = new RegionMeshStack(app, 'Sky-Mesh-us-west-2', {
      env: { region: 'us-west-2' },
      azIds: ['usw2-az1'],
      memorySizes: [128],
      architectures: ['x86_64', 'arm64'],
    });
    stack = new ZoneSamplerStack(app, 'Sky-Samplers-usw2-az1', {
      env: { region: 'us-west-2' },
      zone: region.attachment('usw2-az1'),
      table: { tableName: 'skymesh', region: 'us-west-2' },
      samplersPerZone: 4,
      architectures: ['x86_64', 'arm64'],
    });
    template = Template.fromStack(stack);
  });

  it('has 4 samplers of each architecture, the arm64 ones on arm64 with code of their own', () => {
    const samplers = resourcesOf(template, 'AWS::Lambda::Function').filter((f) =>
      String(f.properties.FunctionName).startsWith('sky-smp-'),
    );
    const arm = samplers.filter((f) => String(f.properties.FunctionName).startsWith('sky-smp-arm64-'));
    expect(arm.map((f) => f.properties.FunctionName).sort()).toEqual(
      [0, 1, 2, 3].map((i) => samplerFunctionName('usw2-az1', i, 4, 'arm64')),
    );
    expect(arm.every((f) => JSON.stringify(f.properties.Architectures) === '["arm64"]')).toBe(true);
    // x86_64 samplers synthesize as before: Lambda's default architecture, not spelled out
    const x86 = samplers.filter((f) => !arm.includes(f));
    expect(x86.map((f) => f.properties.FunctionName).sort()).toEqual(
      [0, 1, 2, 3].map((i) => samplerFunctionName('usw2-az1', i, 4)),
    );
    expect(x86.every((f) => f.properties.Architectures === undefined)).toBe(true);
    expect(new Set(samplers.map((f) => JSON.stringify(f.properties.Code))).size).toBe(8);
    expect(stack.samplerNamesByArch.get('arm64')).toEqual(arm.map((f) => f.properties.FunctionName).sort());
  });

  it('has a state machine per architecture, the arm64 one polling arm64 samplers at the arm64 price', () => {
    expect([...stack.samplingByArch.keys()]).toEqual(['x86_64', 'arm64']);
    const arm = configuredSettings(template, samplingStateMachineName('usw2-az1', 'arm64'));
    const x86 = configuredSettings(template, samplingStateMachineName('usw2-az1'));
    expect(arm.samplerArch).toBe('arm64');
    expect(arm.pricePerGbSecond).toBe(lambdaPrice('us-west-2', 'arm64').perGbSecond);
    // the x86_64 machine's settings read as before arm64 fleets were sampled
    expect(x86.samplerArch).toBeUndefined();
    expect(x86.pricePerGbSecond).toBe(lambdaPrice('us-west-2', 'x86_64').perGbSecond);
    expect(resourcesOf(template, 'AWS::Scheduler::Schedule')).toHaveLength(2);
  });

  it("lets the fan-out invoke both architectures' samplers and nothing else of the zone", () => {
    const invoke = inlineStatements(template, 'FanoutRole').get('InvokeZoneSamplersAndSelf')!;
    const arns = (invoke.Resource as Array<{ 'Fn::Join': [string, unknown[]] }>).map((r) =>
      r['Fn::Join'][1].filter((p) => typeof p === 'string').join(''),
    );
    expect(arns).toEqual([
      expect.stringMatching(/:function:sky-smp-usw2-az1-\?\?$/),
      expect.stringMatching(/:function:sky-smp-arm64-usw2-az1-\?\?$/),
      expect.stringMatching(/:function:sky-fan-usw2-az1$/),
    ]);
  });

  it('fails when an architecture is not one Lambda offers, naming it', () => {
    const app = testApp();
    const region = new RegionMeshStack(app, 'Sky-Mesh-us-west-2', {
      env: { region: 'us-west-2' },
      azIds: ['usw2-az1'],
      memorySizes: [128],
      architectures: ['x86_64'],
    });
    expect(
      () =>
        new ZoneSamplerStack(app, 'Sky-Samplers-usw2-az1', {
          env: { region: 'us-west-2' },
          zone: region.attachment('usw2-az1'),
          table: { tableName: 'skymesh', region: 'us-west-2' },
          samplersPerZone: 1,
          architectures: ['x86_64', 'riscv' as never],
        }),
    ).toThrow(/architectures is "riscv"/);
  });
});

describe('SkyMesh sampledArchitectures', () => {
  it('samples only the architectures asked for', () => {
    const mesh = new SkyMesh(
      testApp(),
      'Sky',
      twoRegionProps({ regions: ['us-west-1'], sampledArchitectures: ['x86_64'] }),
    );
    const zone = [...mesh.zones.values()][0];
    expect(zone.architectures).toEqual(['x86_64']);
    expect([...zone.samplingByArch.keys()]).toEqual(['x86_64']);
    expect(mesh.size.samplingFunctions).toBe(mesh.size.zones * (4 + 2));
  });

  it('fails when it names an architecture no dynamic function runs on, before building any stack', () => {
    const build = () =>
      new SkyMesh(
        testApp(),
        'Sky',
        twoRegionProps({ architectures: ['x86_64'], sampledArchitectures: ['x86_64', 'arm64'] }),
      );
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(/skymesh\.sampledArchitectures is "arm64".*no dynamic function runs on arm64/);
  });

  it('counts both architectures against the stack limits and names both fixes', () => {
    const build = () => new SkyMesh(testApp(), 'Sky', twoRegionProps({ samplersPerZone: 240, samplerMemoryMb: 1024 }));
    expect(build).toThrow(MeshLimitError);
    expect(build).toThrow(
      /480 samplers over 2 sampled architectures; configure skymesh\.samplersPerZone of at most 1\d\d, or fewer sampledArchitectures/,
    );
  });
});
