import { readdirSync } from 'node:fs';
import { Agent } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { runTwinExperiment, type TwinRun } from '../lib/twin/experiment';
import { startLambdaApi } from '../lib/twin/lambda-api';
import { memorylessBound } from '../lib/twin/memoryless-bound';
import { formatPacing } from '../lib/twin/pacing-report';
import { twinReport } from '../lib/twin/report';
import { loadScenario, type Scenario } from '../lib/twin/scenario';
import { generateScenario } from '../lib/twin/scenario-generator';
import {
  formatStrategyChecks,
  formatTargetSummary,
  type ScenarioChecks,
  scenarioChecksOf,
} from '../lib/twin/strategy-check';
import { type BenchSelection, benchRunsOf, benchSelectionOf } from './twin-selection';

export const title = 'twin: loopback Lambda API throughput, and every shipped scenario against the targets';

const SCENARIOS = join(__dirname, '..', 'scenarios');
const SCENARIO = join(SCENARIOS, 'paper-ex5.json');

/** The paper's figures (§4.4–4.5) to print beside the twin's. */
const PAPER = [
  { workload: 'zipper', strategy: 'retry-slow', paper: 10.1 },
  { workload: 'zipper', strategy: 'focus-fastest', paper: 16.5 },
  { workload: 'logistic-regression', strategy: 'regional', paper: 13.3 },
  { workload: 'graph-bfs', strategy: 'hybrid', paper: 18.2 },
] as const;

export async function apiThroughput(): Promise<void> {
  // 1000-way polls of the real sampler code through the real SDK client, sleeps shortened 100×.
  const api = await startLambdaApi({ scenario: SCENARIO, timeScale: 0.01 });
  const lambda = new LambdaClient({
    endpoint: api.endpoint,
    region: 'us-west-1',
    credentials: { accessKeyId: 'twin', secretAccessKey: 'twin' },
    maxAttempts: 1,
    requestHandler: { httpAgent: new Agent({ keepAlive: true, maxSockets: 1000, maxFreeSockets: 1000 }) },
  });
  const body = new TextEncoder().encode('{}');
  const poll = async (k: number): Promise<number> => {
    const name = `sky-smp-sae1-az1-${String(k).padStart(2, '0')}`;
    const results = await Promise.all(
      Array.from({ length: 1000 }, () =>
        lambda.send(new InvokeCommand({ FunctionName: name, Payload: body })).then(
          () => 1,
          () => 0,
        ),
      ),
    );
    return results.reduce((a, b) => a + b, 0);
  };
  try {
    await poll(99); // warm up sockets and code
    const polls = 10;
    const cpu0 = process.cpuUsage();
    const started = performance.now();
    let ok = 0;
    for (let k = 0; k < polls; k++) ok += await poll(k);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuUsPerCall = (cpu.user + cpu.system) / (polls * 1000);
    console.log(
      `loopback Lambda API: ${polls} polls × 1000 concurrent sampler invokes through @aws-sdk/client-lambda: ` +
        `${Math.round((polls * 1000) / seconds)} invocations/s (${ok} answered, ${(seconds / polls).toFixed(3)} s per poll; target ≥ 2000/s); ` +
        `${cpuUsPerCall.toFixed(0)} µs CPU per invocation, client and server together (≈ ${Math.round(1e6 / cpuUsPerCall)}/s on one idle core)`,
    );
  } finally {
    lambda.destroy();
    await api.close();
  }
}

/** The paper's comparison figures and sampling per zone, from a run of paper-ex5. */
function paperFigures(scenario: Scenario, run: TwinRun): void {
  const report = twinReport(run);
  console.log(`\nsavings vs baseline (us-west-1b) over ${run.days.length} days, twin | paper:`);
  for (const p of PAPER) {
    const row = report.routing.find((r) => r.workload === p.workload && r.strategy === p.strategy);
    console.log(
      `  ${p.workload.padEnd(20)} ${p.strategy.padEnd(14)} ${String(row?.savingsPct ?? '-').padStart(7)} % | ${p.paper} %`,
    );
  }
  const hybrid = report.routing.filter((r) => r.strategy === 'hybrid').map((r) => r.savingsPct);
  const mean = hybrid.reduce((a, b) => a + b, 0) / hybrid.length;
  const sd = Math.sqrt(hybrid.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, hybrid.length - 1));
  console.log(
    `  hybrid, mean over the ${hybrid.length} workloads: ${mean.toFixed(2)} ± ${sd.toFixed(2)} % | 10.03 ± 3.70 %`,
  );
  for (const strategy of ['regional', 'retry-slow', 'focus-fastest', 'optimal', 'oracle']) {
    const xs = report.routing.filter((r) => r.strategy === strategy).map((r) => r.savingsPct);
    console.log(`  ${strategy}, mean over workloads: ${(xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2)} %`);
  }
  console.log(
    '\nprogressive sampling per zone (mean over days): polls run, polls to 95%, saturated at poll, $ per characterization',
  );
  for (const z of scenario.zones) {
    const rows = report.sampling.filter((r) => r.azId === z.azId);
    const mean = (xs: number[]): string => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) : '-');
    console.log(
      `  ${z.azId.padEnd(9)} polls ${mean(rows.map((r) => r.polls))}  to95 ${mean(rows.flatMap((r) => (r.pollsTo95 === null ? [] : [r.pollsTo95])))}` +
        `  saturated ${mean(rows.flatMap((r) => (r.saturatedAtPoll === null ? [] : [r.saturatedAtPoll])))}  $${mean(rows.map((r) => r.costUsd))}`,
    );
  }
  const all = report.sampling;
  const reached = all.flatMap((r) => (r.pollsTo95 === null ? [] : [r.pollsTo95]));
  const truth = run.days.flatMap((d) =>
    d.sampling.flatMap((s) => (s.groundTruthPollsTo95 === null ? [] : [s.groundTruthPollsTo95])),
  );
  const stops: Record<string, number> = {};
  for (const d of run.days) for (const s of d.sampling) stops[s.stoppedBecause] = (stops[s.stoppedBecause] ?? 0) + 1;
  const avg = (xs: number[]): string => (xs.length ? (xs.reduce((a, b) => a + b, 0) / xs.length).toFixed(2) : '-');
  console.log(
    `  all zones: the rule ran ${avg(all.map((r) => r.polls))} polls (stopped: ${JSON.stringify(stops)}), ` +
      `$${avg(all.map((r) => r.costUsd))} per characterization (paper: $0.04); ` +
      `95% reached within the rule's polls in ${reached.length}/${all.length} runs (after ${avg(reached)} polls); ` +
      `polling on to saturation, 95% after ${avg(truth)} polls (paper: 5.65)`,
  );
}

