import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DynamicRequest } from '../../lib/contracts';
import {
  bundleUnpackLimitBytes,
  declaredUnpackedBytes,
  decodeStrictBase64,
  hashMismatchMessage,
  MAX_BUNDLE_UNPACKED_BYTES,
  minMemoryMbForBundle,
  notBase64Message,
} from '../../lib/contracts/work-limits';
import { readTar, TarFormatError } from '../shared/tar';
import { BadRequestError, DynamicError } from './errors';

/**
 * Unpacks request bundles into the instance's scratch folder and remembers them by hash.
 *
 * Format: `data` is the base64 text of a gzip stream of a ustar archive; `sha256` is the hex
 * SHA-256 of the gzip bytes (what base64 decodes to). Files land in
 * `<tmpDir>/sky-bundles/<sha256>-<random id>/`.
 *
 * Only this cache's own memory says which folder holds which bundle, and only after it hashed the
 * bytes itself: a folder that sent code planted in the scratch folder (which it can write) is never
 * taken for a bundle, because its name cannot be guessed and is not looked up. A later call with the
 * same hash (and the same `data` length) reuses the folder without decoding, after checking that no
 * file or folder of it changed since it was unpacked (their inode, size and ctime, which no one can
 * set back); a changed folder is unpacked afresh. The folder is written to a temporary name and
 * renamed, so a half-written bundle is never used. Bundle files are written with the real filesystem
 * (user code reads them with `fs`), so `platform.tmpDir` must be a real folder when bundles are used.
 *
 * The bundles it keeps unpacked take at most `maxBytes` in all: before a new one is written, the least recently used
 * others are removed until it fits. Lambda's /tmp is 512 MB by default and one bundle may unpack to 256 MiB, so kept
 * without bound a second large bundle would fill it, and every later bundle on the instance would fail.
 */
export class BundleCache {
  /** Unpacked bundles by hash, least recently used first. */
  private readonly known = new Map<
    string,
    { dir: string; dataLength: number; stamps: Map<string, string>; bytes: number }
  >();
  private readonly root: string;
  private readonly maxBytes: number;
  private readonly memoryMb: number | undefined;
  private readonly unpackLimit: number;

  /**
   * `maxBytes`: most bytes of files kept unpacked (@default MAX_BUNDLE_UNPACKED_BYTES). `memoryMb`: the function's
   * memory, which bounds what one bundle may unpack to (`bundleUnpackLimitBytes`; @default - unknown: 256 MiB).
   */
  constructor(tmpDir: string, options: { readonly maxBytes?: number; readonly memoryMb?: number } = {}) {
    this.root = join(tmpDir, 'sky-bundles');
    this.maxBytes = options.maxBytes ?? MAX_BUNDLE_UNPACKED_BYTES;
    this.memoryMb = options.memoryMb;
    this.unpackLimit = bundleUnpackLimitBytes(options.memoryMb);
  }

  /** Returns the folder holding the bundle and whether it was already there. */
  open(bundle: NonNullable<DynamicRequest['bundle']>): { dir: string; cached: boolean } {
    const hit = this.known.get(bundle.sha256);
    if (hit && hit.dataLength === bundle.data.length && unchanged(hit.dir, hit.stamps)) {
      this.known.delete(bundle.sha256);
      this.known.set(bundle.sha256, hit);
      return { dir: hit.dir, cached: true };
    }
    const compressed = decodeBase64(bundle.data);
    const actual = createHash('sha256').update(compressed).digest('hex');
    if (actual !== bundle.sha256)
      throw new BadRequestError('bundle.sha256', hashMismatchMessage(bundle.sha256, actual));
    const entries = entriesOf(compressed, this.unpackLimit, this.memoryMb);
    if (hit) this.remove(bundle.sha256);
    const bytes = entries.reduce((sum, e) => sum + (e.type === 'dir' ? 0 : e.data.length), 0);
    this.makeRoom(bytes);
    const dir = join(this.root, `${bundle.sha256}-${randomUUID()}`);
    write(entries, dir);
    this.known.set(bundle.sha256, { dir, dataLength: bundle.data.length, stamps: stampsOf(dir), bytes });
    return { dir, cached: false };
  }

  /** Removes the least recently used bundles until `bytes` more fit within `maxBytes`. */
  private makeRoom(bytes: number): void {
    let kept = 0;
    for (const entry of this.known.values()) kept += entry.bytes;
    for (const sha of this.known.keys()) {
      if (kept + bytes <= this.maxBytes) return;
      kept -= this.known.get(sha)?.bytes ?? 0;
      this.remove(sha);
    }
  }

