import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Request signing for generic HTTPS endpoints. The signature covers the time and the exact body:
 * `X-Sky-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`. An endpoint accepts a
 * call whose signature matches and whose time is within `HMAC_TOLERANCE_S` of its own clock, so a
 * captured request cannot be replayed later or with another body.
 */
export const SIGNATURE_HEADER = 'x-sky-signature';

/** How far a signature's time may be from the endpoint's clock, seconds. */
export const HMAC_TOLERANCE_S = 300;

/** The `X-Sky-Signature` value for a body at a time (ms since the epoch). */
export function signBody(secret: string, body: string, nowMs: number = Date.now()): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${digest(secret, t, body)}`;
}

/** Why a signature was refused, or undefined when it is valid. */
export function checkSignature(
  secret: string,
  body: string,
  header: string | undefined,
  nowMs: number = Date.now(),
): string | undefined {
  if (!header) return 'no X-Sky-Signature header';
  const fields = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(fields.get('t'));
  const given = fields.get('v1') ?? '';
  if (!Number.isInteger(t)) return 'the signature has no time';
  if (Math.abs(nowMs / 1000 - t) > HMAC_TOLERANCE_S) return 'the signature is too old or from the future';
  const expected = Buffer.from(digest(secret, t, body), 'hex');
  const actual = Buffer.from(/^[0-9a-f]+$/.test(given) ? given : '', 'hex');
  if (actual.length !== expected.length || !timingSafeEqual(actual, expected)) return 'the signature does not match';
  return undefined;
}

function digest(secret: string, t: number, body: string): string {
  return createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
}

/** Constant-time comparison of two secrets. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
