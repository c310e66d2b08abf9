import { runTwinExperiment } from '../../lib/twin/experiment';
import { twinReport } from '../../lib/twin/report';
import { loadScenario } from '../../lib/twin/scenario';

// Polls of 60 requests keep the run quick; one day, a small burst.
const SAMPLING = { pollConcurrency: 60, fanoutBranching: 8, maxProbePolls: 12 };

describe('twin on the mixed-provider scenario', () => {
  it('moves work to IBM Code Engine where it is cheaper, only at sizes Code Engine offers', async () => {
    const scenario = { ...loadScenario('scenarios/sky-mixed.json'), days: 1, burst: 60 };
    const report = twinReport(await runTwinExperiment(scenario, { sampling: SAMPLING }));
    const ibm = new Set(['ibm-us-south', 'ibm-eu-gb']);
    for (const workload of ['zipper', 'sha1-hash', 'matrix-multiply']) {
      const rows = report.routing.filter((r) => r.workload === workload);
      const baseline = rows.find((r) => r.strategy === 'baseline')!;
      const optimal = rows.find((r) => r.strategy === 'optimal')!;
      expect(Object.keys(baseline.zones)).toEqual(['usw1-az3']);
      const onIbm = Object.entries(optimal.zones)
        .filter(([z]) => ibm.has(z))
        .reduce((s, [, n]) => s + n, 0);
      expect(onIbm).toBe(60);
      expect(optimal.costUsd).toBeLessThan(baseline.costUsd);
      for (const row of rows) {
        const onProvider = Object.keys(row.zones).some((z) => ibm.has(z));
        // Code Engine runs 1, 2 and 4 GB only: a row placed there used one of those sizes.
        if (onProvider) for (const mb of Object.keys(row.memoryMb)) expect(['1024', '2048', '4096']).toContain(mb);
      }
    }
  });
});
