import { Worker } from 'node:worker_threads';
import type { DayRunnerOptions, TwinDay } from './experiment';
import type { Scenario } from './scenario';

/**
 * Runs shares of a twin run in worker threads: with routing, each worker samples every day and
 * routes its share of the strategies; without, each samples its share of the days (see
 * `runTwinExperiment`). Each worker gets a large young generation: a burst keeps a thousand
 * requests' objects alive across many virtual-time steps, which otherwise promotes them to the
 * old generation and makes garbage collection dominate.
 */

/** Messages a worker sends back. */
export type WorkerMessage =
  | { readonly type: 'step'; readonly day: number; readonly detail: string }
  | { readonly type: 'day'; readonly result: TwinDay }
  | { readonly type: 'error'; readonly message: string; readonly stack?: string };

/** What a worker is asked to do. */
export interface WorkerTask {
  readonly scenario: Scenario;
  readonly options: DayRunnerOptions;
  readonly days: readonly number[];
}

const YOUNG_GENERATION_MB = 512;

function workerEntry(): { file: string; execArgv: string[] } {
  const ts = __filename.endsWith('.ts');
  const file = `${__dirname}/worker-entry.${ts ? 'ts' : 'js'}`;
  return { file, execArgv: ts ? ['--require', require.resolve('tsx/cjs')] : [] };
}

/**
 * Runs each task in a thread of its own and returns each task's days in order. When `signal` aborts, every thread is
 * ended and the run rejects with the signal's reason.
 */
export async function runInWorkers(
  scenario: Scenario,
  tasks: ReadonlyArray<Omit<WorkerTask, 'scenario'>>,
  onStep: (task: number, day: number, detail: string) => void,
  signal?: AbortSignal,
): Promise<TwinDay[][]> {
  signal?.throwIfAborted();
  const { file, execArgv } = workerEntry();
  const results = tasks.map(() => new Map<number, TwinDay>());
  const workers: Worker[] = [];
  const running = tasks.map(
    (share, index) =>
      new Promise<void>((resolve, reject) => {
        const task: WorkerTask = { scenario, ...share };
        const worker = new Worker(file, {
          workerData: task,
          execArgv,
          resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
        });
        workers.push(worker);
        let failed = false;
        worker.on('message', (message: WorkerMessage) => {
          if (message.type === 'step') onStep(index, message.day, message.detail);
          else if (message.type === 'day') results[index].set(message.result.day, message.result);
          else {
            failed = true;
            reject(Object.assign(new Error(message.message), { stack: message.stack }));
          }
        });
        worker.on('error', (error) => {
          failed = true;
          reject(error);
        });
        worker.on('exit', (code) => {
          if (failed) return;
          if (code !== 0) reject(new Error(`twin worker exited with code ${code}`));
          else resolve();
        });
      }),
  );
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([Promise.all(running), aborted]);
  } catch (error) {
    // The run has failed: the other shares' results would be thrown away, so stop their threads now.
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
  return tasks.map((task, index) =>
    task.days.map((day) => {
      const result = results[index].get(day);
      if (!result) throw new Error(`twin worker returned no result for day ${day}`);
      return result;
    }),
  );
}
