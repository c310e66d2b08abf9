import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DynamicRequest } from '../../lib/contracts';
import { type TarEntry, writeTar } from './tar';

/**
 * Client side of the dynamic function: builds requests from a module and a folder.
 * No AWS SDK here, so the router, the CLI and tests can all use it.
 */

/** Largest `bundle.data` the dynamic function accepts (5 MiB of base64). Kept in step with `lambda/dynamic/request.ts`. */
export const BUNDLE_DATA_LIMIT = 5 * 1024 * 1024;

/** A folder's files as a ustar archive, in sorted path order (so the same folder always gives the same bytes). */
export function tarFolder(folder: string): Buffer {
  const entries: TarEntry[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const rel = prefix ? `${prefix}/${name}` : name;
      const stat = statSync(full);
      if (stat.isDirectory()) {
        entries.push({ path: rel, type: 'dir', data: new Uint8Array(0) });
        walk(full, rel);
      } else if (stat.isFile()) {
        entries.push({ path: rel, type: 'file', data: readFileSync(full), mode: stat.mode & 0o777 });
      }
    }
  };
  walk(folder, '');
  return writeTar(entries);
}

/**
 * The `bundle` field for a folder: base64 of gzip(ustar), with the SHA-256 of the gzip bytes.
 * Deterministic: Node's gzip writes no timestamp, and entries are sorted.
 * @throws RangeError when the encoded bundle exceeds the 5 MiB limit.
 */
export function bundleOf(folder: string): NonNullable<DynamicRequest['bundle']> {
  return bundleOfArchive(tarFolder(folder));
}

/** The `bundle` field for a ready tar archive. */
export function bundleOfArchive(tar: Uint8Array): NonNullable<DynamicRequest['bundle']> {
  const gz = gzipSync(tar, { level: 9 });
  const data = gz.toString('base64');
  if (data.length > BUNDLE_DATA_LIMIT) {
    throw new RangeError(
      `the bundle encodes to ${data.length} base64 characters; the dynamic function accepts at most ${BUNDLE_DATA_LIMIT}`,
    );
  }
  return { data, sha256: createHash('sha256').update(gz).digest('hex'), encoding: 'tar+gzip' };
}

export interface BuildRequestOptions {
  /** The module source (CommonJS, exporting `run` or `entry`). One of `source` and `modulePath`. */
  readonly source?: string;
  /** A file holding the module source. */
  readonly modulePath?: string;
  readonly entry?: string;
  /** A folder to ship as the bundle. */
  readonly folder?: string;
  readonly input?: unknown;
  readonly reject?: DynamicRequest['reject'];
  readonly timeoutMs?: number;
}

/**
 * A complete dynamic-function request.
 * @example
 * const request = buildDynamicRequest({ modulePath: 'dist/resize.js', folder: 'assets', input: { width: 64 } });
 * await invoker.invoke('sky-usw2-az1-x86_64-2048', request);
 */
export function buildDynamicRequest(options: BuildRequestOptions): DynamicRequest {
  if ((options.source === undefined) === (options.modulePath === undefined)) {
    throw new TypeError('give exactly one of source and modulePath');
  }
  const source = options.source ?? readFileSync(options.modulePath!, 'utf8');
  return {
    code: { source, ...(options.entry ? { entry: options.entry } : {}) },
    ...(options.input !== undefined ? { input: options.input } : {}),
    ...(options.folder ? { bundle: bundleOf(options.folder) } : {}),
    ...(options.reject ? { reject: options.reject } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
}
