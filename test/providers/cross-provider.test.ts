import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createFanoutHandler } from '../../lambda/fanout/handler';
import type { RouterHandler } from '../../lambda/router/handler';
import type { Invoker } from '../../lib/contracts/invoker';
import type { PollAggregate } from '../../lib/core/types';
import {
  type ExternalZoneInput,
  meshInvoker,
  parseExternalZones,
  routerInvoker,
  SecretResolver,
  withExternalZones,
} from '../../lib/providers';
import type { RoutedCall } from '../../lib/routing/types';
import { type ProviderEndpoints, startProviderEndpoints } from '../../lib/twin/provider-endpoints';
import { ROUTER_SCENARIO, type SkyFixture, startSky } from '../router/sky-fixture';

/**
 * The router across providers, end to end: the routing service the router Lambda runs, its invoker built
 * as the router Lambda builds it (Lambda through the SDK, other providers over HTTP), the twin's Lambda
 * zones behind the loopback Lambda API and its IBM Code Engine and DigitalOcean zones behind loopback
 * endpoints of those providers (IAM token exchange, JWT check, webSecure header), dynalite for the table.
 */

const IBM_MODEL = 'Intel(R) Xeon(R) Gold 6240R CPU @ 2.40GHz';
const DO_MODEL = 'Intel(R) Xeon(R) Platinum 8168 CPU @ 2.70GHz';

const MIXED_SCENARIO = {
  ...ROUTER_SCENARIO,
  name: 'mixed-providers-test',
  cpus: { ...ROUTER_SCENARIO.cpus, cascade24: { model: IBM_MODEL }, xeon27: { model: DO_MODEL } },
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
    { azId: 'do-lon1', provider: 'digitalocean', region: 'lon1', hosts: 20, slotsPerHost: 40, mix: [{ xeon27: 1 }] },
  ],
  workloads: {
    zipper: {
      ...ROUTER_SCENARIO.workloads.zipper,
      memoryMb: 1024,
      relative: { xeon25: 1, xeon30: 1, epyc: 1, cascade24: 1, xeon27: 1 },
    },
  },
};

const EXTERNAL = [
  { azId: 'ibm-eu-gb', region: 'eu-gb', memorySizes: [1024, 2048, 4096], samplers: 2 },
  { azId: 'do-lon1', region: 'lon1', memorySizes: [128, 256, 512, 1024] },
];

let sky: SkyFixture;
let endpoints: ProviderEndpoints;

beforeAll(async () => {
  // 1 emulated ms = 0.05 real ms: a host's scheduling delays stay small beside the modelled runtimes the router learns.
  sky = await startSky({ scenario: MIXED_SCENARIO, timeScale: 0.05 });
  endpoints = await startProviderEndpoints({ twin: sky.api.twin, zones: EXTERNAL });
  await sky.characterize();
  // Every CPU runs the workload alike (the model's time at each size), so prices and grids alone decide.
  const cpus = ['intel-xeon-2.50', 'intel-xeon-3.00', 'amd-epyc', 'intel-xeon-2.40', 'intel-xeon-2.70'];
  for (const cpu of cpus) {
    for (const [memoryMb, ms] of [
      [1024, 1000 / (1024 / 1769)],
      [2048, 1000],
    ] as const) {
      for (let i = 0; i < 30; i++)
        await sky.store.addProfileObservation('zipper', { cpu, arch: 'x86_64', memoryMb }, ms);
    }
  }
});

afterAll(async () => {
  await endpoints?.close();
  await sky?.close();
});

