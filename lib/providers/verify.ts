import { createPublicKey, type JsonWebKey, type KeyObject, verify as verifySignature } from 'node:crypto';
import { checkSignature, SIGNATURE_HEADER, sameSecret } from './hmac';
import { causeOf } from './ibm-iam';

/**
 * How an endpoint checks a caller, before any work runs. `check` answers undefined when the call may
 * proceed, or the reason it may not (the endpoint answers 401 with it).
 */
export interface CallerCheck {
  check(headers: Readonly<Record<string, string | undefined>>, body: string): Promise<string | undefined>;
}

/** `Authorization: Bearer <secret>`. */
export function bearerCheck(secret: string): CallerCheck {
  return {
    async check(headers) {
      const given = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
      return sameSecret(given, secret) ? undefined : 'the bearer secret is missing or wrong';
    },
  };
}

/** DigitalOcean's (OpenWhisk's) secure web function: `X-Require-Whisk-Auth: <secret>`. */
export function whiskSecretCheck(secret: string): CallerCheck {
  return {
    async check(headers) {
      return sameSecret(headers['x-require-whisk-auth'], secret)
        ? undefined
        : 'X-Require-Whisk-Auth is missing or wrong';
    },
  };
}

/** `X-Sky-Signature` (see `hmac.ts`). */
export function hmacCheck(secret: string, clock: () => number = Date.now): CallerCheck {
  return {
    async check(headers, body) {
      return checkSignature(secret, body, headers[SIGNATURE_HEADER], clock());
    },
  };
}

export interface IamTokenCheckOptions {
  /** IAM's public keys (JWKS). @default https://iam.cloud.ibm.com/identity/keys */
  readonly keysUrl?: string;
  /** The IAM IDs allowed to call (the router's service ID, e.g. `iam-ServiceId-…`). */
  readonly allowedIamIds: readonly string[];
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** @default Date.now */
  readonly clock?: () => number;
}

/** IBM Cloud IAM's public signing keys. */
export const IBM_IAM_KEYS_URL = 'https://iam.cloud.ibm.com/identity/keys';

/**
 * An IBM Cloud IAM bearer token: an RS256 JWT signed by one of IAM's published keys, not expired, whose
 * `iam_id` is one of the allowed callers. Keys are fetched once and again when a token names a new `kid`.
 */
export function iamTokenCheck(options: IamTokenCheckOptions): CallerCheck {
  const keysUrl = options.keysUrl ?? IBM_IAM_KEYS_URL;
  const clock = options.clock ?? Date.now;
  let keys: Map<string, KeyObject> | undefined;
  const loadKeys = async (): Promise<Map<string, KeyObject>> => {
    const response = await (options.fetch ?? fetch)(keysUrl, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status} from ${keysUrl}`);
    const jwks = (await response.json()) as { keys?: Array<JsonWebKey & { kid?: string }> };
    const loaded = new Map<string, KeyObject>();
    for (const jwk of jwks.keys ?? []) {
      if (typeof jwk.kid === 'string' && jwk.kty === 'RSA')
        loaded.set(jwk.kid, createPublicKey({ key: jwk, format: 'jwk' }));
    }
    return loaded;
  };
  return {
    async check(headers) {
      const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
      if (!token) return 'no bearer token';
      const parts = token.split('.');
      if (parts.length !== 3) return 'the bearer token is not a JWT';
      let header: { alg?: string; kid?: string };
      let claims: { exp?: number; iam_id?: string };
      try {
        header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8'));
        claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
      } catch {
        return 'the bearer token is not a JWT';
      }
      if (header.alg !== 'RS256' || typeof header.kid !== 'string') return 'the token is not signed with RS256';
      try {
        if (!keys?.has(header.kid)) keys = await loadKeys();
      } catch (error) {
        return `IAM's keys could not be read: ${causeOf(error)}`;
      }
      const key = keys.get(header.kid);
      if (!key) return `the token's key ${header.kid} is not one of IAM's`;
      const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
      if (!verifySignature('RSA-SHA256', signed, key, Buffer.from(parts[2], 'base64url'))) {
        return 'the token signature does not verify';
      }
      if (typeof claims.exp !== 'number' || claims.exp * 1000 <= clock()) return 'the token has expired';
      if (typeof claims.iam_id !== 'string' || !options.allowedIamIds.includes(claims.iam_id)) {
        return 'the token belongs to a caller that is not allowed';
      }
      return undefined;
    },
  };
}
