import { generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ExternalProvider, providerOfZone } from '../core/naming';
import type { ExternalZoneInput } from '../providers/config';
import { type FunctionAnswer, functionListener } from '../providers/function-server';
import { bearerCheck, type CallerCheck, hmacCheck, iamTokenCheck, whiskSecretCheck } from '../providers/verify';
import type { Twin } from './twin';

/**
 * The twin's zones of other providers, served on loopback as the endpoints of those providers, so that
 * the router's real HTTPS invoker, its authentication and its failure handling run against them:
 *
 * - IBM Code Engine: `POST /ibm/<zone>/<function>` with `Authorization: Bearer <IAM token>`, checked by
 *   the same `iamTokenCheck` the packaged container runs, against an emulated IAM on the same server
 *   (`POST /identity/token` exchanges the API key for an RS256 JWT, `GET /identity/keys` serves the JWKS).
 * - DigitalOcean Functions: `POST /api/v1/web/fn-twin/<zone>/<function>` with `X-Require-Whisk-Auth`.
 * - Any HTTPS endpoint (`ext-` zones): `POST /ext/<zone>/<function>` with a bearer secret.
 *
 * Behind the check, the call runs in the zone's emulated instances (`twin.call`): a zone without a free
 * slot answers 429, a crashed or timed-out handler 502/504. `setOutage` makes a zone answer a status of
 * its own (a provider's 5xx or 429) until cleared.
 */
export interface ProviderEndpoints {
  /** `http://127.0.0.1:<port>`. */
  readonly origin: string;
  /** The mesh configuration's `endpoints` for these zones: URLs and (inline) secrets. */
  readonly config: readonly ExternalZoneInput[];
  /** The IBM API key, the DigitalOcean secret and the bearer secret the endpoints accept. */
  readonly secrets: { readonly ibmApiKey: string; readonly doSecret: string; readonly bearer: string };
  /** Makes a zone answer `status` to every call (a provider outage or throttle); undefined clears it. */
  setOutage(azId: string, status: number | undefined): void;
  /** Calls answered so far, by zone and HTTP status. */
  readonly served: Readonly<Record<string, Readonly<Record<number, number>>>>;
  /** IAM token exchanges served. */
  readonly tokenExchanges: () => number;
  close(): Promise<void>;
}

export interface ProviderEndpointsOptions {
  readonly twin: Twin;
  /** The external zones to serve: zone ID, region, memory sizes deployed, samplers. */
  readonly zones: ReadonlyArray<{
    readonly azId: string;
    readonly region: string;
    readonly memorySizes: readonly number[];
    readonly samplers?: number;
  }>;
  /** Port on 127.0.0.1; 0 picks a free one. @default 0 */
  readonly port?: number;
  /** Use `hmac` instead of `bearer` for `ext-` zones. @default false */
  readonly hmac?: boolean;
}

/** The service ID the emulated IAM issues tokens to, and the endpoints allow. */
const ROUTER_IAM_ID = 'iam-ServiceId-skymesh-router';

