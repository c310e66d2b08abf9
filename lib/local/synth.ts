import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { App } from 'aws-cdk-lib';
import { loadSkyConfig, type SkyConfig } from '../config';
import { archOfCpu } from '../core/cpu';
import { fanoutFunctionName, providerOfZone, providerZoneId, samplingStateMachineName } from '../core/naming';
import type { Arch } from '../core/types';
import { meshPlanFromConfig, type SkyMeshPlan, stackNames } from '../infra/mesh-plan';
import { SKY_APP_PROPS } from '../infra/sky-app-props';
import { SkyMesh } from '../infra/sky-mesh';
import { type AslDefinition, type CfnTemplate, stateMachineDefinitions } from '../infra/state-machine-definition';
import type { Scenario } from '../twin/scenario';
import { offeredMemorySizes } from '../twin/workload-model';
import { LocalSkyError } from './errors';

/** What the local sky takes from the synthesized mesh. */
export interface SynthesizedMesh {
  readonly config: SkyConfig;
  readonly plan: SkyMeshPlan;
  /** The skymesh table as `CreateTable` wants it, read from the control stack's `AWS::DynamoDB::Table`. */
  readonly table: CreateTableCommandInput;
  /**
   * Each zone's sampling state machine, resolved from its zone sampler stack's template: `region` is the
   * zone's, `machineRegion` where the machine and its functions run (the home region for a zone on
   * another provider).
   */
  readonly stateMachines: ReadonlyArray<{
    readonly azId: string;
    /** The fleet the machine samples: one machine per sampled architecture of an AWS zone. */
    readonly arch: Arch;
    readonly region: string;
    readonly machineRegion: string;
    readonly definition: AslDefinition;
  }>;
  /** The environment of each external zone's fan-out (its `SKY_ENDPOINTS`), by zone ID. */
  readonly externalFanouts: ReadonlyArray<{ readonly azId: string; readonly environment: Record<string, string> }>;
  /** Every stack's template, by stack name. */
  readonly templates: Readonly<Record<string, CfnTemplate>>;
}

/**
 * The sky configuration narrowed to a scenario, through the same validation as `cdk.json`: its
 * regions and zones, the memory sizes its workloads may be routed at (the mesh's and each workload's
 * own, as in the twin) and the architectures of its CPUs; every other key from `overrides` or the defaults.
 */
export function skyConfigForScenario(scenario: Scenario, overrides: Record<string, unknown> = {}): SkyConfig {
  // Zones on other providers are not Lambda zones: they reach the mesh as `endpoints` (see provider-zones.ts).
  const aws = scenario.zones.filter((z) => providerOfZone(z.azId) === 'aws');
  if (aws.length === 0) {
    throw new LocalSkyError(
      'scenario',
      `${scenario.name} has no AWS zone; the local sky needs one (its table and router live in an AWS region)`,
    );
  }
  const regions = [...new Set(aws.map((z) => z.region))];
  const memorySizes = [...new Set(Object.values(scenario.workloads).flatMap((w) => offeredMemorySizes(w)))].sort(
    (a, b) => a - b,
  );
  const architectures = [...new Set<Arch>(scenario.cpuList.map((cpu) => archOfCpu(cpu.cpuKey)))].sort();
  return loadSkyConfig({
    ...overrides,
    regions,
    zones: aws.map((z) => z.azId),
    memorySizes,
    architectures,
    holdMs: scenario.holdMs,
  });
}

/**
 * Synthesizes the sky mesh in this process (no `cdk` child process, no credentials, no network:
 * the infra synthesizes offline by design) and reads from the templates the table and each zone's
 * sampling state machine, with its intrinsic references resolved to the twin's function names.
 */
