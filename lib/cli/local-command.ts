import * as path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { FUNCTION_ENV } from '../contracts/environment';
import { DEFAULT_PROFILING_OBSERVATIONS } from '../core/profiling-plan';
import { LocalSkyError, LocalSkyOptionError, messageOf } from '../local/errors';
import { DEFAULT_SCENARIO_FILE, type LocalSkyWorld } from '../local/options';
import { terminalProgress } from '../local/progress';
import { runLocalSky } from '../local/run-local-sky';
import { packageRoot } from '../package-info';
import { formatSummary } from '../report/summary-text';
import { DEFAULT_TWIN_MAX_SLOWDOWN } from '../twin/experiment';
import { parsePositiveInt, parseSlowdown, profilingCallsArg } from './router-options';

interface LocalCliOptions {
  readonly scenario?: string;
  readonly out: string;
  readonly report: boolean;
  readonly burst?: number;
  readonly concurrency?: number;
  readonly maxSlowdown?: number;
  readonly samplingTimeScale?: number;
  readonly routingTimeScale?: number;
  readonly pollConcurrency?: number;
  readonly profilingCalls?: number;
  readonly experimentBurst?: number;
  readonly probeSaturation?: boolean;
  readonly experiment: boolean;
  readonly progress: boolean;
  readonly json?: boolean;
  readonly serve?: boolean;
}

function positiveNumber(value: string): number {
  const n = Number(value);
  if (!(n > 0)) throw new InvalidArgumentError(`expected a number > 0, got ${value}`);
  return n;
}

