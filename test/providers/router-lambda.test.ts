import { type ProviderEndpoints, startProviderEndpoints } from '../../lib/twin/provider-endpoints';
import { ROUTER_SCENARIO, type SkyFixture, startSky } from '../router/sky-fixture';

/**
 * The router Lambda's own entry (`lambda/router/index.ts`), configured only through its environment as the
 * control stack configures it, SKY_ENDPOINTS included, with the AWS SDK pointed at the twin's loopback
 * Lambda API and dynalite by the SDK's standard endpoint variables: the code a deployment runs, end to end.
 */

const SCENARIO = {
  ...ROUTER_SCENARIO,
  name: 'router-lambda-providers',
  cpus: { ...ROUTER_SCENARIO.cpus, cascade24: { model: 'Intel(R) Xeon(R) Gold 6240R CPU @ 2.40GHz' } },
  zones: [
    ...ROUTER_SCENARIO.zones,
    {
      azId: 'ibm-eu-gb',
      provider: 'ibm-code-engine',
      region: 'eu-gb',
      hosts: 20,
      slotsPerHost: 40,
      mix: [{ cascade24: 1 }],
    },
  ],
  workloads: {
    zipper: {
      ...ROUTER_SCENARIO.workloads.zipper,
      memoryMb: 1024,
      relative: { xeon25: 1, xeon30: 1, epyc: 1, cascade24: 1 },
    },
  },
};

let sky: SkyFixture;
let endpoints: ProviderEndpoints;
const saved = { ...process.env };

beforeAll(async () => {
  sky = await startSky({ scenario: SCENARIO, timeScale: 0.05 });
  endpoints = await startProviderEndpoints({
    twin: sky.api.twin,
    zones: [{ azId: 'ibm-eu-gb', region: 'eu-gb', memorySizes: [1024, 2048, 4096] }],
  });
  await sky.characterize();
  for (const cpu of ['intel-xeon-2.50', 'intel-xeon-3.00', 'amd-epyc', 'intel-xeon-2.40']) {
    for (let i = 0; i < 30; i++) {
      await sky.store.addProfileObservation('zipper', { cpu, arch: 'x86_64', memoryMb: 1024 }, 1000 / (1024 / 1769));
    }
  }
});

afterAll(async () => {
  process.env = saved;
  await endpoints?.close();
  await sky?.close();
});

it('routes to IBM Code Engine from SKY_ENDPOINTS, the API key read from the environment', async () => {
  // The key is named by an environment variable, as a deployment could (Secrets Manager is the other way).
  const config = endpoints.config.map((zone) =>
    zone.auth.type === 'ibm-iam' ? { ...zone, auth: { ...zone.auth, apiKey: { env: 'SKY_TEST_IBM_API_KEY' } } } : zone,
  );
  Object.assign(process.env, {
    AWS_REGION: 'us-west-2',
    AWS_ACCESS_KEY_ID: 'twin',
    AWS_SECRET_ACCESS_KEY: 'twin',
    AWS_ENDPOINT_URL_LAMBDA: sky.api.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: sky.dynamo.endpoint,
    SKY_ZONES: 'us-west-1:usw1-az1,us-west-1:usw1-az3,sa-east-1:sae1-az1',
    SKY_MEMORY_SIZES: '1024,2048',
    SKY_ARCHITECTURES: 'x86_64',
    SKY_TABLE_NAME: 'skymesh',
    SKY_TABLE_REGION: 'us-west-2',
    SKY_ENDPOINTS: JSON.stringify(config),
    SKY_TEST_IBM_API_KEY: endpoints.secrets.ibmApiKey,
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
  });
  let handler: ((event: unknown) => Promise<unknown>) | undefined;
  jest.isolateModules(() => {
    handler = require('../../lambda/router/index').handler;
  });
  const answer = (await handler!({
    workload: { name: 'zipper' },
    profile: 'zipper',
    objective: 'cost',
    strategy: 'optimal',
  })) as { status: string; placement: { target: { azId: string } }; attempts: Array<{ azId: string; status: string }> };
  expect(answer.status).toBe('ok');
  expect(answer.placement.target.azId).toBe('ibm-eu-gb');
  expect(answer.attempts.map((a) => [a.azId, a.status])).toEqual([['ibm-eu-gb', 'ok']]);
  expect(endpoints.tokenExchanges()).toBeGreaterThan(0);
});
