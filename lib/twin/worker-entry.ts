import { parentPort, workerData } from 'node:worker_threads';
import { installPolyfills } from '../polyfills';
import { DayRunner } from './experiment';
import type { WorkerMessage, WorkerTask } from './workers';

/** A worker thread of a twin run: runs its share of the days and posts each result. */
async function main(): Promise<void> {
  installPolyfills();
  const task = workerData as WorkerTask;
  const post = (message: WorkerMessage): void => parentPort?.postMessage(message);
  const runner = new DayRunner(task.scenario, task.options);
  for (const day of task.days) {
    const result = await runner.run(day, (detail) => post({ type: 'step', day, detail }));
    post({ type: 'day', result });
  }
}

main().catch((error: unknown) => {
  const e = error instanceof Error ? error : new Error(String(error));
  parentPort?.postMessage({ type: 'error', message: e.message, stack: e.stack } satisfies WorkerMessage);
});
