import { createServer, type Server } from 'node:http';
import { DIGITALOCEAN_FUNCTIONS } from '../../lib/catalog/providers';
import { httpsInvoker, parseExternalZones, SecretResolver } from '../../lib/providers';
import { listenOnLoopback } from './loopback';

/** A JSON answer of exactly `bytes` bytes. */
function answerOf(bytes: number): string {
  const shell = JSON.stringify({ pad: '' });
  return JSON.stringify({ pad: 'x'.repeat(bytes - shell.length) });
}

/** An invoker for a DigitalOcean zone whose 1024 MB function is served at `origin`. */
function digitalOceanInvoker(origin: string) {
  const [zone] = parseExternalZones([
    {
      provider: 'digitalocean',
      region: 'tor1',
      functions: { '1024': `${origin}/dynamic-1024` },
      auth: { type: 'digitalocean-secret', secret: { env: 'SECRET' } },
    },
  ]);
  return httpsInvoker(zone, { secrets: new SecretResolver({ env: { SECRET: 's3cret' } }) });
}

describe("a provider's result limit (DigitalOcean: 1 MB)", () => {
  let server: Server;
  let origin: string;
  /** Size of the next answer the loopback function gives, bytes. */
  let answerBytes = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(answerOf(answerBytes)));
    });
    origin = await listenOnLoopback(server);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const invoker = () => digitalOceanInvoker(origin);

  it('is the catalog figure of 2^20 bytes', () => {
    expect(DIGITALOCEAN_FUNCTIONS.maxResultBytes).toBe(1_048_576);
  });

  it('passes an answer of exactly the limit on', async () => {
    answerBytes = 1_048_576;
    const result = await invoker().invoke('sky-do-tor1-x86_64-1024', {});
    expect(result.ok).toBe(true);
    if (result.ok) expect(JSON.stringify(result.payload)).toHaveLength(1_048_576);
  });

  it('refuses an answer one byte over it with ResultTooLarge, naming the function, the size and the limit, not to be retried', async () => {
    answerBytes = 1_048_577;
    const result = await invoker().invoke('sky-do-tor1-x86_64-1024', {});
    expect(result).toMatchObject({ ok: false, errorType: 'ResultTooLarge', retryable: false });
    if (result.ok) return;
    expect(result.message).toContain('sky-do-tor1-x86_64-1024 (digitalocean tor1');
    expect(result.message).toContain('1048577 bytes');
    expect(result.message).toContain('at most 1048576 bytes');
    expect(result.message).not.toContain('s3cret');
  });
});

describe("a provider's input limit (DigitalOcean: 1 MB of input parameters)", () => {
  let server: Server;
  let origin: string;
  const received: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      req.on('end', () => {
        received.push(bytes);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      });
    });
    origin = await listenOnLoopback(server);
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  const invoker = () => digitalOceanInvoker(origin);

  it('is the catalog figure of 2^20 bytes', () => {
    expect(DIGITALOCEAN_FUNCTIONS.maxInputBytes).toBe(1_048_576);
  });

  it('sends a request of exactly the limit', async () => {
    received.length = 0;
    const result = await invoker().invoke('sky-do-tor1-x86_64-1024', JSON.parse(answerOf(1_048_576)));
    expect(result.ok).toBe(true);
    expect(received).toEqual([1_048_576]);
  });

  it('refuses a request one byte over it before sending, with InputTooLarge naming the function, the size and the limit', async () => {
    received.length = 0;
    const result = await invoker().invoke('sky-do-tor1-x86_64-1024', JSON.parse(answerOf(1_048_577)));
    expect(result).toMatchObject({ ok: false, errorType: 'InputTooLarge', retryable: true });
    expect(received).toEqual([]);
    if (result.ok) return;
    expect(result.message).toContain('sky-do-tor1-x86_64-1024 (digitalocean tor1');
    expect(result.message).toContain('the request is 1048577 bytes');
    expect(result.message).toContain('at most 1048576 bytes of input');
    expect(result.message).not.toContain('s3cret');
  });
});
