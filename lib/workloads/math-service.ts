import { runWorkers } from './parallel';
import type { Workload } from './types';

export interface MathServiceInput {
  /** Elements per array. */
  readonly length: number;
  /** Passes of arithmetic over the arrays. */
  readonly rounds: number;
  /** Threads sharing the work (the paper gave the function 2 vCPUs). */
  readonly threads: number;
}

export interface MathServiceOutput {
  readonly operations: number;
  /** Σ (sin² t + cos² t) over every element and round: exactly `length × rounds` in exact arithmetic. */
  readonly identitySum: number;
  /** Σ of the final array values. */
  readonly valueSum: number;
}

/** Each thread builds its slice of the arrays and runs the arithmetic loop on it. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { start, end, rounds } = workerData;
const n = end - start;
const a = new Float64Array(n);
const b = new Float64Array(n);
for (let i = 0; i < n; i++) { a[i] = ((start + i) % 1000) / 1000; b[i] = ((start + i) % 997) / 997 + 1; }
let identity = 0;
for (let r = 0; r < rounds; r++) {
  for (let i = 0; i < n; i++) {
    const t = a[i] * 3.7 + r;
    const s = Math.sin(t);
    const c = Math.cos(t);
    identity += s * s + c * c;
    a[i] = Math.sqrt(a[i] * a[i] + b[i]) / (1 + b[i]);
    b[i] = b[i] * 0.999 + Math.abs(s) * 0.001 + 1e-3;
  }
}
let values = 0;
for (let i = 0; i < n; i++) values += a[i] + b[i];
parentPort.postMessage({ identity, values });
`;

/** Table 1: "Builds large arrays and repeatedly performs arithmetic operations on them." */
export const mathService: Workload<MathServiceInput, MathServiceOutput> = {
  name: 'math-service',
  vCpus: 2,
  description: 'Builds large arrays and repeatedly performs arithmetic operations on them.',
  sizes: {
    test: { length: 20_000, rounds: 5, threads: 2 },
    small: { length: 2_000_000, rounds: 8, threads: 2 },
    large: { length: 4_000_000, rounds: 60, threads: 2 },
  },
  async run(input) {
    const per = Math.ceil(input.length / input.threads);
    const parts = await runWorkers<{ identity: number; values: number }>(
      WORKER,
      Array.from({ length: input.threads }, (_, t) => ({
        start: t * per,
        end: Math.min(input.length, (t + 1) * per),
        rounds: input.rounds,
      })),
    );
    return {
      operations: input.length * input.rounds,
      identitySum: parts.reduce((s, p) => s + p.identity, 0),
      valueSum: parts.reduce((s, p) => s + p.values, 0),
    };
  },
  check(output, input) {
    const expected = input.length * input.rounds;
    if (Math.abs(output.identitySum - expected) > 1e-9 * expected + 1e-6) {
      return `Σ(sin²+cos²) = ${output.identitySum}, expected ${expected}`;
    }
    if (!Number.isFinite(output.valueSum) || output.valueSum <= 0)
      return `value sum ${output.valueSum} is not positive`;
    return undefined;
  },
};
