import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamicHandler } from '../lambda/dynamic/handler';
import { bundleOf } from '../lambda/shared/payload-builder';
import { nodePlatform, type Platform } from '../lambda/shared/platform';
import { type DynamicResponse, FUNCTION_ENV } from '../lib/contracts';
import { SKY_BUNDLE_TARGET } from '../lib/infra/node-runtime';
import { samplerSource } from '../lib/sampling/sampler-source';
import { WORKLOAD_LIST } from '../lib/workloads';

export const title = 'Runtime: INIT of every handler, dynamic-function overhead, bundle decoding, workload runtimes';

function platformIn(dir: string): Platform {
  return { ...nodePlatform(), tmpDir: dir };
}

function quantiles(xs: number[]): string {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `median ${at(0.5).toFixed(3)}, p90 ${at(0.9).toFixed(3)}, p99 ${at(0.99).toFixed(3)}`;
}

function expectOk(answer: DynamicResponse): DynamicResponse & { status: 'ok' } {
  if (answer.status !== 'ok') throw new Error(`bench call failed: ${JSON.stringify(answer).slice(0, 300)}`);
  return answer;
}

async function inlineOverhead(root: string): Promise<void> {
  const handler = createDynamicHandler({ platform: platformIn(mkdtempSync(join(root, 'inline-'))) });
  const warm = { decode: [] as number[], overhead: [] as number[] };
  const cold = { decode: [] as number[], overhead: [] as number[] };
  const body = 'exports.run = (input) => ({ doubled: input * 2 });';
  for (let i = 0; i < 50; i++) expectOk(await handler({ code: { source: body }, input: i }));
  for (let i = 0; i < 2000; i++) {
    const a = expectOk(await handler({ code: { source: body }, input: i }));
    warm.decode.push(a.inspection.timings.decodeMs * 1000);
    warm.overhead.push((a.inspection.timings.totalMs - a.inspection.timings.userMs) * 1000);
  }
  for (let i = 0; i < 500; i++) {
    // A new source every call: a cache miss, compiled and its module body run.
    const a = expectOk(await handler({ code: { source: `${body}\n// variant ${i}` }, input: i }));
    cold.decode.push(a.inspection.timings.decodeMs * 1000);
    cold.overhead.push((a.inspection.timings.totalMs - a.inspection.timings.userMs) * 1000);
  }
  console.log('inline code, decode+start (parse request, hash, compile or cache hit, find entry), µs:');
  console.log(`  cached source (2000 calls):   ${quantiles(warm.decode)}`);
  console.log(`  new source (500 calls):       ${quantiles(cold.decode)}`);
  console.log('whole handler minus user code (adds the inspection: /proc/stat at start and end, JSON check), µs:');
  console.log(`  cached source:                ${quantiles(warm.overhead)}`);
  console.log(`  new source:                   ${quantiles(cold.overhead)}`);
}

async function bundles(root: string): Promise<void> {
  const source = "const fs = require('fs'); exports.run = (_, ctx) => fs.readdirSync(ctx.bundleDir).length;";
  const kinds: Array<[string, (dir: string) => void]> = [
    [
      'incompressible (random bytes)',
      (dir) => {
        for (let f = 0; f < 8; f++) writeFileSync(join(dir, `blob-${f}.bin`), randomBytes(462_000));
      },
    ],
    [
      'text (random words from 2,000)',
      (dir) => {
        const vocabulary = Array.from({ length: 2000 }, () =>
          randomBytes(6)
            .toString('base64url')
            .slice(0, 3 + (randomBytes(1)[0]! % 6)),
        );
        for (let f = 0; f < 22; f++) {
          const words = Array.from({ length: 70_000 }, () => vocabulary[randomBytes(2).readUInt16LE() % 2000]);
          writeFileSync(join(dir, `text-${f}.txt`), words.join(' '));
        }
      },
    ],
  ];
  for (const [label, fill] of kinds) {
    const coldMs: number[] = [];
    const warmMs: number[] = [];
    let size = '';
    for (let run = 0; run < 5; run++) {
      const folder = mkdtempSync(join(root, 'bundle-src-'));
      fill(folder);
      const bundle = bundleOf(folder);
      size = `${(bundle.data.length / 1024 / 1024).toFixed(2)} MiB base64, ${(unpackedBytes(folder) / 1024 / 1024).toFixed(1)} MiB unpacked`;
      const handler = createDynamicHandler({ platform: platformIn(mkdtempSync(join(root, 'bundle-tmp-'))) });
      const first = expectOk(await handler({ code: { source }, bundle }));
      coldMs.push(first.inspection.timings.decodeMs);
      for (let i = 0; i < 20; i++) {
        warmMs.push(expectOk(await handler({ code: { source }, bundle })).inspection.timings.decodeMs);
      }
    }
    console.log(`bundle ${label}, ${size}: decode+verify+gunzip+untar+write, ms`);
    console.log(`  cold (first call, 5 bundles): ${quantiles(coldMs)}`);
    console.log(`  warm (same hash, 100 calls):  ${quantiles(warmMs)}`);
  }
}

