import { Match, Template } from 'aws-cdk-lib/assertions';
import { fanoutFunctionName, samplerFunctionName, samplingStepsFunctionName } from '../../lib/core/naming';
import { ZONE_SAMPLER_FIXED_RESOURCES, zoneSamplerEstimate } from '../../lib/infra/limits';
import { RegionMeshStack } from '../../lib/infra/region-mesh-stack';
import { ZoneSamplerStack } from '../../lib/infra/zone-sampler-stack';
import { inlineStatements, resourcesOf, testApp } from './fixtures';

describe('ZoneSamplerStack', () => {
  let region: RegionMeshStack;
  let stack: ZoneSamplerStack;
  let template: Template;
  let regionTemplate: Template;

  beforeAll(() => {
    // GIVEN the region stack of us-west-1 and, WHEN the sampler stack of usw1-az3 uses the default 100 samplers
    const app = testApp();
    region = new RegionMeshStack(app, 'Sky-Mesh-us-west-1', {
      env: { region: 'us-west-1' },
      azIds: ['usw1-az1', 'usw1-az3'],
      memorySizes: [128],
      architectures: ['arm64'],
    });
    stack = new ZoneSamplerStack(app, 'Sky-Samplers-usw1-az3', {
      env: { region: 'us-west-1' },
      zone: region.attachment('usw1-az3'),
      table: { tableName: 'skymesh', region: 'us-west-2' },
    });
    template = Template.fromStack(stack);
    regionTemplate = Template.fromStack(region);
  });

  const samplers = () =>
    resourcesOf(template, 'AWS::Lambda::Function').filter((f) => f.properties.FunctionName.startsWith('sky-smp-'));

  it('has 100 samplers named sky-smp-<azId>-<nn> with memory 10140 + i', () => {
    const found = samplers().map((f) => [f.properties.FunctionName, f.properties.MemorySize]);
    const expected = Array.from({ length: 100 }, (_, i) => [samplerFunctionName('usw1-az3', i), 10140 + i]);
    expect(found.sort()).toEqual(expected.sort());
    expect(stack.samplerNames).toEqual(expected.map(([name]) => name));
  });

  it('gives every sampler its own inline code variant', () => {
    const sources = samplers().map((f) => f.properties.Code.ZipFile as string);
    expect(sources.every((s) => typeof s === 'string' && s.includes('exports.handler'))).toBe(true);
    expect(new Set(sources).size).toBe(100);
  });

  it("pins every sampler to the zone's subnet of the region stack", () => {
    const exports = regionTemplate.toJSON().Outputs as Record<string, { Value: unknown; Export: { Name: string } }>;
    const subnetIdOf = new Map(
      resourcesOf(regionTemplate, 'AWS::EC2::Subnet').map((s) => [s.properties.AvailabilityZoneId, s.id]),
    );
    const exportedSubnet = Object.values(exports).find(
      (o) => JSON.stringify(o.Value) === JSON.stringify({ Ref: subnetIdOf.get('usw1-az3') }),
    );
    expect(exportedSubnet).toBeDefined();
    for (const sampler of samplers()) {
      expect(sampler.properties.VpcConfig.SubnetIds).toEqual([{ 'Fn::ImportValue': exportedSubnet!.Export.Name }]);
      expect(sampler.properties.VpcConfig.SecurityGroupIds).toHaveLength(1);
    }
  });

  it('has the fan-out outside the VPC, allowed to invoke only this zone’s samplers and itself', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: fanoutFunctionName('usw1-az3'),
      Handler: 'fanout.handler',
      VpcConfig: Match.absent(),
    });
    const statements = inlineStatements(template, 'FanoutRole');
    expect([...statements.keys()].sort()).toEqual(['InvokeZoneSamplersAndSelf', 'WriteLogs']);
    const invoke = statements.get('InvokeZoneSamplersAndSelf')!;
    expect(invoke.Action).toBe('lambda:InvokeFunction');
    const arns = (invoke.Resource as Array<{ 'Fn::Join': [string, unknown[]] }>).map((r) =>
      r['Fn::Join'][1].filter((p) => typeof p === 'string').join(''),
    );
    expect(arns).toEqual([
      // one `?` per digit of sky-smp-usw1-az3-<nn>: the samplers, not their versions or aliases
      expect.stringMatching(/:lambda:us-west-1:.*:function:sky-smp-usw1-az3-\?\?$/),
      expect.stringMatching(/:lambda:us-west-1:.*:function:sky-fan-usw1-az3$/),
    ]);
  });

  it('has the sampling steps function with the table in the home region', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: samplingStepsFunctionName('usw1-az3'),
      Handler: 'sampling.handler',
      Environment: {
        Variables: {
          SKY_AZ_ID: 'usw1-az3',
          SKY_TABLE_NAME: 'skymesh',
          SKY_TABLE_REGION: 'us-west-2',
          POWERTOOLS_METRICS_NAMESPACE: 'Skymesh',
          POWERTOOLS_SERVICE_NAME: 'sky-sampling',
        },
      },
    });
    const statements = inlineStatements(template, 'StepsRole');
    expect([...statements.keys()].sort()).toEqual(['ReadWriteSkyTable', 'WriteLogs']);
    const table = statements.get('ReadWriteSkyTable')!;
    // only what the steps call: no index, no batch, no delete, no scan
    expect(table.Action).toEqual(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem']);
    const arn = (table.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1]
      .filter((p) => typeof p === 'string')
      .join('');
    expect(arn).toMatch(/:dynamodb:us-west-2:.*:table\/skymesh$/);
  });

  it('grants the samplers only logs and network interfaces in their subnet', () => {
    const statements = inlineStatements(template, 'SamplerRole');
    expect([...statements.keys()].sort()).toEqual([
      'CreateInterfacesInMeshSubnets',
      'DescribeNetwork',
      'ManageInterfaces',
      'WriteLogs',
    ]);
    expect(statements.get('CreateInterfacesInMeshSubnets')!.Resource).toHaveLength(3);
  });

  it('exposes no function: no URL, no resource policy', () => {
    template.resourceCountIs('AWS::Lambda::Url', 0);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  it('has exactly the resources the limit check expects, and sampling stays within its budget', () => {
    const resources = Object.keys(template.toJSON().Resources);
    const sampling = resources.filter((id) => /^(Sampling|SchedulerRoleForTarget)/.test(id));
    expect(resources.length - sampling.length).toBe(ZONE_SAMPLER_FIXED_RESOURCES + 100);
    expect(resources.length).toBeLessThanOrEqual(
      zoneSamplerEstimate({ stackName: '', samplers: 100, inlineCodeBytes: 0 }).resources,
    );
  });
});
