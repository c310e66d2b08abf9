import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { lambdaPrice } from '../../lib/catalog/prices';
import { DIGITALOCEAN_FUNCTIONS, IBM_CODE_ENGINE } from '../../lib/catalog/providers';
import { ConfigError } from '../../lib/config';
import { MeshPropsError } from '../../lib/infra/errors';
import { ExternalZoneSamplerStack } from '../../lib/infra/external-zone-sampler-stack';
import { SkyMeshChecks } from '../../lib/infra/nag';
import { SkyMesh } from '../../lib/infra/sky-mesh';
import { stateMachineDefinitions } from '../../lib/infra/state-machine-definition';
import { type ExternalZoneInput, parseExternalZones } from '../../lib/providers/config';
import { type Json, testApp } from './fixtures';

const IBM: ExternalZoneInput = {
  provider: 'ibm-code-engine',
  region: 'eu-gb',
  functions: { '2048': 'https://sky-dynamic-2048.abcd1234.eu-gb.codeengine.appdomain.cloud' },
  samplers: [
    'https://sky-sampler-00.abcd1234.eu-gb.codeengine.appdomain.cloud',
    'https://sky-sampler-01.abcd1234.eu-gb.codeengine.appdomain.cloud',
  ],
  auth: { type: 'ibm-iam', apiKey: { secretId: 'skymesh/ibm', jsonKey: 'apiKey' } },
};
const DO: ExternalZoneInput = {
  provider: 'digitalocean',
  region: 'lon1',
  functions: { '1024': 'https://faas-lon1-917a94a7.doserverless.co/api/v1/web/fn-1/sky/dynamic-1024' },
  samplers: [0, 1, 2].map((i) => `https://faas-lon1-917a94a7.doserverless.co/api/v1/web/fn-1/sky/sampler-0${i}`),
  auth: { type: 'digitalocean-secret', secret: { secretId: 'skymesh/do' } },
};
/** Routed to, never sampled: it lists no sampler. */
const LAB: ExternalZoneInput = {
  provider: 'https',
  region: 'lab',
  functions: { '2048': 'https://fn.example.org/sky' },
  auth: { type: 'hmac', secret: { secretId: 'skymesh/lab' } },
  price: { perGbSecond: 0.00001, perRequest: 0 },
  location: { lat: 47.6, lon: -122.3 },
};

function meshWith(overrides: Record<string, unknown> = {}): SkyMesh {
  return new SkyMesh(testApp(), 'Sky', {
    regions: ['us-west-1'],
    memorySizes: [1024],
    architectures: ['x86_64'],
    samplersPerZone: 2,
    samplersPerPoll: 2,
    homeRegion: 'us-west-2',
    endpoints: [IBM, DO, LAB],
    ...overrides,
  });
}

function definitionOf(stack: Stack, azId: string): { States: Record<string, Json> } {
  const defs = stateMachineDefinitions(Template.fromStack(stack).toJSON(), { region: stack.region });
  return defs[`sky-sampling-${azId}`] as unknown as { States: Record<string, Json> };
}

