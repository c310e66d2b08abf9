import { type RenewedCall, renewOverUses } from '../../lib/core/pool-renewal';

/**
 * The renewal over a worker's calls: a call that runs out of attempts runs on a refused CPU once, and the worker's next
 * call searches again, so only the calls up to the first accepted instance pay a search or run refused.
 */
describe('renewOverUses', () => {
  const out = (): RenewedCall => ({ runtimeMs: 0, searchShare: 0, laterShare: 0 });

  it('is the lone call with one call per instance', () => {
    expect(renewOverUses(1, 6000, 7000, 0.35, out())).toEqual({ runtimeMs: 6000, searchShare: 1, laterShare: 0 });
  });

  it('shares one search among the calls when no call runs out of attempts', () => {
    expect(renewOverUses(20, 5900, 7000, 0, out())).toEqual({ runtimeMs: 5900, searchShare: 1 / 20, laterShare: 0 });
  });

  it('runs only the calls before the first accepted instance on refused CPUs, each with its own search', () => {
    // A lone call: 65% end on an accepted CPU (5,900 ms), 35% on a refused one (7,000 ms).
    const lone = 0.65 * 5900 + 0.35 * 7000;
    const r = renewOverUses(20, lone, 7000, 0.35, out());
    const searches = (1 - 0.35 ** 20) / 0.65;
    expect(r.searchShare).toBeCloseTo(searches / 20, 12);
    expect(r.runtimeMs).toBeCloseTo(((20 - 0.35 * searches) * 5900 + 0.35 * searches * 7000) / 20, 9);
    // Far below the lone call's runtime, which the memoryless pool model charged every call of the worker.
    expect(r.runtimeMs).toBeLessThan(5960);
    expect(r.searchShare).toBeGreaterThan(1 / 20);
  });

  it('matches a simulated worker: searches until a call ends on an accepted CPU, then keeps that instance', () => {
    // A seeded generator (mulberry32), so the test is deterministic.
    let seed = 12345;
    const random = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const uses = 8;
    const f = 0.4;
    let refusedCalls = 0;
    let searches = 0;
    const workers = 100_000;
    for (let w = 0; w < workers; w++) {
      let settled = false;
      for (let call = 0; call < uses && !settled; call++) {
        searches++;
        if (random() < f) refusedCalls++;
        else settled = true;
      }
    }
    const r = renewOverUses(uses, (1 - f) * 1000 + f * 2000, 2000, f, out());
    expect(r.searchShare).toBeCloseTo(searches / workers / uses, 2);
    const simulatedMs = ((uses * workers - refusedCalls) * 1000 + refusedCalls * 2000) / (uses * workers);
    expect(r.runtimeMs).toBeCloseTo(simulatedMs, 0);
  });

  it('charges every call a search when every call ends on a refused CPU', () => {
    expect(renewOverUses(10, 7000, 7000, 1, out())).toEqual({ runtimeMs: 7000, searchShare: 1, laterShare: 0.9 });
  });
});
