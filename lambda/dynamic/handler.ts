import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { DynamicRequest, DynamicResponse, Inspection } from '../../lib/contracts';
import { jsonByteLength, SYNC_PAYLOAD_LIMIT_BYTES } from '../../lib/contracts/work-limits';
import { WORKLOADS } from '../../lib/workloads';
import type { UserContext, Workload } from '../../lib/workloads/types';
import type { Platform } from '../shared/platform';
import { BundleCache } from './bundle';
import { descendantsOf, endProcessesStartedSince } from './child-processes';
import { DeadlineError, DynamicError, UserCodeError } from './errors';
import { type InspectionStart, Inspector } from './inspector';
import { CodeIsolation } from './isolation';
import { MAX_ERROR_TEXT_CHARS, parseDynamicRequest } from './request';
import { type RunTask, realRunner, type WorkloadRunner } from './runner';
import { unserializableReason } from './serialize';
import { isError, userError } from './user-error';

/** The parts of the Lambda context the handler reads. */
export interface DynamicContext {
  readonly functionName?: string;
  getRemainingTimeInMillis?(): number;
}

export interface DynamicHandlerOptions {
  /** The machine this instance runs on. */
  readonly platform: Platform;
  /**
   * Runs the user code or workload.
   * @default - the real code ({@link realRunner})
   */
  readonly runner?: WorkloadRunner;
  /**
   * Built-in workloads by name.
   * @default - the 12 workloads of `lib/workloads`
   */
  readonly workloads?: Readonly<Record<string, Workload>>;
  /**
   * Budget for user code when neither the request nor the Lambda context gives one, in ms.
   * @default 60000
   */
  readonly defaultTimeoutMs?: number;
  /**
   * Where sent code runs: worker threads, one per module, apart from this handler and from each other.
   * @default - a new isolation sized by the platform's `AWS_LAMBDA_FUNCTION_MEMORY_SIZE`
   */
  readonly isolation?: CodeIsolation;
  /**
   * End, when a call of sent code ends, every process started under this one during it (`child-processes.ts`), so
   * that none runs beside later callers' calls. Right only where calls run one at a time in their own process, as
   * on Lambda; the twin runs many emulated instances' calls in one process at once.
   * @default false (the Lambda entry, `index.ts`, sets it)
   */
  readonly endChildProcesses?: boolean;
}

export type DynamicHandler = (event: unknown, context?: DynamicContext) => Promise<DynamicResponse>;

/** Time kept back from the Lambda deadline so the handler can still answer, in ms. */
export const DEADLINE_MARGIN_MS = 250;

/** How long sent code's isolation may take to end a worker that passed its deadline, in ms. */
const CODE_STOP_GRACE_MS = 200;

/**
 * Creates the dynamic function's handler with its own per-instance state: the inspector (CPU
 * facts, marker), the compiled-code cache and the bundle cache. Lambda keeps one per
 * execution environment; the twin creates one per emulated instance, each with its own platform.
 *
 * Every answer carries the inspection. Nothing a request or its code does makes the handler
 * throw: failures become `status: 'error'` answers.
 *
 * @example
 * const handler = createDynamicHandler({ platform: nodePlatform() });
 * const answer = await handler({ code: { source: 'exports.run = (x) => x * 2' }, input: 21 });
 * // answer.status === 'ok', answer.result === 42, answer.inspection.cpuKey === 'intel-xeon-2.50' (say)
 */