/** Starts the loopback endpoints of every external zone. */
export async function startProviderEndpoints(options: ProviderEndpointsOptions): Promise<ProviderEndpoints> {
  const secrets = {
    ibmApiKey: randomBytes(24).toString('base64url'),
    doSecret: randomBytes(24).toString('base64url'),
    bearer: randomBytes(24).toString('base64url'),
  };
  const iam = emulatedIam(secrets.ibmApiKey);
  const outages = new Map<string, number>();
  const served: Record<string, Record<number, number>> = {};
  let origin = '';
  const checks = new Map<string, CallerCheck>();
  const zoneOf = (path: string): { azId: string; functionName: string } | undefined => {
    const match = /^\/(?:ibm|ext|api\/v1\/web\/fn-twin)\/([a-z0-9-]+)\/([A-Za-z0-9_-]+)$/.exec(path);
    return match ? { azId: match[1], functionName: match[2] } : undefined;
  };
  const listener = functionListener({
    check: (path) => {
      const at = zoneOf(path);
      return at ? checks.get(at.azId) : undefined;
    },
    call: async (path, payload): Promise<FunctionAnswer> => {
      const { azId, functionName } = zoneOf(path)!;
      const outage = outages.get(azId);
      if (outage !== undefined) {
        if (outage === 429) return { kind: 'throttled', message: `${azId} is throttling every call (emulated)` };
        return { kind: 'failed', status: outage as 500, message: `${azId} is failing every call (emulated)` };
      }
      const result = await options.twin.call(functionName, payload);
      switch (result.kind) {
        case 'ok':
          return { kind: 'ok', payload: result.payload };
        case 'throttled':
          return { kind: 'throttled', message: result.message };
        case 'not-found':
          return { kind: 'not-found', message: result.message };
        case 'timeout':
          return { kind: 'failed', status: 504, message: result.message };
        case 'function-error':
          return { kind: 'failed', status: 502, message: `${result.errorType}: ${result.errorMessage}` };
        default:
          return { kind: 'failed', status: 500, message: 'the call was queued, not answered' };
      }
    },
  });
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path.startsWith('/identity/')) {
      iam.handle(req, res).catch(() => res.destroy());
      return;
    }
    const at = zoneOf(path);
    res.on('finish', () => {
      if (!at) return;
      served[at.azId] ??= {};
      const byStatus = served[at.azId];
      byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
    });
    listener(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', 4096, () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const config: ExternalZoneInput[] = options.zones.map((zone) => {
    const provider = providerOfZone(zone.azId);
    if (provider === 'aws') throw new Error(`${zone.azId} is an AWS zone, not one of another provider`);
    checks.set(zone.azId, checkFor(provider, origin, secrets, options.hmac ?? false));
    const base = basePath(provider, origin, zone.azId);
    const functions = Object.fromEntries(
      zone.memorySizes.map((mb) => [String(mb), `${base}/sky-${zone.azId}-x86_64-${mb}`]),
    );
    const samplers = Array.from(
      { length: zone.samplers ?? 0 },
      (_, i) => `${base}/sky-smp-${zone.azId}-${String(i).padStart(2, '0')}`,
    );
    const region = zone.region;
    if (provider === 'ibm-code-engine') {
      const tokenUrl = `${origin}/identity/token`;
      return {
        provider,
        region,
        functions,
        samplers,
        auth: { type: 'ibm-iam', apiKey: { value: secrets.ibmApiKey }, tokenUrl },
      };
    }
    if (provider === 'digitalocean') {
      return {
        provider,
        region,
        functions,
        samplers,
        auth: { type: 'digitalocean-secret', secret: { value: secrets.doSecret } },
      };
    }
    return {
      provider,
      region,
      functions,
      samplers,
      auth: { type: options.hmac ? 'hmac' : 'bearer', secret: { value: secrets.bearer } },
      price: { perGbSecond: 0.0000125, perRequest: 0 },
      location: { lat: 47.6, lon: -122.3 },
    };
  });

  return {
    origin,
    config,
    secrets,
    served,
    tokenExchanges: () => iam.exchanges,
    setOutage(azId, status) {
      if (status === undefined) outages.delete(azId);
      else outages.set(azId, status);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      server.closeAllConnections();
      await closed;
    },
  };
}

function basePath(provider: ExternalProvider, origin: string, azId: string): string {
  if (provider === 'digitalocean') return `${origin}/api/v1/web/fn-twin/${azId}`;
  return `${origin}/${provider === 'ibm-code-engine' ? 'ibm' : 'ext'}/${azId}`;
}

function checkFor(
  provider: ExternalProvider,
  origin: string,
  secrets: ProviderEndpoints['secrets'],
  hmac: boolean,
): CallerCheck {
  switch (provider) {
    case 'ibm-code-engine':
      return iamTokenCheck({ keysUrl: `${origin}/identity/keys`, allowedIamIds: [ROUTER_IAM_ID] });
    case 'digitalocean':
      return whiskSecretCheck(secrets.doSecret);
    case 'https':
      return hmac ? hmacCheck(secrets.bearer) : bearerCheck(secrets.bearer);
  }
}

/** IBM Cloud IAM's token exchange and key set, as far as the router and the endpoints use them. */
function emulatedIam(apiKey: string): {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  exchanges: number;
} {
  const kid = randomUUID();
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  const state = {
    exchanges: 0,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const path = (req.url ?? '').split('?')[0];
      if (req.method === 'GET' && path === '/identity/keys') return reply(res, 200, { keys: [jwk] });
      if (req.method !== 'POST' || path !== '/identity/token') return reply(res, 404, { errorMessage: 'not found' });
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.get('grant_type') !== 'urn:ibm:params:oauth:grant-type:apikey') {
        return reply(res, 400, { errorCode: 'BXNIM0109E', errorMessage: 'Property missing or empty: grant_type' });
      }
      if (form.get('apikey') !== apiKey) {
        return reply(res, 400, { errorCode: 'BXNIM0415E', errorMessage: 'Provided API key could not be found.' });
      }
      state.exchanges++;
      const now = Math.floor(Date.now() / 1000);
      const header = Buffer.from(JSON.stringify({ kid, alg: 'RS256' })).toString('base64url');
      const claims = Buffer.from(
        JSON.stringify({ iam_id: ROUTER_IAM_ID, sub: ROUTER_IAM_ID, iat: now, exp: now + 3600, iss: 'twin-iam' }),
      ).toString('base64url');
      const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), privateKey).toString('base64url');
      return reply(res, 200, {
        access_token: `${header}.${claims}.${signature}`,
        token_type: 'Bearer',
        expires_in: 3600,
        expiration: now + 3600,
      });
    },
  };
  return state;
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(text)) });
  res.end(text);
}
