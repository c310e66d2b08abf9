import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { prng, randomTextBytes } from './prng';
import type { Workload } from './types';
import { zipArchive, zipEntryCount } from './zip';

export interface ZipperInput {
  readonly seed: number;
  /** Files generated. */
  readonly files: number;
  /** Bytes of text per file. */
  readonly fileBytes: number;
  /** Archives the files are split across (one per vCPU in the paper's setting). */
  readonly archives: number;
  /** Keep the archives in the scratch folder and answer their paths (for inspection). @default false */
  readonly keep?: boolean;
}

export interface ZipperOutput {
  readonly files: number;
  readonly rawBytes: number;
  readonly zipBytes: number;
  readonly entriesPerArchive: readonly number[];
  readonly paths?: readonly string[];
}

/** Table 1: "Generates files and compresses them into ZIP archives." (deflate into the ZIP format). */
export const zipper: Workload<ZipperInput, ZipperOutput> = {
  name: 'zipper',
  vCpus: 2,
  description: 'Generates files and compresses them into ZIP archives.',
  sizes: {
    test: { seed: 13, files: 6, fileBytes: 20_000, archives: 2 },
    small: { seed: 13, files: 24, fileBytes: 500_000, archives: 2 },
    large: { seed: 13, files: 64, fileBytes: 4_000_000, archives: 2 },
  },
  async run(input, context) {
    const random = prng(input.seed);
    const files = Array.from({ length: input.files }, (_, i) => ({
      name: `file-${String(i).padStart(4, '0')}.txt`,
      data: randomTextBytes(random, input.fileBytes),
    }));
    const groups = Array.from({ length: input.archives }, (_, a) => files.filter((_, i) => i % input.archives === a));
    const archives = await Promise.all(groups.map((group) => zipArchive(group)));
    const dir = mkdtempSync(join(context.tmpDir, 'zipper-'));
    const paths = archives.map((archive, a) => {
      const path = join(dir, `archive-${a}.zip`);
      writeFileSync(path, archive);
      return path;
    });
    if (!input.keep) rmSync(dir, { recursive: true, force: true });
    return {
      files: input.files,
      rawBytes: files.reduce((n, f) => n + f.data.length, 0),
      zipBytes: archives.reduce((n, a) => n + a.length, 0),
      entriesPerArchive: archives.map(zipEntryCount),
      ...(input.keep ? { paths } : {}),
    };
  },
  check(output, input) {
    const entries = output.entriesPerArchive.reduce((a, b) => a + b, 0);
    if (entries !== input.files) return `archives hold ${entries} entries, expected ${input.files}`;
    if (!(output.zipBytes < output.rawBytes)) return `archives (${output.zipBytes} B) are not smaller than the text`;
    return undefined;
  },
};