export function createDynamicHandler(options: DynamicHandlerOptions): DynamicHandler {
  const { platform } = options;
  const runner = options.runner ?? realRunner;
  const workloads = options.workloads ?? WORKLOADS;
  const inspector = new Inspector(platform);
  const memoryMb = Number(platform.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE);
  const memory = Number.isFinite(memoryMb) && memoryMb > 0 ? { memoryMb } : {};
  const isolation = options.isolation ?? new CodeIsolation(memory);
  const bundles = new BundleCache(platform.tmpDir, memory);
  const clock = platform.monotonicMs ? () => platform.monotonicMs!() : () => platform.now();

  return async (event, context) => {
    const began = clock();
    let decodeMs = 0;
    let userMs = 0;
    let start: InspectionStart;
    try {
      start = inspector.start(context?.functionName);
    } catch (error) {
      start = fallbackStart(error);
    }
    const inspect = (): Inspection => {
      try {
        return inspector.finish(start, { decodeMs, userMs, totalMs: clock() - began });
      } catch {
        return { ...fallbackInspection(start), timings: { decodeMs, userMs, totalMs: clock() - began } };
      }
    };

    try {
      // Decoding: validating the request, unpacking its bundle, compiling (or finding) its code.
      const decodeStart = clock();
      let decoded: ReturnType<typeof decode>;
      try {
        decoded = decode(event, start, context);
      } finally {
        decodeMs = clock() - decodeStart;
      }
      if ('reject' in decoded) {
        await platform.sleep(decoded.reject.holdMs);
        const answer: DynamicResponse = { status: 'rejected', inspection: inspect() };
        if (decoded.reject.endInstance) platform.endInstance();
        return answer;
      }
      const { task, timeoutMs, isolated } = decoded;

      const userStart = clock();
      const wallStart = platform.now();
      const processesBefore =
        options.endChildProcesses && task.kind === 'code' ? new Set(descendantsOf(process.pid)) : undefined;
      let result: unknown;
      try {
        // Sent code is stopped by its isolation at the deadline, which answers once the worker has ended; this
        // deadline is a backstop for runners that do not run it.
        result = await withDeadline(
          () => runner.run(task),
          task.kind === 'code' ? timeoutMs + CODE_STOP_GRACE_MS : timeoutMs,
        );
      } finally {
        if (processesBefore) endProcessesStartedSince(processesBefore);
        userMs = clock() - userStart;
        // Sent code reports its own entry's time; the rest (handing the call to its worker, loading the
        // module) is the function's overhead. Never more than the handler saw.
        if (isolated.timing) {
          const own = Math.min(userMs, Math.max(0, isolated.timing.userMs));
          decodeMs += userMs - own;
          userMs = own;
        }
      }
      // A modelled runner advances a virtual clock: hold it to the same deadline.
      if (platform.now() - wallStart > timeoutMs) throw new DeadlineError(timeoutMs);
      const reason = unserializableReason(result);
      if (reason) throw new DynamicError('Unserializable', `the result cannot be sent as JSON: ${reason}`);
      const answer: DynamicResponse = {
        status: 'ok',
        result: result === undefined ? null : result,
        inspection: inspect(),
      };
      // Lambda would fail the whole invoke (ResponseSizeTooLarge) and the router could not tell the code's fault.
      const bytes = jsonByteLength(answer);
      if (bytes > SYNC_PAYLOAD_LIMIT_BYTES) {
        throw new DynamicError(
          'Unserializable',
          `the result is ${bytes} bytes of JSON with the answer; Lambda returns at most ${SYNC_PAYLOAD_LIMIT_BYTES} ` +
            'bytes from a synchronous call: return less, or write the result elsewhere and return where',
        );
      }
      return answer;
    } catch (error) {
      return { status: 'error', error: describeError(error), inspection: inspect() };
    }
  };

  /** Validates the request; unless this CPU is rejected, unpacks the bundle and compiles the code. */
  function decode(
    event: unknown,
    start: InspectionStart,
    context: DynamicContext | undefined,
  ):
    | { reject: NonNullable<DynamicRequest['reject']> }
    | { task: RunTask; timeoutMs: number; isolated: { timing?: { userMs: number } } } {
    const request = parseDynamicRequest(event);
    if (request.reject?.cpus.includes(start.facts.cpuKey)) {
      const remaining = context?.getRemainingTimeInMillis?.();
      if (remaining !== undefined && request.reject.holdMs > remaining - DEADLINE_MARGIN_MS) {
        // Held past the deadline, the call would end in the platform's timeout instead of this answer.
        throw new DynamicError(
          'BadRequest',
          `a hold of ${request.reject.holdMs} ms outlasts the ${remaining} ms this call has left`,
          'reject.holdMs',
        );
      }
      return { reject: request.reject };
    }
    const timeoutMs = budgetOf(request, context, options.defaultTimeoutMs ?? 60_000);
    const bundleDir = request.bundle ? bundles.open(request.bundle).dir : undefined;
    const isolated: { timing?: { userMs: number } } = {};
    return { task: prepare(request, start, bundleDir, timeoutMs, isolated), timeoutMs, isolated };
  }

  function prepare(
    request: DynamicRequest,
    start: InspectionStart,
    bundleDir: string | undefined,
    timeoutMs: number,
    isolated: { timing?: { userMs: number } },
  ): RunTask {
    const deadline = platform.now() + timeoutMs;
    const instance = {
      cpuKey: start.facts.cpuKey,
      cpuModel: start.facts.cpuModel,
      arch: start.facts.arch,
      cores: start.facts.cores,
      ...(start.memoryMb !== undefined ? { memoryMb: start.memoryMb } : {}),
      ...(start.region ? { region: start.region } : {}),
      ...(start.azId ? { azId: start.azId } : {}),
    };
    const userContext: UserContext = {
      tmpDir: platform.tmpDir,
      ...(bundleDir ? { bundleDir } : {}),
      remainingMs: () => Math.max(0, deadline - platform.now()),
      instance: { instanceId: start.instanceId, newInstance: start.newInstance, ...instance },
    };
    if (request.code) {
      const { source, entry } = request.code;
      const hash = createHash('sha256').update(source).digest('hex');
      const baseDir = bundleDir ?? platform.tmpDir;
      const input = request.input;
      const { remainingMs: _, ...plainContext } = userContext;
      return {
        kind: 'code',
        name: `inline:${hash.slice(0, 12)}`,
        input,
        context: userContext,
        instance,
        timeoutMs,
        invoke: async () => {
          const result = await isolation.call({
            hash,
            source,
            baseDir,
            filename: join(baseDir, `sky-inline-${hash.slice(0, 12)}.js`),
            ...(entry !== undefined ? { entry } : {}),
            input,
            context: plainContext,
            timeoutMs: Math.max(1, deadline - platform.now()),
          });
          isolated.timing = { userMs: result.userMs };
          return result.value;
        },
      };
    }
    const { name, size } = request.workload!;
    const workload = Object.hasOwn(workloads, name) ? workloads[name] : undefined;
    if (!workload) {
      throw new DynamicError(
        'UnknownWorkload',
        `unknown workload '${name}'; known: ${Object.keys(workloads).sort().join(', ')}`,
        'workload.name',
      );
    }
    const chosen = size ?? 'small';
    const input = request.input ?? workload.sizes[chosen];
    return {
      kind: 'workload',
      name,
      size: chosen,
      input,
      context: userContext,
      instance,
      timeoutMs,
      invoke: async () => {
        const output = await callUser(() => workload.run(input, userContext));
        const problem = workload.check(output, input);
        if (problem) throw new DynamicError('OutputCheckFailed', `${name}: ${problem}`);
        return output;
      },
    };
  }
}

