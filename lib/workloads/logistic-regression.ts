import { runWorkers } from './parallel';
import { prng } from './prng';
import type { Workload } from './types';

export interface LogisticInput {
  readonly seed: number;
  readonly samples: number;
  readonly features: number;
  readonly epochs: number;
  readonly learningRate: number;
}

export interface LogisticOutput {
  readonly samples: number;
  readonly epochs: number;
  readonly threads: 2;
  /** Share of samples the averaged model labels correctly. */
  readonly accuracy: number;
  /** Mean log-loss of the averaged model. */
  readonly logLoss: number;
}

/** Plain SGD over the thread's half of the shared dataset; answers its weights. */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { x, y, d, from, to, epochs, rate } = workerData;
const X = new Float64Array(x), Y = new Float64Array(y);
const w = new Float64Array(d + 1);
for (let epoch = 0; epoch < epochs; epoch++) {
  const step = rate / (1 + epoch * 0.1);
  for (let i = from; i < to; i++) {
    let z = w[d];
    const row = i * d;
    for (let j = 0; j < d; j++) z += w[j] * X[row + j];
    const g = 1 / (1 + Math.exp(-z)) - Y[i];
    for (let j = 0; j < d; j++) w[j] -= step * g * X[row + j];
    w[d] -= step * g;
  }
}
parentPort.postMessage(Array.from(w));
`;

/**
 * Table 1: "Runs logistic-regression SGD across two threads on a generated dataset for the
 * requested epochs." The data comes from a random true model with label noise; each thread
 * trains on half of it and the two models are averaged (one-shot parameter averaging).
 */
export const logisticRegression: Workload<LogisticInput, LogisticOutput> = {
  name: 'logistic-regression',
  vCpus: 2,
  description: 'Runs logistic-regression SGD across two threads on a generated dataset for the requested epochs.',
  sizes: {
    test: { seed: 29, samples: 2_000, features: 10, epochs: 3, learningRate: 0.1 },
    small: { seed: 29, samples: 200_000, features: 40, epochs: 6, learningRate: 0.05 },
    large: { seed: 29, samples: 500_000, features: 60, epochs: 20, learningRate: 0.05 },
  },
  async run(input) {
    const { samples: n, features: d } = input;
    const random = prng(input.seed);
    const x = new SharedArrayBuffer(n * d * 8);
    const y = new SharedArrayBuffer(n * 8);
    const X = new Float64Array(x);
    const Y = new Float64Array(y);
    const truth = Float64Array.from({ length: d }, () => random() * 4 - 2);
    for (let i = 0; i < n; i++) {
      let z = 0;
      for (let j = 0; j < d; j++) {
        const v = random() * 2 - 1;
        X[i * d + j] = v;
        z += v * truth[j]!;
      }
      // 5% label noise.
      Y[i] = z > 0 !== random() < 0.05 ? 1 : 0;
    }
    const half = Math.ceil(n / 2);
    const models = await runWorkers<number[]>(
      WORKER,
      [0, 1].map((t) => ({
        x,
        y,
        d,
        from: t * half,
        to: Math.min(n, (t + 1) * half),
        epochs: input.epochs,
        rate: input.learningRate,
      })),
    );
    const w = models[0]!.map((v, j) => (v + models[1]![j]!) / 2);
    let correct = 0;
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let z = w[d]!;
      for (let j = 0; j < d; j++) z += w[j]! * X[i * d + j]!;
      const p = 1 / (1 + Math.exp(-z));
      if ((p > 0.5 ? 1 : 0) === Y[i]) correct++;
      loss -= Y[i] ? Math.log(Math.max(p, 1e-12)) : Math.log(Math.max(1 - p, 1e-12));
    }
    return { samples: n, epochs: input.epochs, threads: 2, accuracy: correct / n, logLoss: loss / n };
  },
  check(output, input) {
    if (output.samples !== input.samples) return `trained on ${output.samples} samples, expected ${input.samples}`;
    // With 5% label noise the best model scores about 0.95; a model that learned nothing scores about 0.5.
    if (!(output.accuracy > 0.8)) return `accuracy ${output.accuracy} is not above 0.8`;
    if (!(output.logLoss < Math.log(2))) return `log-loss ${output.logLoss} is no better than guessing`;
    return undefined;
  },
};