describe('Sampling of zones on other providers (endpoints with samplers)', () => {
  let mesh: SkyMesh;
  beforeAll(() => {
    mesh = meshWith();
  });

  it('adds a sampler stack in the home region for each external zone with samplers, and counts its functions', () => {
    expect([...mesh.externalZones.keys()]).toEqual(['ibm-eu-gb', 'do-lon1']);
    for (const stack of mesh.externalZones.values()) expect(stack.region).toBe('us-west-2');
    expect(mesh.externalZones.get('ibm-eu-gb')!.stackName).toBe('Sky-Samplers-ibm-eu-gb');
    const built = mesh.node
      .findAll()
      .filter((c) => c instanceof Stack)
      .flatMap((stack) => Object.keys(Template.fromStack(stack as Stack).findResources('AWS::Lambda::Function')));
    expect(mesh.size.externalZones).toBe(2);
    expect(mesh.size.stacks).toBe(1 + 2 + 1 + 2);
    expect(built).toHaveLength(mesh.size.functions);
  });

  it("gives the fan-out its zone's settings only, with egress, invoke of itself only and exactly its secret", () => {
    const template = Template.fromStack(mesh.externalZones.get('ibm-eu-gb')!);
    const fanouts = template.findResources('AWS::Lambda::Function', {
      Properties: { FunctionName: 'sky-fan-ibm-eu-gb' },
    });
    const [fanout] = Object.values(fanouts) as Json[];
    expect(fanout.Properties.Environment.Variables).toEqual({
      SKY_AZ_ID: 'ibm-eu-gb',
      SKY_ENDPOINTS: JSON.stringify([IBM]),
    });
    // Outside any VPC: the fan-out reaches the provider over the internet.
    expect(fanout.Properties.VpcConfig).toBeUndefined();
    const roles = template.findResources('AWS::IAM::Role');
    const statements = Object.values(roles).flatMap((role: Json) =>
      (role.Properties.Policies ?? []).flatMap((p: Json) => p.PolicyDocument.Statement),
    );
    const invoke = statements.filter((s: Json) => JSON.stringify(s.Action).includes('lambda:InvokeFunction'));
    expect(invoke).toHaveLength(1);
    expect(JSON.stringify(invoke[0].Resource)).toContain(':function:sky-fan-ibm-eu-gb');
    expect(JSON.stringify(invoke[0].Resource)).not.toContain('*');
    const secrets = statements.filter((s: Json) => s.Action === 'secretsmanager:GetSecretValue');
    expect(secrets).toHaveLength(1);
    const secretArns = JSON.stringify(secrets[0].Resource);
    expect(secretArns).toContain(':secret:skymesh/ibm-??????');
    expect(secretArns).not.toContain('skymesh/do');
    // The steps write the table in the home region and read no secret.
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sky-steps-ibm-eu-gb',
      Environment: { Variables: Match.objectLike({ SKY_TABLE_NAME: 'skymesh', SKY_TABLE_REGION: 'us-west-2' }) },
    });
  });

  it("bakes the provider's sampler size and prices into the state machine, scheduled like a Lambda zone's", () => {
    const stack = mesh.externalZones.get('ibm-eu-gb')!;
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { StateMachineName: 'sky-sampling-ibm-eu-gb' });
    template.resourceCountIs('AWS::Scheduler::Schedule', 1);
    const configure = definitionOf(stack, 'ibm-eu-gb').States.Configure.Parameters;
    expect(configure.azId).toBe('ibm-eu-gb');
    expect(configure.region).toBe('eu-gb');
    const home = lambdaPrice('us-west-2', 'x86_64');
    expect(configure.settings).toEqual(
      expect.objectContaining({
        samplersPerZone: 2,
        samplerMemoryMb: 4096,
        samplerMemoryStepMb: 0,
        pricePerGbSecond: IBM_CODE_ENGINE.price.perGbSecond + 0.25 * IBM_CODE_ENGINE.price.perVcpuSecond,
        pricePerRequest: IBM_CODE_ENGINE.price.perRequest,
        fanoutPricePerGbSecond: home.perGbSecond,
        fanoutPricePerRequest: home.perRequest,
      }),
    );
  });

  it("keeps a DigitalOcean poll within the namespace's 120 concurrent functions", () => {
    const configure = definitionOf(mesh.externalZones.get('do-lon1')!, 'do-lon1').States.Configure.Parameters;
    expect(configure.settings.pollConcurrency).toBe(DIGITALOCEAN_FUNCTIONS.maxConcurrency);
    expect(configure.settings.samplerMemoryMb).toBe(1024);
    expect(definitionOf(mesh.externalZones.get('do-lon1')!, 'do-lon1').States.Poll.Parameters.count).toBe(120);
  });

  it("passes every AwsSolutions and SkyMesh check on every stack, the router's grant to read the secrets among them", () => {
    expect(mesh.externalZones.size).toBe(2);
    const control = Template.fromStack(mesh.control).toJSON() as Json;
    const grants = Object.values(control.Resources as Record<string, Json>)
      .filter((r) => r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::Role')
      .flatMap((r) => [
        ...(r.Properties.PolicyDocument?.Statement ?? []),
        ...(r.Properties.Policies ?? []).flatMap((p: Json) => p.PolicyDocument.Statement),
      ])
      .filter((st: Json) => JSON.stringify(st.Action).includes('secretsmanager:GetSecretValue'));
    expect(grants.length).toBeGreaterThan(0);
    const findings = [new AwsSolutionsChecks(), new SkyMeshChecks()].flatMap((pack) =>
      pack
        .validateScope(mesh.node.root)
        .violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath)}`),
    );
    expect(findings).toEqual([]);
  });

  it("samples an HTTPS endpoint's zone at its configured price, its samplers at its largest function's size", () => {
    const lab = { ...LAB, functions: { '1024': 'https://fn.example.org/a', '2048': 'https://fn.example.org/b' } };
    const withSamplers = meshWith({ endpoints: [{ ...lab, samplers: ['https://fn.example.org/smp-00'] }] });
    const stack = withSamplers.externalZones.get('ext-lab')!;
    const settings = definitionOf(stack, 'ext-lab').States.Configure.Parameters.settings;
    expect(settings).toEqual(
      expect.objectContaining({ samplerMemoryMb: 2048, samplerMemoryStepMb: 0, pricePerGbSecond: 0.00001 }),
    );
    expect(() => parseExternalZones([{ ...IBM, samplerMemoryMb: 1024 }], 'endpoints')).toThrow(
      /endpoints\[0\]\.samplerMemoryMb .*from the catalog/,
    );
  });

  it("fails when a sampler would be billed less than DigitalOcean's minimum, naming the setting", () => {
    // The mesh's config checks name the key, as for any other setting ...
    expect(() => meshWith({ samplerSleepMs: 50 })).toThrow(ConfigError);
    expect(() => meshWith({ samplerSleepMs: 50 })).toThrow(
      /skymesh\.samplerSleepMs is 50; allowed: at least 100 ms while do-lon1 is sampled/,
    );
    // ... and the zone's stack, built on its own, names its prop.
    const alone = (): unknown =>
      new ExternalZoneSamplerStack(testApp(), 'Samplers', {
        env: { region: 'us-west-2' },
        zone: DO,
        table: { tableName: 'skymesh', region: 'us-west-2' },
        samplerSleepMs: 50,
      });
    expect(alone).toThrow(MeshPropsError);
    expect(alone).toThrow(/samplerSleepMs is 50.*100 ms for do-lon1/);
  });
});