function unpackedBytes(folder: string): number {
  return readdirSync(folder).reduce((n, f) => n + statSync(join(folder, f)).size, 0);
}

async function workloads(root: string): Promise<void> {
  const handler = createDynamicHandler({ platform: platformIn(mkdtempSync(join(root, 'workloads-'))) });
  console.log('workload `small` runtimes through the dynamic function (user code incl. output check), ms; 3 runs:');
  for (const w of WORKLOAD_LIST) {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      runs.push(expectOk(await handler({ workload: { name: w.name, size: 'small' } })).inspection.timings.userMs);
    }
    const sorted = [...runs].sort((a, b) => a - b);
    console.log(
      `  ${w.name.padEnd(24)} ${w.vCpus} vCPU  min ${sorted[0]!.toFixed(0).padStart(5)}  median ${sorted[1]!.toFixed(0).padStart(5)}  max ${sorted[2]!.toFixed(0).padStart(5)}`,
    );
  }
}

/**
 * INIT of each handler as Lambda would bill it since 2025-08-01: each handler bundled as the stacks
 * bundle it (and the sampler's generated source as deployed), loaded in fresh Node processes. Printed
 * per handler: the time `require` takes to load the module to a ready handler (what the code controls),
 * and when the handler is ready counted from the process's start (`performance.now()`), which adds
 * Node's own bootstrap as Lambda's INIT adds the runtime's. The fastest of 9 fresh processes is
 * printed, the least disturbed by other load on the machine, and the median beside it.
 */
async function handlerInit(root: string): Promise<void> {
  const { build } = await import('esbuild');
  const measure = (file: string): { load: number[]; ready: number[] } => {
    const load: number[] = [];
    const ready: number[] = [];
    for (let i = 0; i < 9; i++) {
      const script =
        `const t = performance.now(); const h = require(${JSON.stringify(file)}).handler;` +
        "if (typeof h !== 'function') throw new Error('no handler');" +
        'const now = performance.now(); console.log(now - t, now);';
      const out = execFileSync(process.execPath, ['-e', script], {
        // The router reads its settings at INIT; these are what the stacks set.
        env: {
          PATH: process.env.PATH ?? '',
          AWS_REGION: 'us-west-2',
          [FUNCTION_ENV.zones]: 'usw2-az1,usw2-az2',
          [FUNCTION_ENV.memorySizes]: '2048',
          [FUNCTION_ENV.architectures]: 'x86_64',
          [FUNCTION_ENV.tableName]: 'bench',
        },
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const [l, r] = out.trim().split(' ').map(Number);
      load.push(l!);
      ready.push(r!);
    }
    return { load: load.sort((x, y) => x - y), ready: ready.sort((x, y) => x - y) };
  };
  const median = (xs: number[]): number => xs[Math.floor(xs.length / 2)]!;
  const entries: Array<[string, string]> = [
    ['dynamic', 'lambda/dynamic/index.ts'],
    ['fanout', 'lambda/fanout/index.ts'],
    ['sampling', 'lambda/sampling/index.ts'],
    ['router', 'lambda/router/index.ts'],
  ];
  const files: Array<[string, string]> = [];
  for (const [name, entry] of entries) {
    const outfile = join(root, `init-${name}`, 'index.js');
    await build({
      entryPoints: [join(__dirname, '..', entry)],
      outfile,
      bundle: true,
      platform: 'node',
      target: SKY_BUNDLE_TARGET,
      format: 'cjs',
      minify: true,
      logLevel: 'silent',
    });
    files.push([name, outfile]);
  }
  const sampler = join(root, 'init-sampler', 'index.js');
  mkdirSync(join(root, 'init-sampler'), { recursive: true });
  writeFileSync(sampler, samplerSource({ index: 0, azId: 'usw2-az1', sleepMs: 250 }));
  files.push(['sampler', sampler]);
  console.log('INIT per handler in fresh processes, ms (fastest of 9 / median):');
  for (const [name, file] of files) {
    const { load, ready } = measure(file);
    console.log(
      `  ${name.padEnd(9)} ${(statSync(file).size / 1024).toFixed(0).padStart(5)} KiB   module load ${load[0]!.toFixed(1).padStart(6)} / ${median(load).toFixed(1).padStart(6)}   ready after process start ${ready[0]!.toFixed(1).padStart(6)} / ${median(ready).toFixed(1).padStart(6)}`,
    );
  }
  console.log(
    '  (Lambda adds its own sandbox and runtime start to these; the scenario default initMs 150 is the assumed whole INIT of a small bundle)',
  );
}

export async function run(): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'sky-bench-runtime-'));
  mkdirSync(root, { recursive: true });
  try {
    console.log(
      `node ${process.version}, load average ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}`,
    );
    await handlerInit(root);
    await inlineOverhead(root);
    await bundles(root);
    await workloads(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
