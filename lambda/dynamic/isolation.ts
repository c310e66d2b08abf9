import { Worker } from 'node:worker_threads';
import type { UserContext } from '../../lib/workloads/types';
import { BadRequestError, DeadlineError, DynamicError, UserCodeError } from './errors';
import { WORKER_SOURCE } from './worker-source';

/**
 * Runs sent code in worker threads, one per module (source hash and bundle folder), so that modules on a
 * warm instance do not trip over each other:
 * - each module has its own globals (replacing `Function.prototype.call` changes that module's thread only);
 * - its `process.env` is empty (`env: {}`), and child processes it starts inherit that empty environment; the
 *   process holds no credentials anyway (the exec wrapper removed them before Node started), while the instance's
 *   other variables stay readable in `/proc/self/environ`;
 * - its heap is limited (`resourceLimits`);
 * - between its calls the thread is blocked, so a timer or callback it left running cannot run while
 *   other code is being served;
 * - a call that passes its deadline gets the worker terminated: synchronous loops and asynchronous work
 *   alike are really stopped, not abandoned;
 * - `process.exit` ends the worker, not the instance, and the call gets an error saying so;
 * - a call that leaves a thread of its own running (a `Worker`) ends the module's worker, and the thread with it.
 *
 * This is no boundary against hostile code: a worker is a thread of the runtime's process, and code can reach the
 * main thread (the inspector's `connectToMainThread`, `/proc/self/mem`). The README's Security section says what
 * that means for who may share a mesh.
 *
 * Warm calls of a module cost one message each way (tens of microseconds); a new module takes a worker
 * that was started ahead (a spare), so its cost is compiling the code, not starting a thread.
 */

/** One call of sent code. */
export interface IsolatedCall {
  /** SHA-256 of the source, hex. */
  readonly hash: string;
  readonly source: string;
  /** Folder `require` resolves relative paths against (the bundle folder, or the scratch folder). */
  readonly baseDir: string;
  /** The module's file name (for stack traces and `require`), inside `baseDir`. */
  readonly filename: string;
  readonly entry?: string;
  readonly input: unknown;
  /** What the code's context reports: plain data, copied into the worker. */
  readonly context: Omit<UserContext, 'remainingMs'>;
  readonly timeoutMs: number;
}

/** What a call gives back: the value (decoded from the worker's JSON) and where the time went. */
export interface IsolatedResult {
  readonly value: unknown;
  /** Time of the code's own entry call, as the worker measured it. */
  readonly userMs: number;
  /** Compiling the module and running its body (0 for a warm module). */
  readonly loadMs: number;
}

/** Properties of a {@link CodeIsolation}. */
export interface CodeIsolationOptions {
  /**
   * Most modules kept warm (each holds a thread and its heap); the least recently used is ended first.
   * @default - one per 256 MB of `memoryMb`, from 1 to 8
   */
  readonly maxWorkers?: number;
  /**
   * Memory of the function in MB, which sizes a worker's heap limit and the number of warm workers.
   * @default 1024
   */
  readonly memoryMb?: number;
}

interface Reply {
  readonly id: number;
  readonly ok: boolean;
  readonly json?: string;
  readonly error?: { type: string; message: string; stack?: string; field?: string };
  readonly loadMs: number;
  readonly userMs: number;
  readonly unloaded?: boolean;
  /** Threads the module started that still run after the call. */
  readonly threads?: number;
}

/** A worker and the call it serves. */
class Slot {
  readonly worker: Worker;
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  loaded = false;
  dead = false;
  private pending: { id: number; resolve(reply: Reply): void; reject(error: Error): void } | undefined;

