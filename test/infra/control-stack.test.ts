import { Match, Template } from 'aws-cdk-lib/assertions';
import { regionFacts, regionOfAzId } from '../../lib/catalog';
import { ControlStack } from '../../lib/infra/control-stack';
import { routerEnvironment } from '../../lib/routing/environment';
import { inlineStatements, resourcesOf, testApp } from './fixtures';

describe('ControlStack', () => {
  let stack: ControlStack;
  let template: Template;

  beforeAll(() => {
    // GIVEN a mesh of two regions, WHEN its control stack is synthesized in the home region
    stack = new ControlStack(testApp(), 'Sky-Control', {
      env: { region: 'us-west-2' },
      mesh: [
        { region: 'us-west-1', azIds: ['usw1-az1', 'usw1-az3'] },
        { region: 'sa-east-1', azIds: ['sae1-az1', 'sae1-az2', 'sae1-az3'] },
      ],
    });
    template = Template.fromStack(stack);
  });

  it('has the table of the data model: on-demand, point-in-time recovery, TTL, byType index', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'skymesh',
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byType',
          KeySchema: [
            { AttributeName: 'type', KeyType: 'HASH' },
            { AttributeName: 'pk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  it('has the router sky-router with the mesh in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sky-router',
      Handler: 'router.handler',
      Runtime: 'nodejs26.x',
      Environment: {
        Variables: Match.objectLike({
          SKY_ZONES: 'usw1-az1,usw1-az3,sae1-az1,sae1-az2,sae1-az3',
          SKY_REGIONS: 'us-west-1,sa-east-1',
          SKY_MEMORY_SIZES: '128,256,512,1024,2048,4096,6144,8192,10240',
          SKY_ARCHITECTURES: 'x86_64,arm64',
          SKY_TABLE_REGION: 'us-west-2',
          SKY_HOLD_MS: '150',
          SKY_REJECT_MODE: 'auto',
          SKY_MAX_ATTEMPTS: '10',
          POWERTOOLS_METRICS_NAMESPACE: 'Skymesh',
        }),
      },
    });
  });

  it('exposes the router only through a Function URL that requires IAM auth, with no resource policy', () => {
    const urls = resourcesOf(template, 'AWS::Lambda::Url');
    expect(urls).toHaveLength(1);
    expect(urls[0].properties.AuthType).toBe('AWS_IAM');
    template.resourceCountIs('AWS::Lambda::Permission', 0);
  });

  it("lets the router invoke exactly the mesh's dynamic functions, unqualified, and only query and update its table", () => {
    const statements = inlineStatements(template, 'RouterRole');
    expect([...statements.keys()].sort()).toEqual([
      'DenyQualifiedInvokes',
      'InvokeDynamicFunctions',
      'ReadWriteSkyTable',
      'WriteLogs',
    ]);
    const invoke = statements.get('InvokeDynamicFunctions')!;
    expect(invoke.Action).toBe('lambda:InvokeFunction');
    const arns = (invoke.Resource as Array<{ 'Fn::Join': [string, unknown[]] }>).map((r) =>
      r['Fn::Join'][1].filter((p) => typeof p === 'string').join(''),
    );
    // 5 zones × 9 memory sizes × 2 architectures, each by its exact name in its region: no wildcard
    expect(arns).toHaveLength(90);
    expect(arns).toContain('arn::lambda:us-west-1::function:sky-usw1-az3-arm64-10240');
    expect(arns).toContain('arn::lambda:sa-east-1::function:sky-sae1-az2-x86_64-128');
    expect(arns.filter((arn) => /[*?]/.test(arn))).toEqual([]);
    const deny = statements.get('DenyQualifiedInvokes')!;
    expect(deny.Effect).toBe('Deny');
    expect(deny.Action).toBe('lambda:InvokeFunction');
    expect(deny.Resource['Fn::Join'][1].filter((p: unknown) => typeof p === 'string').join('')).toBe(
      'arn::lambda:*::function:sky-*:*',
    );
    const table = statements.get('ReadWriteSkyTable')!;
    expect(table.Resource).toEqual([
      { 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] },
      { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] }, '/index/byType']] },
    ]);
    expect(table.Action).toEqual(['dynamodb:Query', 'dynamodb:UpdateItem']);
  });

  it('passes the configured reject mode and attempt budget to the router, which reads them', () => {
    const configured = new ControlStack(testApp(), 'Sky-Control', {
      env: { region: 'us-west-2' },
      mesh: [{ region: 'us-west-1', azIds: ['usw1-az1'] }],
      rejectMode: 'hold',
      maxAttempts: 4,
    });
    const [router] = resourcesOf(Template.fromStack(configured), 'AWS::Lambda::Function').filter(
      (fn) => fn.properties.FunctionName === 'sky-router',
    );
    const env = router.properties.Environment.Variables as Record<string, string>;
    expect(env).toMatchObject({ SKY_REJECT_MODE: 'hold', SKY_MAX_ATTEMPTS: '4' });
    expect(
      routerEnvironment({ ...env, SKY_TABLE_NAME: 'skymesh' }, { regionFacts, regionOfAzId }).config,
    ).toMatchObject({
      rejectMode: 'hold',
      maxAttempts: 4,
    });
  });

  it.each([
    [{ rejectMode: 'wait' }, /rejectMode.*hold, end, auto/],
    [{ maxAttempts: 0 }, /maxAttempts.*a whole number from 1 to 50/],
    [{ maxAttempts: 51 }, /maxAttempts.*a whole number from 1 to 50/],
  ])('refuses %j, naming the prop', (props, message) => {
    expect(
      () =>
        new ControlStack(testApp(), 'Sky-Control', {
          env: { region: 'us-west-2' },
          mesh: [{ region: 'us-west-1', azIds: ['usw1-az1'] }],
          ...(props as object),
        }),
    ).toThrow(message);
  });

  it('protects the table from deletion', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
  });

  it('has a dashboard of per-zone router and sampling metrics, sampling searched in every region', () => {
    const [dashboard] = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
    const body = JSON.stringify(dashboard.properties.DashboardBody);
    for (const metric of ['Invocations', 'Rejects', 'Retries', 'EstimatedCostUsd', 'SamplingRuns', 'SamplingPolls']) {
      expect(body).toContain(`MetricName=\\\\\\"${metric}\\\\\\"`);
    }
    expect(body).toContain('{Skymesh,azId,service}');
    expect(body).toContain('\\"region\\":\\"us-west-1\\"');
    expect(body).toContain('\\"region\\":\\"sa-east-1\\"');
  });
});
