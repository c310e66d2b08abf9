import fc from 'fast-check';
import { ape, distributionOf } from '../../lib/core/distribution';
import { CoreInputError } from '../../lib/core/errors';
import { hostCensusOf } from '../../lib/core/host-census';
import { chiSquareQuantile, normalQuantile } from '../../lib/core/statistics';
import { decideStop, estimateCharacterizationError, failureShare, pollCostUsd } from '../../lib/core/stopping-rule';
import type { PollAggregate } from '../../lib/core/types';
import { pollOf, pollOfHosts, SimulatedFleet, seededRandom } from './helpers';

const noCostCap = { maxCostUsd: 1000 };
const Z90 = normalQuantile(0.9);

/** `n` hosts of `cpu` from boot time `from`, each met by `met` sampler functions. */
function hostsOf(cpu: string, n: number, from: number, met = 2): Array<[number, string, number]> {
  return Array.from({ length: n }, (_, i) => [from + i, cpu, met] as [number, string, number]);
}

/** A poll through 10 functions that met every host of a 55/30/15 fleet of 100 at least twice. */
const wholeFleet = pollOfHosts(
  [
    ...hostsOf('intel-xeon-2.50', 55, 1000),
    ...hostsOf('intel-xeon-3.00', 30, 2000),
    ...hostsOf('intel-xeon-2.90', 15, 3000),
  ],
  10,
);

describe('hostCensusOf', () => {
  it('counts each (boot time, CPU) once across polls and sums the sampler functions that met it', () => {
    const census = hostCensusOf(
      [
        pollOfHosts(
          [
            [1, 'a', 1],
            [2, 'a', 2],
            [3, 'b', 1],
          ],
          2,
        ),
        pollOfHosts(
          [
            [1, 'a', 1],
            [3, 'b', 1],
            [4, 'b', 1],
            [1, 'b', 1],
          ],
          2,
        ),
      ],
      Z90,
    );
    // Hosts a@1 (met by 2 units), a@2 (2), b@3 (2), b@4 (1), b@1 (1): boot time 1 with two CPUs is two hosts.
    expect(census).toMatchObject({ hostsSeen: 5, hostsByCpu: { a: 2, b: 3 }, units: 4, metOnce: 2, metTwice: 3 });
  });

  it('estimates the fleet by Chao2 over sampler functions', () => {
    // T = 4, S = 7, Q1 = 4, Q2 = 2: f0 = (3/4) · 4² / (2 · 2) = 3.
    const poll = pollOfHosts(
      [
        [1, 'a', 1],
        [2, 'a', 1],
        [3, 'a', 1],
        [4, 'b', 1],
        [5, 'b', 2],
        [6, 'a', 2],
        [7, 'a', 3],
      ],
      4,
    );
    const census = hostCensusOf([poll], Z90);
    expect(census.fleetEstimate).toBeCloseTo(10, 12);
    expect(census.fleetUpper).toBeGreaterThan(10);
  });

  it('has no fleet estimate from one sampler function, and the whole fleet when every host was met twice', () => {
    expect(hostCensusOf([pollOfHosts([[1, 'a', 1]], 1)], Z90).fleetEstimate).toBeNaN();
    const census = hostCensusOf([wholeFleet], Z90);
    expect(census.fleetEstimate).toBe(100);
    expect(census.fleetUpper).toBe(100);
  });

  it.each([
    [{ ...pollOfHosts([[1, 'a', 3]], 2) }, 'polls[0].hosts[0].samplers'],
    [{ ...pollOfHosts([[Number.NaN, 'a', 1]], 2) }, 'polls[0].hosts[0].bootTime'],
    [{ ...pollOfHosts([[1, 'a', 1]], 2), samplers: 0 }, 'polls[0].samplers'],
  ])('fails on a bad host entry (%#: %s)', (poll, field) => {
    expect(() => hostCensusOf([poll], Z90)).toThrow(CoreInputError);
    expect(() => hostCensusOf([poll], Z90)).toThrow(field);
  });
});