/** A router over the sky with these endpoint settings, built as the router Lambda builds its own. */
function routerWith(config: readonly ExternalZoneInput[]): RouterHandler {
  const zones = parseExternalZones(config);
  return sky.router({
    config: withExternalZones(sky.config, zones),
    invoker: routerInvoker(sky.invoker, zones, { secrets: new SecretResolver({ env: {} }) }),
  });
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

type Answer = RoutedCall & { readonly placement: NonNullable<RoutedCall['placement']>; readonly httpStatus?: number };

async function route(router: RouterHandler, request: Record<string, unknown>): Promise<Answer> {
  const answer = (await router.route({ workload: { name: 'zipper' }, profile: 'zipper', ...request })) as Answer;
  if (!answer.placement) throw new Error(`no placement: ${JSON.stringify(answer)}`);
  return answer;
}

describe('Sampling a zone on another provider', () => {
  it("polls its samplers over HTTPS through the fan-out tree, with the zone's authentication", async () => {
    const zones = parseExternalZones(endpoints.config);
    const fanoutName = 'sky-fan-ibm-eu-gb';
    const twin = sky.api.twin;
    // The fan-out is a Lambda function (its children go to the twin's Lambda); its leaves call the samplers.
    const lambda: Invoker = {
      invoke: (name, payload, options) =>
        name === fanoutName
          ? fanout(payload).then((answer) => ({ ok: true as const, payload: answer, durationMs: 0 }))
          : twin.invoker.invoke(name, payload, options),
    };
    const fanout = createFanoutHandler({
      invoker: meshInvoker({ lambda, external: zones, https: { secrets: new SecretResolver({ env: {} }) } }),
      selfName: fanoutName,
    });
    const before = endpoints.served['ibm-eu-gb']?.[200] ?? 0;
    const poll = (await fanout({ target: 'sky-smp-ibm-eu-gb-01', count: 40, branching: 8 })) as PollAggregate;
    expect(poll.requested).toBe(40);
    expect(poll.succeeded).toBe(40);
    expect(Object.keys(poll.cpuCounts)).toEqual(['intel-xeon-2.40']);
    expect((endpoints.served['ibm-eu-gb']?.[200] ?? 0) - before).toBe(40);
  });

  it('counts a refused secret as failed requests of the poll, not as CPUs', async () => {
    const config = endpoints.config.map((zone) =>
      zone.auth.type === 'ibm-iam' ? { ...zone, auth: { ...zone.auth, apiKey: { value: 'wrong-key' } } } : zone,
    );
    const fanout = createFanoutHandler({
      invoker: meshInvoker({
        lambda: sky.api.twin.invoker,
        external: parseExternalZones(config),
        https: { secrets: new SecretResolver({ env: {} }) },
      }),
      selfName: 'sky-fan-ibm-eu-gb',
    });
    const poll = (await fanout({ target: 'sky-smp-ibm-eu-gb-00', count: 8, branching: 8 })) as PollAggregate;
    expect(poll.succeeded).toBe(0);
    expect(poll.failures.AuthenticationFailed).toBe(8);
  });
});

describe('Routing across providers', () => {
  it('runs work on IBM Code Engine where it is cheaper, billed at the catalog price', async () => {
    const router = routerWith(endpoints.config);
    const answer = await route(router, { objective: 'cost', strategy: 'optimal' });
    expect(answer.status).toBe('ok');
    expect(answer.placement.target.azId).toBe('ibm-eu-gb');
    const last = answer.attempts[answer.attempts.length - 1];
    expect(last.functionName).toMatch(/^sky-ibm-eu-gb-x86_64-(1024|2048|4096)$/);
    expect(last.cpu).toBe('intel-xeon-2.40');
    // Code Engine: vCPU-seconds at 1 vCPU per 4 GB plus GB-seconds, plus $0.538 per million calls.
    const gb = answer.placement.target.memoryMb / 1024;
    const expected = (last.billedMs! / 1000) * gb * (0.25 * 0.00003431 + 0.00000356) + 0.538e-6;
    expect(last.costUsd).toBeCloseTo(expected, 12);
    expect(endpoints.served['ibm-eu-gb']?.[200]).toBeGreaterThan(0);
    // Passive learning applies as for Lambda: the new instance's CPU counts toward the IBM zone.
    await router.flush();
    expect((await sky.store.passiveCounts('ibm-eu-gb'))?.counts['intel-xeon-2.40']).toBeGreaterThan(0);
  });

  it('sends work to the greener grid under the carbon objective (London, not California)', async () => {
    const router = routerWith(endpoints.config);
    // São Paulo's grid (62 g/kWh in CCF) is greener still; out of the limits here, the choice is North America.
    const answer = await route(router, {
      objective: 'carbon',
      strategy: 'optimal',
      limits: { zones: ['usw1-az1', 'usw1-az3', 'ibm-eu-gb', 'do-lon1'] },
    });
    expect(answer.status).toBe('ok');
    expect(['ibm-eu-gb', 'do-lon1']).toContain(answer.placement.target.azId);
  });

  it('exchanges the IAM API key once and reuses the token', async () => {
    const before = endpoints.tokenExchanges();
    const router = routerWith(endpoints.config);
    for (let i = 0; i < 5; i++) {
      const answer = await route(router, { objective: 'cost', strategy: 'optimal' });
      expect(answer.placement.target.azId).toBe('ibm-eu-gb');
    }
    expect(endpoints.tokenExchanges() - before).toBe(1);
  });

  it.each([
    [503, 'ServiceException', 'zone-error'],
    [429, 'TooManyRequestsException', 'throttled'],
  ] as const)('fails over from a provider answering %d to another target', async (status, errorType, attemptStatus) => {
    const router = routerWith(endpoints.config);
    endpoints.setOutage('ibm-eu-gb', status);
    try {
      const answer = await route(router, { objective: 'cost', strategy: 'optimal' });
      expect(answer.status).toBe('ok');
      expect(answer.attempts[0]).toMatchObject({ azId: 'ibm-eu-gb', status: attemptStatus, errorType });
      expect(answer.placement.target.azId).not.toBe('ibm-eu-gb');
    } finally {
      endpoints.setOutage('ibm-eu-gb', undefined);
    }
  });

  it('fails over when an IBM API key is wrong, naming the target and never the key', async () => {
    const wrongKey = 'not-the-key-0123456789';
    const config = endpoints.config.map((zone) =>
      zone.auth.type === 'ibm-iam' ? { ...zone, auth: { ...zone.auth, apiKey: { value: wrongKey } } } : zone,
    );
    const answer = await route(routerWith(config), { objective: 'cost', strategy: 'optimal' });
    expect(answer.status).toBe('ok');
    const failed = answer.attempts[0];
    expect(failed).toMatchObject({ azId: 'ibm-eu-gb', errorType: 'AuthenticationFailed' });
    expect(failed.errorMessage).toContain('sky-ibm-eu-gb-x86_64-');
    expect(failed.errorMessage).toContain('Provided API key could not be found');
    expect(JSON.stringify(answer)).not.toContain(wrongKey);
    expect(answer.placement.target.azId).not.toBe('ibm-eu-gb');
  });

  it('fails over from DigitalOcean when its secret is wrong (401 from the endpoint)', async () => {
    const config = endpoints.config.map((zone) =>
      zone.auth.type === 'digitalocean-secret'
        ? { ...zone, auth: { type: 'digitalocean-secret' as const, secret: { value: 'wrong-secret' } } }
        : zone,
    );
    // London's grid is greener than California's: under the carbon objective DigitalOcean comes first.
    const answer = await route(routerWith(config), {
      objective: 'carbon',
      strategy: 'optimal',
      limits: { zones: ['do-lon1', 'usw1-az1'] },
    });
    expect(answer.status).toBe('ok');
    expect(answer.attempts[0]).toMatchObject({ azId: 'do-lon1', errorType: 'AuthenticationFailed' });
    expect(answer.placement.target.azId).toBe('usw1-az1');
  });

  /** The endpoints' settings with every IBM function at `url`. */
  const withIbmFunctionsAt = (url: string) =>
    endpoints.config.map((zone) =>
      zone.provider === 'ibm-code-engine'
        ? { ...zone, functions: Object.fromEntries(Object.keys(zone.functions).map((mb) => [mb, url])) }
        : zone,
    );

  it('fails over from an unreachable endpoint', async () => {
    const port = await closedPort();
    const config = withIbmFunctionsAt(`http://127.0.0.1:${port}/nothing`);
    const answer = await route(routerWith(config), { objective: 'cost', strategy: 'optimal' });
    expect(answer.status).toBe('ok');
    expect(answer.attempts[0]).toMatchObject({ azId: 'ibm-eu-gb', errorType: 'EndpointUnreachable' });
    expect(answer.attempts[0].errorMessage).toMatch(
      /sky-ibm-eu-gb-x86_64-\d+ \(ibm-code-engine eu-gb, 127\.0\.0\.1:\d+\).*ECONNREFUSED/,
    );
    expect(answer.placement.target.azId).not.toBe('ibm-eu-gb');
  });

  it('does not fail over from a connection that broke after the request was delivered: the work may be running', async () => {
    // GIVEN an IBM endpoint that takes the whole request, then resets the connection without answering
    let delivered = 0;
    const resetting = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        delivered++;
        res.socket?.resetAndDestroy();
      });
    });
    await new Promise<void>((resolve) => resetting.listen(0, '127.0.0.1', resolve));
    const { port } = resetting.address() as AddressInfo;
    const config = withIbmFunctionsAt(`http://127.0.0.1:${port}/dynamic`);
    try {
      // WHEN a call is placed there
      const answer = await route(routerWith(config), { objective: 'cost', strategy: 'optimal' });
      // THEN it answers 502 naming the broken connection, and no other zone was sent the work
      expect(answer.placement.target.azId).toBe('ibm-eu-gb');
      expect(delivered).toBe(1);
      expect(answer.status).toBe('error');
      expect(answer.httpStatus).toBe(502);
      expect(answer.attempts).toHaveLength(1);
      expect(answer.attempts[0]).toMatchObject({ azId: 'ibm-eu-gb', errorType: 'ConnectionBroken' });
      expect(answer.attempts[0].errorMessage).toMatch(
        /may have been sent.*ECONNRESET|may have been sent.*UND_ERR_SOCKET/,
      );
    } finally {
      await new Promise<void>((resolve) => resetting.close(() => resolve()));
    }
  });

  it('answers 503 naming every failed zone when no provider is left', async () => {
    // 503: the endpoints did not start the work (a 500 or 502 might have, and is not failed over from)
    endpoints.setOutage('ibm-eu-gb', 503);
    endpoints.setOutage('do-lon1', 503);
    try {
      const answer = await route(routerWith(endpoints.config), {
        objective: 'cost',
        strategy: 'optimal',
        limits: { zones: ['ibm-eu-gb', 'do-lon1'] },
      });
      expect(answer.status).toBe('error');
      expect(answer.httpStatus).toBe(503);
      expect((answer as { error: { message: string } }).error.message).toMatch(/ibm-eu-gb.*do-lon1|do-lon1.*ibm-eu-gb/);
      expect(answer.attempts.map((a) => a.errorType).sort()).toEqual(['ServiceException', 'ServiceException']);
    } finally {
      endpoints.setOutage('ibm-eu-gb', undefined);
      endpoints.setOutage('do-lon1', undefined);
    }
  });
});

