import { Worker } from 'node:worker_threads';

/**
 * Runs the same worker source on each of `inputs` in its own thread and returns their answers in
 * order. The source is evaluated as a CommonJS script (`require` available) and must answer with
 * `require('node:worker_threads').parentPort.postMessage(result)` after reading `workerData`.
 * Inline source keeps workloads self-contained once bundled (no worker file to ship).
 */
export async function runWorkers<T>(source: string, inputs: readonly unknown[]): Promise<T[]> {
  return Promise.all(
    inputs.map(
      (workerData) =>
        new Promise<T>((resolve, reject) => {
          const worker = new Worker(source, { eval: true, workerData });
          let answered = false;
          worker.once('message', (message: T) => {
            answered = true;
            resolve(message);
            void worker.terminate();
          });
          worker.once('error', reject);
          worker.once('exit', (code) => {
            if (!answered) reject(new Error(`worker exited with code ${code} before answering`));
          });
        }),
    ),
  );
}
