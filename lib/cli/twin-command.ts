import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_PROFILING_OBSERVATIONS } from '../core/profiling-plan';
import { REJECT_MODES } from '../core/reject-mode';
import type { Arch } from '../core/types';
import { prepareOutFile } from '../report/out-dir';
import { MAX_BATCH_COUNT, MAX_BATCH_SLOWDOWN } from '../routing/request';
import { DEFAULT_TWIN_MAX_SLOWDOWN, type RejectMode, runTwinExperiment, type TwinRun } from '../twin/experiment';
import { memorylessBound } from '../twin/memoryless-bound';
import { formatPacing } from '../twin/pacing-report';
import { formatRefusals } from '../twin/refusal-report';
import { formatTwinReport, twinReport } from '../twin/report';
import { loadScenario, type Scenario } from '../twin/scenario';
import { generateScenario } from '../twin/scenario-generator';
import { expectedVsRealised, formatStrategyChecks, optimalChecks } from '../twin/strategy-check';
import { atMost, parsePositiveInt, parseSlowdown, profilingCallsArg, wholeNumberArg } from './router-options';
import { twinProgressReporter } from './twin-progress';
import { formatTwinTable } from './twin-table';

interface TwinCliOptions {
  readonly scenario?: string;
  readonly generate?: number;
  readonly saveScenario?: string;
  readonly json?: boolean;
  readonly realWorkloads?: boolean;
  readonly rejectMode: RejectMode;
  readonly waves?: number;
  readonly maxSlowdown?: number;
  readonly profilingCalls?: number;
  readonly days?: number;
  readonly seed?: number;
  readonly out?: string;
  readonly workers?: number;
  readonly sampledArchitectures?: readonly Arch[];
  readonly progress: boolean;
}

/**
 * A comma-separated list of distinct architectures, as the mesh's `sampledArchitectures` takes, x86_64 among them:
 * the twin's scenarios always have x86_64 fleets and its days always sample them, so the list only says whether the
 * arm64 fleets are sampled too.
 */
function archList(value: string): Arch[] {
  const items = value.split(',').map((item) => item.trim());
  const bad = items.find((item) => item !== 'x86_64' && item !== 'arm64');
  if (bad !== undefined || items.length === 0 || new Set(items).size !== items.length) {
    throw new InvalidArgumentError(
      `must be a comma-separated list of distinct architectures from x86_64, arm64, got "${value}"`,
    );
  }
  if (!items.includes('x86_64')) {
    throw new InvalidArgumentError(
      `must include x86_64: the twin always samples its x86_64 fleets (x86_64 or x86_64,arm64), got "${value}"`,
    );
  }
  return items as Arch[];
}

/** A section after the others, set apart by a blank line (none when empty). */
function withGap(text: string): string {
  return text === '' ? '' : `\n${text}`;
}

/** A scenario seed: a whole number that fits 32 bits, as the scenario format takes. */
const seedArg = wholeNumberArg(2 ** 32 - 1, "the scenario's seed field");

/**
 * The scenario a run asks for: a file, or one the generator draws from a seed (written to `--save-scenario`
 * when given, before the run, so a run that finds something can be replayed from the file).
 */
function scenarioOf(options: TwinCliOptions, fail: (message: string) => never): Scenario {
  if ((options.scenario === undefined) === (options.generate === undefined)) {
    fail('error: give exactly one of --scenario <file> and --generate <seed>');
  }
  if (options.saveScenario !== undefined && options.generate === undefined) {
    fail('error: --save-scenario <file> writes a generated scenario; it needs --generate <seed>');
  }
  if (options.out !== undefined) {
    // The run's JSON is written over --out at the end: never over the scenario it ran.
    const inputs: Array<[string, string | undefined]> = [
      ['--scenario', options.scenario],
      ['--save-scenario', options.saveScenario],
    ];
    for (const [flag, file] of inputs) {
      if (file !== undefined && path.resolve(file) === path.resolve(options.out)) {
        fail(`error: --out ${options.out} is the ${flag} file; give the run's results another path`);
      }
    }
  }
  if (options.scenario !== undefined) return loadScenario(options.scenario);
  const generated = generateScenario(options.generate as number);
  if (options.saveScenario !== undefined) {
    prepareOutFile(options.saveScenario, `--save-scenario ${options.saveScenario}`);
    const json = options.seed === undefined ? generated.json : { ...generated.json, seed: options.seed };
    writeFileSync(options.saveScenario, `${JSON.stringify(json, null, 2)}\n`);
  }
  return generated.scenario;
}

/**
 * `sky twin --scenario FILE [--json]` (or `--generate SEED`): runs a scenario in the twin (per day: progressive
 * sampling of every zone, then a burst of every workload under every strategy) and prints the report of the
 * scenario spec. The report goes to stdout; progress goes to stderr.
 */
