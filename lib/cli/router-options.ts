import { type Command, InvalidArgumentError, Option } from 'commander';
import { STRATEGY_NAMES } from '../core/strategies';
import { RouterError } from '../routing/errors';
import {
  checkPayloadSize,
  MAX_PARALLELISM,
  MAX_PROFILING_OBSERVATIONS,
  parseRouterRequest,
  type RouterRequestBody,
} from '../routing/request';
import { WORKLOAD_NAMES } from '../workloads';

/**
 * The options `sky invoke` and `sky plan` share: what to run and how to place it, turned into a
 * router request body (which the router validates again with its own schema).
 */
export interface PlacementCliOptions {
  readonly workload?: string;
  readonly size?: 'test' | 'small' | 'large';
  readonly objective?: RouterRequestBody['objective'];
  readonly strategy?: RouterRequestBody['strategy'];
  readonly regions?: string[];
  readonly zones?: string[];
  readonly arch?: 'x86_64' | 'arm64';
  readonly memory?: number[];
  readonly maxAttempts?: number;
  readonly maxAddedLatencyMs?: number;
  readonly clientLocation?: { lat: number; lon: number };
  readonly profile?: string;
  readonly parallelism?: number;
}

/** Adds the shared placement options to a command. */
export function addPlacementOptions(command: Command): Command {
  return command
    .option('-w, --workload <name>', `built-in workload: ${WORKLOAD_NAMES.join(', ')}`)
    .addOption(new Option('--size <size>', 'workload input size').choices(['test', 'small', 'large']))
    .option(
      '-o, --objective <objective>',
      'cost | latency | carbon | weights as cost=1,latency=0.5,carbon=0',
      parseObjective,
    )
    .addOption(
      new Option('--strategy <name>', 'placement strategy (default: the objective-optimal one)').choices(
        STRATEGY_NAMES,
      ),
    )
    .option('--regions <list>', 'allowed regions, comma-separated', parseList)
    .option('--zones <list>', 'allowed zones as AZ IDs, comma-separated', parseList)
    .addOption(new Option('--arch <arch>', 'allowed architecture').choices(['x86_64', 'arm64']))
    .option('--memory <list>', 'allowed memory sizes in MB, comma-separated', parseNumberList)
    .option('--max-attempts <n>', 'attempts including the first', parsePositiveInt)
    .option('--max-added-latency-ms <ms>', 'bound on added latency from retries and distance', parseNonNegative)
    .option('--client-location <lat,lon>', 'where the client is, for latency', parseLocation)
    .option('--profile <name>', 'profile name runtimes are learned under')
    .option(
      '--parallelism <threads>',
      `threads the work runs at once, up to ${MAX_PARALLELISM}, for how its runtime scales with memory (default: what the profile's last request said, as the router stored it, else 1)`,
      parseParallelism,
    );
}

/** A number of threads > 0 and at most `MAX_PARALLELISM` (1.2: a workload that keeps a second thread a fifth busy). */
function parseParallelism(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n > MAX_PARALLELISM) {
    throw new InvalidArgumentError(`must be a number > 0 and at most ${MAX_PARALLELISM}, got "${value}"`);
  }
  return n;
}

/** The router request body for the shared options (without the work's code or batch). */
export function requestBodyOf(options: PlacementCliOptions): RouterRequestBody {
  const limits = {
    ...(options.regions ? { regions: options.regions } : {}),
    ...(options.zones ? { zones: options.zones } : {}),
    ...(options.arch ? { arch: options.arch } : {}),
    ...(options.memory ? { memorySizes: options.memory } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.maxAddedLatencyMs !== undefined ? { maxAddedLatencyMs: options.maxAddedLatencyMs } : {}),
  };
  return {
    ...(options.workload ? { workload: options.workload } : {}),
    ...(options.size ? { size: options.size } : {}),
    ...(options.objective !== undefined ? { objective: options.objective } : {}),
    ...(options.strategy ? { strategy: options.strategy } : {}),
    ...(Object.keys(limits).length > 0 ? { limits } : {}),
    ...(options.clientLocation ? { clientLocation: options.clientLocation } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.parallelism !== undefined ? { parallelism: options.parallelism } : {}),
  };
}

/** The flag that sets each field of the request (the first whose field starts the path), for messages. */
const FLAG_OF_FIELD: ReadonlyArray<readonly [string, string]> = [
  ['workload', '--workload'],
  ['size', '--size'],
  ['code.entry', '--entry'],
  ['code', '--code-file'],
  ['input', '--input'],
  ['objective', '--objective'],
  ['strategy', '--strategy'],
  ['limits.regions', '--regions'],
  ['limits.zones', '--zones'],
  ['limits.arch', '--arch'],
  ['limits.memorySizes', '--memory'],
  ['limits.maxAttempts', '--max-attempts'],
  ['limits.maxAddedLatencyMs', '--max-added-latency-ms'],
  ['clientLocation', '--client-location'],
  ['profile', '--profile'],
  ['parallelism', '--parallelism'],
  ['batch.count', '--batch'],
  ['batch.concurrency', '--concurrency'],
  ['batch.maxSlowdown', '--max-slowdown'],
  ['profiling', '--profiling'],
];

