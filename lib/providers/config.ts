import { z } from 'zod';
import { regionFacts } from '../catalog/lookup';
import { PROVIDERS, type ProviderSampling, providerSampling, samplingAt } from '../catalog/providers';
import { mayHoldSecret } from '../config/errors';
import { FUNCTION_ENV } from '../contracts/environment';
import { type ExternalProvider, PROVIDER_ZONE_PREFIXES, providerZoneId } from '../core/naming';
import type { Arch, GeoPoint, RegionFacts } from '../core/types';
import { EndpointConfigError } from './errors';

/**
 * Where a secret comes from: AWS Secrets Manager (name or ARN; `jsonKey` picks one field of a JSON
 * secret), an environment variable of the calling process, or — for the embedded router, the twin and
 * tests, never `cdk.json` — the value itself. A request never carries one.
 */
export const secretRefSchema = z.union([
  z.strictObject({ secretId: z.string().min(1), jsonKey: z.string().min(1).optional() }),
  z.strictObject({
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
      // A deployed router's process holds its role's keys in AWS_* variables: such a name would send them out.
      .refine(
        (name) => !/^(AWS_|LAMBDA_|_)/i.test(name),
        'a variable of your own, not one the Lambda runtime or the AWS SDK sets (AWS_*, LAMBDA_*, _*), whose value the endpoint would get',
      ),
  }),
  z.strictObject({ value: z.string().min(1) }),
]);
export type SecretRef = z.infer<typeof secretRefSchema>;

/** IBM Cloud IAM's token endpoint. */
export const IBM_IAM_TOKEN_URL = 'https://iam.cloud.ibm.com/identity/token';

const urlSchema = z.url().refine(isAllowedUrl, {
  message: 'an https:// URL (plain http:// only on loopback: 127.0.0.1, localhost, [::1])',
});

/** How the router authenticates to an endpoint. */
export const endpointAuthSchema = z.discriminatedUnion('type', [
  /** An IBM Cloud IAM API key, exchanged for a bearer token (cached until shortly before it expires). */
  // The API key is sent to the token URL: never in plain text off this machine.
  z.strictObject({ type: z.literal('ibm-iam'), apiKey: secretRefSchema, tokenUrl: urlSchema.optional() }),
  /** DigitalOcean's web function secret (`webSecure`), sent as `X-Require-Whisk-Auth`. */
  z.strictObject({ type: z.literal('digitalocean-secret'), secret: secretRefSchema }),
  /** A shared secret sent as `Authorization: Bearer <secret>`. */
  z.strictObject({ type: z.literal('bearer'), secret: secretRefSchema }),
  /** HMAC-SHA256 over the timestamp and body, sent as `X-Sky-Signature` (see `hmac.ts`). */
  z.strictObject({ type: z.literal('hmac'), secret: secretRefSchema }),
]);
export type EndpointAuth = z.infer<typeof endpointAuthSchema>;

const priceSchema = z.strictObject({
  perGbSecond: z.number().nonnegative(),
  perRequest: z.number().nonnegative(),
  perVcpuSecond: z.number().nonnegative().optional(),
  vcpusPerGb: z.number().nonnegative().optional(),
  minBilledMs: z.number().int().nonnegative().optional(),
});

/** One zone on another provider: its functions' URLs, its samplers' URLs and how to authenticate. */
export const externalZoneSchema = z.strictObject({
  provider: z.enum(['ibm-code-engine', 'digitalocean', 'https']),
  /** The provider's region code (`us-south`, `tor1`), or for `https` a name of your own (`lab`). */
  region: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/),
  /** The dynamic function's URL per memory size in MB. */
  functions: z.record(z.string().regex(/^\d+$/), urlSchema).refine((f) => Object.keys(f).length > 0, {
    message: 'at least one memory size',
  }),
  /** The sampler endpoints' URLs, in order (sampler i is `sky-smp-<zone>-<ii>`). */
  samplers: z.array(urlSchema).default([]),
  auth: endpointAuthSchema,
  /** `https` only: what the endpoint costs (the catalog prices IBM and DigitalOcean). */
  price: priceSchema.optional(),
  /** `https` only: where it runs. */
  location: z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) }).optional(),
  /** `https` only: its grid's carbon intensity, gCO2e/kWh. */
  carbonGPerKwh: z.number().nonnegative().optional(),
  /** `https` only: the memory of its samplers, MB, for the sampling cost estimate (default: its largest function's). */
  samplerMemoryMb: z.number().int().min(1).max(1_048_576).optional(),
});
export type ExternalZoneInput = z.input<typeof externalZoneSchema>;

/** A validated external zone with its zone ID and deployed configurations. */
export interface ExternalZone {
  readonly azId: string;
  readonly provider: ExternalProvider;
  readonly region: string;
  readonly functions: ReadonlyMap<number, string>;
  readonly samplers: readonly string[];
  readonly auth: EndpointAuth;
  readonly memorySizes: readonly number[];
  readonly architectures: readonly Arch[];
  /** The region's facts: the catalog's for IBM and DigitalOcean, the configuration's for `https`. */
  readonly facts: RegionFacts;
  /** How its samplers are sized and priced (the catalog's for IBM and DigitalOcean). */
  readonly sampling: ProviderSampling;
}

/**
 * Validates the external zones of a mesh configuration (`endpoints` in `cdk.json`, `SKY_ENDPOINTS` in the
 * router's environment). Throws `EndpointConfigError` naming the first bad field.
 *
 * @example
 * parseExternalZones([{ provider: 'digitalocean', region: 'tor1',
 *   functions: { '1024': 'https://faas-tor1-1234.doserverless.co/api/v1/web/fn-ns/sky/dynamic-1024' },
 *   auth: { type: 'digitalocean-secret', secret: { secretId: 'skymesh/do' } } }])[0].azId; // 'do-tor1'
 */
