import { Match, Template } from 'aws-cdk-lib/assertions';
import { loadSkyConfig } from '../../lib/config';
import { ControlStack } from '../../lib/infra/control-stack';
import { testApp } from './fixtures';

const IBM = {
  provider: 'ibm-code-engine',
  region: 'eu-gb',
  functions: { '2048': 'https://sky-dynamic-2048.abcd1234.eu-gb.codeengine.appdomain.cloud' },
  auth: { type: 'ibm-iam', apiKey: { secretId: 'skymesh/ibm', jsonKey: 'apiKey' } },
} as const;

describe('External zones in the mesh configuration', () => {
  it('gives the router the zones in SKY_ENDPOINTS and lets it read only the secrets they name', () => {
    // GIVEN a mesh with an IBM Code Engine zone, WHEN the control stack is synthesized
    const stack = new ControlStack(testApp(), 'Sky-Control', {
      env: { region: 'us-west-2', account: '123456789012' },
      mesh: [{ region: 'us-west-1', azIds: ['usw1-az1'] }],
      endpoints: [IBM],
    });
    const template = Template.fromStack(stack);
    // THEN the router's environment lists it, and its role may read that secret
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sky-router',
      Environment: { Variables: Match.objectLike({ SKY_ENDPOINTS: JSON.stringify([IBM]) }) },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Role'));
    expect(policies).toContain('secretsmanager:GetSecretValue');
    expect(policies).toContain('arn:');
    expect(policies).toContain(':secret:skymesh/ibm-??????');
    expect(policies).not.toMatch(/secretsmanager:GetSecretValue[^\]]*"Resource":"\*"/);
  });

  it('shows the external zones on the dashboard: a row of their own, and their sampling searched in the home region', () => {
    // GIVEN a mesh in us-west-1 with the control stack in us-west-2 and two zones on other providers
    const DO = {
      provider: 'digitalocean',
      region: 'lon1',
      functions: { '1024': 'https://faas-lon1-abc.doserverless.co/api/v1/web/fn-1/sky/dynamic-1024' },
      auth: { type: 'digitalocean-secret', secret: { secretId: 'skymesh/do' } },
    } as const;
    const withExternal = new ControlStack(testApp(), 'Sky-Control', {
      env: { region: 'us-west-2', account: '123456789012' },
      mesh: [{ region: 'us-west-1', azIds: ['usw1-az1'] }],
      endpoints: [IBM, DO],
    });
    const without = new ControlStack(testApp(), 'Sky-Control', {
      env: { region: 'us-west-2', account: '123456789012' },
      mesh: [{ region: 'us-west-1', azIds: ['usw1-az1'] }],
    });
    // WHEN synthesized, THEN the dashboard names each external zone's metrics and searches us-west-2's sampling
    const bodyOf = (stack: ControlStack) =>
      JSON.stringify(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
    const body = bodyOf(withExternal);
    for (const azId of ['ibm-eu-gb', 'do-lon1']) {
      expect(body).toContain(`\\"azId\\",\\"${azId}\\"`);
    }
    expect(body).toContain('Routed invocations, other providers');
    expect(body).toContain('Zones on other providers: ibm-eu-gb, do-lon1');
    expect(body).toContain('SamplingCostUsd');
    // (the search of the dashboard's own region carries no region field; its label names it)
    expect(body).toContain('SamplingRuns us-west-2');
    // and a mesh with none has neither
    const plain = bodyOf(without);
    expect(plain).not.toContain('other providers');
    expect(plain).not.toContain('SamplingRuns us-west-2');
    expect(plain).toContain('SamplingRuns us-west-1');
  });

  it('fails synth when an external zone is wrong, naming the field', () => {
    expect(
      () =>
        new ControlStack(testApp(), 'Sky-Control', {
          env: { region: 'us-west-2' },
          mesh: [{ region: 'us-west-1', azIds: ['usw1-az1'] }],
          endpoints: [{ ...IBM, functions: { '512': IBM.functions['2048'] } }],
        }),
    ).toThrow(/endpoints\[0\]\.functions\.512 .*1024, 2048, 4096/);
  });

  it('refuses a secret value in cdk.json settings, and accepts a Secrets Manager reference', () => {
    expect(loadSkyConfig({ endpoints: [IBM] }).endpoints).toHaveLength(1);
    const inline = {
      provider: 'ibm-code-engine',
      region: 'eu-gb',
      functions: {},
      auth: { type: 'ibm-iam', apiKey: { value: 'the-api-key-itself' } },
    };
    let message = '';
    try {
      loadSkyConfig({ endpoints: [inline] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/skymesh\.endpoints .*stored in the template/);
    expect(message).not.toContain('the-api-key-itself');
  });
});
