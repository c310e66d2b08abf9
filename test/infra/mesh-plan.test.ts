import { regionInfo } from '../../lib/catalog';
import { DEFAULT_SKY_CONFIG, skyConfigFromContext } from '../../lib/config';
import { regionMeshEstimate } from '../../lib/infra/limits';
import { assertMeshWithinLimits, meshPlanFromConfig, meshSize } from '../../lib/infra/mesh-plan';

describe('meshPlanFromConfig', () => {
  it('narrows the mesh to the regions given with -c, with every catalog zone of each', () => {
    const config = skyConfigFromContext({ skymesh: { regions: 'all' }, 'skymesh.regions': 'us-west-1,sa-east-1' });
    const props = meshPlanFromConfig(config, '123456789012');
    expect(props.mesh).toEqual([
      { region: 'us-west-1', azIds: regionInfo('us-west-1')!.azIds },
      { region: 'sa-east-1', azIds: regionInfo('sa-east-1')!.azIds },
    ]);
    expect(props.account).toBe('123456789012');
  });

  it('keeps only the zones listed in skymesh.zones', () => {
    const config = skyConfigFromContext({ skymesh: { regions: ['us-west-1', 'sa-east-1'], zones: ['sae1-az2'] } });
    expect(meshPlanFromConfig(config).mesh).toEqual([{ region: 'sa-east-1', azIds: ['sae1-az2'] }]);
  });

  it('passes the sampling settings on to every zone stack', () => {
    const config = skyConfigFromContext({ skymesh: { regions: ['us-west-1'], maxPolls: 7, accuracyTarget: 0.9 } });
    expect(meshPlanFromConfig(config).sampling).toEqual(
      expect.objectContaining({
        maxPolls: 7,
        accuracyTarget: 0.9,
        sampleEveryHours: 22,
        pollConcurrency: 200,
        samplersPerPoll: 10,
      }),
    );
  });

  it('keeps the default global mesh within every CloudFormation limit', () => {
    const props = meshPlanFromConfig(DEFAULT_SKY_CONFIG);
    expect(() => assertMeshWithinLimits(props)).not.toThrow();
    const biggest = Math.max(...props.mesh.map((r) => r.azIds.length));
    const estimate = regionMeshEstimate({ stackName: '', zones: biggest, memorySizes: 9, architectures: 2 });
    expect(estimate.resources).toBeLessThan(500);
  });

  it('sizes the default global mesh: every catalog zone × 9 memory sizes × 2 architectures, 2 × 100 samplers + 2 per zone, the router', () => {
    const plan = meshPlanFromConfig(DEFAULT_SKY_CONFIG);
    const zones = plan.mesh.reduce((n, r) => n + r.azIds.length, 0);
    expect(meshSize(plan)).toEqual({
      regions: plan.mesh.length,
      zones,
      externalZones: 0,
      stacks: plan.mesh.length + zones + 1,
      dynamicFunctions: zones * 18,
      samplingFunctions: zones * 202,
      functions: zones * 220 + 1,
    });
  });
});
