import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallScenarioJson } from '../twin/fixtures';
import { runSky } from './run-sky';

interface Report {
  routing: Array<{ workload: string; strategy: string; failedRequests: number; zones: Record<string, number> }>;
  strategies: Array<{ strategy: string; requests: number; p50AddedLatencyMs: number; p99AddedLatencyMs: number }>;
  targets: Array<{ workload: string; notAboveBaseline: boolean; optimalP99AddedLatencyMs: number }>;
}

describe('sky twin --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sky-twin-json-'));
  const file = join(dir, 'small.json');
  writeFileSync(file, JSON.stringify(smallScenarioJson({ days: 1, burst: 20 })));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('carries the checks the table prints: expected against realised cost per strategy, and the targets per workload', async () => {
    const report = JSON.parse(
      (await runSky(['twin', '--json', '--no-progress', '--workers', '1', '--scenario', file])).stdout,
    ) as Report;
    // one row per strategy, counting every request its routing rows ran or failed
    const strategies = [...new Set(report.routing.map((r) => r.strategy))].sort();
    expect(report.strategies.map((s) => s.strategy).sort()).toEqual(strategies);
    for (const row of report.strategies) {
      const routed = report.routing
        .filter((r) => r.strategy === row.strategy)
        .reduce((sum, r) => sum + r.failedRequests + Object.values(r.zones).reduce((a, b) => a + b, 0), 0);
      expect(row.requests).toBe(routed);
      expect(row.p50AddedLatencyMs).toBeLessThanOrEqual(row.p99AddedLatencyMs);
    }
    // one target row per workload
    expect(report.targets.map((t) => t.workload).sort()).toEqual(
      [...new Set(report.routing.map((r) => r.workload))].sort(),
    );
    for (const target of report.targets) expect(typeof target.notAboveBaseline).toBe('boolean');
  });
});
