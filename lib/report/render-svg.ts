import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { Chart } from './charts';
import { ChartRenderError } from './errors';
import type { TopLevelSpec } from './vega-types';

/** Turns a vega-lite spec into an SVG document. */
type SpecRenderer = (spec: TopLevelSpec) => Promise<string>;

/**
 * Loads vega and vega-lite and returns a renderer that compiles a vega-lite spec and draws it with
 * vega's headless View (no canvas, no DOM, no network).
 *
 * Both packages are ESM-only with top-level await, so a CommonJS module cannot `require` them. Under
 * tsconfig `module: node16` TypeScript leaves `await import(...)` as a real dynamic import, which
 * works under node and tsx. Jest's module runtime cannot import ESM without an experimental flag,
 * so {@link renderChartsToSvg} falls back to a child process there.
 */
export async function loadSpecRenderer(): Promise<SpecRenderer> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  return async (spec) => {
    const view = new vega.View(vega.parse(vegaLite.compile(spec).spec), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  };
}

/** Renders specs in this process. */
export async function renderSpecsInProcess(specs: readonly TopLevelSpec[]): Promise<string[]> {
  const render = await loadSpecRenderer();
  const svgs: string[] = [];
  for (const spec of specs) svgs.push(await render(spec));
  return svgs;
}

/** The child entry that renders specs read as JSON from stdin (see `render-svg-child`). */
function childEntry(): { file: string; nodeArgs: string[] } {
  const extension = path.extname(__filename);
  const file = path.join(__dirname, `render-svg-child${extension}`);
  // A .ts child needs tsx's CommonJS hook; a compiled .js child does not.
  const nodeArgs = extension === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [];
  return { file, nodeArgs };
}

/** Renders specs in a child node process, for hosts (like Jest) whose module loader cannot import ESM. */
export function renderSpecsInChild(specs: readonly TopLevelSpec[]): Promise<string[]> {
  const { file, nodeArgs } = childEntry();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, file], { stdio: ['pipe', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`renderer process exited with ${code}: ${Buffer.concat(stderr).toString().trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(stdout).toString()) as string[]);
      } catch (error) {
        reject(error);
      }
    });
    child.stdin.end(JSON.stringify(specs));
  });
}

/**
 * Renders every chart to SVG: in this process when vega can be imported here, else in a child process.
 * The SVGs come back in the order of the charts.
 */
export async function renderChartsToSvg(charts: readonly Chart[]): Promise<string[]> {
  const specs = charts.map((chart) => chart.spec);
  let inProcessError: unknown;
  try {
    return await renderSpecsInProcess(specs);
  } catch (error) {
    inProcessError = error;
  }
  try {
    return await renderSpecsInChild(specs);
  } catch (error) {
    const first = inProcessError instanceof Error ? inProcessError.message : String(inProcessError);
    const second = error instanceof Error ? error.message : String(error);
    throw new ChartRenderError(charts.map((chart) => chart.id).join(', '), `${first}; in a child process: ${second}`, {
      cause: error,
    });
  }
}
