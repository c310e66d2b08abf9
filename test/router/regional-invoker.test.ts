import { lambdaClientWithLimit, sdkInvoker } from '../../lib/aws/lambda-invoker';
import { regionOfAzId } from '../../lib/catalog';
import type { Invoker } from '../../lib/contracts';
import { regionalInvoker } from '../../lib/routing/regional-invoker';
import { type SkyFixture, startSky } from './sky-fixture';

describe('regionalInvoker', () => {
  let sky: SkyFixture;
  const clients: Array<{ destroy(): void }> = [];

  beforeAll(async () => {
    sky = await startSky();
  });

  afterAll(async () => {
    for (const c of clients) c.destroy();
    await sky?.close();
  });

  it("sends each dynamic function's call through a client of the function's own region", async () => {
    // GIVEN one SDK client per region (all served by the twin on loopback), counting their calls
    const calls: string[] = [];
    const created: string[] = [];
    const clientFor = (region: string): Invoker => {
      created.push(region);
      const client = lambdaClientWithLimit({
        region,
        endpoint: sky.api.endpoint,
        credentials: { accessKeyId: 'twin', secretAccessKey: 'twin' },
      });
      clients.push(client);
      const invoker = sdkInvoker(client);
      return {
        invoke: (name, payload, options) => {
          calls.push(`${region} ${name}`);
          return invoker.invoke(name, payload, options);
        },
      };
    };
    const invoker = regionalInvoker({
      regionOfZone: regionOfAzId,
      invokerFor: clientFor,
      home: clientFor('us-west-2'),
    });
    // WHEN functions of two regions and one name without a zone are invoked
    const work = { code: { source: 'exports.run = () => 1;' } };
    const results = await Promise.all([
      invoker.invoke('sky-usw1-az1-x86_64-1024', work),
      invoker.invoke('sky-usw1-az3-x86_64-1024', work),
      invoker.invoke('sky-sae1-az1-x86_64-2048', work),
      invoker.invoke('sky-router', {}),
    ]);
    // THEN each went through its region's client, created once per region
    expect(results.slice(0, 3).every((r) => r.ok)).toBe(true);
    expect(calls.sort()).toEqual([
      'sa-east-1 sky-sae1-az1-x86_64-2048',
      'us-west-1 sky-usw1-az1-x86_64-1024',
      'us-west-1 sky-usw1-az3-x86_64-1024',
      'us-west-2 sky-router',
    ]);
    expect(created.sort()).toEqual(['sa-east-1', 'us-west-1', 'us-west-2']);
  });
});