/**
 * Checks a request built from the CLI's options as the router will, before anything is read or sent: a request the
 * router would refuse fails here, naming the flag (and the request's field), not as a credentials or network error.
 * A workload must be one of the built-in ones, which the dynamic function runs by name.
 * @throws InvalidArgumentError naming the flag at fault.
 */
export function checkRequestBody(body: RouterRequestBody): void {
  const workload = typeof body.workload === 'string' ? body.workload : body.workload?.name;
  if (workload !== undefined && !WORKLOAD_NAMES.includes(workload)) {
    throw new InvalidArgumentError(
      `--workload ${workload}: not a built-in workload; one of ${WORKLOAD_NAMES.join(', ')}`,
    );
  }
  try {
    checkPayloadSize(parseRouterRequest(body).work);
  } catch (error) {
    if (!(error instanceof RouterError)) throw error;
    const field = error.field ?? '';
    const flag = FLAG_OF_FIELD.find(([prefix]) => field === prefix || field.startsWith(`${prefix}.`))?.[1];
    throw new InvalidArgumentError(flag ? `${flag}: ${error.message}` : error.message);
  }
}

export function parseObjective(value: string): NonNullable<RouterRequestBody['objective']> {
  if (value === 'cost' || value === 'latency' || value === 'carbon') return value;
  const weights: Record<string, number> = { cost: 0, latency: 0, carbon: 0 };
  const given = new Set<string>();
  for (const part of value.split(',')) {
    const pair = part.split('=');
    const [key, raw] = pair;
    const n = Number(raw);
    if (pair.length !== 2 || !Object.hasOwn(weights, key) || raw.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new InvalidArgumentError(
        `${JSON.stringify(part)}: expected cost, latency, carbon or weights such as cost=1,latency=0.5 (each a number ≥ 0)`,
      );
    }
    if (given.has(key)) throw new InvalidArgumentError(`${key} is given twice; give each weight once`);
    given.add(key);
    weights[key] = n;
  }
  if (weights.cost + weights.latency + weights.carbon === 0) {
    throw new InvalidArgumentError('every weight is 0; at least one must be above 0');
  }
  return { cost: weights.cost, latency: weights.latency, carbon: weights.carbon };
}

/** An http(s) URL option (an endpoint); refused at once when it is not one. */
export function urlArg(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('expected an http:// or https:// URL, such as http://127.0.0.1:8000');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError(`expected an http:// or https:// URL, not ${url.protocol}`);
  }
  return value;
}

/**
 * The URL an environment variable gives as an option's default, checked as `urlArg` checks the option (commander does
 * not parse defaults): a malformed one fails naming the variable, before any SDK client is made.
 */
export function envUrl(name: string): string | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  try {
    return urlArg(value);
  } catch (error) {
    throw new InvalidArgumentError(`${name}=${value}: ${(error as Error).message}`);
  }
}

export function parseList(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list');
  return items;
}

export function parseNumberList(value: string): number[] {
  return parseList(value).map((item) => {
    const n = Number(item);
    if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError(`${item} is not a whole number of MB`);
    return n;
  });
}

/** A count option's value: a whole number ≥ 1. */
export function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`must be a whole number ≥ 1, got "${value}"`);
  return n;
}

/** A batch's time budget over its unpaced duration (`maxSlowdown`): a number ≥ 1. */
export function parseSlowdown(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 1) {
    throw new InvalidArgumentError(`must be a number ≥ 1 (1: not paced), got "${value}"`);
  }
  return n;
}

/** `parse` with an upper bound: a value above `max` fails, saying what the bound is (`what`). */
export function atMost(parse: (value: string) => number, max: number, what: string): (value: string) => number {
  return (value) => {
    const n = parse(value);
    if (n > max) throw new InvalidArgumentError(`must be at most ${max} (${what}), got "${value}"`);
    return n;
  };
}

/** A parser of whole numbers 0..max for an option; `what` says in the error what the number is. */
export function wholeNumberArg(max: number, what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n > max) {
      throw new InvalidArgumentError(`must be a whole number 0..${max} (${what}), got "${value}"`);
    }
    return n;
  };
}

/** Runtimes a profiling phase wants per cell: 0 (no phase) up to what the router's profiling option takes. */
export const profilingCallsArg = wholeNumberArg(
  MAX_PROFILING_OBSERVATIONS,
  "the router's profiling observations; 0: no profiling phase",
);

export function parseNonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`${value} is not a number ≥ 0`);
  return n;
}

export function parseLocation(value: string): { lat: number; lon: number } {
  const parts = value.split(',');
  const [lat, lon] = parts.map(Number);
  if (parts.length !== 2 || parts.some((p) => p.trim() === '') || !(Math.abs(lat) <= 90) || !(Math.abs(lon) <= 180)) {
    throw new InvalidArgumentError(`${value} is not lat,lon in degrees (e.g. 47.6,-122.3)`);
  }
  return { lat, lon };
}

/** A USD amount as plain decimals with 4 significant digits, never in exponent form: `$0.00002316`. */
export function usd(amount: number): string {
  if (amount === 0) return '$0';
  if (!Number.isFinite(amount)) return `$${amount}`;
  const decimals = Math.min(12, Math.max(2, 3 - Math.floor(Math.log10(Math.abs(amount)))));
  return `${amount < 0 ? '-' : ''}$${Math.abs(amount).toFixed(decimals)}`;
}
