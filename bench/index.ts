import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { installPolyfills } from '../lib/polyfills';

/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or the ones named on the command line) and
 * prints their figures. Benchmarks print; they never assert, so they cannot flake a test run.
 */
async function main(): Promise<void> {
  installPolyfills();
  const wanted = process.argv.slice(2);
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => wanted.length === 0 || wanted.some((w) => f.startsWith(w)))
    .sort();
  for (const file of files) {
    const bench = (await import(join(__dirname, file))) as { title: string; run: () => Promise<void> };
    console.log(`\n## ${bench.title}`);
    await bench.run();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