export function registerTwinCommand(program: Command): void {
  program
    .command('twin')
    .description('run a scenario in the twin: sample every zone each day, then route bursts under every strategy')
    .option('--scenario <file>', 'scenario JSON file (see the scenario spec), e.g. scenarios/paper-ex5.json')
    .option(
      '--generate <seed>',
      'instead of a file, run the scenario the generator draws from this seed (zones, mixes, workloads and bursts from the measured ranges; a scenario the project has not seen)',
      seedArg,
    )
    .option('--save-scenario <file>', 'with --generate: also write the generated scenario as a scenario file')
    .option('--json', 'print the report as JSON (the scenario spec format) on stdout')
    .option('--real-workloads', 'also run the real workload code in every accepted attempt (slow; for correctness)')
    .addOption(
      new Option(
        '--reject-mode <mode>',
        "what a rejected instance does, as the router's SKY_REJECT_MODE: hold (held, stays warm), end (ends itself at once, Minos) or auto (ends itself, unless keeping it for the call's last attempt bills less than a new instance)",
      )
        .choices([...REJECT_MODES])
        .default('auto'),
    )
    .option(
      '--waves <n>',
      "send each burst as a router batch in about n waves (the batch's waves), so later calls reuse warm instances (default 1)",
      atMost(parsePositiveInt, MAX_BATCH_COUNT, "a batch's most waves"),
    )
    .option(
      '--max-slowdown <x>',
      `the time budget optimal sends with each burst (the batch's maxSlowdown): the router runs fewer calls at a time where that costs less, within x times the burst's unpaced duration; the oracle is paced as much (1: no pacing; default ${DEFAULT_TWIN_MAX_SLOWDOWN})`,
      atMost(parseSlowdown, MAX_BATCH_SLOWDOWN, "a batch's largest maxSlowdown"),
    )
    .option(
      '--profiling-calls <n>',
      `runtimes each strategy's profiling phase wants of every CPU × architecture × memory size that could still win, as the router's profiling observations (0: no phase; default ${DEFAULT_PROFILING_OBSERVATIONS}); what the phase cost is printed`,
      profilingCallsArg,
    )
    .option('--days <n>', 'run only the first n days', parsePositiveInt)
    .option(
      '--seed <n>',
      "run at this seed instead of the file's (every random draw derives from it; the same file and seed give the same report)",
      seedArg,
    )
    .option('--out <file>', 'also write the rich per-day results (characterizations, bursts, drift) as JSON')
    .option(
      '--workers <n>',
      'worker threads to split the strategies over (results do not depend on it)',
      parsePositiveInt,
    )
    .option(
      '--sampled-architectures <list>',
      "fleets the sampling measures each day, as the mesh's sampledArchitectures: x86_64 (always sampled) alone, or x86_64,arm64 to add each zone's arm64 fleet where the scenario has arm64 fleets (default: every architecture the run deploys)",
      archList,
    )
    .option('--no-progress', 'no progress on stderr')
    .action(async (options: TwinCliOptions, command: Command) => {
      const loaded = scenarioOf(options, (message) => command.error(message));
      if (options.days !== undefined && options.days > loaded.days) {
        command.error(`error: --days ${options.days}: the scenario has ${loaded.days} day(s)`);
      }
      if (options.out) prepareOutFile(options.out);
      const scenario = options.seed === undefined ? loaded : { ...loaded, seed: options.seed };
      const progress = options.progress ? twinProgressReporter() : undefined;
      let run: TwinRun;
      try {
        run = await runTwinExperiment(scenario, {
          realWorkloads: options.realWorkloads ?? false,
          rejectMode: options.rejectMode,
          ...(options.waves !== undefined ? { waves: options.waves } : {}),
          ...(options.maxSlowdown !== undefined ? { maxSlowdown: options.maxSlowdown } : {}),
          ...(options.profilingCalls !== undefined ? { profilingCalls: options.profilingCalls } : {}),
          ...(options.days !== undefined ? { days: options.days } : {}),
          ...(options.sampledArchitectures ? { sampledArchitectures: options.sampledArchitectures } : {}),
          workers: options.workers ?? Math.max(1, Math.min(2, availableParallelism())),
          ...(progress ? { onProgress: progress.update } : {}),
        });
      } finally {
        progress?.stop();
      }
      if (options.out) writeFileSync(options.out, `${JSON.stringify(run, null, 2)}\n`);
      const report = twinReport(run);
      const names = Object.fromEntries(scenario.zones.flatMap((z) => (z.name ? [[z.azId, z.name]] : [])));
      const bounds = memorylessBound(scenario, { days: run.days.length, rejectMode: run.rejectMode });
      process.stdout.write(
        options.json
          ? // Beyond the scenario spec: the checks the table prints, so a script reads the targets too.
            formatTwinReport({ ...report, strategies: expectedVsRealised(run), targets: optimalChecks(run, bounds) })
          : `${formatTwinTable(report, names)}\n${formatStrategyChecks(run, bounds)}${withGap(formatPacing(run))}${withGap(formatRefusals(run))}`,
      );
    });
}