export function synthesizeMesh(config: SkyConfig, outdir: string): SynthesizedMesh {
  const plan = meshPlanFromConfig(config);
  const app = new App({ ...SKY_APP_PROPS, outdir });
  new SkyMesh(app, 'Sky', config);
  const assembly = app.synth();
  const templates: Record<string, CfnTemplate> = {};
  for (const stack of assembly.stacks) templates[stack.stackName] = stack.template as CfnTemplate;

  const tables = resourcesOfType(templates[stackNames.control], 'AWS::DynamoDB::Table');
  if (tables.length !== 1) {
    throw new LocalSkyError(
      'synth',
      `${stackNames.control} holds ${tables.length} AWS::DynamoDB::Table resources, expected 1`,
    );
  }
  const stateMachines = plan.mesh.flatMap(({ region, azIds }) =>
    azIds.flatMap((azId) => {
      const stackName = stackNames.zone(azId);
      const definitions = stateMachineDefinitions(templates[stackName] ?? {}, { region });
      return plan.sampledArchitectures.map((arch) => {
        const name = samplingStateMachineName(azId, arch);
        const definition = definitions[name];
        if (!definition) throw new LocalSkyError('synth', `${stackName} holds no state machine ${name}`);
        return { azId, arch, region, machineRegion: region, definition };
      });
    }),
  );
  const externalFanouts: Array<{ azId: string; environment: Record<string, string> }> = [];
  for (const zone of plan.sampledExternalZones) {
    const azId = providerZoneId(zone.provider, zone.region);
    const stackName = stackNames.zone(azId);
    const definition = stateMachineDefinitions(templates[stackName] ?? {}, { region: plan.homeRegion })[
      samplingStateMachineName(azId)
    ];
    if (!definition) {
      throw new LocalSkyError('synth', `${stackName} holds no state machine ${samplingStateMachineName(azId)}`);
    }
    stateMachines.push({ azId, arch: 'x86_64', region: zone.region, machineRegion: plan.homeRegion, definition });
    const fanout = resourcesOfType(templates[stackName], 'AWS::Lambda::Function').find(
      (fn) => fn.FunctionName === fanoutFunctionName(azId),
    );
    const environment = (fanout?.Environment as { Variables?: Record<string, string> } | undefined)?.Variables;
    if (!environment) throw new LocalSkyError('synth', `${stackName} holds no fan-out ${fanoutFunctionName(azId)}`);
    externalFanouts.push({ azId, environment });
  }
  return { config, plan, table: createTableInputOf(tables[0]), stateMachines, externalFanouts, templates };
}

function resourcesOfType(template: CfnTemplate | undefined, type: string): Array<Record<string, unknown>> {
  return Object.values(template?.Resources ?? {})
    .filter((resource) => resource.Type === type)
    .map((resource) => resource.Properties ?? {});
}

/**
 * `CreateTable` input from an `AWS::DynamoDB::Table`'s properties: name, keys, attribute definitions,
 * global secondary indexes and billing mode, which is what a local server needs. TTL, point-in-time
 * recovery and encryption are deployment settings an in-memory table has no use for.
 */
export function createTableInputOf(properties: Record<string, unknown>): CreateTableCommandInput {
  const tableName = properties.TableName;
  if (typeof tableName !== 'string') {
    throw new LocalSkyError('synth', `the table's TableName is ${JSON.stringify(tableName)}, expected a literal name`);
  }
  return {
    TableName: tableName,
    KeySchema: properties.KeySchema,
    AttributeDefinitions: properties.AttributeDefinitions,
    BillingMode: (properties.BillingMode as string | undefined) ?? 'PROVISIONED',
    ...(properties.GlobalSecondaryIndexes ? { GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes } : {}),
    ...(properties.ProvisionedThroughput ? { ProvisionedThroughput: properties.ProvisionedThroughput } : {}),
  } as CreateTableCommandInput;
}

/** Creates the table in the local server and waits until it and its indexes are active. */
export async function createTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  await client.send(new CreateTableCommand(input));
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new LocalSkyError('table', `table ${input.TableName} did not become ACTIVE`);
}
