import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadScenario } from '../../lib/twin/scenario';
import { modelRuntimeMs } from '../../lib/twin/workload-model';

const DIR = join(__dirname, '..', '..', 'scenarios');
const SHIPPED = readdirSync(DIR).filter((f) => f.endsWith('.json'));

describe('shipped scenarios', () => {
  it.each(SHIPPED)('%s parses and says where its numbers come from', (file) => {
    const scenario = loadScenario(join(DIR, file));
    expect(scenario.name).toBe(file.replace(/\.json$/, ''));
    expect((scenario.description ?? '').length).toBeGreaterThan(100);
  });

  describe('lambda-2026 (late-2025 per-memory measurements)', () => {
    const scenario = loadScenario(join(DIR, 'lambda-2026.json'));
    const gemm = scenario.workloads.gemm;
    const fastest = (mb: number): string =>
      scenario.cpuList
        .map((c) => ({ cpu: c.cpuKey, ms: modelRuntimeMs(scenario, gemm, c.cpuKey, mb) }))
        .sort((a, b) => a.ms - b.ms)[0].cpu;

    it('names its source', () => {
      expect(scenario.description).toMatch(/classifaas-results, commit 9fda4e84a579ef96bcadee93185c83d3a4f191c8/);
    });

    it('reproduces the measured 2.5 GHz Xeon medians at each measured size (us-east-1, 12 runs pooled)', () => {
      expect(modelRuntimeMs(scenario, gemm, 'intel-xeon-2.50', 128)).toBeCloseTo(12161.7, -1);
      expect(modelRuntimeMs(scenario, gemm, 'intel-xeon-2.50', 512)).toBeCloseTo(2738.7, -1);
      expect(modelRuntimeMs(scenario, gemm, 'intel-xeon-2.50', 2048)).toBeCloseTo(619.2, 1);
      // and the EPYC's: 0.544, 0.613 and 1.033 of the Xeon's
      expect(modelRuntimeMs(scenario, gemm, 'amd-epyc', 128) / 12161.7).toBeCloseTo(0.544, 2);
      expect(modelRuntimeMs(scenario, gemm, 'amd-epyc', 512) / 2738.7).toBeCloseTo(0.613, 2);
      expect(modelRuntimeMs(scenario, gemm, 'amd-epyc', 2048) / 619.2).toBeCloseTo(1.033, 3);
    });

    it('makes the fastest CPU depend on memory: the EPYC at 128 and 512 MB, the 3.0 GHz Xeon at 2048 MB', () => {
      expect(fastest(128)).toBe('amd-epyc');
      expect(fastest(512)).toBe('amd-epyc');
      expect(fastest(2048)).toBe('intel-xeon-3.00');
    });

    it('has no arm64 fleet (nothing measured supports one) and moves only us-east-1 from day to day', () => {
      expect(scenario.zones.some((z) => z.arm64)).toBe(false);
      const moving = scenario.zones.filter((z) => z.mix.length > 1).map((z) => z.azId);
      expect(moving).toEqual(['use1-az1']);
      expect(scenario.days).toBe(12);
    });
  });
});
