import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { installPolyfills } from '../lib/polyfills';

/**
 * `npm run bench`: runs every `bench/*.bench.ts` (or the ones named on the command line, `twin` for
 * `twin.bench.ts`) and prints their figures. Benchmarks print; they never assert, so they cannot flake a test run.
 */
async function main(): Promise<void> {
  installPolyfills();
  const wanted = process.argv.slice(2);
  const all = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .sort();
  const names = all.map((f) => f.slice(0, -'.bench.ts'.length));
  const unknown = wanted.filter((w) => !names.includes(w));
  if (unknown.length > 0) {
    console.error(`no benchmark named ${unknown.join(', ')}; the benchmarks are ${names.join(', ')}`);
    process.exit(2);
  }
  const files = all.filter((_, i) => wanted.length === 0 || wanted.includes(names[i]));
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
