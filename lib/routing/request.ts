import { createHash } from 'node:crypto';
import { z } from 'zod';
import { providerRegion } from '../catalog/providers';
import {
  AWS_REGION_CODE_PATTERN,
  BUNDLE_ENCODINGS,
  bundleProblem,
  bundleUnpackLimitBytes,
  CODE_ENTRY_PATTERN,
  type DynamicRequest,
  declaredBundleBytes,
  jsonByteLength,
  LAMBDA_MEMORY_MB,
  MAX_ATTEMPTS_LIMIT,
  MAX_BUNDLE_BASE64_CHARS,
  MAX_SOURCE_CHARS,
  minMemoryMbForBundle,
  SYNC_PAYLOAD_LIMIT_BYTES,
  type WorkloadSize,
} from '../contracts';
import { STRATEGY_NAMES } from '../core/strategies';
import type { Arch, GeoPoint, Objective, PlacementLimits, StrategyName, Target } from '../core/types';
import { PayloadTooLargeError, RouterRequestError } from './errors';

/**
 * The router's request: the work (a built-in workload or code, in the dynamic function's shapes),
 * the objective, the limits and, optionally, a batch. Validated with zod; the first problem is
 * reported with the path of the field at fault.
 */

export { MAX_ATTEMPTS_LIMIT, SYNC_PAYLOAD_LIMIT_BYTES } from '../contracts';
/** Largest batch one router call runs. */
export const MAX_BATCH_COUNT = 10_000;
/** Calls of a batch at a time unless it says otherwise. */
export const DEFAULT_BATCH_CONCURRENCY = 100;
/** Highest concurrency of a batch (the default account concurrency quota is 1,000). */
export const MAX_BATCH_CONCURRENCY = 1_000;
/** Default `batch.maxSlowdown`: the router keeps the concurrency it is given. */
export const DEFAULT_BATCH_MAX_SLOWDOWN = 1;
/** Largest `batch.maxSlowdown` accepted: a batch may take at most this many times its unpaced duration. */
export const MAX_BATCH_SLOWDOWN = MAX_BATCH_COUNT;
/** Most runtimes a profiling request may want per CPU × architecture × memory size. */
export const MAX_PROFILING_OBSERVATIONS = 100;
/** Most threads a request may say its work runs at once (Lambda's largest size has 6 vCPUs; more changes nothing). */
export const MAX_PARALLELISM = 64;
/** Calls a profiling request keeps in flight unless it says otherwise. */
export const DEFAULT_PROFILING_CONCURRENCY = 20;
/** Most calls one profiling request makes unless it says otherwise. */
export const DEFAULT_PROFILING_MAX_CALLS = 2_000;

const WORKLOAD_SIZES = ['test', 'small', 'large'] as const satisfies readonly WorkloadSize[];
const ARCHES = ['x86_64', 'arm64'] as const satisfies readonly Arch[];

/**
 * Names that are keys of every object (`constructor`, `toString`, `__proto__`...): refused wherever a
 * name becomes a key, so no request can store an item whose name shadows an object's own machinery.
 */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), '__proto__']);

function notPrototypeKey(value: string): boolean {
  return !PROTOTYPE_KEYS.has(value) && !value.split(/[@:]/).some((part) => PROTOTYPE_KEYS.has(part));
}

const PROTOTYPE_KEY_MESSAGE =
  'names an object prototype key (such as constructor, toString or __proto__); choose another';

const name = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'expected 1-64 letters, digits, ".", "_" or "-"')
  .refine(notPrototypeKey, PROTOTYPE_KEY_MESSAGE);
const regionCode = z
  .string()
  .refine(
    (code) => AWS_REGION_CODE_PATTERN.test(code) || providerRegion(code) !== undefined,
    'expected a region code such as us-west-2 (or an IBM Code Engine or DigitalOcean region, such as us-south or tor1)',
  );
const azId = z
  .string()
  .regex(
    /^([a-z]{2,5}\d-az\d+|(ibm|do|ext)-[a-z0-9]+(-[a-z0-9]+)*)$/,
    "expected an AZ ID such as usw2-az1 (or another provider's zone, such as ibm-us-south or do-tor1)",
  );
const memoryMb = z.number().int().min(LAMBDA_MEMORY_MB.min).max(LAMBDA_MEMORY_MB.max);