describe("A result over a provider's limit", () => {
  // Sent code whose answer is about 1.1 MB: over DigitalOcean's 1 MB, within Code Engine's and Lambda's.
  const big = { code: { source: 'exports.run = () => "x".repeat(1_100_000);' } };

  it('is a 502 FunctionError naming ResultTooLarge from a DigitalOcean zone, not failed over (the work ran)', async () => {
    const router = routerWith(endpoints.config);
    const answer = (await router.route({ ...big, limits: { zones: ['do-lon1'] } })) as RoutedCall;
    expect(answer.status).toBe('error');
    if (answer.status !== 'error') return;
    expect(answer.httpStatus).toBe(502);
    expect(answer.error.type).toBe('FunctionError');
    expect(answer.error.message).toMatch(
      /^sky-do-lon1-x86_64-\d+ failed with ResultTooLarge: .* at most 1048576 bytes/,
    );
    expect(answer.attempts.filter((a) => a.status !== 'rejected')).toHaveLength(1);
  });

  it('passes the same result on whole from a zone without that limit', async () => {
    const router = routerWith(endpoints.config);
    const answer = (await router.route({ ...big, limits: { zones: ['ibm-eu-gb'] } })) as RoutedCall;
    expect(answer.status).toBe('ok');
    if (answer.status === 'ok') expect(answer.result).toHaveLength(1_100_000);
  });
});