/** Savings per strategy, and where optimal and the oracle ran: lambda-2026's memory-dependent ranking shows there. */
function whereFigures(run: TwinRun): void {
  for (const row of twinReport(run).routing) {
    const where =
      row.strategy === 'optimal' || row.strategy === 'oracle'
        ? `  MB ${JSON.stringify(row.memoryMb)} ${JSON.stringify(row.architectures)} ${JSON.stringify(row.zones)}`
        : '';
    console.log(
      `  ${row.workload.padEnd(6)} ${row.strategy.padEnd(14)} ${row.savingsPct.toFixed(1).padStart(7)} %  failed ${row.failedRequests}${where}`,
    );
  }
}

async function timedRun(scenario: Scenario, days: number): Promise<{ run: TwinRun; seconds: number }> {
  const workers = Math.max(1, Math.min(2, availableParallelism()));
  const started = performance.now();
  const run = await runTwinExperiment(scenario, { workers, days });
  return { run, seconds: (performance.now() - started) / 1000 };
}

/** How many zones a run has, or that it runs in its fixed zone alone. */
function zonesOf(scenario: Scenario, selection: BenchSelection): string {
  if (selection.fixedZoneOnly) return `its fixed zone ${scenario.baselineZone} alone`;
  return `${scenario.zones.length} zones`;
}

/**
 * Every shipped scenario, one after the other, with `optimal` against the targets, then one table over
 * all of them. paper-ex5 also prints the paper's figures and sampling; lambda-2026 where each strategy ran,
 * under 2026 billing and (a second run) under 2024 billing. SKY_BENCH_TWIN_DAYS / _SEEDS / _SCENARIOS narrow
 * or widen the runs, SKY_BENCH_TWIN_GENERATED=n (or a-b) adds the generated scenarios of seeds 1..n (or a..b; see
 * twin-selection.ts), so the targets are checked on scenarios the project has not seen too, and
 * SKY_BENCH_TWIN_FIXED_ZONE_ONLY=1 runs each in its fixed zone alone.
 */
export async function targetTables(): Promise<void> {
  const selection = benchSelectionOf(process.env);
  const scenarios = readdirSync(SCENARIOS)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => loadScenario(join(SCENARIOS, f)));
  const generated = selection.generated;
  if (generated) {
    for (let seed = generated.from; seed <= generated.to; seed++) scenarios.push(generateScenario(seed).scenario);
  }
  const runs = benchRunsOf(scenarios, selection);
  const summaries: ScenarioChecks[] = [];
  const started = performance.now();
  for (const { scenario, days } of runs) {
    const { run, seconds } = await timedRun(scenario, days);
    const attempts = run.days.reduce((n, d) => n + d.bursts.reduce((m, b) => m + b.outcome.attempts, 0), 0);
    console.log(
      `\n### ${scenario.name}, seed ${scenario.seed}, ${days} of ${scenario.days} days: ${zonesOf(scenario, selection)}, ` +
        `${Object.keys(scenario.workloads).length} workloads × ${run.strategies.length} strategies, bursts of ${scenario.burst}; ` +
        `${seconds.toFixed(1)} s, ${attempts} routed attempts`,
    );
    const ownSeed = scenario.seed === scenarios.find((s) => s.name === scenario.name)?.seed;
    if (scenario.name === 'paper-ex5' && ownSeed) paperFigures(scenario, run);
    if (scenario.name === 'lambda-2026' && ownSeed) {
      console.log('\n2026 billing (INIT billed):');
      whereFigures(run);
      const { run: run2024, seconds: s2024 } = await timedRun(
        { ...scenario, pricing: { ...scenario.pricing, initBilled: false } },
        days,
      );
      console.log(`2024 billing (INIT not billed), ${s2024.toFixed(1)} s:`);
      whereFigures(run2024);
    }
    const bounds = memorylessBound(scenario, { days, rejectMode: run.rejectMode });
    console.log(`\n${formatStrategyChecks(run, bounds)}`);
    const pacing = formatPacing(run);
    if (pacing !== '') console.log(pacing);
    summaries.push(scenarioChecksOf(run, bounds));
  }
  console.log(
    `\n${formatTargetSummary(summaries)}  all runs: ${((performance.now() - started) / 1000).toFixed(0)} s` +
      (selection.maxDays === undefined ? '' : `, at most ${selection.maxDays} days each`) +
      (selection.fixedZoneOnly ? ', each in its fixed zone alone' : ''),
  );
}

export async function run(): Promise<void> {
  await apiThroughput();
  await targetTables();
}
