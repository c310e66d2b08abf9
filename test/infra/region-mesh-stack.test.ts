import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { dynamicFunctionName, parseFunctionName } from '../../lib/core/naming';
import { REGION_MESH_FIXED_RESOURCES } from '../../lib/infra/limits';
import { SKY_BUNDLE_TARGET, SKY_NODE_MAJOR } from '../../lib/infra/node-runtime';
import { RegionMeshStack, SKY_RUNTIME } from '../../lib/infra/region-mesh-stack';
import { inlineStatements, type Json, resourcesOf, testApp } from './fixtures';

describe('SKY_RUNTIME', () => {
  it('is the newest Node.js runtime aws-cdk-lib offers, the version the bundles are compiled for', () => {
    const offered = Object.keys(lambda.Runtime)
      .map((key) => /^NODEJS_(\d+)_X$/.exec(key)?.[1])
      .filter((major): major is string => major !== undefined)
      .map(Number);
    expect(Math.max(...offered)).toBe(SKY_NODE_MAJOR);
    expect(SKY_RUNTIME.name).toBe(`nodejs${SKY_NODE_MAJOR}.x`);
    expect(SKY_BUNDLE_TARGET).toBe(`node${SKY_NODE_MAJOR}`);
  });
});

describe('RegionMeshStack', () => {
  let stack: RegionMeshStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN three zones of sa-east-1, with the default (the paper's) 9 memory sizes and both architectures
    stack = new RegionMeshStack(testApp(), 'Sky-Mesh-sa-east-1', {
      env: { region: 'sa-east-1' },
      azIds: ['sae1-az1', 'sae1-az2', 'sae1-az3'],
    });
    // WHEN it is synthesized
    template = Template.fromStack(stack);
  });

  it('is bound to its region', () => {
    expect(stack.region).toBe('sa-east-1');
    expect(stack.dynamicFunctions.size).toBe(54);
  });

  it('has one dynamic function per zone × memory size × architecture', () => {
    template.resourceCountIs('AWS::Lambda::Function', 3 * 9 * 2);
    const names = resourcesOf(template, 'AWS::Lambda::Function').map((f) => f.properties.FunctionName);
    const expected = ['sae1-az1', 'sae1-az2', 'sae1-az3'].flatMap((azId) =>
      (['x86_64', 'arm64'] as const).flatMap((arch) =>
        [128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240].map((mb) => dynamicFunctionName(azId, arch, mb)),
      ),
    );
    expect(new Set(names)).toEqual(new Set(expected));
  });

  it('gives every function the memory size and architecture its name says, on Node.js 26', () => {
    for (const { properties } of resourcesOf(template, 'AWS::Lambda::Function')) {
      const parsed = parseFunctionName(properties.FunctionName);
      expect(parsed?.kind).toBe('dynamic');
      if (parsed?.kind !== 'dynamic') continue;
      expect(properties.MemorySize).toBe(parsed.memoryMb);
      expect(properties.Architectures).toEqual([parsed.arch]);
      expect(properties.Runtime).toBe('nodejs26.x');
      expect(properties.Environment.Variables).toEqual({
        SKY_AZ_ID: parsed.azId,
        AWS_LAMBDA_EXEC_WRAPPER: '/var/task/sky-no-credentials',
      });
    }
  });

  it('creates one isolated subnet per zone by AZ ID, and no gateway or route', () => {
    const subnets = resourcesOf(template, 'AWS::EC2::Subnet');
    expect(subnets.map((s) => s.properties.AvailabilityZoneId).sort()).toEqual(['sae1-az1', 'sae1-az2', 'sae1-az3']);
    for (const subnet of subnets) {
      expect(subnet.properties.AvailabilityZone).toBeUndefined();
      expect(subnet.properties.MapPublicIpOnLaunch).toBe(false);
    }
    for (const type of [
      'AWS::EC2::InternetGateway',
      'AWS::EC2::NatGateway',
      'AWS::EC2::Route',
      'AWS::EC2::VPCEndpoint',
    ]) {
      template.resourceCountIs(type, 0);
    }
  });

  it("attaches every function to exactly its own zone's subnet", () => {
    const subnetZone = new Map(
      resourcesOf(template, 'AWS::EC2::Subnet').map((s) => [s.id, s.properties.AvailabilityZoneId as string]),
    );
    for (const { properties } of resourcesOf(template, 'AWS::Lambda::Function')) {
      const subnetIds = properties.VpcConfig.SubnetIds as Array<{ Ref: string }>;
      expect(subnetIds).toHaveLength(1);
      expect(subnetZone.get(subnetIds[0].Ref)).toBe(properties.Environment.Variables.SKY_AZ_ID);
      expect(properties.VpcConfig.SecurityGroupIds).toHaveLength(1);
    }
  });

  it('has a security group with no inbound and no usable outbound rule', () => {
    const [group] = resourcesOf(template, 'AWS::EC2::SecurityGroup');
    expect(group.properties.SecurityGroupIngress).toBeUndefined();
    expect(group.properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '255.255.255.255/32', IpProtocol: 'icmp', FromPort: 252, ToPort: 86 }),
    ]);
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  it('shares one execution role, one log group and one code asset among all functions', () => {
    const functions = resourcesOf(template, 'AWS::Lambda::Function');
    const roles = new Set(functions.map((f) => JSON.stringify(f.properties.Role)));
    const logGroups = new Set(functions.map((f) => JSON.stringify(f.properties.LoggingConfig.LogGroup)));
    const code = new Set(functions.map((f) => JSON.stringify(f.properties.Code)));
    expect([roles.size, logGroups.size, code.size]).toEqual([1, 1, 1]);
    template.resourceCountIs('AWS::IAM::Role', 2); // the functions' role and the flow log's
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 14 });
  });

  it('grants the execution role only logs and network interfaces', () => {
    const statements = inlineStatements(template, 'ExecutionRole');
    expect([...statements.keys()].sort()).toEqual([
      'CreateInterfacesInMeshSubnets',
      'DenyCallsFromFunctionCode',
      'DescribeNetwork',
      'ManageInterfaces',
      'WriteLogs',
    ]);
    expect(statements.get('WriteLogs')!.Action).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
    expect(statements.get('WriteLogs')!.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Logs/), 'Arn'] });
    expect(statements.get('DescribeNetwork')!.Action).toEqual(['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets']);
    expect(statements.get('ManageInterfaces')!.Action).toEqual([
      'ec2:DeleteNetworkInterface',
      'ec2:AssignPrivateIpAddresses',
      'ec2:UnassignPrivateIpAddresses',
    ]);
    const create = statements.get('CreateInterfacesInMeshSubnets')!;
    expect(create.Action).toBe('ec2:CreateNetworkInterface');
    // the network interfaces, the 3 subnets and the security group
    expect(create.Resource).toHaveLength(5);
    const actions = [...statements.values()].filter((s) => s.Effect === 'Allow').flatMap((s) => [s.Action].flat());
    expect(actions.every((a: string) => a.startsWith('logs:') || a.startsWith('ec2:'))).toBe(true);
  });

  it('denies the role every action made from inside a function (lambda:SourceFunctionArn), except its log writes', () => {
    // Credentials that leak from a function carry the source function ARN wherever they are used; Lambda's own
    // network-interface calls do not, and the log writes Lambda makes for the function do (so they stay allowed).
    const deny = inlineStatements(template, 'ExecutionRole').get('DenyCallsFromFunctionCode')!;
    expect(deny).toEqual({
      Sid: 'DenyCallsFromFunctionCode',
      Effect: 'Deny',
      NotAction: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: '*',
      Condition: { ArnLike: { 'lambda:SourceFunctionArn': 'arn:*:lambda:*:*:function:*' } },
    });
  });

  it('resolves no DNS in the mesh VPC', () => {
    template.hasResourceProperties('AWS::EC2::VPC', { EnableDnsSupport: false, EnableDnsHostnames: false });
  });

  it('exposes no function: no URL, no resource policy', () => {
    template.resourceCountIs('AWS::Lambda::Url', 0);
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  it('logs the VPC flow to a log group of its own, through a role that can write only there', () => {
    template.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL' });
    const [role] = resourcesOf(template, 'AWS::IAM::Role').filter((r) => r.id.startsWith('NetworkFlowLogRole'));
    expect(role.properties.AssumeRolePolicyDocument.Statement).toEqual([
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
      },
    ]);
    const statements = role.properties.Policies.flatMap((p: Json) => p.PolicyDocument.Statement);
    expect(statements).toEqual([
      {
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NetworkFlowLogs/), 'Arn'] },
      },
    ]);
  });

  it('has exactly the resources the limit check expects', () => {
    const resources = Object.keys(template.toJSON().Resources).length;
    expect(resources).toBe(REGION_MESH_FIXED_RESOURCES + 3 + 3 * 9 * 2);
  });
});