describe('decideStop', () => {
  it('continues with no polls', () => {
    expect(decideStop([])).toEqual({ action: 'continue', estimatedApe: 200, waitSeconds: 0 });
  });

  it('converges once the whole fleet has been met, with an error bound of 0', () => {
    expect(decideStop([wholeFleet], noCostCap)).toEqual({ action: 'stop', reason: 'converged', estimatedApe: 0 });
    expect(estimateCharacterizationError([wholeFleet]).upperApe).toBe(0);
  });

  it('continues when many hosts were met by one function only (a large unseen fleet)', () => {
    const sparse = pollOfHosts(
      [
        ...hostsOf('intel-xeon-2.50', 40, 1000, 1),
        ...hostsOf('intel-xeon-3.00', 20, 2000, 1),
        ...hostsOf('intel-xeon-3.00', 5, 3000, 2),
      ],
      10,
    );
    const error = estimateCharacterizationError([sparse]);
    expect(error.fleetEstimate).toBeGreaterThan(200);
    expect(error.upperApe).toBeGreaterThan(5);
    expect(decideStop([sparse], noCostCap).action).toBe('continue');
  });

  it('never converges on one sampler function, however many hosts it met', () => {
    const one = pollOfHosts(hostsOf('intel-xeon-2.50', 100, 1000, 1), 1);
    expect(decideStop([one], noCostCap).action).toBe('continue');
  });

  it('charges CPU types met on a single host as unseen mass while hosts remain unseen', () => {
    const hosts = [
      ...hostsOf('a', 60, 1000, 1),
      ...hostsOf('a', 30, 2000, 2),
      [5000, 'b', 2] as [number, string, number],
    ];
    const error = estimateCharacterizationError([pollOfHosts(hosts, 10)]);
    expect(error.unseenApe).toBeGreaterThan(0);
    expect(
      estimateCharacterizationError([
        pollOfHosts(
          hosts.filter(([, cpu]) => cpu === 'a'),
          10,
        ),
      ]).unseenApe,
    ).toBe(0);
  });

  it.each([
    [0.51, 'saturated'],
    [0.5, 'converged'],
  ])('with a failed share of %p stops as %s', (share, reason) => {
    const failed = Math.round(1000 * share);
    const polls = [
      wholeFleet,
      { ...wholeFleet, requested: 1000, succeeded: 1000 - failed, failures: { TooManyRequestsException: failed } },
    ];
    expect(decideStop(polls, noCostCap)).toMatchObject({ action: 'stop', reason });
  });

  it('stops at the poll cap', () => {
    const unsure = [pollOf({ a: 900, b: 100 }), pollOf({ a: 100, b: 900 })];
    expect(decideStop(unsure, { ...noCostCap, maxPolls: 2 })).toMatchObject({ action: 'stop', reason: 'capped-polls' });
    expect(decideStop(unsure, { ...noCostCap, maxPolls: 3 }).action).toBe('continue');
  });

  it('stops before a poll would exceed the cost cap', () => {
    const unsure = [pollOf({ a: 900, b: 100 }), pollOf({ a: 100, b: 900 })];
    const perPoll = pollCostUsd(unsure[0]);
    expect(decideStop(unsure, { maxCostUsd: 2.5 * perPoll })).toMatchObject({ action: 'stop', reason: 'capped-cost' });
    expect(decideStop(unsure, { maxCostUsd: 3.5 * perPoll }).action).toBe('continue');
    expect(decideStop(unsure, { maxCostUsd: 1, costSoFarUsd: 0.999 })).toMatchObject({ reason: 'capped-cost' });
  });

  it("prices a poll's INIT once: estimated only for the new instances whose INIT the billed time does not hold", () => {
    // GIVEN 1,000 requests on 1,000 new instances, 250 ms billed each by the handler's own time
    const poll: PollAggregate = { ...pollOf({ a: 1000 }), newInstances: 1000, billedMs: 250_000 };
    const pricing = { samplerMemoryMb: 1024, pricePerGbSecond: 0.00001, pricePerRequest: 0, initBilledMs: 200 };
    // THEN without REPORT records every INIT is estimated: 450 ms a call
    expect(pollCostUsd(poll, pricing)).toBeCloseTo(1000 * 0.45 * 0.00001, 12);
    // AND where the records billed 600 of the INITs (600 × 180 ms more), only the other 400 are estimated
    const reported = { ...poll, billedMs: 250_000 + 600 * 180, initsBilled: 600 };
    expect(pollCostUsd(reported, pricing)).toBeCloseTo((250 + 600 * 0.18 + 400 * 0.2) * 0.00001, 12);
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
    [{ minSamplers: 1 }, 'options.minSamplers'],
  ])('fails when an option is out of range (%j)', (options, field) => {
    expect(() => decideStop([wholeFleet], options)).toThrow(CoreInputError);
    expect(() => decideStop([wholeFleet], options)).toThrow(field);
  });

  it('never converges without host records, whatever the instance counts (property)', () => {
    const counts = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'd'), fc.integer({ min: 0, max: 1000 }));
    fc.assert(
      fc.property(fc.array(counts, { minLength: 1, maxLength: 8 }), (polls) => {
        const decision = decideStop(
          polls.map((c) => pollOf(c)),
          noCostCap,
        );
        expect(decision.action === 'stop' && decision.reason === 'converged').toBe(false);
      }),
    );
  });

  it('bounds the error lower when more of the fleet has been met (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 50 }),
        fc.integer({ min: 1, max: 40 }),
        (a, b, once) => {
          // The same hosts; in the second census `once` hosts met once are met twice instead.
          const twice = [...hostsOf('a', a, 1000), ...hostsOf('b', b, 2000)];
          const single = hostsOf('a', once, 3000, 1);
          const less = estimateCharacterizationError([pollOfHosts([...twice, ...single], 5)]);
          const more = estimateCharacterizationError([
            pollOfHosts([...twice, ...single.map(([t, c]) => [t, c, 2] as [number, string, number])], 5),
          ]);
          expect(more.upperApe).toBeLessThanOrEqual(less.upperApe);
          expect(more.upperApe).toBe(0);
        },
      ),
    );
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

