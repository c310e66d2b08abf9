import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fitsCallBudget, PRIOR_RUNTIME_CV } from '../../lib/core/call-fit';
import { archOfCpu, cpuKeyOf } from '../../lib/core/cpu';
import { loadScenario, type Scenario } from '../../lib/twin/scenario';
import { generateScenario } from '../../lib/twin/scenario-generator';
import { DYNAMIC_TIMEOUT_MS, modelRuntimeMs } from '../../lib/twin/workload-model';
import { DEFAULT_FUNCTION_SHARE_OF_HOST, DEFAULT_HOST_MEMORY_MB } from '../../lib/twin/zone';

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

describe('scenarios built to break optimal hold what their descriptions say', () => {
  const capacity = (z: { hosts: number; slotsPerHost: number }): number => z.hosts * z.slotsPerHost;
  const fastestOf = (scenario: Scenario, workload: string, mb: number): string =>
    scenario.cpuList
      .map((c) => ({ key: c.key, ms: modelRuntimeMs(scenario, scenario.workloads[workload], c.cpuKey, mb) }))
      .sort((a, b) => a.ms - b.ms)[0].key;

  it('stress-arm-rare-fast: the fastest CPU for arm-codec is rare, arm64-only and absent from the other fleets', () => {
    const scenario = loadScenario(join(DIR, 'stress-arm-rare-fast.json'));
    expect(fastestOf(scenario, 'arm-codec', 1024)).toBe('graviton3');
    expect(fastestOf(scenario, 'x86-hash', 512)).toBe('xeon30');
    expect(archOfCpu(cpuKeyOf(scenario.cpus.graviton3.model))).toBe('arm64');
    for (const zone of scenario.zones) {
      for (const day of zone.mix) expect(day.graviton3 ?? 0).toBe(0);
      const shares = (zone.arm64?.mix ?? []).map((day) => day.graviton3 ?? 0);
      if (zone.azId === 'usw2-az1') {
        expect(Math.max(...shares)).toBeLessThanOrEqual(0.08);
        expect(Math.min(...shares)).toBeGreaterThan(0);
      } else expect(shares.every((s) => s === 0)).toBe(true);
    }
    expect(scenario.zones.find((z) => z.azId === 'euw1-az1')?.arm64).toBeUndefined();
  });

  it('stress-saturate: the best mix sits in a zone that holds less than a burst; the fixed zone holds it all', () => {
    const scenario = loadScenario(join(DIR, 'stress-saturate.json'));
    const byId = new Map(scenario.zones.map((z) => [z.azId, z]));
    expect(capacity(byId.get(scenario.baselineZone)!)).toBeGreaterThanOrEqual(scenario.burst);
    const fastShare = (azId: string): number => byId.get(azId)!.mix[0].xeon30 ?? 0;
    const best = scenario.zones.map((z) => z.azId).sort((a, b) => fastShare(b) - fastShare(a))[0];
    expect(best).toBe('usw1-az1');
    expect(capacity(byId.get(best)!)).toBeLessThan(scenario.burst / 3);
    expect(byId.get(best)!.region).toBe(byId.get(scenario.baselineZone)!.region);
  });

  it('stress-long-lowconc: render-long fits the timeout on the slowest CPU with its own spread only', () => {
    const scenario = loadScenario(join(DIR, 'stress-long-lowconc.json'));
    const render = scenario.workloads['render-long'];
    const slowest = (mb: number): number =>
      Math.max(...scenario.cpuList.map((c) => modelRuntimeMs(scenario, render, c.cpuKey, mb)));
    expect(fitsCallBudget(slowest(render.memoryMb), DYNAMIC_TIMEOUT_MS, render.cv)).toBe(true);
    expect(fitsCallBudget(slowest(render.memoryMb), DYNAMIC_TIMEOUT_MS, PRIOR_RUNTIME_CV)).toBe(false);
    expect(fitsCallBudget(slowest(render.minMemoryMb), DYNAMIC_TIMEOUT_MS, render.cv)).toBe(false);
    // more memory than its 2 vCPUs' worth buys no speed
    expect(slowest(4096)).toBeCloseTo(slowest(render.memoryMb), 6);
    expect(scenario.burst).toBeLessThanOrEqual(10);
  });

  it("stress-packed-pace: generated seed 14 as drawn; EPYC fastest at 1769 MB, on few of the fixed zone's hosts, 6 to a host's share", () => {
    const scenario = loadScenario(join(DIR, 'stress-packed-pace.json'));
    // the file is the generator's draw, so its figures are seed 14's (only name and description differ)
    const drawn = generateScenario(14).json;
    const file = JSON.parse(readFileSync(join(DIR, 'stress-packed-pace.json'), 'utf8'));
    expect({ ...file, name: drawn.name, description: drawn.description }).toEqual(drawn);
    const gemm = scenario.workloads['long-gemm-1'];
    expect(gemm.memoryMb).toBe(1769);
    expect(fastestOf(scenario, 'long-gemm-1', 1769)).toBe('epyc');
    const fixed = scenario.zones.find((z) => z.azId === scenario.baselineZone)!;
    expect(fixed.placementSpread).toBe(0.5);
    expect(Math.max(...fixed.mix.map((day) => day.epyc ?? 0))).toBeLessThan(0.3);
    expect(Math.floor((DEFAULT_FUNCTION_SHARE_OF_HOST * DEFAULT_HOST_MEMORY_MB) / gemm.memoryMb)).toBe(6);
    expect(scenario.burst).toBeGreaterThan(1000);
  });
});
