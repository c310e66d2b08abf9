import { join } from 'node:path';
import { DEFAULT_SKY_CONFIG } from '../lib/config';
import { STABLE_MAX_APE } from '../lib/core/drift';
import { runTwinExperiment, type TwinRun } from '../lib/twin/experiment';
import type { TwinSamplingOptions } from '../lib/twin/sampling';
import { loadScenario } from '../lib/twin/scenario';

export const title = 'Sampling: is the stopping rule right when it says converged? (twin, every zone-day)';

/** The targets, printed beside the figures (never asserted). */
const TARGETS = { accurateAtStop: 0.9, convergedRight: 0.9, polls: 4, costUsd: 0.02 };

const SCENARIOS = ['paper-ex5.json', 'clustered-350.json'];

const mean = (xs: readonly number[]): number => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN);
const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)}%` : '-');
const fmt = (x: number, digits = 2): string => (Number.isFinite(x) ? x.toFixed(digits) : '-');

type Design = Pick<
  TwinSamplingOptions,
  'pollConcurrency' | 'samplersPerPoll' | 'samplerMemoryMb' | 'samplerSleepMs' | 'probeSaturation'
>;

/**
 * The poll designs under test: the sky config's defaults, unless `SKY_CAL_<NAME>` environment variables say
 * otherwise (`CONCURRENCY`, `SAMPLERS_PER_POLL`, `MEMORY_MB`, `SLEEP_MS`), or a list of designs in
 * `SKY_CAL_DESIGNS` (`memoryMb/sleepMs/samplersPerPoll/concurrency`, comma-separated) to sweep.
 */
function designsOf(): Design[] {
  const number = (name: string, raw: string): number => {
    const value = Number(raw);
    if (!Number.isFinite(value) || raw.trim() === '')
      throw new Error(`${name} must be a number, got ${JSON.stringify(raw)}`);
    return value;
  };
  const env = (name: string, fallback: number): number => {
    const raw = process.env[`SKY_CAL_${name}`];
    return raw === undefined ? fallback : number(`SKY_CAL_${name}`, raw);
  };
  const base: Design = {
    pollConcurrency: env('CONCURRENCY', DEFAULT_SKY_CONFIG.pollConcurrency),
    samplersPerPoll: env('SAMPLERS_PER_POLL', DEFAULT_SKY_CONFIG.samplersPerPoll),
    samplerMemoryMb: env('MEMORY_MB', DEFAULT_SKY_CONFIG.samplerMemoryMb),
    samplerSleepMs: env('SLEEP_MS', DEFAULT_SKY_CONFIG.samplerSleepMs),
    probeSaturation: false,
  };
  const list = process.env.SKY_CAL_DESIGNS;
  if (!list) return [base];
  return list.split(',').map((entry) => {
    const parts = entry.split('/');
    if (parts.length !== 4) {
      throw new Error(
        `SKY_CAL_DESIGNS entry ${JSON.stringify(entry)} must be memoryMb/sleepMs/samplersPerPoll/concurrency`,
      );
    }
    const [memory, sleep, samplers, concurrency] = parts.map((p, i) =>
      number(`SKY_CAL_DESIGNS ${entry} part ${i + 1}`, p),
    );
    return {
      samplerMemoryMb: memory,
      samplerSleepMs: sleep,
      samplersPerPoll: samplers,
      pollConcurrency: concurrency,
      probeSaturation: false,
    };
  });
}

const designName = (d: Design): string =>
  `${d.samplerMemoryMb} MB, ${d.samplerSleepMs} ms, ${d.pollConcurrency} req / ${d.samplersPerPoll} samplers`;

/** The figures of one run over a scenario: every zone-day counts, whatever the rule did. */
export function calibrationFigures(run: TwinRun): {
  runs: number;
  accurateAtStop: number;
  converged: number;
  convergedRight: number;
  meanPolls: number;
  meanCostUsd: number;
  stops: Record<string, number>;
  pollsTo95: { reached: number; mean: number };
  meanApeBound: number;
  drift: { rows: number; right: number; stableRight: string; driftingRight: string };
} {
  const rows = run.days.flatMap((d) => d.sampling.map((s, i) => ({ s, c: d.characterizations[i], day: d.day })));
  const apeAtStop = rows.map(({ s }) => s.apeByPoll.at(-1) ?? 200);
  const converged = rows.filter(({ s }) => s.stoppedBecause === 'converged');
  const stops: Record<string, number> = {};
  for (const { s } of rows) stops[s.stoppedBecause] = (stops[s.stoppedBecause] ?? 0) + 1;
  const reached = rows.map(({ s }) => s.pollsTo95).filter((p): p is number => p !== null);
  // Drift: is a zone-day classed stable exactly when its true mix moved at most STABLE_MAX_APE since the day before?
  let stableTrue = 0;
  let stableRight = 0;
  let driftTrue = 0;
  let driftRight = 0;
  const byZoneDay = new Map(rows.map((r) => [`${r.s.azId}#${r.day}`, r]));
  for (const r of rows) {
    const previous = byZoneDay.get(`${r.s.azId}#${r.day - 1}`);
    if (!previous) continue;
    let trueApe = 0;
    for (const k of new Set([...Object.keys(r.s.trueMix), ...Object.keys(previous.s.trueMix)])) {
      trueApe += 100 * Math.abs((r.s.trueMix[k] ?? 0) - (previous.s.trueMix[k] ?? 0));
    }
    if (trueApe <= STABLE_MAX_APE) {
      stableTrue++;
      if (r.c.driftClass === 'stable') stableRight++;
    } else {
      driftTrue++;
      if (r.c.driftClass === 'drifting') driftRight++;
    }
  }
  return {
    runs: rows.length,
    accurateAtStop: apeAtStop.filter((a) => a <= 5).length / rows.length,
    converged: converged.length,
    convergedRight: converged.filter(({ s }) => (s.apeByPoll.at(-1) ?? 200) <= 5).length / converged.length,
    meanPolls: mean(rows.map(({ s }) => s.polls.length)),
    meanCostUsd: mean(rows.map(({ s }) => s.costUsd)),
    stops,
    pollsTo95: { reached: reached.length, mean: mean(reached) },
    meanApeBound: mean(rows.map(({ s }) => s.confidence.apeBound)),
    drift: {
      rows: stableTrue + driftTrue,
      right: (stableRight + driftRight) / (stableTrue + driftTrue),
      stableRight: `${stableRight}/${stableTrue}`,
      driftingRight: `${driftRight}/${driftTrue}`,
    },
  };
}