const geoPoint = z.strictObject({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });

/** Largest objective weight: only the weights' ratios matter, and larger ones overflow once combined. */
export const MAX_OBJECTIVE_WEIGHT = 1e6;

const weight = z
  .number()
  .min(0)
  .max(MAX_OBJECTIVE_WEIGHT, `expected at most ${MAX_OBJECTIVE_WEIGHT} (only ratios matter)`);
const weights = z
  .strictObject({ cost: weight, latency: weight, carbon: weight })
  .refine((w) => w.cost + w.latency + w.carbon > 0, 'at least one weight must be above 0');

const limits = z.strictObject({
  regions: z.array(regionCode).min(1).optional(),
  zones: z.array(azId).min(1).optional(),
  architectures: z.array(z.enum(ARCHES)).min(1).optional(),
  /** Shorthand for `architectures: [arch]`. */
  arch: z.enum(ARCHES).optional(),
  memorySizes: z.array(memoryMb).min(1).optional(),
  /** Shorthand for `memorySizes: [memoryMb]`. */
  memoryMb: memoryMb.optional(),
  /** The least memory the work runs in: no placement below it. */
  minMemoryMb: memoryMb.optional(),
  maxAttempts: z.number().int().min(1).max(MAX_ATTEMPTS_LIMIT).optional(),
  maxAddedLatencyMs: z.number().min(0).optional(),
  clientLocation: geoPoint.optional(),
});

