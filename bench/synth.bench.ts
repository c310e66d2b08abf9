import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const title =
  'Infra: synthesizing the whole default global mesh (every region and zone, 18 dynamic functions and 100 samplers per zone)';

const ROOT = resolve(__dirname, '..');
const GNU_TIME = '/usr/bin/time';

interface Measured {
  readonly status: number | null;
  readonly wallSeconds: number;
  /** Peak resident memory of the command and its waited-for descendants (the CLI and the app), MB. */
  readonly peakMb?: number;
  /** User + system CPU time of the command and its descendants: steadier than wall time on a busy machine. */
  readonly cpuSeconds?: number;
  readonly stderr: string;
}

/** Runs a command with no AWS settings and an empty HOME, as offline synth must work, measuring wall time and peak RSS. */
function measure(command: string, args: readonly string[], env: Record<string, string>): Measured {
  const timed = existsSync(GNU_TIME);
  const started = process.hrtime.bigint();
  const result = spawnSync(timed ? GNU_TIME : command, timed ? ['-v', command, ...args] : [...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: '', ...env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wallSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr ?? '');
  const user = /User time \(seconds\): ([\d.]+)/.exec(result.stderr ?? '');
  const system = /System time \(seconds\): ([\d.]+)/.exec(result.stderr ?? '');
  return {
    status: result.status,
    wallSeconds,
    peakMb: rss ? Number(rss[1]) / 1024 : undefined,
    cpuSeconds: user && system ? Number(user[1]) + Number(system[1]) : undefined,
    stderr: result.stderr ?? '',
  };
}

/** Counts of a synthesized cloud assembly. */
function countAssembly(outdir: string): {
  stacks: number;
  functions: number;
  resources: number;
  templateMb: number;
  largest: string;
} {
  let functions = 0;
  let resources = 0;
  let bytes = 0;
  let largest = { name: '', resources: 0, bytes: 0 };
  const templates = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
  for (const file of templates) {
    const text = readFileSync(join(outdir, file), 'utf8');
    const template = JSON.parse(text) as { Resources: Record<string, { Type: string }> };
    const types = Object.values(template.Resources).map((r) => r.Type);
    functions += types.filter((t) => t === 'AWS::Lambda::Function').length;
    resources += types.length;
    bytes += text.length;
    if (types.length > largest.resources)
      largest = { name: file.replace('.template.json', ''), resources: types.length, bytes: text.length };
  }
  return {
    stacks: templates.length,
    functions,
    resources,
    templateMb: bytes / 1e6,
    largest: `${largest.name} (${largest.resources} resources, ${(largest.bytes / 1e3).toFixed(0)} KB)`,
  };
}

function report(label: string, measured: Measured): void {
  const memory = measured.peakMb === undefined ? 'n/a (no /usr/bin/time)' : `${measured.peakMb.toFixed(0)} MB`;
  const cpu = measured.cpuSeconds === undefined ? '' : `, ${measured.cpuSeconds.toFixed(1)} s CPU`;
  console.log(
    `${label}: ${measured.wallSeconds.toFixed(1)} s wall${cpu}, peak memory ${memory}, exit ${measured.status}`,
  );
  if (measured.status !== 0) console.log(measured.stderr.split('\n').slice(-15).join('\n'));
}

export async function run(): Promise<void> {
  const cdkContext = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: object }).context;

  // The app alone, as the CLI runs it (context from cdk.json), with a cold bundle cache (esbuild runs).
  rmSync(join(ROOT, 'node_modules', '.cache', 'skymesh-bundles'), { recursive: true, force: true });
  const appOut = mkdtempSync(join(tmpdir(), 'skymesh-bench-app-'));
  const app = measure('npx', ['tsx', 'bin/skymesh.ts'], {
    CDK_OUTDIR: appOut,
    CDK_CONTEXT_JSON: JSON.stringify({ ...cdkContext, 'aws:cdk:enable-path-metadata': true }),
  });
  report('app (npx tsx bin/skymesh.ts), bundles built', app);
  rmSync(appOut, { recursive: true, force: true });

  // End to end, as a user types it; the bundles come from the cache the first run filled.
  const cliOut = mkdtempSync(join(tmpdir(), 'skymesh-bench-cli-'));
  const cli = measure('npx', ['cdk', 'synth', '--quiet', '-o', cliOut], {});
  report('npx cdk synth --quiet, bundles cached', cli);
  if (cli.status === 0) {
    const counts = countAssembly(cliOut);
    console.log(
      `stacks ${counts.stacks}, functions ${counts.functions}, resources ${counts.resources}, ` +
        `templates ${counts.templateMb.toFixed(1)} MB; largest stack ${counts.largest}`,
    );
  }
  rmSync(cliOut, { recursive: true, force: true });
  console.log(
    `machine: ${cpus().length} cores, load average ${loadavg()[0].toFixed(1)} (wall time grows with other load)`,
  );
  console.log('target: ≤ 20 s and ≤ 1 GB on 2 cores');
}
