import { join } from 'node:path';
import { startLocalSkyStore } from '../lib/aws/local-sky-store';
import { apeOfCounts } from '../lib/core/distribution';
import { samplingStepsFunctionName } from '../lib/core/naming';
import type { CpuCounts } from '../lib/core/types';
import { runLocalExecution } from '../lib/infra/local-state-machine';
import { synthesizeSamplingDefinitions } from '../lib/infra/sampling-definitions';
import type { AslDefinition } from '../lib/infra/state-machine-definition';
import { NO_METRICS } from '../lib/sampling/metrics';
import { createStepsHandler } from '../lib/sampling/steps';
import type { PlainHandler } from '../lib/twin/kit';
import { startLambdaApi } from '../lib/twin/lambda-api';
import { loadScenario, mixOfDay, type Scenario } from '../lib/twin/scenario';

export const title = 'Sampling: polls and cost per zone characterization (state machine on the paper scenario)';

/** The paper's figures (§4.3–4.4): 5.65 polls for 95% accuracy, about $0.04 per zone characterization. */
const PAPER = { polls: 5.65, costUsd: 0.04 };

/**
 * Real time: the twin bills what the handlers ran in emulated time, and a scaled clock would also
 * scale the host's own delays (1000 concurrent handlers on 2 cores) into billed sampler time.
 */
const TIME_SCALE = 1;

interface RunFigures {
  readonly azId: string;
  readonly day: number;
  readonly polls: number;
  readonly pollsTo95: number | null;
  readonly costUsd: number;
  readonly apeAtStop: number;
  readonly estimatedApe: number;
  readonly stoppedBecause: string;
}

function truthOf(scenario: Scenario, azId: string, day: number): CpuCounts {
  const zone = scenario.zones.find((z) => z.azId === azId);
  if (!zone) throw new RangeError(azId);
  const keyOf = new Map(scenario.cpuList.map((c) => [c.key, c.cpuKey]));
  const out: Record<string, number> = {};
  for (const [key, share] of Object.entries(mixOfDay(zone, day))) {
    const cpu = keyOf.get(key) ?? key;
    out[cpu] = (out[cpu] ?? 0) + share;
  }
  return out;
}

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

/**
 * Runs each zone's synthesized sampling state machine (aws-local-stepfunctions, real steps
 * handler, real fan-out and sampler code in the twin behind the loopback Lambda API, dynalite)
 * once per day of `scenarios/paper-ex5.json`, with the paper's settings (1000 requests per
 * poll, 100 samplers per zone, 95% accuracy), and prints polls, cost and APE against the day's
 * true mix when the stopping rule stopped. `SKY_BENCH_DAYS=n` runs only the first n days.
 */