/** The command-line flag of a `runLocalSky` option (`routingTimeScale` is `--routing-time-scale`). */
function flagOf(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Exit code after Ctrl-C or SIGTERM, as shells report a process ended by SIGINT. */
const EXIT_INTERRUPTED = 130;

/**
 * `sky local` (what `npm start` runs): the whole sky on this machine, with no AWS account and no
 * network. Starts dynalite and the twin's loopback Lambda API, synthesizes the mesh for the
 * scenario's zones, runs each zone's sampling state machine, routes bursts of every workload under
 * every strategy, prints the summary and writes the report.
 */
export function registerLocalCommand(program: Command): void {
  program
    .command('local')
    .description('run the whole sky locally (no AWS account, no network): sample, route, summarize, report')
    .option(
      '--scenario <file>',
      `the twin scenario whose zones to emulate (default: skymesh's own ${DEFAULT_SCENARIO_FILE})`,
    )
    .option('--out <dir>', 'where report.html and report.json are written', 'out')
    .option('--no-report', 'print the summary only; write no report')
    .option('--burst <n>', 'requests per workload and strategy through the router (default 100)', parsePositiveInt)
    .option('--concurrency <n>', 'concurrency of each burst (default 50)', parsePositiveInt)
    .option(
      '--max-slowdown <x>',
      `the time budget optimal sends with each burst, as sky twin does (the batch's maxSlowdown): the router runs fewer calls at a time where that costs less, within x times the burst's unpaced duration (1: no pacing; default ${DEFAULT_TWIN_MAX_SLOWDOWN})`,
      parseSlowdown,
    )
    .option(
      '--poll-concurrency <n>',
      'requests per sampling poll, spread over up to 10 samplers: 10 to 5000 (default 200)',
      parsePositiveInt,
    )
    .option(
      '--profiling-calls <n>',
      `runtimes the profiling requests want of every CPU × architecture × memory size before the bursts, as sky twin sends them (default ${DEFAULT_PROFILING_OBSERVATIONS}; 0 skips)`,
      profilingCallsArg,
    )
    .option(
      '--experiment-burst <n>',
      'requests per workload, strategy and day in the multi-day experiment (default 100)',
      parsePositiveInt,
    )
    .option('--probe-saturation', 'in the multi-day experiment, poll each zone to saturation (slow)')
    .option('--sampling-time-scale <x>', 'real ms per emulated ms while sampling (default 0.5)', positiveNumber)
    .option('--routing-time-scale <x>', 'real ms per emulated ms while routing (default 0.005)', positiveNumber)
    .option('--no-experiment', "skip the twin's multi-day experiment (drift, cost per day)")
    .option('--no-progress', 'no progress bars: one line per finished step')
    .option('--json', 'print the summary as JSON instead of a table')
    .option(
      '--serve',
      "keep the local DynamoDB and Lambda API running after the run (until Ctrl-C) and print what to export so that 'sky plan' and 'sky invoke' use them",
    )
    .action(async (options: LocalCliOptions) => {
      process.exitCode = await runLocalCommand(options);
    });
}

async function runLocalCommand(options: LocalCliOptions): Promise<number> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) process.exit(EXIT_INTERRUPTED);
    process.stderr.write(`\n${signal}: stopping the local sky (servers are being closed)…\n`);
    controller.abort(new LocalSkyError('interrupted', `received ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const progress = terminalProgress(process.stderr, { bars: options.progress });
  let serving = false;
  const serve = async (world: LocalSkyWorld): Promise<void> => {
    progress.stop();
    console.log(options.json ? JSON.stringify(world.summary, null, 2) : formatSummary(world.summary));
    serving = true;
    console.error(`\n${serveInstructions(world)}`);
    await new Promise<void>((resolve) => controller.signal.addEventListener('abort', () => resolve(), { once: true }));
  };
  try {
    const result = await runLocalSky({
      // The default scenario ships with the package: found from wherever the command runs.
      scenario: options.scenario ?? path.join(packageRoot(), DEFAULT_SCENARIO_FILE),
      outDir: options.report ? options.out : undefined,
      burst: options.burst,
      concurrency: options.concurrency,
      maxSlowdown: options.maxSlowdown,
      samplingTimeScale: options.samplingTimeScale,
      routingTimeScale: options.routingTimeScale,
      pollConcurrency: options.pollConcurrency,
      profilingCalls: options.profilingCalls,
      experimentBurst: options.experimentBurst,
      probeSaturation: options.probeSaturation,
      experiment: options.experiment,
      progress,
      signal: controller.signal,
      ...(options.serve ? { beforeStop: serve } : {}),
    });
    progress.stop();
    console.log(options.json ? JSON.stringify(result.summary, null, 2) : formatSummary(result.summary));
    if (result.report) console.error(`\nReport: ${result.report.htmlPath} (data: ${result.report.jsonPath})`);
    if (result.reportError) console.error(`\n${result.reportError.message}`);
    const steps = Object.entries(result.timings).map(([name, ms]) => `${name} ${((ms ?? 0) / 1000).toFixed(1)} s`);
    // maxRSS covers the worker threads of the twin (one process); the chart renderer's child is not in it.
    const peakGb = (process.resourceUsage().maxRSS / 1024 / 1024).toFixed(2);
    console.error(`Done in ${(result.elapsedMs / 1000).toFixed(1)} s (${steps.join(', ')}); peak memory ${peakGb} GB.`);
    return result.reportError ? 1 : 0;
  } catch (error) {
    progress.stop();
    const interrupted = controller.signal.aborted;
    const known = error instanceof LocalSkyError || error instanceof LocalSkyOptionError;
    if (serving && interrupted) console.error('Stopped serving; the local servers are closed.');
    else if (error instanceof LocalSkyOptionError) console.error(`${flagOf(error.option)}: ${error.message}`);
    else console.error(known || interrupted ? messageOf(error) : ((error as Error)?.stack ?? String(error)));
    // The servers are closed by now; worker threads of an interrupted experiment are not waited for.
    if (serving && interrupted) process.exit(0);
    if (interrupted) process.exit(EXIT_INTERRUPTED);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/**
 * What to export so that `sky plan` and `sky invoke` in another shell use the served local sky, as SAM
 * CLI's `start-lambda` does: the SDK's per-service endpoint variables, the region of the table, and the
 * router's settings (the zones, memory sizes and architectures it places on). No keys: the CLI signs
 * loopback calls with dummy credentials.
 */
export function serveInstructions(world: LocalSkyWorld): string {
  const zones = world.deployed.zones.map((z) => `${z.region}:${z.azId}`).join(',');
  return [
    'Serving the local sky until Ctrl-C (no AWS account, no keys). In another shell:',
    `  export AWS_ENDPOINT_URL_LAMBDA=${world.lambdaEndpoint} AWS_ENDPOINT_URL_DYNAMODB=${world.dynamoEndpoint}`,
    `  export AWS_REGION=${world.tableRegion} SKY_TABLE_NAME=${world.tableName} SKY_ZONES=${zones}`,
    `  export SKY_MEMORY_SIZES=${world.deployed.memorySizes.join(',')} SKY_ARCHITECTURES=${world.deployed.architectures.join(',')}`,
    // The zones on other providers, as the router has them: plan ranks them too (it reads no secret).
    ...(world.endpoints.length > 0
      ? [`  export ${FUNCTION_ENV.endpoints}=${shellQuoted(JSON.stringify(world.endpoints))}`]
      : []),
    '  npx sky plan --workload zipper --objective cost',
    '  npx sky invoke --workload zipper --objective cost',
  ].join('\n');
}

/** `text` as one single-quoted word of a POSIX shell. */
function shellQuoted(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