describe('progressive sampling on simulated fleets (seeded)', () => {
  const mixes: ReadonlyArray<Record<string, number>> = [
    { 'intel-xeon-2.50': 0.55, 'intel-xeon-3.00': 0.3, 'intel-xeon-2.90': 0.15 },
    { 'intel-xeon-2.50': 0.7, 'intel-xeon-3.00': 0.16, 'intel-xeon-2.90': 0.12, 'amd-epyc': 0.02 },
    { 'intel-xeon-2.50': 1 },
    { 'intel-xeon-2.50': 0.4, 'intel-xeon-3.00': 0.45, 'intel-xeon-2.90': 0.15 },
  ];

  function run(functions: number, requestsPerFunction: number, runs: number): { meanPolls: number; right: number } {
    let polls = 0;
    let converged = 0;
    let right = 0;
    for (let seed = 1; seed <= runs; seed++) {
      const random = seededRandom(seed);
      const fleet = new SimulatedFleet(mixes[seed % mixes.length], 80 + Math.floor(random() * 300), 0.4, random);
      const done: PollAggregate[] = [];
      for (;;) {
        done.push(fleet.poll(functions, requestsPerFunction));
        const decision = decideStop(done, { ...noCostCap, maxPolls: 40 });
        if (decision.action === 'continue') continue;
        polls += done.length;
        if (decision.reason === 'converged') {
          converged++;
          const hostsByCpu = hostCensusOf(done, Z90).hostsByCpu;
          if (ape(distributionOf(hostsByCpu), fleet.truth()) <= 5) right++;
        }
        break;
      }
    }
    return { meanPolls: polls / runs, right: right / Math.max(1, converged) };
  }

  it('is mostly right when it says converged, with one function per poll or ten', () => {
    const single = run(1, 1000, 60);
    const spread = run(10, 100, 60);
    expect(single.right).toBeGreaterThanOrEqual(0.85);
    expect(spread.right).toBeGreaterThanOrEqual(0.85);
    // Ten functions of 100 requests meet more hosts than one of 1,000, so fewer polls are needed.
    expect(spread.meanPolls).toBeLessThan(single.meanPolls);
  });
});
