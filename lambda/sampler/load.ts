import { randomUUID } from 'node:crypto';
import type { SamplerResponse } from '../../lib/contracts';
import type { Platform } from '../shared/platform';

type Factory = (...args: unknown[]) => void;

/** Compiled sources: the twin loads the same few hundred variants for thousands of instances. */
const factories = new Map<string, Factory>();

/** A sampler's handler, as Lambda would call it. */
export type SamplerHandler = (event?: unknown) => Promise<SamplerResponse>;

export interface LoadSamplerOptions {
  /**
   * Id source for new instance markers.
   * @default - `platform.randomId`, else `crypto.randomUUID`
   */
  readonly randomUUID?: () => string;
}

/**
 * Evaluates a sampler's generated source (from `samplerSource`) against a `Platform`, the way the
 * twin runs the real sampler code on an emulated instance: `require('fs')` reads and writes through
 * the platform (paths under `/tmp` map to `platform.tmpDir`), `require('crypto').randomUUID` gives
 * the platform's ids, `process.env` is the platform's environment, `setTimeout` waits with
 * `platform.sleep` and `Date.now` reads `platform.now`. Any other `require` throws, which keeps
 * the template honest about what it may use.
 *
 * Each call returns a separate module instance (its own module scope); the instance identity
 * itself lives in the marker file, i.e. in the platform.
 *
 * @example
 * const source = samplerSource({ index: 3, azId: 'usw2-az1', sleepMs: 250 });
 * const answer = await loadSamplerHandler(source, emulatedInstancePlatform)({});
 * // answer.cpuModel is whatever the platform's /proc/cpuinfo says
 */
export function loadSamplerHandler(
  source: string,
  platform: Platform,
  options: LoadSamplerOptions = {},
): SamplerHandler {
  const mapPath = (path: string): string => (path.startsWith('/tmp/') ? `${platform.tmpDir}/${path.slice(5)}` : path);
  const fs = {
    readFileSync(path: string): string {
      const text = platform.readFile(mapPath(path));
      if (text === undefined) {
        throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
      }
      return text;
    },
    writeFileSync(path: string, data: string): void {
      platform.writeFile(mapPath(path), String(data));
    },
    existsSync(path: string): boolean {
      return platform.readFile(mapPath(path)) !== undefined;
    },
  };
  const makeId = options.randomUUID ?? (platform.randomId ? () => platform.randomId!() : () => randomUUID());
  const crypto = { randomUUID: makeId };
  const requireShim = (name: string): unknown => {
    if (name === 'fs' || name === 'node:fs') return fs;
    if (name === 'crypto' || name === 'node:crypto') return crypto;
    throw new Error(`the sampler may only require fs and crypto, not '${name}'`);
  };
  const processShim = { env: platform.env };
  const setTimeoutShim = (fn: () => void, ms?: number): void => {
    void platform.sleep(ms ?? 0).then(fn);
  };
  const dateShim = { now: () => platform.now() };
  const module = { exports: {} as { handler?: SamplerHandler } };
  let factory = factories.get(source);
  if (!factory) {
    factory = new Function('require', 'module', 'exports', 'process', 'setTimeout', 'Date', source) as Factory;
    factories.set(source, factory);
    if (factories.size > 256) factories.delete(factories.keys().next().value!);
  }
  factory(requireShim, module, module.exports, processShim, setTimeoutShim, dateShim);
  const handler = module.exports.handler;
  if (typeof handler !== 'function') throw new TypeError('the sampler source exports no handler function');
  return handler;
}