/**
 * Runs the twin's sampling (the same sampling logic and stopping rule as the state machine, real
 * fan-out and sampler code on emulated zones) on every zone-day of `paper-ex5` and of
 * `clustered-350` (25 clustered zones × 14 days), without routing and without polling on to
 * saturation, and prints the stopping rule's figures against the issue's targets, one table row per
 * design and scenario. The designs are `designsOf`'s: the deployed defaults, overridden by
 * `SKY_CAL_CONCURRENCY`, `SKY_CAL_SAMPLERS_PER_POLL`, `SKY_CAL_MEMORY_MB`, `SKY_CAL_SLEEP_MS`, or a sweep
 * in `SKY_CAL_DESIGNS`; `SKY_CAL_DAYS=n` runs only the first n days, `SKY_CAL_SCENARIOS=a.json,b.json`
 * other files.
 */
export async function run(): Promise<void> {
  const designs = designsOf();
  const days = process.env.SKY_CAL_DAYS === undefined ? undefined : Number(process.env.SKY_CAL_DAYS);
  const files = process.env.SKY_CAL_SCENARIOS?.split(',') ?? SCENARIOS;
  console.log(
    `targets: accurate at stop >= ${pct(TARGETS.accurateAtStop)}, converged right >= ${pct(TARGETS.convergedRight)}, ` +
      `<= ${TARGETS.polls} polls, <= $${TARGETS.costUsd} per characterization`,
  );
  const table: string[] = [];
  for (const design of designs) {
    console.log(`poll design: ${designName(design)} a poll`);
    for (const file of files) {
      const scenario = loadScenario(file.includes('/') ? file : join(__dirname, '..', 'scenarios', file));
      const started = Date.now();
      const result = await runTwinExperiment(scenario, {
        routing: false,
        sampling: design,
        workers: 2,
        ...(days !== undefined ? { days } : {}),
      });
      const f = calibrationFigures(result);
      const stops = Object.entries(f.stops)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
      console.log(
        `${scenario.name}: ${f.runs} zone-days in ${fmt((Date.now() - started) / 1000, 0)} s\n` +
          `  accurate at stop (APE <= 5): ${pct(f.accurateAtStop)}; converged right: ${pct(f.convergedRight)} of ${f.converged}\n` +
          `  polls per characterization: ${fmt(f.meanPolls)}; cost: $${fmt(f.meanCostUsd, 4)} (INIT as the scenario bills it); stops: ${stops}\n` +
          `  polls to APE <= 5 within the rule's polls: ${fmt(f.pollsTo95.mean)} on ${f.pollsTo95.reached} zone-days, never on ${f.runs - f.pollsTo95.reached}; ` +
          `mean APE bound at stop ${fmt(f.meanApeBound)}\n` +
          `  drift class right: ${pct(f.drift.right)} of ${f.drift.rows} day pairs (stable ${f.drift.stableRight}, drifting ${f.drift.driftingRight})`,
      );
      const meets =
        f.accurateAtStop >= TARGETS.accurateAtStop &&
        f.convergedRight >= TARGETS.convergedRight &&
        f.meanPolls <= TARGETS.polls &&
        f.meanCostUsd <= TARGETS.costUsd;
      table.push(
        `| ${designName(design)} | ${scenario.name} | ${fmt(f.meanPolls)} | ${pct(f.accurateAtStop)} | ` +
          `${pct(f.convergedRight)} | $${fmt(f.meanCostUsd, 4)} | ${meets ? 'yes' : 'no'} |`,
      );
    }
  }
  console.log(
    '\n| design (sampler memory, sleep, requests / samplers a poll) | scenario | polls | APE <= 5 at stop | converged right | $ per characterization | meets all |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const row of table) console.log(row);
}