/** Calls a built-in workload and tags whatever it throws (sync or async) as a user error. */
async function callUser(fn: () => unknown): Promise<unknown> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof DynamicError) throw error;
    throw userError(error);
  }
}

/** Races a run against a real timer; the timer never keeps the process alive. */
async function withDeadline(run: () => unknown, timeoutMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(timeoutMs)), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([Promise.resolve().then(run), expired]);
  } finally {
    clearTimeout(timer);
  }
}

function budgetOf(request: DynamicRequest, context: DynamicContext | undefined, fallback: number): number {
  const remaining = context?.getRemainingTimeInMillis?.();
  const lambdaBudget = remaining !== undefined ? Math.max(1, remaining - DEADLINE_MARGIN_MS) : undefined;
  if (request.timeoutMs !== undefined) return Math.min(request.timeoutMs, lambdaBudget ?? request.timeoutMs);
  return lambdaBudget ?? fallback;
}

type ErrorBody = Extract<DynamicResponse, { status: 'error' }>['error'];

function describeError(error: unknown): ErrorBody {
  if (error instanceof UserCodeError) {
    const stack = error.userStack ? { stack: cut(error.userStack) } : {};
    return { type: 'UserCodeError', message: cut(error.message), ...stack };
  }
  if (error instanceof DynamicError) {
    return { type: error.type, message: cut(error.message), ...(error.field ? { field: error.field } : {}) };
  }
  const e = isError(error) ? error : new Error(String(error));
  return {
    type: 'InternalError',
    message: cut(`${e.name}: ${e.message}`),
    ...(e.stack ? { stack: cut(e.stack) } : {}),
  };
}

/** `text` within `MAX_ERROR_TEXT_CHARS`, saying how much was cut. */
function cut(text: string): string {
  if (text.length <= MAX_ERROR_TEXT_CHARS) return text;
  return `${text.slice(0, MAX_ERROR_TEXT_CHARS)}... (${text.length - MAX_ERROR_TEXT_CHARS} more characters)`;
}

function fallbackStart(error: unknown): InspectionStart {
  return {
    facts: { cpuModel: 'unknown', cpuKey: 'unknown', cores: 1, arch: process.arch === 'arm64' ? 'arm64' : 'x86_64' },
    instanceId: `uninspected:${(error as Error)?.message ?? 'error'}`,
    newInstance: false,
    instanceCalls: 0,
  };
}

function fallbackInspection(start: InspectionStart): Omit<Inspection, 'timings'> {
  return {
    ...start.facts,
    instanceId: start.instanceId,
    newInstance: start.newInstance,
    instanceCalls: start.instanceCalls,
  };
}