const routerRequestSchema = z
  .strictObject({
    workload: z
      .union([name, z.strictObject({ name, size: z.enum(WORKLOAD_SIZES).optional() })], {
        error: 'expected a workload name or { name, size }',
      })
      .optional(),
    /** Size of a built-in workload given by name. */
    size: z.enum(WORKLOAD_SIZES).optional(),
    // The dynamic function's own rules for sent work (`work-limits.ts`): a request it would refuse is never sent.
    code: z
      .strictObject({
        source: z
          .string()
          .min(1)
          .max(MAX_SOURCE_CHARS, `expected at most ${MAX_SOURCE_CHARS} characters (send larger code as a bundle)`),
        entry: z
          .string()
          .regex(CODE_ENTRY_PATTERN, 'expected a JavaScript identifier: the name of a function the module exports')
          .optional(),
      })
      .optional(),
    input: z.unknown().optional(),
    bundle: z
      .strictObject({
        data: z
          .string()
          .min(1)
          .max(
            MAX_BUNDLE_BASE64_CHARS,
            `expected at most ${MAX_BUNDLE_BASE64_CHARS} characters of base64 (5 MiB, which fits the 6 MB invoke payload)`,
          ),
        sha256: z.string().regex(/^[0-9a-f]{64}$/, 'expected 64 lowercase hex digits'),
        encoding: z.enum(BUNDLE_ENCODINGS),
      })
      .superRefine((bundle, ctx) => {
        const problem = bundleProblem(bundle);
        if (problem) ctx.addIssue({ code: 'custom', path: [problem.field.split('.')[1]], message: problem.message });
      })
      .optional(),
    timeoutMs: z.number().int().min(1).max(900_000).optional(),
    /** Threads the work can run at once, for how its runtime scales with memory (Lambda gives 1 vCPU per 1,769 MB). */
    parallelism: z.number().positive().max(MAX_PARALLELISM).optional(),
    /** Name under which runtimes are learned; default: the workload name (with `@size`), or a hash of the code. */
    profile: z
      .string()
      .regex(/^[A-Za-z0-9._@:-]{1,128}$/, 'expected 1-128 letters, digits, ".", "_", "@", ":" or "-"')
      .refine(notPrototypeKey, PROTOTYPE_KEY_MESSAGE)
      .optional(),
    objective: z
      .union([z.enum(['cost', 'latency', 'carbon']), weights], {
        error: `expected cost, latency, carbon or weights { cost, latency, carbon }, each a number from 0 to ${MAX_OBJECTIVE_WEIGHT}`,
      })
      .optional(),
    strategy: z.enum(STRATEGY_NAMES).optional(),
    limits: limits.optional(),
    clientLocation: geoPoint.optional(),
    batch: z
      .strictObject({
        count: z.number().int().min(1).max(MAX_BATCH_COUNT),
        concurrency: z.number().int().min(1).max(MAX_BATCH_CONCURRENCY).optional(),
        /** Include each call's result in the per-call outcomes (default false: summaries only). */
        includeResults: z.boolean().optional(),
        /**
         * Run the batch in about this many waves (default 1): at most ceil(count / waves) calls at a time, so later
         * calls reuse the instances earlier ones left warm (no INIT, CPUs already known to be accepted).
         */
        waves: z.number().int().min(1).max(MAX_BATCH_COUNT).optional(),
        /**
         * Let the router run fewer calls at a time than `concurrency` (after `waves`) when the pool model says that
         * costs less: the batch may take up to this many times its expected duration at full concurrency, so each
         * instance a call settles on serves more calls (default 1: the router keeps the concurrency it is given).
         */
        maxSlowdown: z.number().min(1).max(MAX_BATCH_SLOWDOWN).optional(),
        /**
         * Let the batch run past the router's deadline in several sends (default false): the router paces it within
         * `maxSlowdown` alone and, when its time left would not answer another call, starts no more and answers with
         * `resume`, the `batch` to send for the calls left. Without it, a paced batch is planned within the time left.
         */
        resumable: z.boolean().optional(),
        /**
         * Run this many calls at a time, as a batch of `concurrency` paced by the router (`resume` carries it): the
         * router does not choose the pacing again, but still reviews it as the calls meet the pool.
         */
        pacedConcurrency: z.number().int().min(1).max(MAX_BATCH_CONCURRENCY).optional(),
        /**
         * What is left of the batch's time budget, ms (`resume` carries it): a paced send holds its calls to it
         * rather than to `maxSlowdown` × its own unpaced duration.
         */
        budgetLeftMs: z.number().min(0).optional(),
        /**
         * Calls of the batch its earlier sends started (`resume` carries it): a paced send weighs its time budget from
         * the middle of the whole batch, not of its own calls.
         */
        callsStarted: z.number().int().min(0).optional(),
        /**
         * The zone, architecture and memory size an earlier send of the batch ran on (`resume` carries them): this
         * send is placed there where the limits allow it, on the instances the earlier calls left warm.
         */
        target: z.strictObject({ azId, arch: z.enum(ARCHES), memoryMb }).optional(),
      })
      .refine(
        (b) => b.pacedConcurrency === undefined || b.pacedConcurrency <= (b.concurrency ?? DEFAULT_BATCH_CONCURRENCY),
        {
          path: ['pacedConcurrency'],
          message: 'expected at most the batch concurrency',
        },
      )
      .refine((b) => b.callsStarted === undefined || b.callsStarted + b.count <= MAX_BATCH_COUNT, {
        path: ['callsStarted'],
        message: `expected the calls started and count together to be at most ${MAX_BATCH_COUNT}, a batch's most calls`,
      })
      .optional(),
    /**
     * Profile the workload instead of running it once: calls on every CPU × architecture × memory size the limits
     * allow, until each holds `observations` runtimes (see `runProfiling`).
     */
    profiling: z
      .strictObject({
        observations: z.number().int().min(1).max(MAX_PROFILING_OBSERVATIONS).optional(),
        concurrency: z.number().int().min(1).max(MAX_BATCH_CONCURRENCY).optional(),
        maxCalls: z.number().int().min(1).max(MAX_BATCH_COUNT).optional(),
        /** Give only cells that could still win more than one runtime (default true). */
        worthOnly: z.boolean().optional(),
      })
      .optional(),
  })
  .superRefine((request, ctx) => {
    if (request.profiling !== undefined && request.batch !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['profiling'], message: 'give at most one of batch and profiling' });
    }
    if ((request.workload === undefined) === (request.code === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['workload'], message: 'give exactly one of workload and code' });
    }
    if (request.size !== undefined && typeof request.workload !== 'string') {
      ctx.addIssue({ code: 'custom', path: ['size'], message: 'size goes with a workload given by name' });
    }
    if (request.size !== undefined && request.input !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['input'], message: 'give one of size and input: both choose the input' });
    }
    if (request.bundle !== undefined && request.workload !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['bundle'],
        message: 'a bundle goes with code; a built-in workload uses none',
      });
    }
    // Sent code's profiles are `code:<name>` and `code-<hash>`: a built-in workload may not write into them.
    if (request.workload !== undefined && request.profile !== undefined && /^code[:-]/.test(request.profile)) {
      ctx.addIssue({
        code: 'custom',
        path: ['profile'],
        message: "a built-in workload's profile may not start with code: or code- (sent code's profiles)",
      });
    }
    // A shorthand beside its long form would silently lose one of them.
    const l = request.limits;
    if (l?.arch !== undefined && l.architectures !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['limits', 'arch'], message: 'give one of arch and architectures' });
    }
    if (l?.memoryMb !== undefined && l.memorySizes !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['limits', 'memoryMb'], message: 'give one of memoryMb and memorySizes' });
    }
    const bundleMemory = request.bundle ? bundleMinMemoryMb(request.bundle.data) : undefined;
    const sizes = l?.memorySizes ?? (l?.memoryMb !== undefined ? [l.memoryMb] : undefined);
    if (bundleMemory !== undefined && sizes?.every((mb) => mb < bundleMemory)) {
      ctx.addIssue({
        code: 'custom',
        path: ['bundle', 'data'],
        message:
          `unpacks to ${declaredBundleBytes(request.bundle?.data ?? '')} bytes, which only a function of at least ` +
          `${bundleMemory} MB unpacks (an eighth of its memory); the limits allow at most ${Math.max(...sizes)} MB`,
      });
    }
    if (l?.clientLocation !== undefined && request.clientLocation !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['clientLocation'],
        message: 'give clientLocation once: at the top level or in limits',
      });
    }
  });

