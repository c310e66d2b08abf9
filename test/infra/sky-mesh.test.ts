import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { samplerSource } from '../../lambda/sampler/template';
import { MeshLimitError, MeshPropsError } from '../../lib/infra/errors';
import { ExecutionRole } from '../../lib/infra/execution-role';
import { CLOUDFORMATION_LIMITS, regionMeshEstimate, zoneSamplerEstimate } from '../../lib/infra/limits';
import { SkyMeshChecks } from '../../lib/infra/nag';
import { buildSkyMesh, type SkyMesh, stackNames } from '../../lib/infra/sky-mesh';
import { testApp, twoRegionProps } from './fixtures';

describe('buildSkyMesh', () => {
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
    mesh = buildSkyMesh(app, twoRegionProps());
  });

  it('creates a mesh stack per region, a sampler stack per zone and the control stack, each in its region', () => {
    const stacks = app.node.children.map((c) => c.node.id).sort();
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
    const built = buildSkyMesh(probe, twoRegionProps());
    const meshStack = built.regions.get('us-west-1')!;
    // WHEN one more action on * is added to that role
    meshStack.executionRole.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [action], resources: ['*'] }));
    // THEN the SkyMesh pack names it, while AwsSolutions-IAM5 (keyed by the wildcard alone) does not
    const skyMesh = new SkyMeshChecks().validateScope(probe).violations.map((v) => v.ruleName);
    expect(skyMesh).toEqual([`SkyMesh-IAM5[${finding}]`]);
    const awsSolutions = new AwsSolutionsChecks().validateScope(probe).violations.map((v) => v.ruleName);
    expect(awsSolutions).not.toContain('AwsSolutions-IAM5[Resource::*]');
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
    const zones = new Map(twoRegionProps().mesh.map((r) => [r.region, r.azIds.length]));
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
              samplers: 4,
              inlineCodeBytes: [0, 1, 2, 3]
                .map((index) => JSON.stringify(samplerSource({ index, azId: zone.azId, sleepMs: 250 })).length)
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

describe('buildSkyMesh limits', () => {
  const sixZones = {
    region: 'us-east-1',
    azIds: ['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6'],
  };
  const sizes = (n: number) => Array.from({ length: n }, (_, i) => 128 + 64 * i);

  it('fails when a region stack would pass 500 resources, before building any stack', () => {
    // GIVEN 6 zones × 42 memory sizes × 2 architectures = 504 functions
    const app = testApp();
    const build = () => buildSkyMesh(app, twoRegionProps({ mesh: [sixZones], memorySizes: sizes(42) }));
    // THEN the error names the stack, the count, the limit and the fix
    expect(build).toThrow(MeshLimitError);
    expect(build).toThrow(/Sky-Mesh-us-east-1 would have 517 resources; the limit is 500\. .*504 functions/);
    expect(app.node.children).toHaveLength(0);
  });

  it('fails when a sampler stack would pass 500 resources, before building any stack', () => {
    const app = testApp();
    const build = () => buildSkyMesh(app, twoRegionProps({ samplersPerZone: 480, samplerMemoryMb: 1024 }));
    expect(build).toThrow(MeshLimitError);
    expect(build).toThrow(/Sky-Samplers-.* would have 510 resources; the limit is 500\. .*at most 3\d\d\b/);
    expect(app.node.children).toHaveLength(0);
  });

  it('fails when the last sampler would pass 10240 MB', () => {
    const app = testApp();
    expect(() => buildSkyMesh(app, twoRegionProps({ samplersPerZone: 200, samplerMemoryMb: 10140 }))).toThrow(
      /samplerMemoryMb is 10140; allowed: .*≤ 10240 \(here 10339\)/,
    );
    expect(app.node.children).toHaveLength(0);
  });

  it.each([
    ['memorySizes', { memorySizes: [64] }, /memorySizes is 64; allowed: whole MB from 128 to 10240/],
    ['memorySizes', { memorySizes: [512, 512] }, /each memory size once/],
    ['architectures', { architectures: ['x86'] as never }, /architectures is \["x86"\]/],
    ['logRetentionDays', { logRetentionDays: 10 }, /logRetentionDays is 10; allowed: 1, 3, 5, 7, 14/],
    ['mesh', { mesh: [] }, /mesh is \[\]; allowed: at least one region/],
  ])('fails when %s is invalid', (_key, overrides, message) => {
    const app = testApp();
    expect(() => buildSkyMesh(app, twoRegionProps(overrides))).toThrow(MeshPropsError);
    expect(() => buildSkyMesh(app, twoRegionProps(overrides))).toThrow(message);
    expect(app.node.children).toHaveLength(0);
  });

  it('keeps the largest region stack it allows under the limits', () => {
    // GIVEN 6 zones × 40 memory sizes × 2 architectures = 480 functions, the most that fit
    const app = testApp();
    const mesh = buildSkyMesh(app, twoRegionProps({ mesh: [sixZones], memorySizes: sizes(40), samplersPerZone: 1 }));
    const template = Template.fromStack(mesh.regions.get('us-east-1')!).toJSON();
    expect(Object.keys(template.Resources).length).toBeLessThanOrEqual(CLOUDFORMATION_LIMITS.resources);
    expect(JSON.stringify(template, undefined, 1).length).toBeLessThan(CLOUDFORMATION_LIMITS.templateBytes);
  });

  it('fails when a sampler stack would pass 1 MB of template, naming the most samplers that fit', () => {
    const app = testApp();
    const build = () => buildSkyMesh(app, twoRegionProps({ samplersPerZone: 400, samplerMemoryMb: 1024 }));
    expect(build).toThrow(/Sky-Samplers-.* would have \d+ template bytes; the limit is 1000000\. .*at most 3\d\d\b/);
    expect(app.node.children).toHaveLength(0);
  });

  it('keeps the largest sampler stack it allows under the limits', () => {
    // GIVEN the most samplers the limit check lets through
    const tooMany = () => buildSkyMesh(testApp(), twoRegionProps({ samplersPerZone: 470, samplerMemoryMb: 1024 }));
    const most = Number(/at most (\d+)/.exec(errorOf(tooMany).message)![1]);
    const app = testApp();
    const mesh = buildSkyMesh(
      app,
      twoRegionProps({
        mesh: [{ region: 'us-west-1', azIds: ['usw1-az1'] }],
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
