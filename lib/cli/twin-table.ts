import { formatUsd, textTable, wrapText } from '../report/format';
import { TWIN_STRATEGIES } from '../twin/experiment';
import type { TwinReport } from '../twin/report';

/** The terminal width the twin's tables are laid out for. */
const WIDTH = 100;

const mean = (xs: readonly number[]): number | undefined =>
  xs.length === 0 ? undefined : xs.reduce((a, b) => a + b, 0) / xs.length;

const fixed = (x: number | undefined, digits: number): string => (x === undefined ? '–' : x.toFixed(digits));

/**
 * A plain-text view of the twin's report within 100 columns: sampling per zone (means over the days),
 * then the savings of each strategy against the fixed zone per workload, each table with a legend of
 * its columns. `zoneNames` adds the AZ name beside each AZ ID where the scenario gives one.
 */
export function formatTwinTable(report: TwinReport, zoneNames: Readonly<Record<string, string>> = {}): string {
  // one row per zone and sampled fleet (x86_64, then the zone's arm64 fleet where it was sampled)
  const fleetOf = (s: { azId: string; arch?: string }): string => (s.arch ? `${s.azId} ${s.arch}` : s.azId);
  const fleets = [...new Set(report.sampling.map((s) => fleetOf(s)))];
  const days = new Set(report.sampling.map((s) => s.day)).size;
  const sampling = textTable(
    ['zone', 'polls', 'polls to 95%', 'saturated at', 'stopped', 'cost/day'],
    fleets.map((fleet) => {
      const rows = report.sampling.filter((s) => fleetOf(s) === fleet);
      const { azId, arch } = rows[0];
      const reasons = [...new Set(rows.map((r) => r.stoppedBy))].join(', ');
      return [
        `${zoneNames[azId] ? `${azId} (${zoneNames[azId]})` : azId}${arch ? ` ${arch}` : ''}`,
        fixed(mean(rows.map((r) => r.polls)), 1),
        fixed(mean(rows.flatMap((r) => (r.pollsTo95 === null ? [] : [r.pollsTo95]))), 1),
        fixed(mean(rows.flatMap((r) => (r.saturatedAtPoll === null ? [] : [r.saturatedAtPoll]))), 1),
        reasons,
        formatUsd(mean(rows.map((r) => r.costUsd)) ?? 0),
      ];
    }),
    [1, 2, 3, 5],
  );
  const samplingLegend =
    `Means over ${days} day${days === 1 ? '' : 's'}. polls: polls per sampling run. polls to 95%: polls until ` +
    'the cumulative mix was within 5 APE of the true mix (– when never). saturated at: the poll at which ' +
    'more than half of the requests failed (– when no poll did). stopped: why the stopping rule stopped ' +
    "(converged, saturated, capped-polls, capped-cost). cost/day: what one sampling run cost. A zone's arm64 " +
    'fleet, sampled by its arm64 samplers, has a row of its own ("arm64"); the sum of cost/day over the rows is ' +
    'what sampling costs the deployment a day.';

  const strategies = TWIN_STRATEGIES.filter((s) => s !== 'baseline' && report.routing.some((r) => r.strategy === s));
  const workloads = [...new Set(report.routing.map((r) => r.workload))];
  const routing = textTable(
    ['workload', ...strategies],
    workloads.map((workload) => [
      workload,
      ...strategies.map((strategy) => {
        const row = report.routing.find((r) => r.workload === workload && r.strategy === strategy);
        return row ? `${row.savingsPct.toFixed(1)}%` : '–';
      }),
    ]),
    strategies.map((_, i) => i + 1),
  );
  const routingLegend =
    'Each cell: 100 × (fixed-zone cost − cost) / fixed-zone cost, the costs summed over the days; the fixed ' +
    'zone is where the baseline strategy sends every request. regional: the zone with the best CPU mix. ' +
    'retry-slow: reject the two slowest CPUs. focus-fastest: reject all but the fastest. hybrid: ' +
    'regional + retry-slow. optimal: the least expected cost over zones, memory, architecture and reject ' +
    "sets. oracle: knows every instance's CPU before placing and runs each burst as many calls at a time as the strategies do (a bound, not a strategy one can deploy; see the targets' note where a strategy beats it).";
  const counts = (c: Readonly<Record<string, number>>, show: (key: string) => string = (k) => k): string =>
    Object.entries(c)
      .sort((a, b) => b[1] - a[1])
      .map(([key, n]) => `${show(key)} ${n}`)
      .join(', ');
  const label = (azId: string): string => (zoneNames[azId] ? `${azId} (${zoneNames[azId]})` : azId);
  const where = report.routing
    .filter((r) => r.strategy === 'optimal' || r.strategy === 'oracle')
    .map((r) =>
      wrapText(
        `${r.workload}, ${r.strategy}: MB ${counts(r.memoryMb)}; ${counts(r.architectures)}; ${counts(r.zones, label)}`,
        WIDTH,
        '  ',
      ),
    );
  const failing = report.routing.filter((r) => r.failedRequests > 0);
  const failedLegend =
    failing.length > 0
      ? [
          wrapText(
            `A request that never ran bills nothing, so a strategy that failed requests looks cheaper here than its work was (failed: ${failing.map((r) => `${r.workload} ${r.strategy} ${r.failedRequests}`).join(', ')}); the targets compare per completed request.`,
            WIDTH,
            '  ',
          ),
        ]
      : [];
  return [
    `scenario ${report.scenario}`,
    '',
    'Sampling',
    sampling,
    wrapText(samplingLegend, WIDTH, '  '),
    '',
    'Routing: savings against the fixed zone',
    routing,
    wrapText(routingLegend, WIDTH, '  '),
    ...failedLegend,
    '',
    ...(where.length > 0
      ? ['Where optimal and the oracle ran (requests per memory size, architecture and zone)', ...where, '']
      : []),
  ].join('\n');
}
