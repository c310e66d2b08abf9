import { App, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { loadSkyConfig } from '../../lib/config';
import { SAMPLING_DEFAULTS, SamplingSettingsSchema } from '../../lib/contracts';
import { MeshPropsError } from '../../lib/infra/errors';
import { RegionMeshStack } from '../../lib/infra/region-mesh-stack';
import { SamplingStateMachine, type SamplingStateMachineProps } from '../../lib/infra/sampling-state-machine';
import { ZoneSamplerStack } from '../../lib/infra/zone-sampler-stack';

/** True when the state machine construct accepts this one setting. */
function stackAccepts(props: Partial<SamplingStateMachineProps>): boolean {
  const app = new App({ stackTraces: false });
  const stack = new Stack(app, 'Zone', { env: { region: 'us-west-1', account: '123456789012' } });
  const fn = (name: string) => lambda.Function.fromFunctionName(stack, name, name);
  try {
    new SamplingStateMachine(stack, 'Sampling', {
      azId: 'usw1-az3',
      fanoutFunction: fn('sky-fan-usw1-az3'),
      stepsFunction: fn('sky-steps-usw1-az3'),
      schedule: false,
      ...props,
    });
    return true;
  } catch (error) {
    if (error instanceof MeshPropsError) return false;
    throw error;
  }
}

function loaderAccepts(context: Record<string, unknown>): boolean {
  try {
    loadSkyConfig(context);
    return true;
  } catch {
    return false;
  }
}

describe('one sampling settings schema', () => {
  // Values on and just past each bound, as the loader and the state machine both read them.
  const cases: Array<[keyof SamplingStateMachineProps & string, number[]]> = [
    ['samplersPerZone', [0, 1, 2.5, 999, 1000]],
    ['samplerMemoryMb', [127, 128, 10_240, 10_241]],
    ['samplerSleepMs', [-1, 0, 25_000, 25_001, 60_000]],
    ['pollConcurrency', [0, 1, 5000, 5001, 100_000]],
    ['fanoutBranching', [1, 2, 1000, 1001]],
    ['accuracyTarget', [0, 0.5, 0.999, 1]],
    ['saturationFailureRate', [0, 0.01, 1, 1.01]],
    ['maxPolls', [0, 1, 1000, 1001]],
    ['maxRunCostUsd', [0, 0.01, 1000, 1000.01]],
    ['sampleEveryHours', [1 / 60, 0.5, 1, 1.5, 720, 721, 8760]],
  ];

  it.each(cases)('the config loader and the state machine accept the same %s', (key, values) => {
    for (const value of values) {
      // samplerMemoryMb is checked with one sampler so that the sampler range is the setting's own bound, and the
      // poll caps with the other at its largest, so that a run can always see the instances a characterization needs.
      const others: Partial<Record<string, object>> = {
        samplerMemoryMb: { samplersPerZone: 1 },
        pollConcurrency: { maxPolls: 1000 },
        maxPolls: { pollConcurrency: 5000 },
        samplersPerZone: { pollConcurrency: 5000 },
      };
      const extra = others[key] ?? {};
      const loader = loaderAccepts({ [key]: value, ...extra });
      const stack = stackAccepts({ [key]: value, ...extra });
      expect({ key, value, accepted: stack }).toEqual({ key, value, accepted: loader });
    }
  });

  it('the state machine bakes in settings that the sampling steps accept', () => {
    const app = new App({ stackTraces: false });
    const stack = new Stack(app, 'Zone', { env: { region: 'us-west-1', account: '123456789012' } });
    const fn = (name: string) => lambda.Function.fromFunctionName(stack, name, name);
    const machine = new SamplingStateMachine(stack, 'Sampling', {
      azId: 'usw1-az3',
      fanoutFunction: fn('sky-fan-usw1-az3'),
      stepsFunction: fn('sky-steps-usw1-az3'),
      samplerSleepMs: 400,
    });
    expect(stepsAccept(machine.settings)).toBe(true);
    expect(machine.settings).toMatchObject({ ...SAMPLING_DEFAULTS, samplerSleepMs: 400 });
  });

  it("the config loader and the state machine refuse poll caps under which no run sees a characterization's instances", () => {
    expect(loaderAccepts({ pollConcurrency: 20, maxPolls: 4 })).toBe(false);
    expect(stackAccepts({ pollConcurrency: 20, maxPolls: 4 })).toBe(false);
    expect(loaderAccepts({ pollConcurrency: 20, maxPolls: 5 })).toBe(true);
    expect(stackAccepts({ pollConcurrency: 20, maxPolls: 5 })).toBe(true);
    expect(stackAccepts({ pollConcurrency: 20, maxPolls: 4, minInstancesForCharacterization: 80 })).toBe(true);
    const app = new App({ stackTraces: false });
    const stack = new Stack(app, 'Zone', { env: { region: 'us-west-1', account: '123456789012' } });
    const fn = (name: string) => lambda.Function.fromFunctionName(stack, name, name);
    expect(
      () =>
        new SamplingStateMachine(stack, 'Sampling', {
          azId: 'usw1-az3',
          fanoutFunction: fn('sky-fan-usw1-az3'),
          stepsFunction: fn('sky-steps-usw1-az3'),
          pollConcurrency: 20,
          maxPolls: 4,
        }),
    ).toThrow(/Zone\/Sampling\.minInstancesForCharacterization .*100.*at most 80, all a run can see/);
  });

  it('fails when the samplers of a zone stack would pass Lambda memory, naming the setting', () => {
    const app = new App({ stackTraces: false });
    const region = new RegionMeshStack(app, 'Region', {
      env: { region: 'us-west-1' },
      azIds: ['usw1-az3'],
      memorySizes: [128],
      architectures: ['arm64'],
    });
    expect(
      () =>
        new ZoneSamplerStack(app, 'Samplers', {
          env: { region: 'us-west-1' },
          zone: region.attachment('usw1-az3'),
          table: { tableName: 'skymesh', region: 'us-west-2' },
          samplersPerZone: 3,
          samplerMemoryMb: 10_239,
        }),
    ).toThrow(/samplerMemoryMb/);
  });
});

function stepsAccept(settings: unknown): boolean {
  return SamplingSettingsSchema.safeParse(settings).success;
}