  constructor(readonly heapMb: number) {
    this.worker = new Worker(WORKER_SOURCE, {
      eval: true,
      env: {},
      execArgv: [],
      workerData: { signal: this.signal.buffer },
      resourceLimits: { maxOldGenerationSizeMb: heapMb },
    });
    this.worker.on('message', (reply: Reply) => {
      // The code can post messages of its own; only the answer to the current call counts.
      if (this.pending && reply && reply.id === this.pending.id) {
        const { resolve } = this.pending;
        this.pending = undefined;
        resolve(reply);
      }
    });
    this.worker.on('error', (error: Error & { code?: string }) => {
      this.end(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new UserCodeError(`the code ran out of memory (its heap limit is ${this.heapMb} MB)`)
          : new UserCodeError(`the code threw outside its call: ${error.name}: ${error.message}`, error.stack),
      );
    });
    this.worker.on('exit', (code) => {
      this.end(new UserCodeError(`the code ended its worker (process.exit(${code}) or equivalent) before it answered`));
    });
    // After the listeners: adding a 'message' listener refs the worker again. An idle worker never keeps
    // the process alive.
    this.worker.unref();
  }

  get busy(): boolean {
    return this.pending !== undefined;
  }

  /** Sends one call and wakes the worker; settles with its reply, or fails when the worker ends first. */
  call(message: Record<string, unknown> & { id: number }): Promise<Reply> {
    return new Promise<Reply>((resolve, reject) => {
      if (this.dead) {
        reject(new UserCodeError('the code ended its worker before it answered'));
        return;
      }
      this.pending = { id: message.id, resolve, reject };
      this.worker.ref();
      try {
        this.worker.postMessage(message);
      } catch (error) {
        this.pending = undefined;
        reject(new BadRequestError('input', `the input cannot be passed to the code: ${(error as Error).message}`));
        return;
      }
      Atomics.store(this.signal, 0, 1);
      Atomics.notify(this.signal, 0);
    }).finally(() => {
      if (!this.dead) this.worker.unref();
    });
  }

  /** Ends the worker; a pending call fails with `reason` at once. */
  end(reason: Error): void {
    this.dead = true;
    live.delete(this);
    const pending = this.pending;
    this.pending = undefined;
    pending?.reject(reason);
    void this.worker.terminate();
  }

  /** Ends the worker and only then fails the pending call with `reason`: when it fails, the code has stopped. */
  async stop(reason: Error): Promise<void> {
    this.dead = true;
    live.delete(this);
    const pending = this.pending;
    this.pending = undefined;
    await this.worker.terminate();
    pending?.reject(reason);
  }
}

/**
 * Most workers alive in the process across all isolations (the twin runs many instances in one process):
 * past it, the least recently used idle ones are ended.
 */
export const MAX_LIVE_WORKERS = 16;

/** Every live worker of the process, least recently used first. */
const live = new Set<Slot>();

function touch(slot: Slot): void {
  live.delete(slot);
  live.add(slot);
  for (const old of live) {
    if (live.size <= MAX_LIVE_WORKERS) break;
    if (old.dead) live.delete(old);
    else if (!old.busy && old !== slot) {
      live.delete(old);
      old.end(new UserCodeError('ended to make room for other code'));
    }
  }
}

/** Spare workers started ahead of need, per heap size; shared by every isolation of the process. */
const spares = new Map<number, Slot>();

function takeSpare(heapMb: number): Slot {
  const spare = spares.get(heapMb);
  spares.delete(heapMb);
  const slot = spare && !spare.dead ? spare : new Slot(heapMb);
  // Start the next one now: it boots on its own thread while this one compiles and runs.
  spares.set(heapMb, new Slot(heapMb));
  return slot;
}

/**
 * Starts a spare worker for the given function memory, so that the first sent code does not wait for a
 * thread to boot. Lambda's entry calls it when its instance starts (its first call).
 */
export function prepareSpareWorker(memoryMb = 1024): void {
  const heapMb = heapLimitMb(memoryMb);
  if (!spares.has(heapMb)) spares.set(heapMb, new Slot(heapMb));
}

/**
 * Ends every worker of the process, live and spare, and waits until their threads have stopped. An idle worker never
 * keeps the process alive, but exit still tears each one's thread down (tens of ms apiece, and up to
 * `MAX_LIVE_WORKERS` of them): a process done with sent code (a test file, a tool that embeds the handler) ends them
 * first to exit at once. Isolations stay usable: their next call starts a worker again.
 * @returns how many workers it ended
 */
