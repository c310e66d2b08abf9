import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigError } from '../../lib/config';
import { parseFunctionName } from '../../lib/core/naming';
import { ControlStack } from '../../lib/infra/control-stack';
import { MeshPropsError } from '../../lib/infra/errors';
import { SkyMeshChecks } from '../../lib/infra/nag';
import { RegionMeshStack } from '../../lib/infra/region-mesh-stack';
import { SkyMesh } from '../../lib/infra/sky-mesh';
import { resourcesOf, testApp } from './fixtures';

/** The dynamic functions' timeout (`functionTimeoutSeconds`): set on every dynamic function, and told to the router. */
describe('the mesh function timeout', () => {
  function built(functionTimeoutSeconds?: number): { app: ReturnType<typeof testApp>; mesh: SkyMesh } {
    const app = testApp();
    const mesh = new SkyMesh(app, 'Sky', {
      regions: 'us-west-1',
      samplersPerZone: 1,
      memorySizes: [128, 2048],
      ...(functionTimeoutSeconds !== undefined ? { functionTimeoutSeconds } : {}),
    });
    return { app, mesh };
  }
  const dynamicTimeouts = (mesh: SkyMesh): number[] =>
    resourcesOf(Template.fromStack(mesh.regions.get('us-west-1') as RegionMeshStack), 'AWS::Lambda::Function')
      .filter((f) => parseFunctionName(f.properties.FunctionName)?.kind === 'dynamic')
      .map((f) => f.properties.Timeout);
  const routerTimeoutEnv = (mesh: SkyMesh): string =>
    resourcesOf(Template.fromStack(mesh.control), 'AWS::Lambda::Function').find(
      (f) => f.properties.FunctionName === 'sky-router',
    )?.properties.Environment.Variables.SKY_FUNCTION_TIMEOUT_MS;

  it('defaults to 300 s on every dynamic function, and the router holds placements to it', () => {
    const { mesh } = built();
    expect(mesh.config.functionTimeoutSeconds).toBe(300);
    const timeouts = dynamicTimeouts(mesh);
    expect(timeouts).toHaveLength(2 * 2 * 2);
    expect(new Set(timeouts)).toEqual(new Set([300]));
    expect(routerTimeoutEnv(mesh)).toBe('300000');
  });

  it("takes Lambda's 900 s maximum, passes every AwsSolutions and SkyMesh check, and tells the router", () => {
    const { app, mesh } = built(900);
    expect(new Set(dynamicTimeouts(mesh))).toEqual(new Set([900]));
    expect(routerTimeoutEnv(mesh)).toBe('900000');
    const findings = [new AwsSolutionsChecks(), new SkyMeshChecks()].flatMap((pack) =>
      pack.validateScope(app).violations.map((v) => v.ruleName),
    );
    expect(findings).toEqual([]);
  });

  it.each([0, 901, 12.5])('fails when functionTimeoutSeconds is %p, naming the key and the range', (seconds) => {
    const make = (): unknown => built(seconds);
    expect(make).toThrow(ConfigError);
    expect(make).toThrow(/skymesh\.functionTimeoutSeconds is .*an integer from 1 to 900/);
  });

  it.each([
    ['RegionMeshStack', Duration.seconds(901)],
    ['RegionMeshStack', Duration.millis(1500)],
    ['ControlStack', Duration.minutes(16)],
  ])('fails when a %s gets a timeout of %s, naming the prop', (stack, timeout) => {
    const make = (): unknown =>
      stack === 'RegionMeshStack'
        ? new RegionMeshStack(testApp(), 'Mesh', { env: { region: 'us-west-1' }, azIds: ['usw1-az1'], timeout })
        : new ControlStack(testApp(), 'Control', {
            env: { region: 'us-west-2' },
            mesh: [{ region: 'us-west-1', azIds: ['usw1-az1'] }],
            functionTimeout: timeout,
          });
    expect(make).toThrow(MeshPropsError);
    expect(make).toThrow(/Timeout is .*whole seconds from 1 to 900/i);
  });

  it.each([30_000, -1, 1.5])(
    'fails when a ControlStack gets a hold of %s ms, which the router would refuse',
    (holdMs) => {
      const make = (): unknown =>
        new ControlStack(testApp(), 'Control', {
          env: { region: 'us-west-2' },
          mesh: [{ region: 'us-west-1', azIds: ['usw1-az1'] }],
          holdMs,
        });
      expect(make).toThrow(MeshPropsError);
      expect(make).toThrow(/holdMs is .*from 0 to 10000/);
    },
  );
});
