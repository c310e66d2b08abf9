import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One folder for everything the run puts in the OS temp folder: the suites' scratch folders, and the cloud assemblies
 * of the CDK apps they synthesize with no `outdir` (aws-cdk-lib makes one under `os.tmpdir()` per synth, several MB
 * each). The workers inherit `TMPDIR` from this process, so `os.tmpdir()` is this folder in every suite, and the
 * teardown removes it whole and gives `TMPDIR` back (jest's watch mode sets up again in the same process).
 */
const ROOT = 'SKYMESH_TEST_TMPDIR';
/** `TMPDIR` before the setup; the empty string when it was not set. */
const PREVIOUS = 'SKYMESH_TEST_TMPDIR_PREVIOUS';

export function setup(): void {
  const root = mkdtempSync(join(tmpdir(), 'skymesh-test-'));
  process.env[PREVIOUS] = process.env.TMPDIR ?? '';
  process.env[ROOT] = root;
  process.env.TMPDIR = root;
}

export function teardown(): void {
  const root = process.env[ROOT];
  if (root) rmSync(root, { recursive: true, force: true });
  const previous = process.env[PREVIOUS];
  if (previous) process.env.TMPDIR = previous;
  else delete process.env.TMPDIR;
  delete process.env[ROOT];
  delete process.env[PREVIOUS];
}
