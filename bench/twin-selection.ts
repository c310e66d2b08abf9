import type { Scenario } from '../lib/twin/scenario';

/**
 * Which scenario runs `npm run bench twin` makes for its target tables: every scenario file, each at
 * its own seed and for all its days unless the environment narrows or widens that. Run time grows
 * with days × workloads × burst, so a quick pass caps the days and a thorough one adds seeds.
 */

/** What the bench's environment asks for. */
export interface BenchSelection {
  /** Run at most this many days of each scenario (all of them when absent). */
  readonly maxDays?: number;
  /** Seeds to run each scenario at besides its own (none when absent). */
  readonly extraSeeds: readonly number[];
  /** Only the scenarios of these names (all when absent). */
  readonly scenarios?: readonly string[];
}

/** The environment variables the bench reads, with what each takes. */
export const BENCH_SELECTION_VARIABLES = {
  SKY_BENCH_TWIN_DAYS: 'a whole number of days ≥ 1: run at most that many days of each scenario',
  SKY_BENCH_TWIN_SEEDS: 'comma-separated seeds (whole numbers 0..2^32-1): also run each scenario at each of them',
  SKY_BENCH_TWIN_SCENARIOS: 'comma-separated scenario names (file names without .json): run only those',
} as const;

const MAX_SEED = 2 ** 32 - 1;

function wholeNumber(variable: string, text: string, min: number, max: number): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(
      `${variable}: "${text}" is not ${BENCH_SELECTION_VARIABLES[variable as keyof typeof BENCH_SELECTION_VARIABLES]}`,
    );
  }
  return value;
}

function list(variable: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim());
  if (items.some((s) => s.length === 0)) {
    throw new RangeError(
      `${variable}: "${text}" has an empty item; it takes ${BENCH_SELECTION_VARIABLES[variable as keyof typeof BENCH_SELECTION_VARIABLES]}`,
    );
  }
  return items;
}

/**
 * Reads the bench's selection from environment variables.
 * @throws RangeError naming the variable and what it takes, when a value is malformed.
 * @example benchSelectionOf({ SKY_BENCH_TWIN_DAYS: '2', SKY_BENCH_TWIN_SEEDS: '1,2' });
 * // { maxDays: 2, extraSeeds: [1, 2] }
 */
export function benchSelectionOf(env: Readonly<Record<string, string | undefined>>): BenchSelection {
  const days = env.SKY_BENCH_TWIN_DAYS;
  const seeds = env.SKY_BENCH_TWIN_SEEDS;
  const names = env.SKY_BENCH_TWIN_SCENARIOS;
  return {
    ...(days !== undefined && days !== '' ? { maxDays: wholeNumber('SKY_BENCH_TWIN_DAYS', days, 1, 366) } : {}),
    extraSeeds:
      seeds !== undefined && seeds !== ''
        ? [
            ...new Set(
              list('SKY_BENCH_TWIN_SEEDS', seeds).map((s) => wholeNumber('SKY_BENCH_TWIN_SEEDS', s, 0, MAX_SEED)),
            ),
          ]
        : [],
    ...(names !== undefined && names !== '' ? { scenarios: list('SKY_BENCH_TWIN_SCENARIOS', names) } : {}),
  };
}

/** One run the bench makes: a scenario at one seed, for some of its days. */
export interface BenchRun {
  readonly scenario: Scenario;
  readonly days: number;
}

/**
 * The runs for the loaded scenarios: each at its own seed, then at every extra seed it does not already
 * have, each for min(its days, maxDays) days.
 * @throws RangeError when `scenarios` names one that was not loaded (a typo would silently run nothing).
 */
export function benchRunsOf(scenarios: readonly Scenario[], selection: BenchSelection): BenchRun[] {
  const known = new Set(scenarios.map((s) => s.name));
  const unknown = (selection.scenarios ?? []).filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new RangeError(
      `SKY_BENCH_TWIN_SCENARIOS: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a shipped scenario (${[...known].sort().join(', ')})`,
    );
  }
  const wanted = selection.scenarios ? new Set(selection.scenarios) : known;
  const runs: BenchRun[] = [];
  for (const scenario of scenarios) {
    if (!wanted.has(scenario.name)) continue;
    const days = Math.min(scenario.days, selection.maxDays ?? scenario.days);
    runs.push({ scenario, days });
    for (const seed of selection.extraSeeds) {
      if (seed !== scenario.seed) runs.push({ scenario: { ...scenario, seed }, days });
    }
  }
  return runs;
}
