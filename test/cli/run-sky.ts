import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const ROOT = join(__dirname, '..', '..');
const SKY = join(ROOT, 'bin', 'sky.js');
const run = promisify(execFile);

/**
 * Runs the `sky` CLI as a user runs it (`node bin/sky.js …` from the repository's root), with `env` as its whole
 * environment if given, else this process's. Rejects on a non-zero exit with the `code`, `stdout` and `stderr`.
 */
export function runSky(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [SKY, ...args], { cwd: ROOT, env });
}