export async function run(): Promise<void> {
  const scenario = loadScenario(join(__dirname, '..', 'scenarios', 'paper-ex5.json'));
  const started = Date.now();
  const byRegion = new Map<string, string[]>();
  for (const zone of scenario.zones) byRegion.set(zone.region, [...(byRegion.get(zone.region) ?? []), zone.azId]);
  const definitions: Record<string, AslDefinition> = {};
  const regionOf: Record<string, string> = {};
  for (const [region, azIds] of byRegion) {
    Object.assign(definitions, synthesizeSamplingDefinitions({ region, azIds, samplersPerZone: 100, sampling: {} }));
    for (const azId of azIds) regionOf[azId] = region;
  }
  const synthMs = Date.now() - started;

  const local = await startLocalSkyStore();
  const { store } = local;
  const steps = createStepsHandler({ store, now: Date.now, metrics: NO_METRICS });
  const functions: Record<string, PlainHandler> = {};
  for (const zone of scenario.zones) functions[samplingStepsFunctionName(zone.azId)] = (event) => steps(event);
  const api = await startLambdaApi({ scenario, timeScale: TIME_SCALE, functions });

  const days = Math.min(scenario.days, Number(process.env.SKY_BENCH_DAYS ?? scenario.days));
  const figures: RunFigures[] = [];
  const runsStarted = Date.now();
  try {
    for (let day = 0; day < days; day++) {
      api.setDay(day);
      for (const zone of scenario.zones) {
        const runId = `${zone.azId}-day${day}`;
        const out = await runLocalExecution(definitions[zone.azId], {
          lambdaEndpoint: api.endpoint,
          region: regionOf[zone.azId],
          executionName: runId,
          input: { force: true },
          waitTimeOverrides: { Stagger: 0, Pause: 0 },
        });
        if (out.status !== 'SUCCEEDED') throw new Error(`${runId} failed: ${out.error}: ${out.cause}`);
        const record = await store.getRun(runId);
        const polls = await store.polls(runId);
        const truth = truthOf(scenario, zone.azId, day);
        let cumulative: Record<string, number> = {};
        let pollsTo95: number | null = null;
        polls.forEach((poll, k) => {
          cumulative = { ...cumulative };
          for (const [cpu, n] of Object.entries(poll.aggregate.cpuCounts)) cumulative[cpu] = (cumulative[cpu] ?? 0) + n;
          if (pollsTo95 === null && apeOfCounts(cumulative, truth) <= 5) pollsTo95 = k + 1;
        });
        const output = out.output as { decision?: { estimatedApe?: number } };
        figures.push({
          azId: zone.azId,
          day,
          polls: polls.length,
          pollsTo95,
          costUsd: record?.totals.costUsd ?? Number.NaN,
          apeAtStop: apeOfCounts(record?.totals.cpuCounts ?? {}, truth),
          estimatedApe: output.decision?.estimatedApe ?? Number.NaN,
          stoppedBecause: record?.stoppedBecause ?? 'unknown',
        });
      }
    }
  } finally {
    await api.close();
    await local.close();
  }
  const runsMs = Date.now() - runsStarted;

  console.log(
    `${figures.length} runs (${scenario.zones.length} zones × ${days} days), 1000 requests per poll; ` +
      `synth ${fmt(synthMs / 1000, 1)} s, runs ${fmt(runsMs / 1000, 1)} s`,
  );
  console.log('zone       polls  min-max  polls-to-95  cost-USD  APE-at-stop(mean/max)  est-APE  stops');
  for (const zone of scenario.zones) {
    const rows = figures.filter((f) => f.azId === zone.azId);
    const polls = rows.map((r) => r.polls);
    const to95 = rows.map((r) => r.pollsTo95).filter((p): p is number => p !== null);
    const stops = [...new Set(rows.map((r) => r.stoppedBecause))].join(',');
    console.log(
      `${zone.azId.padEnd(10)} ${fmt(mean(polls)).padStart(5)}  ${`${Math.min(...polls)}-${Math.max(...polls)}`.padStart(7)}` +
        `  ${fmt(mean(to95)).padStart(11)}  ${fmt(mean(rows.map((r) => r.costUsd)), 4).padStart(8)}` +
        `  ${`${fmt(mean(rows.map((r) => r.apeAtStop)))} / ${fmt(Math.max(...rows.map((r) => r.apeAtStop)))}`.padStart(21)}` +
        `  ${fmt(mean(rows.map((r) => r.estimatedApe))).padStart(7)}  ${stops}`,
    );
  }
  const allPolls = mean(figures.map((f) => f.polls));
  const allCost = mean(figures.map((f) => f.costUsd));
  const within = figures.filter((f) => f.apeAtStop <= 5).length;
  const perPollPaper = PAPER.costUsd / PAPER.polls;
  console.log(
    `all zones: ${fmt(allPolls)} polls per characterization (paper ${PAPER.polls}); ` +
      `APE at stop ${fmt(mean(figures.map((f) => f.apeAtStop)))} mean, ${fmt(Math.max(...figures.map((f) => f.apeAtStop)))} max; ` +
      `${within}/${figures.length} runs within 5 APE (95% accuracy) of the day's true mix`,
  );
  console.log(
    `cost per characterization: $${fmt(allCost, 4)} by our price model (1000 × billed sampler ms at ` +
      `10,140-10,239 MB + fan-out + requests); at the paper's own cost per poll ($${fmt(perPollPaper, 4)} = ` +
      `$${PAPER.costUsd}/${PAPER.polls}) these polls cost $${fmt(allPolls * perPollPaper, 4)} (paper $${PAPER.costUsd})`,
  );
}
