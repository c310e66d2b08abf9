import {
  type DatedFunctionHosts,
  FUNCTION_MIX_PRIOR_HOSTS,
  functionEvidenceOf,
  functionMixOf,
  hostReturnCheck,
  persistenceOf,
  windowPriorHosts,
  windowShareOf,
} from '../../lib/core/function-mix';
import { PASSIVE_HALF_LIFE_MS } from '../../lib/core/passive-evidence';
import type { Characterization, RoutingView } from '../../lib/core/types';
import type { ZoneMix } from '../../lib/core/zone-mix';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-10T12:00:00Z');
const FN = 'sky-usw1-az1-x86_64-128';
const zone: ZoneMix = {
  cpus: ['amd-epyc', 'intel-xeon-2.50', 'intel-xeon-3.00'],
  shares: [0.2, 0.7, 0.1],
  source: 'measured',
  confidence: 0.8,
};

function period(hosts: Record<string, string[]>, lastAt: number, functionName = FN): DatedFunctionHosts {
  return { functionName, azId: 'usw1-az1', arch: 'x86_64', hosts, firstAt: lastAt - HOUR, lastAt };
}

describe('a function mix', () => {
  it('moves the zone mix toward the hosts the function showed, by how many hosts that is', () => {
    // GIVEN a function that showed as many hosts as the zone's mix is worth, all on the 3.0 GHz Xeon
    const mix = functionMixOf(zone, { 'intel-xeon-3.00': FUNCTION_MIX_PRIOR_HOSTS });
    // THEN its mix is half the zone's, half 3.0 GHz Xeon
    expect(mix.cpus).toEqual(zone.cpus);
    expect(mix.shares[0]).toBeCloseTo(0.1, 12);
    expect(mix.shares[1]).toBeCloseTo(0.35, 12);
    expect(mix.shares[2]).toBeCloseTo(0.55, 12);
    expect(mix.source).toBe('measured');
    expect(mix.confidence).toBeCloseTo(0.9, 12);
  });

  it('tends to the function hosts as they grow, and takes CPUs the zone mix lacks', () => {
    const mix = functionMixOf(zone, { 'intel-xeon-2.90': 990, 'amd-epyc': 0 });
    expect(mix.cpus).toEqual(['amd-epyc', 'intel-xeon-2.50', 'intel-xeon-2.90', 'intel-xeon-3.00']);
    expect(mix.shares[2]).toBeCloseTo(0.99, 12);
    expect(mix.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
  });

  it('is the zone mix itself without hosts of its architecture (or with counts that are not hosts)', () => {
    expect(functionMixOf(zone, {})).toBe(zone);
    expect(functionMixOf(zone, { graviton2: 5, 'intel-xeon-3.00': Number.NaN, 'amd-epyc': -2 })).toBe(zone);
  });
});

describe('function evidence from stored hosts', () => {
  it('counts a host once, from the period it was last met in, aged like passive counts', () => {
    const evidence = functionEvidenceOf(
      [
        period({ 'intel-xeon-2.50': ['100', '101'], 'intel-xeon-3.00': ['200'] }, NOW - HOUR),
        // the same day, earlier: host 100 again and one more
        period({ 'intel-xeon-2.50': ['100', '102'] }, NOW - 3 * HOUR),
      ],
      NOW,
    )[FN];
    const w = (ageH: number) => 2 ** ((-ageH * HOUR) / PASSIVE_HALF_LIFE_MS);
    expect(evidence.distinctHosts).toBe(4);
    // host 102 only in the older period (3.5 h old at its middle), 100 and 101 in the newer (1.5 h)
    expect(evidence.hosts['intel-xeon-2.50']).toBeCloseTo(2 * w(1.5) + w(3.5), 12);
    expect(evidence.hosts['intel-xeon-3.00']).toBeCloseTo(w(1.5), 12);
    expect(evidence).toMatchObject({ azId: 'usw1-az1', arch: 'x86_64' });
  });

  it('weighs a host met on an earlier day by the measured persistence per day', () => {
    // GIVEN hosts met yesterday, and today a host of yesterday's set again and one new host
    const evidence = functionEvidenceOf(
      [
        period({ 'intel-xeon-2.50': ['100', '101', '102'] }, NOW - 24 * HOUR),
        period({ 'intel-xeon-2.50': ['100'], 'intel-xeon-3.00': ['300'] }, NOW - HOUR),
      ],
      NOW,
    )[FN];
    // THEN persistence is (1 recurring + 0) / (2 checked + 1)
    expect(evidence.persistence).toBeCloseTo(1 / 3, 12);
    const w = (ageH: number) => 2 ** ((-ageH * HOUR) / PASSIVE_HALF_LIFE_MS);
    // 100 was met today (full weight); 101 and 102 only yesterday: aged and times the persistence
    expect(evidence.hosts['intel-xeon-2.50']).toBeCloseTo(w(1.5) + (2 * w(24.5)) / 3, 12);
    expect(evidence.hosts['intel-xeon-3.00']).toBeCloseTo(w(1.5), 12);
  });

  it('lets yesterday fade when a function never meets a host again (a platform that moves its hosts)', () => {
    const yesterday = Array.from({ length: 30 }, (_, i) => String(1000 + i));
    const today = Array.from({ length: 30 }, (_, i) => String(2000 + i));
    const evidence = functionEvidenceOf(
      [period({ 'intel-xeon-3.00': yesterday }, NOW - 24 * HOUR), period({ 'intel-xeon-2.50': today }, NOW - HOUR)],
      NOW,
    )[FN];
    expect(evidence.persistence).toBe(0);
    expect(evidence.hosts['intel-xeon-3.00']).toBe(0);
    expect(evidence.hosts['intel-xeon-2.50']).toBeCloseTo(30 * 2 ** ((-1.5 * HOUR) / PASSIVE_HALF_LIFE_MS), 12);
  });

  it('counts hosts of earlier days only once the function has been seen to come back to its hosts', () => {
    const evidence = functionEvidenceOf([period({ 'intel-xeon-3.00': ['1', '2'] }, NOW - 24 * HOUR)], NOW)[FN];
    expect(evidence.persistence).toBe(0);
    expect(evidence.hosts['intel-xeon-3.00']).toBe(0);
    expect(evidence.distinctHosts).toBe(2);
  });

  it('leaves out periods past the window and keeps functions apart', () => {
    const evidence = functionEvidenceOf(
      [
        period({ 'intel-xeon-2.50': ['1'] }, NOW - 8 * 24 * HOUR),
        period({ 'intel-xeon-2.50': ['1'] }, NOW - HOUR, 'sky-usw1-az1-x86_64-256'),
        // a host of the other architecture is no host of this function
        period({ graviton2: ['5'] }, NOW - HOUR, 'sky-usw1-az1-x86_64-512'),
      ],
      NOW,
    );
    expect(Object.keys(evidence)).toEqual(['sky-usw1-az1-x86_64-256']);
  });

  it('measures persistence as the share of a day’s hosts met on an earlier day', () => {
    expect(persistenceOf([])).toBe(0);
    const days = [
      { day: 1, hosts: new Set(['a', 'b']) },
      { day: 2, hosts: new Set(['a', 'b', 'c', 'd']) },
      { day: 3, hosts: new Set(['d']) },
    ];
    // day 2: a, b recur of 4; day 3: d recurs of 1
    expect(persistenceOf(days)).toBeCloseTo(3 / (1 + 5), 12);
  });
});

describe('how many hosts a function keeps to', () => {
  it('is the whole fleet until its new instances come back to its hosts beyond chance', () => {
    expect(windowShareOf([])).toBe(1);
    expect(windowShareOf([undefined])).toBe(1);
    // returning at chance (or less) is no window
    expect(windowShareOf([{ checked: 100, returned: 10, chance: 10 }])).toBe(1);
    expect(windowShareOf([{ checked: 100, returned: 2, chance: 10 }])).toBe(1);
  });

  it('is chance over returns: a function kept to a quarter of the fleet returns four times as often', () => {
    // 40 new instances each landing on known hosts 4 times as often as their 10% share of the fleet gives
    expect(windowShareOf([{ checked: 40, returned: 15, chance: 4 }])).toBeCloseTo(5 / 16, 12);
    // periods pool; unreadable sums are skipped; returns never count past the instances checked
    expect(
      windowShareOf([
        { checked: 20, returned: 8, chance: 2 },
        { checked: 20, returned: 7, chance: 2 },
        { checked: Number.NaN, returned: 1, chance: 0 },
        { checked: 1, returned: 1, chance: -1 },
      ]),
    ).toBeCloseTo(5 / 16, 12);
    expect(windowShareOf([{ checked: 2, returned: 50, chance: 0 }])).toBeCloseTo(1 / 3, 12);
  });

  it("leaves the zone's mix the window's hosts the function has not shown", () => {
    expect(windowPriorHosts(200, 0.25, 10)).toBe(40);
    expect(windowPriorHosts(200, 1, 10)).toBe(190);
    // every host of the window shown: its own mix alone
    expect(windowPriorHosts(200, 0.05, 12)).toBe(0);
  });

  it('comes from the returns stored with its periods, and lists the hosts met today to check the next against', () => {
    const returns = { checked: 40, returned: 15, chance: 4 };
    const evidence = functionEvidenceOf(
      [
        period({ 'intel-xeon-2.50': ['1'] }, NOW - 24 * HOUR),
        { ...period({ 'intel-xeon-2.50': ['2'], 'intel-xeon-3.00': ['3'] }, NOW - HOUR), returns },
      ],
      NOW,
    )[FN];
    expect(evidence.windowShare).toBeCloseTo(5 / 16, 12);
    expect([...evidence.metToday].sort()).toEqual(['intel-xeon-2.50@2', 'intel-xeon-3.00@3']);
  });
});

describe('checking a new instance against its function’s hosts of the day', () => {
  const zone = (fleetEstimate?: number): Characterization => ({
    azId: 'usw1-az1',
    region: 'us-west-1',
    counts: { 'intel-xeon-2.50': 30, 'intel-xeon-3.00': 10, graviton2: 5 },
    instancesSeen: 45,
    polls: 2,
    failures: 0,
    measuredAt: new Date(NOW).toISOString(),
    driftClass: 'unknown',
    costUsd: 0,
    ...(fleetEstimate !== undefined ? { confidence: { apeBound: 5, hostsSeen: 40, fleetEstimate } } : {}),
  });
  const view = (zones: Characterization[]): Pick<RoutingView, 'functionHosts' | 'zones'> => ({
    zones,
    functionHosts: functionEvidenceOf([period({ 'intel-xeon-2.50': ['100', '101'] }, NOW - HOUR)], NOW),
  });

  it("says whether its host is one of them, against their share of the fleet's estimated hosts", () => {
    const check = hostReturnCheck(view([zone(80)]));
    expect(check(FN, 'intel-xeon-2.50', 100)).toEqual({ returned: true, chance: 2 / 80 });
    // a host is its boot time and CPU
    expect(check(FN, 'intel-xeon-3.00', 100)).toEqual({ returned: false, chance: 2 / 80 });
    // without an estimate, the fleet is at least the hosts of the architecture the characterization saw
    expect(hostReturnCheck(view([zone()]))(FN, 'intel-xeon-2.50', 102)).toEqual({ returned: false, chance: 2 / 40 });
  });

  it('checks nothing without hosts met today or a characterization of the fleet', () => {
    expect(hostReturnCheck(view([zone(80)]))('sky-usw1-az1-x86_64-256', 'intel-xeon-2.50', 100)).toBeUndefined();
    expect(hostReturnCheck(view([]))(FN, 'intel-xeon-2.50', 100)).toBeUndefined();
    const yesterday = {
      zones: [zone(80)],
      functionHosts: functionEvidenceOf([period({ 'intel-xeon-2.50': ['100'] }, NOW - 24 * HOUR)], NOW),
    };
    expect(hostReturnCheck(yesterday)(FN, 'intel-xeon-2.50', 100)).toBeUndefined();
  });
});
