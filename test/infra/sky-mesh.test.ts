import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../../lib/config';
import { MeshLimitError } from '../../lib/infra/errors';
import { ExecutionRole } from '../../lib/infra/execution-role';
import { CLOUDFORMATION_LIMITS, regionMeshEstimate, zoneSamplerEstimate } from '../../lib/infra/limits';
import { stackNames } from '../../lib/infra/mesh-plan';
import { SkyMeshChecks } from '../../lib/infra/nag';
import { SkyMesh, type SkyMeshProps } from '../../lib/infra/sky-mesh';
import { samplerSource } from '../../lib/sampling/sampler-source';
import { testApp, twoRegionProps } from './fixtures';

describe('SkyMesh', () => {
  let app: App;
  let mesh: SkyMesh;

  beforeAll(() => {
    // GIVEN a two-region configuration and cdk.json's feature flags, WHEN the mesh is built with CDK's
    // built-in template validation on and the path metadata the CLI adds
    const { context } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'cdk.json'), 'utf8')) as {
      context: object;
    };
    app = new App({
      stackTraces: false,
      builtinCloudFormationValidation: true,
      // Without this flag the built-in validation only warns; with it, a template error fails synth.
      context: { ...context, 'aws:cdk:enable-path-metadata': true, '@aws-cdk/core:validateAgainstDefaultRules': true },
    });
    mesh = new SkyMesh(app, 'Sky', twoRegionProps());
  });

  it('creates a mesh stack per region, a sampler stack per zone and the control stack, each in its region', () => {
    const stacks = mesh.node.children.map((c) => c.node.id).sort();
    expect(stacks).toEqual(
      [
        'Sky-Control',
        'Sky-Mesh-sa-east-1',
        'Sky-Mesh-us-west-1',
        'Sky-Samplers-sae1-az1',
        'Sky-Samplers-sae1-az2',
        'Sky-Samplers-sae1-az3',
        'Sky-Samplers-usw1-az1',
        'Sky-Samplers-usw1-az3',
      ].sort(),
    );
    expect(mesh.control.region).toBe('us-west-2');
    expect(mesh.zones.get('sae1-az2')!.region).toBe('sa-east-1');
    expect(mesh.zones.get('usw1-az3')!.region).toBe('us-west-1');
    // AND the stacks keep their names wherever the construct sits
    expect(mesh.control.stackName).toBe('Sky-Control');
    expect(mesh.regions.get('sa-east-1')!.stackName).toBe('Sky-Mesh-sa-east-1');
  });

  it('counts the functions it builds: zones × memory × architectures, samplers of each sampled architecture + 2 per zone, the router', () => {
    const built = mesh.node
      .findAll()
      .filter((c) => c instanceof Stack)
      .flatMap((stack) => Object.keys(Template.fromStack(stack as Stack).findResources('AWS::Lambda::Function')));
    expect(mesh.size).toEqual({
      regions: 2,
      zones: 5,
      externalZones: 0,
      stacks: 8,
      dynamicFunctions: 5 * 9 * 2,
      // 4 samplers of each of the 2 sampled architectures (the default: every deployed one), fan-out, steps
      samplingFunctions: 5 * (2 * 4 + 2),
      functions: 5 * 9 * 2 + 5 * 10 + 1,
    });
    expect(built).toHaveLength(mesh.size.functions);
  });

  it('fills every omitted prop with its documented default', () => {
    const app = testApp();
    const defaults = new SkyMesh(app, 'Sky', { regions: 'us-west-1', samplersPerZone: 1 });
    expect(defaults.config).toEqual(
      expect.objectContaining({
        memorySizes: [128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240],
        architectures: ['x86_64', 'arm64'],
        homeRegion: 'us-west-2',
        tableName: 'skymesh',
        holdMs: 150,
        logRetentionDays: 14,
        sampleEveryHours: 22,
      }),
    );
    expect(defaults.mesh).toEqual([{ region: 'us-west-1', azIds: ['usw1-az1', 'usw1-az3'] }]);
  });

  it('passes every AwsSolutions and SkyMesh check with no unacknowledged error or warning', () => {
    const findings = [new AwsSolutionsChecks(), new SkyMeshChecks()].flatMap((pack) =>
      pack
        .validateScope(app)
        .violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`),
    );
    expect(findings).toEqual([]);
  });

  it.each([
    ['iam:PassRole', 'Action::iam:PassRole::Resource::*'],
    ['sts:AssumeRole', 'Action::sts:AssumeRole::Resource::*'],
    ['lambda:InvokeFunction', 'Action::lambda:InvokeFunction::Resource::*'],
  ])('reports %s on * added to the dynamic functions role, beside the acknowledged wildcards', (action, finding) => {
    // GIVEN the mesh of one region, whose dynamic role holds acknowledged ec2 actions on *
    const probe = testApp();
    const built = new SkyMesh(probe, 'Sky', twoRegionProps());
    const meshStack = built.regions.get('us-west-1')!;
    // WHEN one more action on * is added to that role
    meshStack.executionRole.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: ['*'] }));
    // THEN the SkyMesh pack names it, while AwsSolutions-IAM5 (keyed by the wildcard alone) does not
    const skyMesh = new SkyMeshChecks().validateScope(probe).violations.map((v) => v.ruleName);
    expect(skyMesh).toEqual([`SkyMesh-IAM5[${finding}]`]);
    const awsSolutions = new AwsSolutionsChecks().validateScope(probe).violations.map((v) => v.ruleName);
    expect(awsSolutions).not.toContain('AwsSolutions-IAM5[Resource::*]');
  });

  it('reports an action added on a ? pattern, which IAM matches as it matches *', () => {
    // GIVEN the mesh's router role, whose acknowledged invoke grant names functions by ? patterns per region
    const probe = testApp();
    const built = new SkyMesh(probe, 'Sky', twoRegionProps());
    const pattern = built.control.formatArn({ service: 'lambda', resource: 'function', resourceName: 'x-??' });
    // WHEN another action is granted on a pattern of only ? wildcards
    built.control.routerRole.role.addToPrincipalPolicy(
      new iam.PolicyStatement({ actions: ['lambda:DeleteFunction'], resources: [pattern] }),
    );
    // THEN the SkyMesh pack names it
    const skyMesh = new SkyMeshChecks().validateScope(probe).violations.map((v) => v.ruleName);
    expect(skyMesh).toEqual([
      expect.stringMatching(/^SkyMesh-IAM5\[Action::lambda:DeleteFunction::Resource::.*:function\/x-\?\?\]$/),
    ]);
  });

  it('has a live cdk-nag check: an unacknowledged wildcard is reported', () => {
    // GIVEN a role like the mesh's, with a wildcard resource nobody acknowledged
    const probe = new App();
    const stack = new Stack(probe, 'Probe', { env: { region: 'us-west-1' } });
    new ExecutionRole(stack, 'Role', {
      logGroup: new logs.LogGroup(stack, 'Logs'),
      description: 'probe',
      statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: ['*'] })],
    });
    // THEN cdk-nag names the finding
    const report = new AwsSolutionsChecks().validateScope(probe);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-IAM5[Resource::*]');
  });

  it('synthesizes through CDK template validation, within the limits its estimates promise', () => {
    const assembly = app.synth();
    const zones = new Map(mesh.mesh.map((r) => [r.region, r.azIds.length]));
    const overEstimate: string[] = [];
    for (const stack of assembly.stacks) {
      const resources = Object.keys(stack.template.Resources).length;
      const bytes = JSON.stringify(stack.template, undefined, 1).length;
      const zone = mesh.zones.get(stack.stackName.replace('Sky-Samplers-', ''));
      const estimate = stack.stackName.startsWith('Sky-Mesh-')
        ? regionMeshEstimate({
            stackName: stack.stackName,
            zones: zones.get(stack.environment.region)!,
            memorySizes: 9,
            architectures: 2,
          })
        : zone
          ? zoneSamplerEstimate({
              stackName: stack.stackName,
              samplers: 8,
              stateMachines: 2,
              inlineCodeBytes: (['x86_64', 'arm64'] as const)
                .flatMap((arch) =>
                  [0, 1, 2, 3].map(
                    (index) => JSON.stringify(samplerSource({ index, azId: zone.azId, sleepMs: 250, arch })).length,
                  ),
                )
                .reduce((a, b) => a + b),
            })
          : { resources: CLOUDFORMATION_LIMITS.resources, templateBytes: CLOUDFORMATION_LIMITS.templateBytes };
      if (resources > estimate.resources || bytes > estimate.templateBytes) {
        overEstimate.push(
          `${stack.stackName}: ${resources}/${estimate.resources} resources, ${bytes}/${estimate.templateBytes} bytes`,
        );
      }
    }
    expect(assembly.stacks).toHaveLength(8);
    expect(overEstimate).toEqual([]);
  });
});

describe('SkyMesh limits', () => {
  const sixZones: SkyMeshProps = {
    regions: ['us-east-1'],
    zones: ['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6'],
  };
  const stacksOf = (app: App): Stack[] => app.node.findAll().filter((c): c is Stack => c instanceof Stack);
  // Each attempt gets its own id: a construct that failed validation stays in the tree, like aws-cdk-lib's.
  let attempts = 0;
  const skyMesh = (app: App, props: SkyMeshProps): SkyMesh => new SkyMesh(app, `Sky${attempts++}`, props);
  const sizes = (n: number) => Array.from({ length: n }, (_, i) => 128 + 64 * i);

  it('fails when a region stack would pass 500 resources, before building any stack', () => {
    // GIVEN 6 zones × 42 memory sizes × 2 architectures = 504 functions
    const app = testApp();
    const build = () => skyMesh(app, twoRegionProps({ ...sixZones, memorySizes: sizes(42) }));
    // THEN the error names the stack, the count, the limit and the fix
    expect(build).toThrow(MeshLimitError);
    expect(build).toThrow(/Sky-Mesh-us-east-1 would have 517 resources; the limit is 500\. .*504 functions/);
    expect(stacksOf(app)).toHaveLength(0);
  });

  it('fails when a sampler stack would pass 500 resources, before building any stack', () => {
    const app = testApp();
    const build = () =>
      skyMesh(app, twoRegionProps({ samplersPerZone: 480, samplerMemoryMb: 1024, sampledArchitectures: ['x86_64'] }));
    expect(build).toThrow(MeshLimitError);
    expect(build).toThrow(/Sky-Samplers-.* would have 510 resources; the limit is 500\. .*at most 3\d\d\b/);
    expect(stacksOf(app)).toHaveLength(0);
  });

  it('fails when the last sampler would pass 10240 MB', () => {
    const app = testApp();
    expect(() => skyMesh(app, twoRegionProps({ samplersPerZone: 200, samplerMemoryMb: 10140 }))).toThrow(
      /skymesh\.samplerMemoryMb is 10140 \(sampler 199 would get 10339 MB; Lambda allows at most 10240 MB\)/,
    );
    expect(stacksOf(app)).toHaveLength(0);
  });

  it.each([
    ['memorySizes', { memorySizes: [64] }, /skymesh\.memorySizes is \[64\].*from 128 to 10240/],
    ['memorySizes', { memorySizes: [512, 512] }, /skymesh\.memorySizes is \[512,512\].*distinct/],
    ['architectures', { architectures: ['x86'] as never }, /skymesh\.architectures is \["x86"\]/],
    ['logRetentionDays', { logRetentionDays: 10 }, /skymesh\.logRetentionDays is 10.*1, 3, 5, 7, 14/],
    ['zones', { zones: [] }, /skymesh\.zones is \[\]/],
    ['regions', { regions: ['mars-north-1'] }, /mars-north-1/],
  ])('fails when %s is invalid, before building any stack', (_key, overrides, message) => {
    const app = testApp();
    const build = () => skyMesh(app, twoRegionProps(overrides as SkyMeshProps));
    expect(build).toThrow(ConfigError);
    expect(build).toThrow(message);
    expect(stacksOf(app)).toHaveLength(0);
  });

  it('keeps the largest region stack it allows under the limits', () => {
    // GIVEN 6 zones × 40 memory sizes × 2 architectures = 480 functions, the most that fit
    const app = testApp();
    const mesh = skyMesh(app, twoRegionProps({ ...sixZones, memorySizes: sizes(40), samplersPerZone: 1 }));
    const template = Template.fromStack(mesh.regions.get('us-east-1')!).toJSON();
    expect(Object.keys(template.Resources).length).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.resources);
    expect(JSON.stringify(template, undefined, 1).length).toBeLessThan(CLOUDFORMATION_LIMITS.templateBytes);
  });

  it('fails when a sampler stack would pass 1 MB of template, naming the most samplers that fit', () => {
    const app = testApp();
    const build = () =>
      skyMesh(app, twoRegionProps({ samplersPerZone: 400, samplerMemoryMb: 1024, sampledArchitectures: ['x86_64'] }));
    expect(build).toThrow(/Sky-Samplers-.* would have \d+ template bytes; the limit is 1000000\. .*at most 3\d\d\b/);
    expect(stacksOf(app)).toHaveLength(0);
  });

  it('keeps the largest sampler stack it allows under the limits', () => {
    // GIVEN the most samplers the limit check lets through
    const tooMany = () => skyMesh(testApp(), twoRegionProps({ samplersPerZone: 470, samplerMemoryMb: 1024 }));
    const most = Number(/at most (\d+)/.exec(errorOf(tooMany).message)![1]);
    const app = testApp();
    const mesh = skyMesh(
      app,
      twoRegionProps({
        regions: ['us-west-1'],
        zones: ['usw1-az1'],
        samplersPerZone: most,
        samplerMemoryMb: 1024,
      }),
    );
    const template = Template.fromStack(mesh.zones.get('usw1-az1')!).toJSON();
    expect(Object.keys(template.Resources).length).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.resources);
    expect(JSON.stringify(template, undefined, 1).length).toBeLessThan(CLOUDFORMATION_LIMITS.templateBytes);
  });

  it('names stacks Sky-Mesh-<region>, Sky-Samplers-<azId> and Sky-Control', () => {
    expect([stackNames.region('sa-east-1'), stackNames.zone('sae1-az1'), stackNames.control]).toEqual([
      'Sky-Mesh-sa-east-1',
      'Sky-Samplers-sae1-az1',
      'Sky-Control',
    ]);
  });
});

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}
