import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RegionMeshStack } from './region-mesh-stack';
import { type AslDefinition, stateMachineDefinitions } from './state-machine-definition';
import { ZoneSamplerStack, type ZoneSamplingOptions } from './zone-sampler-stack';

/**
 * Synthesizes the zone sampler stacks of some zones of one region (with a one-function region
 * mesh for their subnets) and returns each zone's sampling state machine definition, resolved
 * for a local engine, by AZ ID. The cloud assembly goes to a temporary folder that is removed.
 *
 * @example
 * const defs = synthesizeSamplingDefinitions({ region: 'us-west-1', azIds: ['usw1-az1'], samplersPerZone: 5, sampling: {} });
 */
export function synthesizeSamplingDefinitions(options: {
  readonly region: string;
  readonly azIds: readonly string[];
  readonly samplersPerZone: number;
  readonly sampling: ZoneSamplingOptions;
}): Record<string, AslDefinition> {
  const outdir = mkdtempSync(join(tmpdir(), 'sky-sampling-synth-'));
  try {
    const app = new App({ outdir, stackTraces: false });
    const env = { region: options.region };
    const region = new RegionMeshStack(app, `Sky-Mesh-${options.region}`, {
      env,
      azIds: options.azIds,
      memorySizes: [128],
      architectures: ['x86_64'],
    });
    const stacks = options.azIds.map(
      (azId, zoneIndex) =>
        new ZoneSamplerStack(app, `Sky-Samplers-${azId}`, {
          env,
          zone: region.attachment(azId),
          table: { tableName: 'skymesh', region: 'us-west-2' },
          samplersPerZone: options.samplersPerZone,
          sampling: { ...options.sampling, zoneIndex },
        }),
    );
    const out: Record<string, AslDefinition> = {};
    for (const stack of stacks) {
      const definitions = stateMachineDefinitions(Template.fromStack(stack).toJSON(), { region: options.region });
      out[stack.azId] = definitions[`sky-sampling-${stack.azId}`];
    }
    return out;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
