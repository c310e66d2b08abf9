import {
  type DatedPassiveCounts,
  decayedPassiveCounts,
  PASSIVE_HALF_LIFE_MS,
  PASSIVE_WINDOW_MS,
  passiveAgeMs,
} from '../../lib/core/passive-evidence';
import { X25, X30 } from './fixtures';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-01T12:00:00Z');

describe('decayedPassiveCounts', () => {
  it('weighs a batch by 2^(-age / half-life), its age taken from the middle of its period', () => {
    const counts = decayedPassiveCounts(
      [
        { counts: { [X25]: 8 }, firstAt: NOW - 2 * HOUR, lastAt: NOW },
        { counts: { [X25]: 8, [X30]: 16 }, firstAt: NOW - 36 * HOUR, lastAt: NOW - 12 * HOUR },
      ],
      NOW,
    );
    expect(counts[X25]).toBeCloseTo(8 * 2 ** (-HOUR / PASSIVE_HALF_LIFE_MS) + 8 * 0.5, 9);
    expect(counts[X30]).toBeCloseTo(8, 9);
  });

  it('leaves out batches older than the window and counts an undated batch as the oldest one kept', () => {
    const old = { counts: { [X30]: 1000 }, lastAt: NOW - PASSIVE_WINDOW_MS - HOUR };
    const undated: DatedPassiveCounts = { counts: { [X25]: 128 } };
    const counts = decayedPassiveCounts([old, undated], NOW);
    expect(counts[X30]).toBeUndefined();
    expect(counts[X25]).toBeCloseTo(128 * 2 ** (-PASSIVE_WINDOW_MS / PASSIVE_HALF_LIFE_MS), 9);
    expect(passiveAgeMs(undated, NOW, PASSIVE_WINDOW_MS)).toBe(PASSIVE_WINDOW_MS);
  });

  it('counts a batch dated in the future as new and skips counts that are not positive numbers', () => {
    const counts = decayedPassiveCounts(
      [{ counts: { [X25]: 3, [X30]: -1, bad: Number.NaN }, firstAt: NOW + HOUR, lastAt: NOW + 2 * HOUR }],
      NOW,
      { halfLifeMs: HOUR },
    );
    expect({ ...counts }).toEqual({ [X25]: 3 });
  });
});
