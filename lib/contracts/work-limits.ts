import { createHash } from 'node:crypto';

/**
 * What the dynamic function accepts of sent work, defined once: the function refuses anything else, and the router
 * refuses it before placing, so a request the function would refuse is never invoked (nor billed).
 *
 * Size limits. Lambda accepts at most 6 MB (6,291,456 bytes) of JSON for a synchronous invoke. A bundle's `data`
 * (base64 text) may take at most {@link MAX_BUNDLE_BASE64_CHARS} characters (5 MiB, the paper's "maximum payload
 * input size of 5 MB"), leaving 1 MiB for code and input; that is at most 3.75 MiB of gzip bytes.
 */
export const MAX_BUNDLE_BASE64_CHARS = 5 * 1024 * 1024;

/** Lambda's synchronous invocation payload limit, request and response alike: 6 MB (6,291,456 bytes). */
export const SYNC_PAYLOAD_LIMIT_BYTES = 6 * 1024 * 1024;

/**
 * Size of a value as an invoke payload or answer carries it, as UTF-8 JSON, bytes: 0 for what JSON leaves out
 * (`undefined`).
 * @example jsonByteLength({ a: 'é' }); // 10
 */
export function jsonByteLength(value: unknown): number {
  const text = JSON.stringify(value);
  return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
}

/** Largest total size of a bundle once gunzipped (the tar stream): a guard against gzip bombs filling `/tmp`. */
export const MAX_BUNDLE_UNPACKED_BYTES = 256 * 1024 * 1024;

/**
 * Fraction of a function's memory a bundle may unpack to. Unpacking holds the gunzipped archive twice while it runs
 * (its chunks and their concatenation: 64 MiB of RSS for 32 MiB, measured on Node 20), so an eighth leaves three
 * quarters of the memory to the runtime and the code.
 */
const BUNDLE_MEMORY_SHARE = 1 / 8;

/**
 * Most bytes a bundle may unpack to in a function of `memoryMb` (unknown: {@link MAX_BUNDLE_UNPACKED_BYTES}).
 * @example bundleUnpackLimitBytes(128); // 16 MiB
 */
export function bundleUnpackLimitBytes(memoryMb?: number): number {
  if (memoryMb === undefined || !Number.isFinite(memoryMb) || memoryMb <= 0) return MAX_BUNDLE_UNPACKED_BYTES;
  return Math.min(MAX_BUNDLE_UNPACKED_BYTES, Math.floor(memoryMb * BUNDLE_MEMORY_SHARE * 1024 * 1024));
}

/**
 * Least memory, MB, of a function that unpacks a bundle of `unpackedBytes` (see {@link bundleUnpackLimitBytes}).
 * @example minMemoryMbForBundle(40 * 1024 * 1024); // 320
 */
export function minMemoryMbForBundle(unpackedBytes: number): number {
  return Math.ceil(unpackedBytes / (BUNDLE_MEMORY_SHARE * 1024 * 1024));
}

/** The shortest gzip stream: a 10-byte header and an 8-byte trailer. */
const GZIP_MIN_BYTES = 18;

/** The unpacked size a gzip stream declares in its last 4 bytes (ISIZE, the size mod 2^32), or 0 when too short. */
export function declaredUnpackedBytes(gzip: Uint8Array): number {
  return gzip.length >= GZIP_MIN_BYTES
    ? Buffer.from(gzip.buffer, gzip.byteOffset, gzip.length).readUInt32LE(gzip.length - 4)
    : 0;
}

/**
 * The unpacked size that the gzip bytes of base64 `data` declare (see {@link declaredUnpackedBytes}), decoded from its
 * last 12 characters alone; 0 where `data` is not base64 or too short for gzip (which the bundle's checks refuse).
 * A stream may lie about it: the function stops unpacking at its limit either way.
 */
export function declaredBundleBytes(data: string): number {
  const tail = data.length % 4 === 0 && data.length >= 12 ? decodeStrictBase64(data.slice(-12)) : undefined;
  if (!tail) return 0;
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const total = (data.length / 4) * 3 - padding;
  return total >= GZIP_MIN_BYTES ? tail.readUInt32LE(tail.length - 4) : 0;
}

/** Largest inline source accepted, in characters. */
export const MAX_SOURCE_CHARS = 5 * 1024 * 1024;

/** What `code.entry` must be: the name of a function the module exports, a JavaScript identifier. */
export const CODE_ENTRY_PATTERN = /^[A-Za-z_$][\w$]*$/;

/** Bundle encodings: base64 text of a gzip-compressed ustar archive. */
export const BUNDLE_ENCODINGS = ['tar+gzip'] as const;

/**
 * Strict base64 decoding: the bytes, or undefined when `text` is not base64. `Buffer.from` silently skips characters
 * outside the alphabet, so a decoded length shorter than the text implies means the text was not base64 (a linear
 * check, cheaper than a regular expression over 5 MiB). The URL-safe alphabet (`-`, `_`) is accepted.
 * @example decodeStrictBase64('aGk='); // <Buffer 68 69>
 * @example decodeStrictBase64('a!k='); // undefined
 */
export function decodeStrictBase64(text: string): Buffer | undefined {
  if (text.length % 4 !== 0) return undefined;
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const decoded = Buffer.from(text, 'base64');
  return decoded.length === (text.length / 4) * 3 - padding ? decoded : undefined;
}

/** A field of sent work the dynamic function would refuse, and why. */
export interface WorkProblem {
  readonly field: 'bundle.data' | 'bundle.sha256';
  readonly message: string;
}

/**
 * Why the dynamic function would refuse a bundle's bytes: `data` that is not base64, gzip that declares more than
 * {@link MAX_BUNDLE_UNPACKED_BYTES} unpacked, or a `sha256` that is not the SHA-256 of the decoded bytes; undefined
 * when none of these.
 */
export function bundleProblem(bundle: { readonly data: string; readonly sha256: string }): WorkProblem | undefined {
  const bytes = decodeStrictBase64(bundle.data);
  if (!bytes) return { field: 'bundle.data', message: notBase64Message(bundle.data.length) };
  const declared = declaredUnpackedBytes(bytes);
  if (declared > MAX_BUNDLE_UNPACKED_BYTES) {
    return {
      field: 'bundle.data',
      message: `bundle.data unpacks to ${declared} bytes, more than the limit of ${MAX_BUNDLE_UNPACKED_BYTES} bytes`,
    };
  }
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (actual === bundle.sha256) return undefined;
  return { field: 'bundle.sha256', message: hashMismatchMessage(bundle.sha256, actual) };
}

/** Why `data` of `length` characters is refused as not base64. */
export function notBase64Message(length: number): string {
  return `bundle.data is not valid base64 (length ${length}; allowed: A-Z a-z 0-9 + / with = padding to a multiple of 4)`;
}

/** Why a bundle whose bytes hash to `actual` is refused for naming `sha256`. */
export function hashMismatchMessage(sha256: string, actual: string): string {
  return `bundle.sha256 is ${sha256} but the decoded data hashes to ${actual}; send the SHA-256 of the gzip bytes`;
}
