/**
 * Child process entry: reads a JSON array of vega-lite specs on stdin and writes the JSON array of
 * their SVGs on stdout. Used where the parent cannot import ESM (see `renderChartsToSvg`).
 */
import { renderSpecsInProcess } from './render-svg';

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const specs = JSON.parse(Buffer.concat(chunks).toString());
  if (!Array.isArray(specs))
    throw new TypeError(`expected a JSON array of vega-lite specs on stdin, got ${typeof specs}`);
  process.stdout.write(JSON.stringify(await renderSpecsInProcess(specs)));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
