import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import vm from 'node:vm';
import { BadRequestError, DeadlineError, DynamicError, UserCodeError } from './errors';

/**
 * Compiles inline CommonJS sources once per hash and runs their synchronous parts under a
 * watchdog.
 *
 * The source is wrapped the way Node wraps a CommonJS file, `(exports, require, module,
 * __filename, __dirname)`, compiled with `vm.Script` into this context and evaluated once; its
 * `module.exports` is cached by the SHA-256 of the source (and the bundle folder it resolves
 * `require` against). Top-level code therefore runs once per instance, like a Lambda init phase.
 *
 * Synchronous infinite loops: every call into user code (the module body and each entry call)
 * goes through {@link callWithWatchdog}, which runs it inside `vm.Script#runInContext` with a
 * `timeout`, so V8 terminates a synchronous part that exceeds the remaining budget and the
 * instance survives. The asynchronous part is raced against the deadline by the handler; an
 * abandoned promise keeps running until it settles (JavaScript cannot kill it), but its
 * answer is discarded.
 */

/** A compiled module's exports, kept per instance. */
export interface CompiledModule {
  readonly hash: string;
  readonly exports: Record<string, unknown>;
}

/** Most compiled modules kept per instance; the least recently used is dropped first. */
export const CODE_CACHE_SIZE = 64;

const callContext = vm.createContext({ __skyCall: undefined as undefined | (() => unknown) });
const callScript = new vm.Script('__skyCall()', { filename: 'sky-watchdog.js' });

/**
 * Runs `fn` with its synchronous part limited to `timeoutMs` (at least 1 ms).
 * @throws DeadlineError when V8's watchdog stops it.
 */
export function callWithWatchdog<T>(fn: () => T, timeoutMs: number): T {
  const previous = callContext.__skyCall;
  callContext.__skyCall = fn;
  try {
    return callScript.runInContext(callContext, { timeout: Math.max(1, Math.floor(timeoutMs)) }) as T;
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new DeadlineError(timeoutMs, ' (synchronous code stopped by the watchdog)');
    }
    throw error;
  } finally {
    callContext.__skyCall = previous;
  }
}

/** A per-instance cache of compiled inline modules. */
export class CodeCache {
  private readonly modules = new Map<string, CompiledModule>();
  hits = 0;
  misses = 0;

  constructor(private readonly tmpDir: string) {}

  /**
   * Returns the module for `source`, compiling and evaluating it on a miss.
   * `require` resolves relative paths against `baseDir` (the bundle folder, if any).
   * @throws UserCodeError (as DynamicError) when the source does not compile or its body throws.
   */
  load(source: string, baseDir: string | undefined, timeoutMs: number): { module: CompiledModule; cached: boolean } {
    const hash = createHash('sha256').update(source).digest('hex');
    const key = baseDir ? `${hash}:${baseDir}` : hash;
    const found = this.modules.get(key);
    if (found) {
      this.modules.delete(key);
      this.modules.set(key, found);
      this.hits++;
      return { module: found, cached: true };
    }
    this.misses++;
    const dir = baseDir ?? this.tmpDir;
    const filename = join(dir, `sky-inline-${hash.slice(0, 12)}.js`);
    let wrapper: (...args: unknown[]) => unknown;
    try {
      wrapper = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
        filename,
      }).runInThisContext() as typeof wrapper;
    } catch (error) {
      throw userError(error, 'the code does not compile');
    }
    const module = { exports: {} as Record<string, unknown> };
    const require = createRequire(filename);
    try {
      callWithWatchdog(() => wrapper.call(module.exports, module.exports, require, module, filename, dir), timeoutMs);
    } catch (error) {
      if (error instanceof DynamicError) throw error;
      throw userError(error, 'the module body threw');
    }
    const compiled: CompiledModule = { hash, exports: module.exports };
    this.modules.set(key, compiled);
    if (this.modules.size > CODE_CACHE_SIZE) this.modules.delete(this.modules.keys().next().value!);
    return { module: compiled, cached: false };
  }
}

/** Finds the entry function of a compiled module. */
export function entryOf(module: CompiledModule, entry: string | undefined): (...args: unknown[]) => unknown {
  const name = entry ?? 'run';
  const exported = module.exports;
  const fn = typeof exported === 'function' && entry === undefined ? exported : exported[name];
  if (typeof fn !== 'function') {
    const names = Object.keys(exported).filter((k) => typeof exported[k] === 'function');
    throw new BadRequestError(
      'code.entry',
      `the module exports no function '${name}'; its exported functions: ${names.length > 0 ? names.join(', ') : '(none)'}`,
    );
  }
  return fn as (...args: unknown[]) => unknown;
}

/** Wraps anything user code threw (it need not be an Error). */
export function userError(error: unknown, context?: string): UserCodeError {
  if (isError(error)) {
    const message = context ? `${context}: ${error.name}: ${error.message}` : `${error.name}: ${error.message}`;
    return new UserCodeError(message, error.stack);
  }
  let text: string;
  try {
    text = JSON.stringify(error) ?? String(error);
  } catch {
    text = String(error);
  }
  return new UserCodeError(context ? `${context}: threw ${text}` : `threw ${text}`);
}

/** `instanceof Error` fails for errors from another realm (user code compiled into the main context). */
export function isError(value: unknown): value is Error {
  return value instanceof Error || Object.prototype.toString.call(value) === '[object Error]';
}
