import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { prng, randomTextBytes } from './prng';
import type { Workload } from './types';

export interface DiskWriterInput {
  readonly seed: number;
  /** Bytes of generated text written per file. */
  readonly bytes: number;
  /** Files written (and deleted) one after another. */
  readonly files: number;
}

export interface DiskWriterOutput {
  readonly files: number;
  readonly bytesWritten: number;
  readonly filesLeft: number;
}

/** Table 1: "Generates text, repeatedly writes it to disk, and deletes it." Each file is fsynced so the disk is really used. */
export const diskWriter: Workload<DiskWriterInput, DiskWriterOutput> = {
  name: 'disk-writer',
  vCpus: 1,
  description: 'Generates text, repeatedly writes it to disk, and deletes it.',
  sizes: {
    test: { seed: 5, bytes: 64 * 1024, files: 4 },
    small: { seed: 5, bytes: 8 * 1024 * 1024, files: 40 },
    large: { seed: 5, bytes: 32 * 1024 * 1024, files: 60 },
  },
  run(input, context) {
    const text = randomTextBytes(prng(input.seed), input.bytes);
    const dir = mkdtempSync(join(context.tmpDir, 'disk-writer-'));
    let bytesWritten = 0;
    try {
      for (let i = 0; i < input.files; i++) {
        const path = join(dir, `file-${i}.txt`);
        const fd = openSync(path, 'w');
        try {
          for (let at = 0; at < text.length; ) at += writeSync(fd, text, at, Math.min(1 << 20, text.length - at));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        bytesWritten += text.length;
        unlinkSync(path);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return { files: input.files, bytesWritten, filesLeft: 0 };
  },
  check(output, input) {
    if (output.bytesWritten !== input.bytes * input.files) {
      return `wrote ${output.bytesWritten} bytes, expected ${input.bytes * input.files}`;
    }
    return undefined;
  },
};