  private remove(sha: string): void {
    const entry = this.known.get(sha);
    if (!entry) return;
    rmSync(entry.dir, { recursive: true, force: true });
    this.known.delete(sha);
  }
}

/** Inode, size and change time of every file and folder under `dir` (the folder itself included). */
function stampsOf(dir: string): Map<string, string> {
  const stamps = new Map<string, string>();
  const visit = (path: string): void => {
    const stat = statSync(path, { bigint: true });
    stamps.set(path, `${stat.ino}:${stat.size}:${stat.ctimeNs}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(dir);
  return stamps;
}

/** True when every recorded path still has its stamp (a folder's ctime moves when entries come or go). */
function unchanged(dir: string, stamps: ReadonlyMap<string, string>): boolean {
  try {
    for (const [path, stamp] of stamps) {
      const stat = statSync(path, { bigint: true });
      if (`${stat.ino}:${stat.size}:${stat.ctimeNs}` !== stamp) return false;
    }
    return stamps.has(dir);
  } catch {
    return false;
  }
}

/** Decodes `data` as strict base64 (`decodeStrictBase64`), refusing anything else naming `bundle.data`. */
export function decodeBase64(text: string): Buffer {
  const decoded = decodeStrictBase64(text);
  if (!decoded) throw new BadRequestError('bundle.data', notBase64Message(text.length));
  return decoded;
}

/**
 * The archive's entries, refusing data that is not a gzip ustar archive, or one that unpacks to more than `limit`
 * bytes (what a function of `memoryMb` unpacks), naming `bundle.data`.
 */
function entriesOf(compressed: Buffer, limit: number, memoryMb: number | undefined): ReturnType<typeof readTar> {
  if (compressed.length < 2 || compressed[0] !== 0x1f || compressed[1] !== 0x8b) {
    throw new BadRequestError('bundle.data', 'bundle.data is not gzip data: it does not start with the bytes 1f 8b');
  }
  const whose =
    memoryMb !== undefined && limit < MAX_BUNDLE_UNPACKED_BYTES
      ? `the limit of ${limit} bytes of a ${memoryMb} MB function (an eighth of its memory; ${MAX_BUNDLE_UNPACKED_BYTES} at ${minMemoryMbForBundle(MAX_BUNDLE_UNPACKED_BYTES)} MB or more)`
      : `the limit of ${limit} bytes`;
  // A gzip stream ends with its unpacked size (mod 2^32): a bomb that says so honestly is refused without
  // inflating it; one that lies is stopped at the limit below.
  const declared = declaredUnpackedBytes(compressed);
  if (declared > limit) {
    throw new BadRequestError('bundle.data', `bundle.data unpacks to ${declared} bytes, more than ${whose}`);
  }
  let archive: Buffer;
  try {
    archive = gunzipSync(compressed, { maxOutputLength: limit, chunkSize: 1 << 20 });
  } catch (error) {
    const tooBig = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
    throw new BadRequestError(
      'bundle.data',
      tooBig
        ? `bundle.data unpacks to more than ${whose}`
        : `bundle.data is not gzip data: ${(error as Error).message}`,
    );
  }
  try {
    return readTar(archive);
  } catch (error) {
    if (error instanceof TarFormatError) throw new BadRequestError('bundle.data', `bundle.data: ${error.message}`);
    throw error;
  }
}

/** Writes `entries` under a temporary name and renames it to `dir`; a folder that cannot be written is left out. */
function write(entries: ReturnType<typeof readTar>, dir: string): void {
  const staging = `${dir}.partial-${process.pid}-${Date.now()}`;
  mkdirSync(staging, { recursive: true });
  try {
    for (const entry of entries) {
      const target = join(staging, entry.path);
      if (entry.type === 'dir') {
        mkdirSync(target, { recursive: true });
      } else {
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, entry.data, { mode: (entry.mode ?? 0o644) & 0o777 });
      }
    }
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if ((error as { code?: string }).code === 'ENOSPC') {
      // This instance's /tmp is full of files the code wrote itself: another instance may have room, so the request is
      // not refused as such (a BadRequest would stop a batch), but answered as this instance's fault.
      throw new DynamicError(
        'InternalError',
        "bundle.data does not fit in this instance's /tmp, which is full",
        'bundle.data',
      );
    }
    throw error;
  }
}
