import type { TwinRun } from './experiment';

/**
 * The bursts the router placed nowhere (`BurstRecord.refused`), one line each with the router's reason: their
 * requests count as failed in every table. Empty when every burst was placed.
 */
export function formatRefusals(run: TwinRun): string {
  const lines: string[] = [];
  for (const day of run.days) {
    for (const b of day.bursts) {
      if (b.refused === undefined) continue;
      lines.push(
        `  day ${day.day + 1}: ${b.workload} × ${b.strategy}, ${b.outcome.requests} requests failed: ${b.refused}`,
      );
    }
  }
  if (lines.length === 0) return '';
  return `bursts the router placed nowhere (no target runs the work within its time budget)\n${lines.join('\n')}\n`;
}
