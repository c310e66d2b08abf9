import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { handler as fanoutEntry } from '../../lambda/fanout/index';
import { runLocalExecution } from '../../lib/infra/local-state-machine';
import { SkyMesh } from '../../lib/infra/sky-mesh';
import { type AslDefinition, stateMachineDefinitions } from '../../lib/infra/state-machine-definition';
import type { ExternalZoneInput } from '../../lib/providers';
import { estimatePollCostUsd } from '../../lib/sampling/cost';
import type { SamplingSettings } from '../../lib/sampling/events';
import { type ProviderEndpoints, startProviderEndpoints } from '../../lib/twin/provider-endpoints';
import { type SamplingWorld, startSamplingWorld } from './harness';

/**
 * A zone on another provider sampled end to end as the CDK app deploys it: the state machine and the fan-out's
 * environment come from the synthesized `Sky-Samplers-ibm-eu-gb` stack; aws-local-stepfunctions runs the
 * definition, its Lambda tasks go through the twin's loopback Lambda API (the fan-out's own Lambda entry with
 * its template environment, the real sampling steps into dynalite), and the fan-out's
 * leaves call the zone's samplers over HTTP on loopback, behind IBM's IAM token check.
 */

const HOME = 'us-west-2';
const ZONE = 'ibm-eu-gb';
const KEY_VARIABLE = 'SKY_TEST_IBM_API_KEY';
const scenario = {
  name: 'external-sampling',
  description: 'an IBM Code Engine zone sampled by its synthesized state machine',
  seed: 11,
  days: 1,
  baselineZone: ZONE,
  cpus: {
    cascade24: { model: 'Intel(R) Xeon(R) Gold 6240R CPU @ 2.40GHz' },
    cascade25: { model: 'Intel Xeon Processor (Cascadelake)' },
  },
  zones: [
    {
      azId: ZONE,
      provider: 'ibm-code-engine',
      region: 'eu-gb',
      hosts: 40,
      slotsPerHost: 50,
      mix: [{ cascade24: 0.7, cascade25: 0.3 }],
    },
  ],
  workloads: { zipper: { memoryMb: 1024, baseMs: 1000, cv: 0.03, relative: { cascade24: 1.04 } } },
  burst: 10,
  holdMs: 150,
};

let world: SamplingWorld;
let endpoints: ProviderEndpoints;
let definition: AslDefinition;
let fanoutEnvironment: Record<string, string>;
const savedEnvironment: Record<string, string | undefined> = {};

beforeAll(async () => {
  world = await startSamplingWorld({ scenario, azIds: [ZONE], timeScale: 0.05 });
  endpoints = await startProviderEndpoints({
    twin: world.api.twin,
    zones: [{ azId: ZONE, region: 'eu-gb', memorySizes: [1024], samplers: 6 }],
  });
  // The mesh configuration names the API key by environment variable (a value would be refused there).
  const [ibm] = endpoints.config;
  const zone = {
    ...ibm,
    auth: { ...ibm.auth, apiKey: { env: KEY_VARIABLE } },
  } as ExternalZoneInput;
  process.env[KEY_VARIABLE] = endpoints.secrets.ibmApiKey;
  const app = new App({ stackTraces: false, context: { 'aws:cdk:disable-creation-stack-traces': true } });
  const mesh = new SkyMesh(app, 'Sky', {
    regions: ['us-west-1'],
    memorySizes: [1024],
    architectures: ['x86_64'],
    // The AWS zones' runs: 2 polls of 60, enough for a characterization.
    samplersPerZone: 4,
    samplersPerPoll: 2,
    pollConcurrency: 60,
    fanoutBranching: 8,
    homeRegion: HOME,
    endpoints: [zone],
  });
  const template = Template.fromStack(mesh.externalZones.get(ZONE)!).toJSON();
  definition = stateMachineDefinitions(template, { region: HOME })[`sky-sampling-${ZONE}`];
  const fanout = Object.values(
    template.Resources as Record<
      string,
      { Type: string; Properties: { FunctionName?: string; Environment: { Variables: Record<string, string> } } }
    >,
  ).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.FunctionName === `sky-fan-${ZONE}`)!;
  fanoutEnvironment = fanout.Properties.Environment.Variables;
  // The fan-out's own Lambda entry, configured by its synthesized environment (and the loopback Lambda API).
  for (const [name, value] of Object.entries({
    ...fanoutEnvironment,
    AWS_REGION: HOME,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_LAMBDA: world.api.endpoint,
  })) {
    savedEnvironment[name] = process.env[name];
    process.env[name] = value;
  }
  world.api.register(`sky-fan-${ZONE}`, (event, context) => fanoutEntry(event, context));
});

afterAll(async () => {
  delete process.env[KEY_VARIABLE];
  for (const [name, value] of Object.entries(savedEnvironment)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await endpoints?.close();
  await world?.close();
});

describe("a provider zone's synthesized sampling state machine, run locally", () => {
  it('polls the zone over HTTP with its IAM token and stores its characterization under ibm-<region>', async () => {
    // WHEN the synthesized machine runs once
    const result = await runLocalExecution(definition, {
      lambdaEndpoint: world.api.endpoint,
      region: HOME,
      executionName: 'ibm-run-1',
      input: { force: true },
      waitTimeOverrides: { Stagger: 0, Pause: 0 },
      retryIntervalOverrides: { Start: 0, Poll: 0, Record: 0, Decide: 0, Finalize: 0, MarkFailed: 0 },
    });

    // THEN it succeeded, and every poll request reached a sampler endpoint through the IAM check
    expect(result.status).toBe('SUCCEEDED');
    const run = await world.store.getRun('ibm-run-1');
    expect(run).toMatchObject({ status: 'succeeded', azId: ZONE });
    const polls = await world.store.polls('ibm-run-1');
    expect(polls.length).toBeGreaterThan(0);
    const requested = polls.reduce((sum, p) => sum + p.aggregate.requested, 0);
    expect(endpoints.served[ZONE]?.[200]).toBe(requested);
    expect(endpoints.tokenExchanges()).toBeGreaterThan(0);
    // AND the characterization is stored under the provider zone's key, with the provider's region and CPUs
    const latest = await world.store.latestCharacterization(ZONE);
    expect(latest?.region).toBe('eu-gb');
    expect(Object.keys(latest?.counts ?? {}).sort()).toEqual(['intel-xeon', 'intel-xeon-2.40']);
    // AND each poll is costed at Code Engine's sampler size and price, as the stack baked them in
    const settings = (
      definition as unknown as { States: { Configure: { Parameters: { settings: SamplingSettings } } } }
    ).States.Configure.Parameters.settings;
    expect(settings.samplerMemoryMb).toBe(4096);
    for (const poll of polls)
      expect(poll.costUsd).toBeCloseTo(
        estimatePollCostUsd(poll.aggregate as unknown as Parameters<typeof estimatePollCostUsd>[0], 0, settings),
        12,
      );
  });
});
