import { createHash } from 'node:crypto';
import { prng, randomTextBytes } from './prng';
import type { Workload } from './types';

export interface Sha1Input {
  readonly seed: number;
  /** Characters of generated text. */
  readonly length: number;
  /** Times the text is hashed (each round hashes the previous digest with the text). */
  readonly rounds: number;
}

/** Table 1: "Takes an input string and produces its SHA-1 hash." Hashed repeatedly to make it measurable. */
export const sha1Hash: Workload<Sha1Input, { digest: string; rounds: number; length: number }> = {
  name: 'sha1-hash',
  vCpus: 1,
  description: 'Takes an input string and produces its SHA-1 hash.',
  sizes: {
    test: { seed: 1, length: 10_000, rounds: 10 },
    small: { seed: 1, length: 1_000_000, rounds: 500 },
    large: { seed: 1, length: 4_000_000, rounds: 1000 },
  },
  run(input) {
    const text = randomTextBytes(prng(input.seed), input.length);
    let digest = '';
    for (let i = 0; i < input.rounds; i++) {
      digest = createHash('sha1').update(digest).update(text).digest('hex');
    }
    return { digest, rounds: input.rounds, length: input.length };
  },
  check(output, input) {
    if (!/^[0-9a-f]{40}$/.test(output.digest)) return `digest ${output.digest} is not 40 hex digits`;
    if (output.rounds !== input.rounds || output.length !== input.length) return 'echoed sizes do not match the input';
    return undefined;
  },
};
