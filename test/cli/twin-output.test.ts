import { twinProgressReporter } from '../../lib/cli/twin-progress';
import { formatTwinTable } from '../../lib/cli/twin-table';
import type { TwinProgress } from '../../lib/twin/experiment';
import type { RoutingRow, SamplingRow, TwinReport } from '../../lib/twin/report';

const WORKLOADS = ['disk-write-and-process', 'graph-bfs'];
const STRATEGIES = ['baseline', 'regional', 'retry-slow', 'focus-fastest', 'hybrid', 'optimal', 'oracle'] as const;

function report(): TwinReport {
  const sampling = ['usw1-az1', 'eun1-az1'].flatMap((azId) =>
    [0, 1].map(
      (day): SamplingRow => ({
        azId,
        day,
        polls: 3 + day,
        pollsTo95: day === 0 ? 2 : null,
        saturatedAtPoll: null,
        apeByPoll: [10, 5],
        instancesSeen: 3000,
        costUsd: 0.1234,
        stoppedBy: 'converged',
        driftClass: 'stable',
        apeBound: 5,
        hostsSeen: 10,
        fleetEstimate: null,
      }),
    ),
  );
  const routing = WORKLOADS.flatMap((workload) =>
    STRATEGIES.map(
      (strategy, i): RoutingRow => ({
        workload,
        strategy,
        costUsd: 1 - i / 100,
        baselineCostUsd: 1,
        savingsPct: i === 3 ? -123.4 : i,
        meanRuntimeMs: 1000,
        meanAddedLatencyMs: 0,
        attemptsPerRequest: 1,
        failedRequests: 0,
        zones: {},
        memoryMb: {},
        architectures: {},
      }),
    ),
  );
  return { scenario: 'test', sampling, routing, profiling: [] };
}

describe('formatTwinTable', () => {
  it('fits 100 columns, names zones beside their IDs and explains every column', () => {
    const text = formatTwinTable(report(), { 'usw1-az1': 'us-west-1a' });
    expect([...text.split('\n')].filter((line) => [...line].length > 100)).toEqual([]);
    expect(text).toContain('usw1-az1 (us-west-1a)');
    expect(text).toMatch(/^eun1-az1 {2,}3\.5 {2,}2\.0 {2,}– /m);
    expect(text).toMatch(/^graph-bfs +1\.0% +2\.0% +-123\.4% +4\.0% +5\.0% +6\.0%$/m);
    // baseline saves nothing against itself: no column for it
    expect(text).not.toMatch(/^workload .*baseline/m);
    const legend = text.replace(/\s+/g, ' ');
    for (const column of ['polls', 'polls to 95%', 'saturated at', 'stopped', 'cost/day', ...STRATEGIES.slice(1)]) {
      expect(legend).toContain(` ${column}: `);
    }
    expect(legend).not.toContain('never ran');
  });

  it('says which strategies failed requests, whose cells then count only the requests that ran', () => {
    const base = report();
    const failing: TwinReport = {
      ...base,
      routing: base.routing.map((r) =>
        r.workload === 'graph-bfs' && r.strategy === 'baseline' ? { ...r, failedRequests: 3139 } : r,
      ),
    };
    const legend = formatTwinTable(failing).replace(/\s+/g, ' ');
    expect(legend).toContain(
      'a strategy that failed requests looks cheaper here than its work was (failed: graph-bfs baseline 3139)',
    );
  });
});

describe('twinProgressReporter without a terminal', () => {
  it('prints each day once, in day order, when the days finish out of order', () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
    const progress = twinProgressReporter(stream);
    const step = (day: number, done: number): TwinProgress => ({
      day,
      days: 2,
      phase: 'routing',
      done,
      total: 4,
      detail: 'x',
    });
    // day 2 finishes first (two steps per day), then day 1
    progress.update(step(1, 1));
    progress.update(step(1, 2));
    expect(lines).toEqual([]);
    progress.update(step(0, 3));
    progress.update(step(0, 4));
    progress.update({ day: 1, days: 2, phase: 'done', done: 4, total: 4, detail: 'done' });
    progress.update({ day: 1, days: 2, phase: 'done', done: 4, total: 4, detail: 'done' });
    expect(lines.map((line) => line.replace(/\(.*\)/, '()'))).toEqual([
      'twin: day 1/2 done ()\n',
      'twin: day 2/2 done ()\n',
      expect.stringMatching(/^twin: 2 days done in \d+s\n$/),
    ]);
  });
});
