import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng, randomTextBytes } from './prng';
import type { Workload } from './types';

export interface DiskProcessInput {
  readonly seed: number;
  /** Bytes of the text file. */
  readonly bytes: number;
  /** Passes of the wc, base64, sha1sum, cat pipeline. */
  readonly rounds: number;
}

export interface DiskProcessOutput {
  readonly bytes: number;
  readonly lines: number;
  readonly words: number;
  readonly sha1: string;
  readonly base64Bytes: number;
  readonly rounds: number;
}

/** What `wc` counts: newlines, words (runs of non-whitespace) and bytes. */
export function wordCount(data: Buffer): { lines: number; words: number; bytes: number } {
  let lines = 0;
  let words = 0;
  let inWord = false;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    const space = c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0d || c === 0x0b || c === 0x0c;
    if (c === 0x0a) lines++;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return { lines, words, bytes: data.length };
}

/**
 * Table 1: "Writes a large text file and then runs several shell commands (wc, base64, sha1sum,
 * cat) on it in a loop." The paper shelled out; here each command is its Node equivalent reading
 * the file from disk each time (wc: a byte scan; base64: Buffer encoding written to a second
 * file; sha1sum: crypto SHA-1; cat: read the file whole), because Lambda's Node.js images do not
 * promise those binaries and spawning them would measure process start-up more than the CPU.
 */
export const diskWriteAndProcess: Workload<DiskProcessInput, DiskProcessOutput> = {
  name: 'disk-write-and-process',
  vCpus: 1,
  description: 'Writes a large text file and then runs wc, base64, sha1sum and cat on it in a loop.',
  sizes: {
    test: { seed: 9, bytes: 100_000, rounds: 2 },
    small: { seed: 9, bytes: 12 * 1024 * 1024, rounds: 2 },
    large: { seed: 9, bytes: 64 * 1024 * 1024, rounds: 8 },
  },
  run(input, context) {
    const dir = mkdtempSync(join(context.tmpDir, 'disk-process-'));
    try {
      const file = join(dir, 'text.txt');
      writeFileSync(file, randomTextBytes(prng(input.seed), input.bytes));
      let counts = { lines: 0, words: 0, bytes: 0 };
      let sha1 = '';
      let base64Bytes = 0;
      for (let round = 0; round < input.rounds; round++) {
        counts = wordCount(readFileSync(file));
        const encoded = readFileSync(file).toString('base64');
        writeFileSync(join(dir, 'text.b64'), encoded);
        base64Bytes = encoded.length;
        sha1 = createHash('sha1').update(readFileSync(file)).digest('hex');
        const cat = readFileSync(file);
        if (cat.length !== counts.bytes) throw new Error(`cat read ${cat.length} bytes, wc counted ${counts.bytes}`);
      }
      return { ...counts, sha1, base64Bytes, rounds: input.rounds };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  check(output, input) {
    if (output.bytes !== input.bytes) return `file has ${output.bytes} bytes, expected ${input.bytes}`;
    if (output.base64Bytes !== 4 * Math.ceil(input.bytes / 3)) return `base64 has ${output.base64Bytes} bytes`;
    if (!/^[0-9a-f]{40}$/.test(output.sha1)) return `sha1 ${output.sha1} is not 40 hex digits`;
    if (!(output.words > 0 && output.lines > 0 && output.words < input.bytes)) return 'implausible wc counts';
    return undefined;
  },
};
