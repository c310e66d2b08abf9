import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * One folder for everything the run puts in the OS temp folder: the suites' scratch folders, and the cloud assemblies
 * of the CDK apps they synthesize with no `outdir` (aws-cdk-lib makes one under `os.tmpdir()` per synth, several MB
 * each). The workers inherit `TMPDIR` from this process, so `os.tmpdir()` is this folder in every suite, and the
 * teardown removes it whole.
 */
const VARIABLE = 'SKYMESH_TEST_TMPDIR';

export function setup(): void {
  const root = mkdtempSync(join(tmpdir(), 'skymesh-test-'));
  process.env[VARIABLE] = root;
  process.env.TMPDIR = root;
}

export function teardown(): void {
  const root = process.env[VARIABLE];
  if (root) rmSync(root, { recursive: true, force: true });
}
