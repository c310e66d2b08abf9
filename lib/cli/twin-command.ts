import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { REJECT_MODES, type RejectMode } from '../core/reject-mode';
import { prepareOutFile } from '../report/out-dir';
import { runTwinExperiment, TWIN_STRATEGIES, type TwinProgress, type TwinRun } from '../twin/experiment';
import { formatTwinReport, type TwinReport, twinReport } from '../twin/report';
import { loadScenario } from '../twin/scenario';
import { formatStrategyChecks } from '../twin/strategy-check';

interface TwinCliOptions {
  readonly scenario: string;
  readonly json?: boolean;
  readonly realWorkloads?: boolean;
  readonly rejectMode: RejectMode;
  readonly days?: number;
  readonly out?: string;
  readonly workers?: number;
  readonly progress: boolean;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`must be a whole number ≥ 1, got "${value}"`);
  return n;
}

/**
 * `sky twin --scenario FILE [--json]`: runs a scenario in the twin (per day: progressive sampling
 * of every zone, then a burst of every workload under every strategy) and prints the report of the
 * scenario spec. The report goes to stdout; progress goes to stderr.
 */
export function registerTwinCommand(program: Command): void {
  program
    .command('twin')
    .description('run a scenario in the twin: sample every zone each day, then route bursts under every strategy')
    .requiredOption('--scenario <file>', 'scenario JSON file (see the scenario spec), e.g. scenarios/paper-ex5.json')
    .option('--json', 'print the report as JSON (the scenario spec format) on stdout')
    .option('--real-workloads', 'also run the real workload code in every accepted attempt (slow; for correctness)')
    .addOption(
      new Option(
        '--reject-mode <mode>',
        'what a rejected instance does: end (ends itself, Minos), hold (stays warm) or auto (held once, then ended), as the router',
      )
        .choices([...REJECT_MODES])
        .default('end'),
    )
    .option('--days <n>', 'run only the first n days', positiveInt)
    .option('--out <file>', 'also write the rich per-day results (characterizations, bursts, drift) as JSON')
    .option('--workers <n>', 'worker threads to split the days over (results do not depend on it)', positiveInt)
    .option('--no-progress', 'no progress on stderr')
    .action(async (options: TwinCliOptions) => {
      if (options.out) prepareOutFile(options.out);
      const scenario = loadScenario(options.scenario);
      const progress = options.progress ? progressReporter() : undefined;
      let run: TwinRun;
      try {
        run = await runTwinExperiment(scenario, {
          realWorkloads: options.realWorkloads ?? false,
          rejectMode: options.rejectMode,
          ...(options.days !== undefined ? { days: options.days } : {}),
          workers: options.workers ?? Math.max(1, Math.min(2, availableParallelism())),
          ...(progress ? { onProgress: progress.update } : {}),
        });
      } finally {
        progress?.stop();
      }
      if (options.out) writeFileSync(options.out, `${JSON.stringify(run, null, 2)}\n`);
      const report = twinReport(run);
      process.stdout.write(
        options.json ? formatTwinReport(report) : `${formatTwinTable(report)}\n${formatStrategyChecks(run)}`,
      );
    });
}

/** Progress on stderr: a bar when stderr is a terminal, one plain line per day otherwise. */
function progressReporter(): { update: (p: TwinProgress) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { stream: process.stderr, format: 'twin [{bar}] {percentage}% | {detail}', hideCursor: true },
      undefined,
    );
    let started = false;
    return {
      update(p) {
        if (!started) {
          bar.start(p.total, 0, { detail: p.detail });
          started = true;
        }
        bar.update(p.done, { detail: p.detail });
      },
      stop: () => bar.stop(),
    };
  }
  const announced = new Set<number>();
  const began = Date.now();
  return {
    update(p) {
      if (p.phase === 'done') {
        process.stderr.write(`twin: done in ${((Date.now() - began) / 1000).toFixed(1)} s\n`);
      } else if (!announced.has(p.day)) {
        announced.add(p.day);
        process.stderr.write(`twin: day ${p.day + 1}/${p.days} started (${p.done}/${p.total} steps done)\n`);
      }
    },
    stop: () => undefined,
  };
}

function pad(text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width);
}

/** A plain-text view of the report: polls per zone, then savings per workload and strategy. */
export function formatTwinTable(report: TwinReport): string {
  const lines: string[] = [`scenario ${report.scenario}`, '', 'sampling (mean over days)'];
  const zones = [...new Set(report.sampling.map((s) => s.azId))];
  lines.push(
    `  ${pad('zone', 10)} ${pad('polls', 6, true)} ${pad('to95', 6, true)} ${pad('saturated', 9, true)} ${pad('cost $', 9, true)}`,
  );
  for (const azId of zones) {
    const rows = report.sampling.filter((s) => s.azId === azId);
    const mean = (xs: number[]): string => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) : '-');
    lines.push(
      `  ${pad(azId, 10)} ${pad(mean(rows.map((r) => r.polls)), 6, true)} ${pad(mean(rows.flatMap((r) => (r.pollsTo95 === null ? [] : [r.pollsTo95]))), 6, true)} ${pad(mean(rows.flatMap((r) => (r.saturatedAtPoll === null ? [] : [r.saturatedAtPoll]))), 9, true)} ${pad(mean(rows.map((r) => r.costUsd)), 9, true)}`,
    );
  }
  lines.push('', 'routing: savings vs baseline, % (cost summed over days)');
  const strategies = TWIN_STRATEGIES.filter((s) => report.routing.some((r) => r.strategy === s));
  lines.push(`  ${pad('workload', 24)}${strategies.map((s) => pad(s, 14, true)).join('')}`);
  for (const workload of [...new Set(report.routing.map((r) => r.workload))]) {
    const cells = strategies.map((s) => {
      const row = report.routing.find((r) => r.workload === workload && r.strategy === s);
      return pad(row ? row.savingsPct.toFixed(1) : '-', 14, true);
    });
    lines.push(`  ${pad(workload, 24)}${cells.join('')}`);
  }
  return `${lines.join('\n')}\n`;
}
