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
  /** Only the scenarios of these names (all when absent); a name ending in `*` takes every name it begins. */
  readonly scenarios?: readonly string[];
  /** Also run the generated scenarios of these seeds, from..to inclusive (`generateScenario`; none when absent). */
  readonly generated?: { readonly from: number; readonly to: number };
  /** Run every scenario in its fixed zone alone (`inFixedZoneOnly`): a deployment in one zone. @default false */
  readonly fixedZoneOnly?: boolean;
}

/** The environment variables the bench reads, with what each takes. */
export const BENCH_SELECTION_VARIABLES = {
  SKY_BENCH_TWIN_DAYS: 'a whole number of days ≥ 1: run at most that many days of each scenario',
  SKY_BENCH_TWIN_SEEDS: 'comma-separated seeds (whole numbers 0..2^32-1): also run each scenario at each of them',
  SKY_BENCH_TWIN_SCENARIOS:
    'comma-separated scenario names (file names without .json, generated-<seed>; a trailing * takes every name it begins): run only those',
  SKY_BENCH_TWIN_GENERATED:
    'a whole number n of 1..1000, or a range a-b of seeds (1 ≤ a ≤ b, at most 1000 of them): also run the scenarios the generator draws from seeds 1..n, or a..b',
  SKY_BENCH_TWIN_FIXED_ZONE_ONLY:
    '1 or 0: run every scenario in its fixed zone alone (a deployment in one zone), or as it is',
} as const;

/** Most generated scenarios one bench run takes (each runs for minutes). */
const MAX_GENERATED = 1000;

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

/** Whether a variable that takes 1 or 0 is on. */
function switchOf(variable: string, text: string): boolean {
  return wholeNumber(variable, text, 0, 1) === 1;
}

/** `n` (seeds 1..n) or `a-b` (seeds a..b) of SKY_BENCH_TWIN_GENERATED. */
function generatedSeedsOf(text: string): { from: number; to: number } {
  const variable = 'SKY_BENCH_TWIN_GENERATED';
  const range = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(text);
  if (!range) return { from: 1, to: wholeNumber(variable, text, 1, MAX_GENERATED) };
  const [from, to] = [Number(range[1]), Number(range[2])];
  if (from < 1 || to < from || to > MAX_SEED || to - from + 1 > MAX_GENERATED) {
    throw new RangeError(`${variable}: "${text}" is not ${BENCH_SELECTION_VARIABLES[variable]}`);
  }
  return { from, to };
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
  const generated = env.SKY_BENCH_TWIN_GENERATED;
  const fixedZoneOnly = env.SKY_BENCH_TWIN_FIXED_ZONE_ONLY;
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
    ...(generated !== undefined && generated !== '' ? { generated: generatedSeedsOf(generated) } : {}),
    ...(fixedZoneOnly !== undefined && fixedZoneOnly !== '' && switchOf('SKY_BENCH_TWIN_FIXED_ZONE_ONLY', fixedZoneOnly)
      ? { fixedZoneOnly: true }
      : {}),
  };
}

/**
 * `scenario` deployed in its fixed zone alone: every strategy, and the oracle, may place only there. A user who deploys
 * the mesh in one zone has only its memory sizes, architectures and CPUs to choose from; on scenarios of 2–4 zones the
 * best zone hides how `optimal` fares there.
 * @example inFixedZoneOnly(loadScenario('scenarios/paper-ex5.json')).zones.length; // 1
 */
export function inFixedZoneOnly(scenario: Scenario): Scenario {
  return { ...scenario, zones: scenario.zones.filter((zone) => zone.azId === scenario.baselineZone) };
}

/** One run the bench makes: a scenario at one seed, for some of its days. */
export interface BenchRun {
  readonly scenario: Scenario;
  readonly days: number;
}

/** Whether a scenario name is taken by a name of SKY_BENCH_TWIN_SCENARIOS (exactly, or by the prefix before a trailing `*`). */
function takes(pattern: string, name: string): boolean {
  return pattern.endsWith('*') ? name.startsWith(pattern.slice(0, -1)) : name === pattern;
}

/**
 * The runs for the loaded scenarios (the shipped ones, and any generated ones after them): each at its own
 * seed, then at every extra seed it does not already have, each for min(its days, maxDays) days, in its fixed zone
 * alone where the selection asks for that.
 * @throws RangeError when `scenarios` names one that was not loaded (a typo would silently run nothing).
 */
export function benchRunsOf(scenarios: readonly Scenario[], selection: BenchSelection): BenchRun[] {
  const known = scenarios.map((s) => s.name);
  const unknown = (selection.scenarios ?? []).filter((n) => !known.some((name) => takes(n, name)));
  if (unknown.length > 0) {
    throw new RangeError(
      `SKY_BENCH_TWIN_SCENARIOS: ${unknown.map((n) => `"${n}"`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a shipped${selection.generated ? ' or generated' : ''} scenario (${[...known].sort().join(', ')})`,
    );
  }
  const runs: BenchRun[] = [];
  for (const scenario of scenarios) {
    if (selection.scenarios && !selection.scenarios.some((n) => takes(n, scenario.name))) continue;
    const days = Math.min(scenario.days, selection.maxDays ?? scenario.days);
    const deployed = selection.fixedZoneOnly ? inFixedZoneOnly(scenario) : scenario;
    runs.push({ scenario: deployed, days });
    for (const seed of selection.extraSeeds) {
      if (seed !== scenario.seed) runs.push({ scenario: { ...deployed, seed }, days });
    }
  }
  return runs;
}