export function parseExternalZones(input: unknown, where = 'endpoints'): ExternalZone[] {
  const parsed = z.array(externalZoneSchema).safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    throw new EndpointConfigError(`${where}${path}`, shownValue(input, issue.path), issue.message);
  }
  const seen = new Set<string>();
  return parsed.data.map((zone, i) => {
    const at = `${where}[${i}]`;
    const azId = providerZoneId(zone.provider, zone.region);
    if (seen.has(azId))
      throw new EndpointConfigError(`${at}.region`, zone.region, `one entry per zone; ${azId} is listed twice`);
    seen.add(azId);
    const functions = new Map(Object.entries(zone.functions).map(([mb, url]) => [Number(mb), url] as const));
    const common = {
      azId,
      provider: zone.provider,
      region: zone.region,
      functions,
      samplers: zone.samplers,
      auth: zone.auth,
      memorySizes: [...functions.keys()].sort((a, b) => a - b),
    };
    if (zone.provider === 'https') {
      for (const key of ['price', 'location'] as const) {
        if (zone[key] === undefined) {
          throw new EndpointConfigError(
            `${at}.${key}`,
            undefined,
            `required for provider https (the catalog knows only ${Object.keys(PROVIDERS).join(', ')})`,
          );
        }
      }
      return {
        ...common,
        architectures: ['x86_64'],
        facts: httpsFacts(zone.region, zone.price!, zone.location!, zone.carbonGPerKwh),
        sampling: samplingAt(zone.samplerMemoryMb ?? Math.max(...common.memorySizes), zone.price!),
      };
    }
    const info = PROVIDERS[zone.provider];
    if (!info.regions.some((r) => r.code === zone.region)) {
      throw new EndpointConfigError(
        `${at}.region`,
        zone.region,
        `a ${zone.provider} region: ${info.regions.map((r) => r.code).join(', ')}`,
      );
    }
    for (const mb of functions.keys()) {
      if (!info.memorySizes.includes(mb)) {
        throw new EndpointConfigError(
          `${at}.functions.${mb}`,
          mb,
          `a ${zone.provider} memory size (MB): ${info.memorySizes.join(', ')}`,
        );
      }
    }
    const expected = info.auth;
    if (zone.auth.type !== expected) {
      throw new EndpointConfigError(`${at}.auth.type`, zone.auth.type, `${expected} for ${zone.provider}`);
    }
    for (const key of ['price', 'location', 'carbonGPerKwh', 'samplerMemoryMb'] as const) {
      if (zone[key] !== undefined) {
        throw new EndpointConfigError(`${at}.${key}`, zone[key], `nothing: ${zone.provider}'s come from the catalog`);
      }
    }
    return {
      ...common,
      architectures: info.architectures,
      facts: regionFacts(zone.region),
      sampling: providerSampling(zone.region)!,
    };
  });
}

/** The zone prefix of every external provider, for messages. */
export const ZONE_PREFIXES: readonly string[] = Object.values(PROVIDER_ZONE_PREFIXES);

/** Whether a URL may carry a secret: HTTPS anywhere, plain HTTP only to this machine. */
export function isAllowedUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    if (parsed.protocol === 'https:') return true;
    return parsed.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  } catch {
    return false;
  }
}

function httpsFacts(
  region: string,
  price: z.infer<typeof priceSchema>,
  location: GeoPoint,
  carbonGPerKwh: number | undefined,
): RegionFacts {
  return {
    region,
    location,
    pricePerGbSecond: { x86_64: price.perGbSecond, arm64: price.perGbSecond },
    pricePerRequest: price.perRequest,
    // A world-average grid where none is given (IEA 2022, as the core assumes for unknown regions).
    carbonGPerKwh: carbonGPerKwh ?? 475,
    ...(price.perVcpuSecond ? { pricePerVcpuSecond: price.perVcpuSecond, vcpusPerGb: price.vcpusPerGb ?? 0 } : {}),
    ...(price.minBilledMs ? { minBilledMs: price.minBilledMs } : {}),
  };
}

/** What an error shows in place of a value it must not print. */
const NOT_SHOWN = '(not shown)';

/**
 * What an error shows of the value at `path`: nothing under `auth`, nothing that is an object or a list (a secret given
 * under a key the schema does not know sits in the object that holds it), and no text that looks like a secret (a URL
 * carrying a token); otherwise the value, so that a wrong region or memory size is named.
 */
function shownValue(input: unknown, path: readonly PropertyKey[]): unknown {
  const value = valueAt(input, path);
  if (path.includes('auth') || (value !== null && typeof value === 'object') || mayHoldSecret(value)) {
    return NOT_SHOWN;
  }
  return value;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let at: unknown = input;
  for (const key of path) {
    if (at === null || typeof at !== 'object') return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}

/**
 * The external zones a function's environment lists in `SKY_ENDPOINTS` (JSON), or none when it is unset.
 * Throws `EndpointConfigError` naming the variable when it is not JSON or not valid.
 */
export function externalZonesFromEnv(env: Readonly<Record<string, string | undefined>>): ExternalZone[] {
  const text = env[FUNCTION_ENV.endpoints];
  if (text === undefined || text.trim() === '') return [];
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new EndpointConfigError(FUNCTION_ENV.endpoints, NOT_SHOWN, 'a JSON array of external zones');
  }
  return parseExternalZones(value, FUNCTION_ENV.endpoints);
}
