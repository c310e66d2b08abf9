import { PASSIVE_HALF_LIFE_MS } from '../../lib/core/passive-evidence';
import { MemoryRouterStore } from '../../lib/routing/memory-store';
import { routingViewOf } from '../../lib/routing/view-cache';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-10T12:00:00Z');
const config = {
  deployed: [
    { azId: 'usw1-az1', region: 'us-west-1' },
    { azId: 'usw1-az3', region: 'us-west-1' },
  ],
  architectures: ['x86_64' as const],
  memorySizes: [2048],
};
const view = (passive: Parameters<typeof routingViewOf>[4], decay?: { halfLifeMs: number }) =>
  routingViewOf({ ...config, ...(decay ? { passiveDecay: decay } : {}) }, {}, [], {}, passive, NOW).passive ?? {};

describe('passive counts in the router view', () => {
  it('ages each stored day and sums the days of a zone, undated items included', () => {
    const passive = view([
      { azId: 'usw1-az1', counts: { a: 10 }, firstAt: '2026-03-10T11:00:00Z', updatedAt: '2026-03-10T12:00:00Z' },
      { azId: 'usw1-az1', counts: { a: 10, b: 4 }, firstAt: '2026-03-09T00:00:00Z', updatedAt: '2026-03-10T00:00:00Z' },
      // written before counts were dated: dated by its last ADD
      { azId: 'usw1-az3', counts: { b: 8 }, updatedAt: '2026-03-09T12:00:00Z' },
      // a zone no longer deployed
      { azId: 'sae1-az1', counts: { a: 1 }, updatedAt: '2026-03-10T12:00:00Z' },
    ]);
    const day = PASSIVE_HALF_LIFE_MS / HOUR;
    expect(passive['usw1-az1'].a).toBeCloseTo(10 * 2 ** (-0.5 / day) + 10 * 2 ** (-24 / day), 9);
    expect(passive['usw1-az1'].b).toBeCloseTo(4 * 2 ** (-24 / day), 9);
    expect(passive['usw1-az3'].b).toBeCloseTo(8 * 2 ** (-24 / day), 9);
    expect(passive['sae1-az1']).toBeUndefined();
  });

  it('follows the configured half-life', () => {
    const passive = view([{ azId: 'usw1-az1', counts: { a: 8 }, updatedAt: '2026-03-10T09:00:00Z' }], {
      halfLifeMs: HOUR,
    });
    expect(passive['usw1-az1'].a).toBeCloseTo(1, 9);
  });

  it('reads what the memory store dated by its clock', async () => {
    const clock = { now: NOW - 48 * HOUR };
    const store = new MemoryRouterStore({ now: () => clock.now });
    await store.addPassiveCpu('usw1-az1', { a: 4 });
    clock.now = NOW;
    await store.addPassiveCpu('usw1-az1', { a: 4 });
    const stored = await store.allPassiveCounts();
    expect(stored.map((p) => p.updatedAt)).toEqual(['2026-03-08T12:00:00.000Z', '2026-03-10T12:00:00.000Z']);
    expect(view(stored)['usw1-az1'].a).toBeCloseTo(4 + 4 * 2 ** (-48 / (PASSIVE_HALF_LIFE_MS / HOUR)), 9);
  });
});
