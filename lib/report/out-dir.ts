import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { OutputPathError } from './errors';

/** What each file-system error means for an output folder, in words. */
const REASONS: Readonly<Record<string, string>> = {
  EEXIST: 'it is a file, not a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'the file system is read-only',
  ENOENT: 'the folder cannot be created there',
  ENOSPC: 'no space left on the device',
};

/**
 * Creates `outDir` if needed and proves that a file can be written in it, so that a run which would
 * end in writing a report fails in its first second, not after its work. Throws {@link OutputPathError}
 * naming the folder, why it cannot be used and the fix.
 *
 * @example
 * prepareOutDir('out'); // before the run; writeReport(data, 'out') after it
 */
export function prepareOutDir(outDir: string, label = `--out ${outDir}`): void {
  const fail = (reason: string): never => {
    throw new OutputPathError(`${label}: ${reason}; give a folder that can be created and written`);
  };
  try {
    if (statSync(outDir, { throwIfNoEntry: false })?.isFile()) fail(REASONS.EEXIST);
    makeFolder(outDir);
    const probe = path.join(outDir, `.sky-write-check-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe, { force: true });
  } catch (error) {
    if (error instanceof OutputPathError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    fail(`${REASONS[code] ?? (error as Error).message}${code ? ` (${code})` : ''}`);
  }
}

/** As {@link prepareOutDir} for one output file: its folder must be writable and the path not a folder. */
export function prepareOutFile(file: string, label = `--out ${file}`): void {
  let isFolder: boolean | undefined;
  try {
    isFolder = statSync(file, { throwIfNoEntry: false })?.isDirectory();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = `${REASONS[code] ?? (error as Error).message}${code ? ` (${code})` : ''}`;
    throw new OutputPathError(`${label}: ${reason}; give a file in a folder that can be created and written`);
  }
  if (isFolder) {
    throw new OutputPathError(`${label}: it is a folder; give a file name such as ${path.join(file, 'run.json')}`);
  }
  const folder = path.dirname(path.resolve(file));
  prepareOutDir(folder, `${label}: its folder ${folder}`);
}

/**
 * `mkdir -p`, one level at a time. Node's own `mkdirSync(dir, { recursive: true })` never returns for a
 * path such as `/proc/x` (it retries the parent that exists forever), so it is not used on user paths.
 */
export function makeFolder(dir: string): void {
  const missing: string[] = [];
  let current = path.resolve(dir);
  while (statSync(current, { throwIfNoEntry: false }) === undefined) {
    missing.push(current);
    const parent = path.dirname(current);
    if (parent === current) break;
    current = parent;
  }
  const existing = statSync(current, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) {
    throw Object.assign(new Error(`${current} is not a folder`), {
      code: current === path.resolve(dir) ? 'EEXIST' : 'ENOTDIR',
    });
  }
  for (const folder of missing.reverse()) {
    try {
      mkdirSync(folder);
    } catch (error) {
      // Created meanwhile by someone else: fine if it is a folder.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(folder).isDirectory()) throw error;
    }
  }
}