describe("An input over a provider's limit", () => {
  // Sent code with about 1.1 MB of input: over DigitalOcean's 1 MB, within Code Engine's and Lambda's.
  const big = { code: { source: 'exports.run = (x) => x.length;' }, input: 'x'.repeat(1_100_000) };

  it('is refused before sending to a DigitalOcean zone, with an error naming the limit and the target', async () => {
    const router = routerWith(endpoints.config);
    const answer = (await router.route({ ...big, limits: { zones: ['do-lon1'] } })) as RoutedCall;
    expect(answer.status).toBe('error');
    if (answer.status !== 'error') return;
    expect(answer.error.message).toMatch(
      /InputTooLarge: sky-do-lon1-x86_64-\d+ \(digitalocean lon1.*\): the request is \d+ bytes; digitalocean accepts at most 1048576 bytes of input/,
    );
    expect(answer.attempts).toHaveLength(1);
    expect(answer.attempts[0]).toMatchObject({ status: 'zone-error', errorType: 'InputTooLarge', costUsd: 0 });
  });

  it('runs the same input in a zone without that limit', async () => {
    const router = routerWith(endpoints.config);
    const answer = (await router.route({ ...big, limits: { zones: ['ibm-eu-gb'] } })) as RoutedCall;
    expect(answer.status).toBe('ok');
    if (answer.status === 'ok') expect(answer.result).toBe(1_100_000);
  });
});
