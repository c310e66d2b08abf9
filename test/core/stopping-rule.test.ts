import fc from 'fast-check';
import { ape, distributionOf, mergeCounts } from '../../lib/core/distribution';
import { CoreInputError } from '../../lib/core/errors';
import { chiSquareQuantile, normalQuantile } from '../../lib/core/statistics';
import {
  decideStop,
  estimateCharacterizationError,
  failureShare,
  lastPollNovelty,
  pollCostUsd,
} from '../../lib/core/stopping-rule';
import type { PollAggregate } from '../../lib/core/types';
import { pollOf, SimulatedZone, seededRandom } from './helpers';

const mix = { 'intel-xeon-2.50': 550, 'intel-xeon-3.00': 300, 'intel-xeon-2.90': 150 };
const noCostCap = { maxCostUsd: 1000 };

describe('decideStop', () => {
  it('continues with no polls', () => {
    expect(decideStop([])).toEqual({ action: 'continue', estimatedApe: 200, waitSeconds: 0 });
  });

  it('continues after one poll, however good (at least two polls)', () => {
    const decision = decideStop([pollOf(mix)], noCostCap);
    expect(decision.action).toBe('continue');
  });

  it('converges after two agreeing polls', () => {
    const decision = decideStop(
      [pollOf(mix), pollOf({ 'intel-xeon-2.50': 540, 'intel-xeon-3.00': 310, 'intel-xeon-2.90': 150 })],
      noCostCap,
    );
    expect(decision).toMatchObject({ action: 'stop', reason: 'converged' });
    expect(decision.estimatedApe).toBeLessThan(5);
  });

  it('converges at once on a single-CPU zone after two polls', () => {
    expect(decideStop([pollOf({ 'intel-xeon-2.50': 900 }), pollOf({ 'intel-xeon-2.50': 880 })])).toMatchObject({
      action: 'stop',
      reason: 'converged',
      estimatedApe: 0,
    });
  });

  it('does not stop on a poll that reveals a CPU type never seen before', () => {
    const polls = [pollOf(mix), pollOf(mix), pollOf({ ...mix, 'amd-epyc': 4 })];
    expect(decideStop(polls.slice(0, 2), noCostCap).action).toBe('stop');
    expect(decideStop(polls, noCostCap).action).toBe('continue');
    expect(lastPollNovelty(polls).newCpus).toEqual(['amd-epyc']);
  });

  it('does not stop on a poll whose mix disagrees with the earlier ones beyond noise', () => {
    const shifted = { 'intel-xeon-2.50': 400, 'intel-xeon-3.00': 450, 'intel-xeon-2.90': 150 };
    const novelty = lastPollNovelty([pollOf(mix), pollOf(mix), pollOf(mix), pollOf(shifted)]);
    expect(novelty.quiet).toBe(false);
    expect(novelty.disagreement).toBeGreaterThan(novelty.disagreementBound);
    expect(decideStop([pollOf(mix), pollOf(mix), pollOf(mix), pollOf(shifted)], noCostCap).action).toBe('continue');
  });

  it.each([
    [0.51, 'saturated'],
    [0.5, 'converged'],
  ])('with a failed share of %p stops as %s', (share, reason) => {
    const failed = Math.round(1000 * share);
    const counts = { 'intel-xeon-2.50': 1000 - failed };
    const polls = [pollOf(counts), pollOf(counts, { requested: 1000, failed })];
    expect(decideStop(polls, noCostCap)).toMatchObject({ action: 'stop', reason });
  });

  it('stops at the poll cap', () => {
    const drifting = [pollOf({ a: 900, b: 100 }), pollOf({ a: 100, b: 900 })];
    expect(decideStop(drifting, { ...noCostCap, maxPolls: 2 })).toMatchObject({
      action: 'stop',
      reason: 'capped-polls',
    });
    expect(decideStop(drifting, { ...noCostCap, maxPolls: 3 }).action).toBe('continue');
  });

  it('stops before a poll would exceed the cost cap', () => {
    const drifting = [pollOf({ a: 900, b: 100 }), pollOf({ a: 100, b: 900 })];
    const perPoll = pollCostUsd(drifting[0]);
    expect(decideStop(drifting, { maxCostUsd: 2.5 * perPoll })).toMatchObject({
      action: 'stop',
      reason: 'capped-cost',
    });
    expect(decideStop(drifting, { maxCostUsd: 3.5 * perPoll }).action).toBe('continue');
    expect(decideStop(drifting, { maxCostUsd: 1, costSoFarUsd: 0.999 })).toMatchObject({ reason: 'capped-cost' });
  });

  it('suggests a wait after a partly throttled poll', () => {
    const polls = [pollOf({ a: 900, b: 100 }), pollOf({ a: 100, b: 600 }, { requested: 1000, failed: 300 })];
    expect(decideStop(polls, noCostCap)).toMatchObject({ action: 'continue', waitSeconds: 10 });
  });

  it.each([
    [{ accuracyTarget: 1 }, 'options.accuracyTarget'],
    [{ maxPolls: 0 }, 'options.maxPolls'],
    [{ saturationFailureRate: Number.NaN }, 'options.saturationFailureRate'],
    [{ confidence: 0.2 }, 'options.confidence'],
  ])('fails when an option is out of range (%j)', (options, field) => {
    expect(() => decideStop([pollOf(mix)], options)).toThrow(CoreInputError);
    expect(() => decideStop([pollOf(mix)], options)).toThrow(field);
  });

  it('never returns converged when the last poll revealed a new CPU type (property)', () => {
    const counts = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(fc.array(counts, { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 50 }), (earlier, n) => {
        const polls: PollAggregate[] = [...earlier.map((c) => pollOf(c)), pollOf({ ...earlier[0], novel: n })];
        const decision = decideStop(polls, noCostCap);
        expect(decision.action === 'stop' && decision.reason === 'converged').toBe(false);
      }),
    );
  });
});

