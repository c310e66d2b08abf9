import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  checkSignature,
  EndpointConfigError,
  hmacCheck,
  IamTokenSource,
  parseExternalZones,
  SecretResolver,
  SecretUnavailableError,
  signBody,
  TOKEN_RENEW_MARGIN_MS,
} from '../../lib/providers';

const DO_ZONE = {
  provider: 'digitalocean',
  region: 'tor1',
  functions: { '1024': 'https://faas-tor1-1.doserverless.co/api/v1/web/fn-x/sky/dynamic-1024' },
  auth: { type: 'digitalocean-secret', secret: { secretId: 'skymesh/do' } },
};

describe('External zone configuration', () => {
  it('gives a DigitalOcean zone its zone ID, sizes and catalog facts', () => {
    const [zone] = parseExternalZones([DO_ZONE]);
    expect(zone.azId).toBe('do-tor1');
    expect(zone.memorySizes).toEqual([1024]);
    expect(zone.architectures).toEqual(['x86_64']);
    expect(zone.facts.pricePerGbSecond.x86_64).toBe(0.0000185);
  });

  it.each([
    [{ ...DO_ZONE, region: 'nyc1' }, 'endpoints[0].region', /tor1/],
    [
      { ...DO_ZONE, functions: { '2048': DO_ZONE.functions['1024'] } },
      'endpoints[0].functions.2048',
      /128, 256, 512, 1024/,
    ],
    [{ ...DO_ZONE, functions: { '1024': 'http://example.com/x' } }, 'endpoints[0].functions.1024', /https/],
    [
      {
        provider: 'ibm-code-engine',
        region: 'eu-gb',
        functions: { '1024': 'https://fn.example.org' },
        auth: { type: 'ibm-iam', apiKey: { secretId: 'k' }, tokenUrl: 'http://iam.example.org/identity/token' },
      },
      'endpoints[0].auth.tokenUrl',
      /https/,
    ],
    [{ ...DO_ZONE, auth: { type: 'bearer', secret: { env: 'X' } } }, 'endpoints[0].auth.type', /digitalocean-secret/],
    [{ ...DO_ZONE, price: { perGbSecond: 1, perRequest: 0 } }, 'endpoints[0].price', /catalog/],
    // A deployed router holds its role's keys in these: the endpoint would be sent them.
    ...['AWS_SECRET_ACCESS_KEY', 'aws_session_token', 'LAMBDA_TASK_ROOT', '_HANDLER'].map(
      (env): [unknown, string, RegExp] => [
        { ...DO_ZONE, auth: { type: 'digitalocean-secret', secret: { env } } },
        'endpoints[0].auth.secret.env',
        /a variable of your own, not one the Lambda runtime or the AWS SDK sets/,
      ],
    ),
    [{ ...DO_ZONE, provider: 'https', region: 'lab' }, 'endpoints[0].price', /required for provider https/],
  ])('fails when a field is wrong, naming it (%#)', (zone, path, allowed) => {
    try {
      parseExternalZones([zone]);
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(EndpointConfigError);
      expect((error as EndpointConfigError).path).toBe(path);
      expect((error as Error).message).toMatch(allowed);
    }
  });

  it('never echoes a secret in an error', () => {
    const secret = 'super-secret-value-123';
    expect(() =>
      parseExternalZones([{ ...DO_ZONE, auth: { type: 'digitalocean-secret', secret: { value: secret, extra: 1 } } }]),
    ).toThrow(EndpointConfigError);
    try {
      parseExternalZones([{ ...DO_ZONE, auth: { type: 'digitalocean-secret', secret: { value: secret, extra: 1 } } }]);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });

  it.each([
    ['a key it does not know', { apiKey: 'super-secret-value-123', ...DO_ZONE }],
    [
      'a URL carrying a token',
      { ...DO_ZONE, functions: { '1024': 'http://fn.example.org/?token=super-secret-value-123' } },
    ],
  ])('never echoes a secret given under %s', (_what, zone) => {
    expect(() => parseExternalZones([zone])).toThrow(EndpointConfigError);
    try {
      parseExternalZones([zone]);
    } catch (error) {
      expect((error as Error).message).toContain('(not shown)');
      expect((error as Error).message).not.toContain('super-secret-value-123');
    }
  });

  it('still shows a wrong value that cannot hold a secret', () => {
    expect(() => parseExternalZones([{ ...DO_ZONE, region: 'Tor 1' }])).toThrow('endpoints[0].region is "Tor 1"');
  });
});

describe('HMAC signatures', () => {
  const now = Date.parse('2026-06-01T00:00:00Z');
  it('accepts its own signature and refuses another body, secret or a stale time', async () => {
    const header = signBody('s3cret', '{"a":1}', now);
    expect(checkSignature('s3cret', '{"a":1}', header, now + 1000)).toBeUndefined();
    expect(checkSignature('s3cret', '{"a":2}', header, now)).toMatch(/does not match/);
    expect(checkSignature('other', '{"a":1}', header, now)).toMatch(/does not match/);
    expect(checkSignature('s3cret', '{"a":1}', header, now + 301_000)).toMatch(/too old/);
    expect(await hmacCheck('s3cret', () => now).check({ 'x-sky-signature': header }, '{"a":1}')).toBeUndefined();
  });
});

describe('Secrets', () => {
  it('reads Secrets Manager once, picks a JSON key and names the secret when it fails', async () => {
    let reads = 0;
    const resolver = new SecretResolver({
      env: {},
      secretsManager: async (id) => {
        reads++;
        if (id === 'missing') throw Object.assign(new Error('x'), { name: 'ResourceNotFoundException' });
        return JSON.stringify({ apiKey: 'k-1' });
      },
    });
    expect(await resolver.resolve({ secretId: 'skymesh/ibm', jsonKey: 'apiKey' })).toBe('k-1');
    expect(await resolver.resolve({ secretId: 'skymesh/ibm', jsonKey: 'apiKey' })).toBe('k-1');
    expect(reads).toBe(1);
    await expect(resolver.resolve({ secretId: 'missing' })).rejects.toThrow(
      /secretsmanager:missing is unavailable: ResourceNotFoundException/,
    );
    await expect(resolver.resolve({ env: 'SKY_NOT_SET' })).rejects.toBeInstanceOf(SecretUnavailableError);
  });
});

describe('IBM Cloud IAM tokens', () => {
  let server: Server;
  let url: string;
  let exchanges = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => {
        body += c;
      });
      req.on('end', () => {
        const form = new URLSearchParams(body);
        res.setHeader('Content-Type', 'application/json');
        if (form.get('apikey') !== 'good' || form.get('grant_type') !== 'urn:ibm:params:oauth:grant-type:apikey') {
          res.statusCode = 400;
          res.end(JSON.stringify({ errorCode: 'BXNIM0415E', errorMessage: 'Provided API key could not be found.' }));
          return;
        }
        exchanges++;
        res.end(JSON.stringify({ access_token: `token-${exchanges}`, expires_in: 3600 }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/identity/token`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('exchanges once for concurrent callers, again only near expiry or after invalidate', async () => {
    let now = 1_000_000;
    const source = new IamTokenSource({ apiKey: async () => 'good', tokenUrl: url, clock: () => now });
    const tokens = await Promise.all([source.get(), source.get(), source.get()]);
    expect(new Set(tokens).size).toBe(1);
    expect(source.exchanges).toBe(1);
    now += 3600_000 - TOKEN_RENEW_MARGIN_MS - 1000;
    await source.get();
    expect(source.exchanges).toBe(1);
    now += 2000;
    expect(await source.get()).not.toBe(tokens[0]);
    expect(source.exchanges).toBe(2);
    source.invalidate();
    await source.get();
    expect(source.exchanges).toBe(3);
  });

  it("fails with IAM's reason and the token URL, never the key", async () => {
    const source = new IamTokenSource({ apiKey: async () => 'bad-key-xyz', tokenUrl: url });
    const error = await source.get().catch((e: Error) => e);
    expect((error as Error).message).toContain('Provided API key could not be found');
    expect((error as Error).message).toContain(url);
    expect((error as Error).message).not.toContain('bad-key-xyz');
  });
});
