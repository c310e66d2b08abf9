import { runWorkers } from './parallel';
import { prng } from './prng';
import type { Workload } from './types';

export interface MatrixInput {
  readonly seed: number;
  /** Matrices are n × n. */
  readonly n: number;
  /** Times the product is computed. */
  readonly loops: number;
  readonly threads: number;
}

export interface MatrixOutput {
  readonly n: number;
  readonly trace: number;
  /** Σ over rows of (row of C) · (row of A), the "dot" part of the paper's loop. */
  readonly dotSum: number;
  /** Freivalds' test: C·r equals A·(B·r) for a random vector r. */
  readonly verified: boolean;
}

/** Each thread computes rows [from, to) of C = A·B (i-k-j order) into shared memory, `loops` times. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { a, b, c, n, from, to, loops } = workerData;
const A = new Float64Array(a), B = new Float64Array(b), C = new Float64Array(c);
for (let loop = 0; loop < loops; loop++) {
  for (let i = from; i < to; i++) {
    const row = i * n;
    C.fill(0, row, row + n);
    for (let k = 0; k < n; k++) {
      const aik = A[row + k];
      const bk = k * n;
      for (let j = 0; j < n; j++) C[row + j] += aik * B[bk + j];
    }
  }
}
parentPort.postMessage(true);
`;

function matVec(m: Float64Array, n: number, v: Float64Array): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += m[i * n + j]! * v[j]!;
    out[i] = s;
  }
  return out;
}

/** Table 1: "Generates large matrices and executes multiply and dot operations in loops." */
export const matrixMultiply: Workload<MatrixInput, MatrixOutput> = {
  name: 'matrix-multiply',
  vCpus: 2,
  description: 'Generates large matrices and executes multiply and dot operations in loops.',
  sizes: {
    test: { seed: 23, n: 48, loops: 2, threads: 2 },
    small: { seed: 23, n: 512, loops: 1, threads: 2 },
    large: { seed: 23, n: 1024, loops: 4, threads: 2 },
  },
  async run(input) {
    const { n } = input;
    const random = prng(input.seed);
    const shared = () => new SharedArrayBuffer(n * n * 8);
    const [a, b, c] = [shared(), shared(), shared()];
    const A = new Float64Array(a);
    const B = new Float64Array(b);
    for (let i = 0; i < n * n; i++) {
      A[i] = random() * 2 - 1;
      B[i] = random() * 2 - 1;
    }
    const rows = Math.ceil(n / input.threads);
    await runWorkers(
      WORKER,
      Array.from({ length: input.threads }, (_, t) => ({
        a,
        b,
        c,
        n,
        from: t * rows,
        to: Math.min(n, (t + 1) * rows),
        loops: input.loops,
      })),
    );
    const C = new Float64Array(c);
    let trace = 0;
    let dotSum = 0;
    for (let i = 0; i < n; i++) {
      trace += C[i * n + i]!;
      for (let j = 0; j < n; j++) dotSum += C[i * n + j]! * A[i * n + j]!;
    }
    const r = Float64Array.from({ length: n }, () => random() * 2 - 1);
    const left = matVec(C, n, r);
    const right = matVec(A, n, matVec(B, n, r));
    let worst = 0;
    for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(left[i]! - right[i]!));
    return { n, trace, dotSum, verified: worst < 1e-8 * n };
  },
  check(output, input) {
    if (output.n !== input.n) return `n ${output.n} differs from ${input.n}`;
    if (!output.verified) return "C·r differs from A·(B·r): the product is wrong (Freivalds' test)";
    if (!Number.isFinite(output.trace) || !Number.isFinite(output.dotSum)) return 'non-finite results';
    return undefined;
  },
};
