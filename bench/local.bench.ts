import { runLocalSky } from '../lib/local/run-local-sky';
import { formatSummary } from '../lib/report/summary-text';

export const title = 'Local sky: `sky local` on scenarios/paper-ex5.json (target ≤ 60 s on 2 cores)';

/** Runs the whole local sky as `npm start` does (without writing the report) and prints its time per step. */
export async function run(): Promise<void> {
  const result = await runLocalSky({ scenario: 'scenarios/paper-ex5.json' });
  const steps = Object.entries(result.timings)
    .map(([step, ms]) => `${step} ${((ms ?? 0) / 1000).toFixed(1)} s`)
    .join(', ');
  console.log(`total ${(result.elapsedMs / 1000).toFixed(1)} s: ${steps}`);
  console.log(formatSummary(result.summary));
}