export async function endAllWorkers(): Promise<number> {
  const slots = [...live, ...spares.values()].filter((slot) => !slot.dead);
  live.clear();
  spares.clear();
  await Promise.all(slots.map((slot) => slot.stop(new UserCodeError('the process ended its workers'))));
  return slots.length;
}

/** A worker's old-generation heap: the function's memory less what the instance itself needs. */
export function heapLimitMb(memoryMb: number): number {
  return Math.max(32, Math.floor(memoryMb - 96));
}

/** The per-instance set of warm modules. */
export class CodeIsolation {
  private readonly slots = new Map<string, Slot>();
  private readonly heapMb: number;
  private readonly maxWorkers: number;
  private nextId = 1;

  constructor(options: CodeIsolationOptions = {}) {
    const memoryMb = options.memoryMb ?? 1024;
    this.heapMb = heapLimitMb(memoryMb);
    this.maxWorkers = options.maxWorkers ?? Math.min(8, Math.max(1, Math.floor(memoryMb / 256)));
  }

  /** Warm modules held now. */
  get size(): number {
    return this.slots.size;
  }

  /**
   * Runs the code's entry with `input` in the module's worker, loading the module first if needed.
   * @throws DeadlineError when the call passes `timeoutMs` (the worker is ended), UserCodeError for what the
   *   code threw or did, BadRequestError for a missing entry, DynamicError `Unserializable` for a result
   *   JSON cannot carry.
   */
  async call(job: IsolatedCall): Promise<IsolatedResult> {
    const key = `${job.hash}\0${job.baseDir}`;
    let slot = this.slots.get(key);
    let owned = true;
    if (slot?.dead) {
      this.slots.delete(key);
      slot = undefined;
    }
    if (slot?.busy) {
      // Concurrent calls of one module on one instance (not Lambda's model, but the twin may do it): a
      // worker of its own for this call.
      slot = takeSpare(this.heapMb);
      owned = false;
    } else if (slot) {
      this.slots.delete(key);
      this.slots.set(key, slot);
    } else {
      slot = takeSpare(this.heapMb);
      this.slots.set(key, slot);
      this.evict();
    }
    touch(slot);
    const message = {
      id: this.nextId++,
      ...(slot.loaded ? {} : { load: { source: job.source, filename: job.filename, dir: job.baseDir } }),
      ...(job.entry !== undefined ? { entry: job.entry } : {}),
      input: job.input,
      context: job.context,
      budgetMs: job.timeoutMs,
    };
    const timer = setTimeout(
      () => slot.end(new DeadlineError(job.timeoutMs, '; its worker was stopped')),
      job.timeoutMs,
    );
    timer.unref();
    try {
      const reply = await slot.call(message);
      if (reply.unloaded) slot.end(new UserCodeError('the module did not load'));
      else slot.loaded = true;
      // Threads it left running would run beside later calls: its worker ends, and they with it; the next call of the
      // module loads it afresh.
      if ((reply.threads ?? 0) > 0) slot.end(new UserCodeError('it left threads running'));
      if (!reply.ok) throw errorOf(reply.error);
      return { value: JSON.parse(reply.json ?? 'null'), userMs: reply.userMs, loadMs: reply.loadMs };
    } finally {
      clearTimeout(timer);
      if (slot.dead || !owned) {
        if (this.slots.get(key) === slot) this.slots.delete(key);
        if (!owned) slot.end(new UserCodeError('done'));
      }
    }
  }

  /** Ends every worker of this isolation. */
  close(): void {
    for (const slot of this.slots.values()) slot.end(new UserCodeError('the instance is closing'));
    this.slots.clear();
  }

  private evict(): void {
    for (const [key, slot] of this.slots) {
      if (this.slots.size <= this.maxWorkers) return;
      if (slot.busy) continue;
      this.slots.delete(key);
      slot.end(new UserCodeError('evicted'));
    }
  }
}

function errorOf(error: Reply['error']): DynamicError {
  if (!error) return new UserCodeError('the code failed without a message');
  if (error.type === 'BadRequest') return new BadRequestError(error.field ?? 'code', error.message);
  if (error.type === 'Unserializable') return new DynamicError('Unserializable', error.message);
  return new UserCodeError(error.message, error.stack);
}
