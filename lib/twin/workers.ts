import { Worker } from 'node:worker_threads';
import type { DayRunnerOptions, TwinDay } from './experiment';
import type { Scenario } from './scenario';

/**
 * Splits the days of a twin run over worker threads (days are independent, so the results do not
 * depend on the split). Each worker gets a large young generation: a burst keeps a thousand
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

/** Runs `days` over `workers` threads, round robin, and returns the days in order. */
export async function runInWorkers(
  scenario: Scenario,
  options: DayRunnerOptions,
  days: readonly number[],
  workers: number,
  onStep: (day: number, detail: string) => void,
): Promise<TwinDay[]> {
  const { file, execArgv } = workerEntry();
  const shares: number[][] = Array.from({ length: workers }, () => []);
  days.forEach((day, i) => {
    shares[i % workers].push(day);
  });
  const results = new Map<number, TwinDay>();
  const running = shares
    .filter((share) => share.length > 0)
    .map(
      (share) =>
        new Promise<void>((resolve, reject) => {
          const task: WorkerTask = { scenario, options, days: share };
          const worker = new Worker(file, {
            workerData: task,
            execArgv,
            resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB },
          });
          let failed = false;
          worker.on('message', (message: WorkerMessage) => {
            if (message.type === 'step') onStep(message.day, message.detail);
            else if (message.type === 'day') results.set(message.result.day, message.result);
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
  await Promise.all(running);
  return days.map((day) => {
    const result = results.get(day);
    if (!result) throw new Error(`twin worker returned no result for day ${day}`);
    return result;
  });
}
