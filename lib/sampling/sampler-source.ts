import { MAX_SAMPLER_SLEEP_MS } from '../contracts';
import type { Arch } from '../core/types';

/**
 * The sampler: inline code (`lambda.Code.fromInline`) generated from one template. Each of a
 * zone's samplers gets its own variant: the greeting differs (as in the paper, so every
 * deployment has a unique code package) while the logic is identical: sleep `sleepMs` so that
 * concurrent requests each hold their own instance, then report the CPU model, the instance id
 * kept in a marker under /tmp, whether the instance is new, and the host boot time.
 *
 * A request's `sleepMs` is checked before the marker is written, so a refused request does not use up the instance's
 * first answer (which reports it new).
 *
 * The generated code requires only `fs` (readFileSync, writeFileSync, existsSync) and `crypto`
 * (randomUUID), and reads `process.env` and `setTimeout`: `loadSamplerHandler` relies on that to
 * run the very same source against an emulated instance.
 */

export interface SamplerVariant {
  /** Sampler number within its zone (0-based). */
  readonly index: number;
  /** AZ ID of the zone the sampler is pinned to. */
  readonly azId: string;
  /** How long each request sleeps before answering, in ms. */
  readonly sleepMs: number;
  /** Architecture the sampler runs on (its greeting names a non-x86_64 one, so its code is its own). @default 'x86_64' */
  readonly arch?: Arch;
}

/** Inline code must stay under Lambda's 4 KB limit for `ZipFile` in CloudFormation. */
export const MAX_INLINE_SOURCE_BYTES = 4096;

const TEMPLATE = `'use strict';
// skymesh sampler __INDEX__ for __AZ__ (generated; identical logic in every variant)
const fs = require('fs');
const crypto = require('crypto');
const GREETING = __GREETING__;
const SLEEP_MS = __SLEEP__;
const MAX_SLEEP_MS = __MAX_SLEEP__;
// SKY_TMP_DIR only moves the marker when run outside Lambda; Lambda's scratch is /tmp.
const MARKER = (process.env.SKY_TMP_DIR || '/tmp') + '/.sky-sampler-id';

function read(path) {
  try { return fs.readFileSync(path, 'utf8'); } catch (e) { return ''; }
}

function cpuModel(info) {
  const model = /^model name\\s*:\\s*(.+)$/m.exec(info);
  if (model) return model[1].trim();
  const part = /^CPU part\\s*:\\s*(0x[0-9a-fA-F]+)/m.exec(info);
  return part ? 'arm64 (CPU part: ' + part[1].toLowerCase() + ')' : 'unknown';
}

exports.handler = async function (event) {
  const started = Date.now();
  let sleepMs = SLEEP_MS;
  if (event && event.sleepMs !== undefined) {
    if (!Number.isInteger(event.sleepMs) || event.sleepMs < 0 || event.sleepMs > MAX_SLEEP_MS) {
      throw new RangeError('sleepMs is ' + JSON.stringify(event.sleepMs) + '; allowed: a whole number of ms from 0 to ' + MAX_SLEEP_MS);
    }
    sleepMs = event.sleepMs;
  }
  let newInstance = false;
  let instanceId = fs.existsSync(MARKER) ? read(MARKER).trim() : '';
  if (!instanceId) {
    instanceId = crypto.randomUUID();
    newInstance = true;
    fs.writeFileSync(MARKER, instanceId);
  }
  await new Promise(function (resolve) { setTimeout(resolve, sleepMs); });
  const btime = /^btime\\s+(\\d+)/m.exec(read('/proc/stat'));
  const answer = {
    cpuModel: cpuModel(read('/proc/cpuinfo')),
    instanceId: instanceId,
    newInstance: newInstance,
    greeting: GREETING,
    elapsedMs: Date.now() - started,
  };
  if (btime) answer.bootTime = Number(btime[1]);
  if (process.env.SKY_AZ_ID) answer.azId = process.env.SKY_AZ_ID;
  return answer;
};
`;

/**
 * The source of sampler variant `index`: a CommonJS module exporting `handler`.
 * @example
 * new lambda.Function(this, 'Sampler00', { code: lambda.Code.fromInline(samplerSource({ index: 0, azId: 'usw2-az1', sleepMs: 250 })), handler: 'index.handler', ... })
 */
export function samplerSource(variant: SamplerVariant): string {
  const { index, azId, sleepMs, arch = 'x86_64' } = variant;
  if (!Number.isInteger(index) || index < 0)
    throw new RangeError(`sampler index must be an integer >= 0, got ${index}`);
  if (!Number.isInteger(sleepMs) || sleepMs < 0 || sleepMs > 900_000) {
    throw new RangeError(`sampler sleepMs must be an integer in 0..900000, got ${sleepMs}`);
  }
  if (!/^[a-z0-9-]{1,32}$/.test(azId)) throw new RangeError(`sampler azId must look like 'usw2-az1', got '${azId}'`);
  const source = TEMPLATE.replace('__INDEX__', String(index))
    .replace('__AZ__', azId)
    .replace('__GREETING__', JSON.stringify(greetingOf(index, azId, arch)))
    .replace('__SLEEP__', String(sleepMs))
    .replace('__MAX_SLEEP__', String(MAX_SAMPLER_SLEEP_MS));
  const bytes = Buffer.byteLength(source);
  if (bytes > MAX_INLINE_SOURCE_BYTES) {
    throw new RangeError(`sampler source is ${bytes} bytes; inline code is limited to ${MAX_INLINE_SOURCE_BYTES}`);
  }
  return source;
}

const HELLOS = ['Hello', 'Hola', 'Bonjour', 'Hallo', 'Ciao', 'Olá', 'Hej', 'Ahoj', 'Salut', 'Namaste'];

/** The variant's greeting: distinct for every (index, zone, architecture). */
export function greetingOf(index: number, azId: string, arch: Arch = 'x86_64'): string {
  return `${HELLOS[index % HELLOS.length]} from ${arch === 'x86_64' ? '' : `${arch} `}sampler ${index} in ${azId}`;
}
