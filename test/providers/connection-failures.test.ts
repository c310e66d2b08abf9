import { createServer, type Server } from 'node:http';
import type { InvokeResult } from '../../lib/contracts/invoker';
import { httpsInvoker, parseExternalZones, SecretResolver } from '../../lib/providers';
import { listenOnLoopback } from './loopback';

/**
 * How the HTTPS invoker names a failed connection, which decides whether the router fails over: only a request that
 * cannot have reached the endpoint (`EndpointUnreachable`) may be sent elsewhere; one that may have been delivered
 * (`ConnectionBroken`) may be running, and is not.
 */

const FUNCTION = 'sky-ext-lab-x86_64-2048';

/** An invoker for an HTTPS zone whose 2048 MB function is at `url`, its HMAC secret `secret`. */
function invokerAt(url: string, options: { fetch?: typeof fetch; secret?: string } = {}) {
  const [zone] = parseExternalZones([
    {
      provider: 'https',
      region: 'lab',
      functions: { '2048': url },
      auth: { type: 'hmac', secret: { env: 'SECRET' } },
      price: { perGbSecond: 0.00001, perRequest: 0 },
      location: { lat: 47.6, lon: -122.3 },
    },
  ]);
  return httpsInvoker(zone, {
    secrets: new SecretResolver({ env: { SECRET: options.secret ?? 's3cret' } }),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}

/** A fetch that fails as undici does: a `TypeError('fetch failed')` whose cause is `cause`. */
const failingFetch = (cause: unknown): typeof fetch =>
  (async () => {
    throw new TypeError('fetch failed', { cause });
  }) as unknown as typeof fetch;

const errorTypeOf = (result: InvokeResult): string => (result.ok ? 'ok' : result.errorType);

describe('the HTTPS invoker names a failed connection by whether the request may have been delivered', () => {
  it.each([
    ['no address', { code: 'ENOTFOUND' }],
    ['a refused connect', { code: 'ECONNREFUSED' }],
    ['a connect timeout', { code: 'UND_ERR_CONNECT_TIMEOUT' }],
    ['a certificate refused in the handshake', { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }],
    ['a TLS version refused in the handshake', { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }],
    [
      'every address tried failing to connect, one by timing out',
      new AggregateError([{ code: 'ETIMEDOUT' }, { code: 'ECONNREFUSED' }], 'connect failed'),
    ],
  ])('%s: EndpointUnreachable (the work never started)', async (_, cause) => {
    const result = await invokerAt('https://fn.example.org/sky', { fetch: failingFetch(cause) }).invoke(FUNCTION, {});
    expect(errorTypeOf(result)).toBe('EndpointUnreachable');
  });

  it.each([
    ['a reset', { code: 'ECONNRESET' }],
    ['the endpoint closing the socket', { code: 'UND_ERR_SOCKET' }],
    ['a socket timeout after connecting', { code: 'ETIMEDOUT' }],
    ['a TLS record error after the handshake', { code: 'ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC' }],
    ['an error with no code', new Error('other side closed')],
  ])('%s: ConnectionBroken (the work may be running)', async (_, cause) => {
    const result = await invokerAt('https://fn.example.org/sky', { fetch: failingFetch(cause) }).invoke(FUNCTION, {});
    expect(errorTypeOf(result)).toBe('ConnectionBroken');
    if (!result.ok) expect(result.retryable).toBe(false);
  });

  it('refuses a request fetch cannot build without quoting the secret in its header', async () => {
    // GIVEN fetch refusing a header built from the secret, quoting it (DigitalOcean sends its secret as a header, and
    // a secret with a line break is an invalid header value): the error is forged, as the HMAC header here is safe
    const secret = 'line\nbreak';
    const headerError: typeof fetch = (async () => {
      throw new TypeError(`Headers.append: "${secret}" is an invalid header value.`);
    }) as unknown as typeof fetch;
    const result = await invokerAt('https://fn.example.org/sky', { fetch: headerError, secret }).invoke(FUNCTION, {});
    expect(errorTypeOf(result)).toBe('EndpointUnreachable');
    if (!result.ok) {
      expect(result.message).toMatch(/could not be built \(TypeError/);
      expect(result.message).not.toContain('line');
    }
  });

  describe('against a loopback endpoint', () => {
    let server: Server;
    let origin: string;
    let delivered = 0;

    beforeAll(async () => {
      // Answers 200 with a body it cuts off midway: the request was delivered and answered.
      server = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          delivered++;
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
          res.write('{"partial": ');
          setTimeout(() => res.socket?.resetAndDestroy(), 20);
        });
      });
      origin = await listenOnLoopback(server);
    });

    afterAll(async () => {
      await new Promise((resolve) => server.close(resolve));
    });

    it('names a connection that broke while the answer was read ConnectionBroken, with its status', async () => {
      const result = await invokerAt(`${origin}/sky`).invoke(FUNCTION, {});
      expect(delivered).toBe(1);
      expect(errorTypeOf(result)).toBe('ConnectionBroken');
      if (!result.ok) expect(result.message).toMatch(/while the answer \(HTTP 200\) was read/);
    });
  });
});
