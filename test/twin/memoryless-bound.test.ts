import { lambdaPrice } from '../../lib/catalog';
import type { TwinRun } from '../../lib/twin/experiment';
import { memorylessBound } from '../../lib/twin/memoryless-bound';
import { parseScenario } from '../../lib/twin/scenario';
import { formatStrategyChecks, formatTargetSummary, scenarioChecksOf } from '../../lib/twin/strategy-check';

// One zone, half its hosts twice as fast; a workload at 1769 MB that gets no faster above it.
const scenarioJson = {
  name: 'bound',
  seed: 1,
  days: 2,
  baselineZone: 'usw1-az1',
  initMs: 100,
  holdMs: 150,
  burst: 10,
  cpus: {
    xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
    xeon30: { model: 'Intel(R) Xeon(R) Processor @ 3.00GHz' },
    graviton2: { model: 'graviton2' },
  },
  zones: [{ azId: 'usw1-az1', region: 'us-west-1', hosts: 10, slotsPerHost: 10, mix: [{ xeon25: 0.5, xeon30: 0.5 }] }],
  workloads: { long: { memoryMb: 1769, minMemoryMb: 1769, baseMs: 10_000, cv: 0.01, relative: { xeon30: 0.5 } } },
};

/** USD of `billedMs` at 1769 MB in us-west-1 on x86_64, plus `requests` request charges. */
function usd(billedMs: number, requests: number): number {
  const price = lambdaPrice('us-west-1', 'x86_64');
  return (billedMs / 1000) * (1769 / 1024) * price.perGbSecond + requests * price.perRequest;
}

describe('the memoryless bound', () => {
  // Rejecting the 2.5 GHz Xeon (half the hosts) within the router's 10 attempts, the last of which accepts any CPU.
  const attempts = (1 - 0.5 ** 10) / 0.5;
  const runMs = 5000 + 0.5 ** 9 * 2500;

  it('rejects the slow half where a retry pays: each attempt a new instance, against one on the fixed zone', () => {
    const [row] = memorylessBound(parseScenario(scenarioJson), { days: 2, rejectMode: 'auto' });
    // no hold: auto ends the rejected instance at once
    const bound = usd(runMs + attempts * 100, attempts);
    // the fixed zone at 1769 MB rejecting nothing: 0.5 × 10,000 + 0.5 × 5,000 ms, INIT once
    const fixed = usd(7500 + 100, 1);
    expect(row.placements).toEqual(Array(2).fill('usw1-az1 x86_64 1769 MB rejecting intel-xeon-2.50'));
    expect(row.boundUsd).toBeCloseTo(2 * 10 * bound, 12);
    expect(row.fixedZoneUsd).toBeCloseTo(2 * 10 * fixed, 12);
    expect(row.savingsPct).toBeCloseTo((100 * (fixed - bound)) / fixed, 9);
  });

  it('bills the hold of a rejected attempt under the hold mode', () => {
    const [row] = memorylessBound(parseScenario(scenarioJson), { days: 1, rejectMode: 'hold' });
    expect(row.boundUsd).toBeCloseTo(10 * usd(runMs + (attempts - 1) * 150 + attempts * 100, attempts), 12);
  });

  it('takes a cheaper arm64 fleet, and follows each day its mix', () => {
    const withArm = parseScenario({
      ...scenarioJson,
      zones: [{ ...scenarioJson.zones[0], arm64: { hosts: 5, mix: [{ graviton2: 1 }] } }],
      workloads: { long: { ...scenarioJson.workloads.long, relative: { xeon30: 0.9, graviton2: 0.6 } } },
    });
    const [row] = memorylessBound(withArm, { days: 1, rejectMode: 'auto' });
    expect(row.placements).toEqual(['usw1-az1 arm64 1769 MB rejecting nothing']);
  });

  it('sends a fleet no more calls at once than it holds, the rest to the next-cheapest fleet', () => {
    // one arm64 host of 10 slots against bursts of 25
    const smallJson = (armHosts: number) => ({
      ...scenarioJson,
      burst: 25,
      zones: [{ ...scenarioJson.zones[0], arm64: { hosts: armHosts, mix: [{ graviton2: 1 }] } }],
      workloads: { long: { ...scenarioJson.workloads.long, relative: { xeon30: 0.9, graviton2: 0.6 } } },
    });
    const [row] = memorylessBound(parseScenario(smallJson(1)), { days: 1, rejectMode: 'auto' });
    expect(row.placements[0]).toMatch(
      /^usw1-az1 arm64 1769 MB rejecting nothing \(10 at once\) \+ usw1-az1 x86_64 1769 MB rejecting .* \(15 at once\)$/,
    );
    const [unlimited] = memorylessBound(parseScenario(smallJson(3)), { days: 1, rejectMode: 'auto' });
    expect(unlimited.placements[0]).toBe('usw1-az1 arm64 1769 MB rejecting nothing');
    expect(unlimited.boundUsd).toBeLessThan(row.boundUsd);
  });

  it('adds a memoryless column and its note to the target tables', () => {
    const scenario = parseScenario(scenarioJson);
    const bounds = memorylessBound(scenario, { days: 2, rejectMode: 'auto' });
    const run = {
      scenario: 'bound',
      seed: 1,
      days: [
        {
          day: 0,
          bursts: (['baseline', 'optimal', 'oracle'] as const).map((strategy, k) => ({
            workload: 'long',
            strategy,
            outcome: { requests: 10, completed: 10, failed: 0, costUsd: 1 - 0.1 * k, addedLatencyCounts: { 0: 10 } },
          })),
        },
      ],
    } as unknown as TwinRun;
    const text = formatStrategyChecks(run, bounds);
    expect(text).toMatch(/memoryless %/);
    expect(text).toMatch(new RegExp(`long .* ${bounds[0].savingsPct.toFixed(1)} `));
    expect(text).toMatch(/memoryless %: the least expected cost of a router that knows every true mix/);
    expect(formatStrategyChecks(run)).not.toMatch(/memoryless/);
    expect(formatTargetSummary([scenarioChecksOf(run, bounds)])).toMatch(
      new RegExp(`long .* ${bounds[0].savingsPct.toFixed(1)} `),
    );
    // optimal closes 50% of the oracle's 20%: a miss; marked when even the bound closes less than 80% of it
    const boundOf = (savingsPct: number) => [
      { workload: 'long', boundUsd: 0, fixedZoneUsd: 0, savingsPct, placements: [] },
    ];
    expect(formatTargetSummary([scenarioChecksOf(run, boundOf(15.9))])).toMatch(
      /NO \(gap < 80%; memoryless < 80% too\)/,
    );
    expect(formatStrategyChecks(run, boundOf(15.9))).toMatch(/ NO \(gap < 80%; memoryless < 80% too\)/);
    expect(formatTargetSummary([scenarioChecksOf(run, boundOf(16.1))])).toMatch(/NO \(gap < 80%\)/);
    expect(formatStrategyChecks(run, boundOf(16.1))).toMatch(/ NO \(gap < 80%\)\n/);
  });
});