/**
 * Least memory, MB, of a function that unpacks the bundle whose base64 gzip is `data`, by the size its gzip declares;
 * undefined where Lambda's smallest size unpacks it.
 */
function bundleMinMemoryMb(data: string): number | undefined {
  const declared = declaredBundleBytes(data);
  return declared > bundleUnpackLimitBytes(LAMBDA_MEMORY_MB.min) ? minMemoryMbForBundle(declared) : undefined;
}

type ParsedRequest = z.infer<typeof routerRequestSchema>;

/** A router request as a client writes it (before validation and defaults). */
export type RouterRequestBody = z.input<typeof routerRequestSchema>;

/** The function a batch ran on, by the zone, architecture and memory size that name it. */
export type BatchTarget = Pick<Target, 'azId' | 'arch' | 'memoryMb'>;

/** The work the dynamic function runs: the fields of a `DynamicRequest` without routing. */
export type Work = Pick<DynamicRequest, 'code' | 'workload' | 'input' | 'bundle' | 'timeoutMs'>;

/** A validated, normalized router request. */
export interface RouterRequest {
  readonly work: Work;
  /** The key runtimes are learned and looked up under. */
  readonly profile: string;
  readonly objective?: Objective;
  readonly strategy?: StrategyName;
  readonly limits: PlacementLimits;
  /** The least memory the work runs in, MB. */
  readonly minMemoryMb?: number;
  /** Threads the work can run at once (`PlacementRequest.parallelism`). */
  readonly parallelism?: number;
  readonly batch?: {
    readonly count: number;
    readonly concurrency: number;
    readonly includeResults: boolean;
    /**
     * The time budget over the batch's expected duration at `concurrency` within which the router paces it.
     * @default DEFAULT_BATCH_MAX_SLOWDOWN (1: not paced)
     */
    readonly maxSlowdown?: number;
    /** Whether the batch may run past the router's deadline in several sends (`resume`). */
    readonly resumable: boolean;
    /** Calls at a time fixed by an earlier send of the batch (at most `concurrency`). @default - the router paces */
    readonly pacedConcurrency?: number;
    /** Where an earlier send of the batch ran, which this send keeps. @default - placed afresh */
    readonly target?: BatchTarget;
    /** What an earlier send left of the batch's time budget, ms. @default - maxSlowdown × this send's unpaced duration */
    readonly budgetLeftMs?: number;
    /** Calls of the batch its earlier sends started. @default 0 */
    readonly callsStarted?: number;
  };
  /** Profile the workload across CPUs, architectures and memory sizes (the limits say which). */
  readonly profiling?: {
    readonly observations?: number;
    readonly concurrency: number;
    readonly maxCalls: number;
    readonly worthOnly: boolean;
  };
}

/**
 * Validates a router request (already decoded from JSON).
 * @throws RouterRequestError naming the first field at fault.
 * @example parseRouterRequest({ workload: 'zipper', objective: 'cost' }).profile; // 'zipper'
 */
