import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { SKY_BUNDLE_TARGET } from '../../../lib/infra/node-runtime';

const run = promisify(execFile);

/** Runners written so far by this process (`invokeBundle`). */
let runners = 0;

/** Bundles a handler entry the way the stacks do (esbuild, node, CommonJS) into `outDir/index.js`. */
export async function bundleHandler(entry: string, outDir: string): Promise<string> {
  const outfile = join(outDir, 'index.js');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    target: SKY_BUNDLE_TARGET,
    format: 'cjs',
    logLevel: 'silent',
  });
  return outfile;
}

/**
 * Calls `handler(event, context)` of a bundle in a fresh node process, once per event in order
 * (same process, so instance state carries over), and returns the answers.
 */
export async function invokeBundle(
  bundle: string,
  events: unknown[],
  env: Record<string, string>,
  context: Record<string, unknown> = {},
): Promise<unknown[]> {
  // A runner of its own per call: the fan-out test starts child processes of one bundle concurrently, and rewriting a
  // shared runner let a child start on the truncated file, run nothing and answer an empty stdout.
  const runner = join(bundle, '..', `run-handler-${process.pid}-${++runners}.js`);
  writeFileSync(
    runner,
    `const { handler } = require(${JSON.stringify(bundle)});
const events = JSON.parse(process.env.SKY_TEST_EVENTS);
const context = JSON.parse(process.env.SKY_TEST_CONTEXT);
(async () => {
  const answers = [];
  for (const event of events) {
    try { answers.push(await handler(event, { ...context, getRemainingTimeInMillis: () => 30000 })); }
    catch (e) { answers.push({ thrown: e.name, message: e.message }); }
  }
  process.stdout.write(JSON.stringify(answers));
})();
`,
  );
  const { stdout } = await run(process.execPath, [runner], {
    env: {
      PATH: process.env.PATH ?? '',
      ...env,
      SKY_TEST_EVENTS: JSON.stringify(events),
      SKY_TEST_CONTEXT: JSON.stringify(context),
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return JSON.parse(stdout) as unknown[];
}