describe('estimateCharacterizationError', () => {
  it('is 200 with nothing seen and shrinks with agreeing polls', () => {
    expect(estimateCharacterizationError([]).estimatedApe).toBe(200);
    const one = estimateCharacterizationError([pollOf(mix)]);
    const three = estimateCharacterizationError([pollOf(mix), pollOf(mix), pollOf(mix)]);
    expect(three.estimatedApe).toBeLessThan(one.estimatedApe);
    expect(three.upperApe).toBeGreaterThan(three.estimatedApe);
    expect(one.dispersion).toBe(4);
  });

  it('grows with disagreement between polls', () => {
    const agreeing = estimateCharacterizationError([pollOf({ a: 500, b: 500 }), pollOf({ a: 500, b: 500 })]);
    const disagreeing = estimateCharacterizationError([pollOf({ a: 800, b: 200 }), pollOf({ a: 200, b: 800 })]);
    expect(disagreeing.dispersion).toBeGreaterThan(100);
    expect(disagreeing.estimatedApe).toBeGreaterThan(5 * agreeing.estimatedApe);
  });

  it('counts singleton CPU types as unseen mass (Good–Turing)', () => {
    const result = estimateCharacterizationError([pollOf({ a: 999, b: 1 }), pollOf({ a: 1000 })]);
    expect(result.unseenApe).toBeCloseTo(200 / 2000, 12);
  });
});

describe('statistics helpers', () => {
  it.each([
    [0.5, 0],
    [0.9, 1.2815515655],
    [0.999, 3.0902323062],
    [0.01, -2.326347874],
  ])('normalQuantile(%p) = %p', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 6);
  });
  it.each([
    [1, 10.83],
    [3, 16.27],
    [10, 29.59],
  ])('chiSquareQuantile(%p df, α = 0.001) ≈ %p', (df, q) => {
    expect(Math.abs(chiSquareQuantile(df, 3.0902) - q) / q).toBeLessThan(0.04);
  });
  it.each([
    [pollOf({ a: 10 }, { requested: 20, failed: 10 }), 0.5],
    [pollOf({ a: 10 }), 0],
    [{ ...pollOf({}), requested: 0, succeeded: 0, failures: { Timeout: 3 } }, 1],
  ])('failureShare of poll %# is %p', (poll, share) => {
    expect(failureShare(poll)).toBeCloseTo(share, 12);
  });
});

describe('progressive sampling on simulated zones (seeded)', () => {
  const mixes: ReadonlyArray<Record<string, number>> = [
    { 'intel-xeon-2.50': 0.55, 'intel-xeon-3.00': 0.3, 'intel-xeon-2.90': 0.15 },
    { 'intel-xeon-2.50': 0.7, 'intel-xeon-3.00': 0.16, 'intel-xeon-2.90': 0.12, 'amd-epyc': 0.02 },
    { 'intel-xeon-2.50': 1 },
    { 'intel-xeon-2.50': 0.4, 'intel-xeon-3.00': 0.45, 'intel-xeon-2.90': 0.15 },
  ];

  function run(clustered: boolean, slotsPerHost: number, runs: number): { meanPolls: number; accurate: number } {
    let polls = 0;
    let accurate = 0;
    let converged = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const zone = new SimulatedZone(
        mixes[seed % mixes.length],
        Math.round(30_000 / slotsPerHost),
        slotsPerHost,
        seededRandom(seed),
        clustered,
      );
      const done: PollAggregate[] = [];
      for (;;) {
        done.push(zone.poll(1000));
        const decision = decideStop(done, noCostCap);
        if (decision.action === 'continue') continue;
        polls += done.length;
        if (decision.reason === 'converged') {
          converged++;
          if (ape(distributionOf(mergeCounts(...done.map((p) => p.cpuCounts))), zone.truth()) <= 5) accurate++;
        }
        break;
      }
    }
    return { meanPolls: polls / runs, accurate: accurate / Math.max(1, converged) };
  }

  it('reaches 95% accuracy in at most 3 polls on average when instances land evenly', () => {
    const result = run(false, 200, 120);
    expect(result.meanPolls).toBeLessThanOrEqual(3);
    expect(result.accurate).toBeGreaterThanOrEqual(0.95);
  });

  it('keeps sampling a zone whose bursts land on few hosts', () => {
    const result = run(true, 20, 60);
    expect(result.meanPolls).toBeGreaterThan(6);
    expect(result.accurate).toBeGreaterThanOrEqual(0.8);
  });
});