export function parseRouterRequest(body: unknown): RouterRequest {
  checkDepth(body);
  const parsed = routerRequestSchema.safeParse(body);
  if (!parsed.success) {
    const issue = innermost(parsed.error.issues[0]);
    // An unknown key is named by its own path, so the caller sees which one.
    const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
    const field = path.length > 0 ? path.map((key) => (key === '' ? '""' : String(key))).join('.') : 'request';
    const allowed = issue.code === 'unrecognized_keys' ? 'unknown field; see the request format' : issue.message;
    throw new RouterRequestError(field, allowed);
  }
  return normalize(parsed.data);
}

/**
 * The issue to report for a field that is one of several shapes (`workload`: a name or `{ name, size }`;
 * `objective`: a name or weights): where the value has one shape's type but breaks it inside (a size not known, a
 * weight missing), that shape's own issue, which names the field inside; else the issue itself.
 */
function innermost(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union') return issue;
  let best: z.core.$ZodIssue | undefined;
  for (const branch of issue.errors) {
    const first = branch[0];
    if (first && first.path.length > 0 && (!best || first.path.length > best.path.length)) best = first;
  }
  return best ? { ...best, path: [...issue.path, ...best.path] } : issue;
}

function normalize(request: ParsedRequest): RouterRequest {
  const workload =
    typeof request.workload === 'string' ? { name: request.workload, size: request.size } : request.workload;
  const work: Work = {
    ...(workload
      ? { workload: workload.size ? { name: workload.name, size: workload.size } : { name: workload.name } }
      : {}),
    ...(request.code ? { code: request.code } : {}),
    ...(request.input !== undefined ? { input: request.input } : {}),
    ...(request.bundle ? { bundle: request.bundle } : {}),
    ...(request.timeoutMs !== undefined ? { timeoutMs: request.timeoutMs } : {}),
  };
  const l = request.limits ?? {};
  // A bundle is placed only where the function's memory can unpack it.
  const bundleMemory = request.bundle ? bundleMinMemoryMb(request.bundle.data) : undefined;
  const minMemoryMb = bundleMemory !== undefined ? Math.max(bundleMemory, l.minMemoryMb ?? 0) : l.minMemoryMb;
  const clientLocation: GeoPoint | undefined = l.clientLocation ?? request.clientLocation;
  const architectures = l.architectures ?? (l.arch ? [l.arch] : undefined);
  const memorySizes = l.memorySizes ?? (l.memoryMb !== undefined ? [l.memoryMb] : undefined);
  const placementLimits: PlacementLimits = {
    ...(l.regions ? { regions: l.regions } : {}),
    ...(l.zones ? { zones: l.zones } : {}),
    ...(architectures ? { architectures } : {}),
    ...(memorySizes ? { memorySizes } : {}),
    ...(l.maxAttempts !== undefined ? { maxAttempts: l.maxAttempts } : {}),
    ...(l.maxAddedLatencyMs !== undefined ? { maxAddedLatencyMs: l.maxAddedLatencyMs } : {}),
    ...(clientLocation ? { clientLocation } : {}),
  };
  return {
    work,
    profile: profileOf(request.profile, work),
    ...(request.objective !== undefined ? { objective: request.objective } : {}),
    ...(request.strategy !== undefined ? { strategy: request.strategy } : {}),
    limits: placementLimits,
    ...(minMemoryMb !== undefined ? { minMemoryMb } : {}),
    ...(request.parallelism !== undefined ? { parallelism: request.parallelism } : {}),
    ...(request.batch
      ? {
          batch: {
            count: request.batch.count,
            concurrency: batchConcurrencyOf(request.batch),
            includeResults: request.batch.includeResults ?? false,
            ...(request.batch.maxSlowdown !== undefined ? { maxSlowdown: request.batch.maxSlowdown } : {}),
            resumable: request.batch.resumable ?? false,
            ...(request.batch.pacedConcurrency !== undefined
              ? { pacedConcurrency: Math.min(request.batch.pacedConcurrency, batchConcurrencyOf(request.batch)) }
              : {}),
            ...(request.batch.target ? { target: request.batch.target } : {}),
            ...(request.batch.budgetLeftMs !== undefined ? { budgetLeftMs: request.batch.budgetLeftMs } : {}),
            ...(request.batch.callsStarted !== undefined ? { callsStarted: request.batch.callsStarted } : {}),
          },
        }
      : {}),
    ...(request.profiling
      ? {
          profiling: {
            ...(request.profiling.observations !== undefined ? { observations: request.profiling.observations } : {}),
            concurrency: request.profiling.concurrency ?? DEFAULT_PROFILING_CONCURRENCY,
            maxCalls: request.profiling.maxCalls ?? DEFAULT_PROFILING_MAX_CALLS,
            worthOnly: request.profiling.worthOnly ?? true,
          },
        }
      : {}),
  };
}

/** Calls of a batch at a time: its concurrency, at most its count, and fewer where it asks for waves. */
function batchConcurrencyOf(batch: NonNullable<ParsedRequest['batch']>): number {
  return Math.min(
    batch.concurrency ?? DEFAULT_BATCH_CONCURRENCY,
    batch.count,
    Math.ceil(batch.count / (batch.waves ?? 1)),
  );
}

/** Deepest nesting a request may have (its `input` included): deeper input cannot even be serialized safely. */
export const MAX_REQUEST_DEPTH = 64;

/**
 * Refuses a request nested deeper than `MAX_REQUEST_DEPTH`, naming the path where it goes too deep.
 * Iterative, so that no input can exhaust the stack.
 */
function checkDepth(body: unknown): void {
  // `field` is the top-level key the nesting sits under, kept apart from the shown path: a key may itself contain dots.
  const stack: Array<{ value: unknown; depth: number; path: string; field: string }> = [
    { value: body, depth: 0, path: 'request', field: 'request' },
  ];
  while (stack.length > 0) {
    const { value, depth, path, field } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth >= MAX_REQUEST_DEPTH) {
      throw new RouterRequestError(
        field,
        `nested more than ${MAX_REQUEST_DEPTH} levels deep (at ${path.length > 80 ? `${path.slice(0, 80)}…` : path})`,
      );
    }
    for (const key of Object.keys(value)) {
      const child = (value as Record<string, unknown>)[key];
      if (typeof child === 'object' && child !== null) {
        const name = key === '' ? '""' : key;
        const top = depth === 0;
        stack.push({ value: child, depth: depth + 1, path: top ? name : `${path}.${name}`, field: top ? name : field });
      }
    }
  }
}

/**
 * The key runtimes are learned under. Sent code's profiles live in their own namespace (`code:<name>`
 * when the request names one), so code can never write into a built-in workload's profile.
 */
function profileOf(given: string | undefined, work: Work): string {
  if (given === undefined) return profileKeyOf(work);
  return work.code ? `code:${given}` : given;
}

/**
 * The profile key of a piece of work: `zipper` for a built-in workload at its default size,
 * `zipper@large` at another size, `zipper@input-<16 hex digits>` with an input of its own (another input runs another
 * time), `code-<first 16 hex digits of the SHA-256 of the entry and source>` for sent code.
 */
export function profileKeyOf(work: Work): string {
  if (work.workload) {
    const { name, size } = work.workload;
    if (work.input !== undefined) return `${name}@input-${sha256Hex(JSON.stringify(work.input) ?? '').slice(0, 16)}`;
    return size ? `${name}@${size}` : name;
  }
  const text = `${work.code?.entry ?? 'run'}\n${work.code?.source ?? ''}`;
  return `code-${sha256Hex(text).slice(0, 16)}`;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * Checks that the payload sent to the dynamic function fits Lambda's synchronous limit,
 * naming the largest field when it does not.
 * @returns the payload's size in bytes.
 */
export function checkPayloadSize(payload: DynamicRequest): number {
  const bytes = jsonByteLength(payload);
  if (bytes <= SYNC_PAYLOAD_LIMIT_BYTES) return bytes;
  const fields: Array<[string, unknown]> = [
    ['bundle', payload.bundle],
    ['input', payload.input],
    ['code', payload.code],
  ];
  let largest = 'request';
  let largestBytes = -1;
  for (const [field, value] of fields) {
    const size = jsonByteLength(value);
    if (size > largestBytes) {
      largest = field;
      largestBytes = size;
    }
  }
  throw new PayloadTooLargeError(largest, bytes, SYNC_PAYLOAD_LIMIT_BYTES);
}
