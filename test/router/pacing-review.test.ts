import { DRAW_PRIOR_WEIGHT } from '../../lib/core/pool-draws';
import { Router } from '../../lib/core/router';
import {
  measuredRepeat,
  PACING_REPEAT_PRIOR_RETRIES,
  PACING_REVIEW_EVIDENCE,
  PacingReviewer,
} from '../../lib/routing/pacing';
import type { AttemptRecord } from '../../lib/routing/types';
import { prng, randomInt } from '../../lib/workloads/prng';
import { paperView } from '../core/fixtures';

const X25 = 'intel-xeon-2.50';
const X29 = 'intel-xeon-2.90';
const X30 = 'intel-xeon-3.00';
const EPYC = 'amd-epyc';

describe('measuredRepeat', () => {
  const many = (n: number, cpu: string): string[] => Array.from({ length: n }, () => cpu);

  it('is the excess share of replacements on a rejected CPU over the fresh draws, shrunk toward 0 by the prior', () => {
    // Fresh: half rejected; replacements: all rejected. Raw (1 − 0.5)/(1 − 0.5) = 1, over 40 replacements.
    const fresh = ['slow', 'fast'];
    const replacements = many(40, 'slow');
    expect(measuredRepeat({ rejectCpus: ['slow'], fresh, replacements })).toBeCloseTo(
      40 / (40 + PACING_REPEAT_PRIOR_RETRIES),
      12,
    );
    // 30 of 40 rejected against a fresh half: (0.75 − 0.5)/0.5 = 0.5 raw.
    const mixed = [...many(30, 'slow'), ...many(10, 'fast')];
    expect(measuredRepeat({ rejectCpus: ['slow'], fresh, replacements: mixed })).toBeCloseTo(
      (40 * 0.5) / (40 + PACING_REPEAT_PRIOR_RETRIES),
      12,
    );
  });

  it('takes chance from the fresh draws blended into the mix, so first draws that met only rejected CPUs still tell', () => {
    // stress-packed-pace's first round: 17 hosts, all of the rejected 2.5 GHz Xeon, in a mix with 85.5% rejected.
    const evidence = { rejectCpus: ['slow'], fresh: many(17, 'slow'), replacements: many(100, 'slow') };
    expect(measuredRepeat(evidence)).toBe(0);
    const q = (17 + DRAW_PRIOR_WEIGHT * 0.855) / (17 + DRAW_PRIOR_WEIGHT);
    const raw = (1 - q) / (1 - q);
    expect(measuredRepeat({ ...evidence, mixRejectedShare: 0.855 })).toBeCloseTo(
      (100 * raw) / (100 + PACING_REPEAT_PRIOR_RETRIES),
      12,
    );
    // Half the replacements rejected: below chance, no repeat.
    const half = [...many(50, 'slow'), ...many(50, 'fast')];
    expect(measuredRepeat({ ...evidence, replacements: half, mixRejectedShare: 0.855 })).toBe(0);
  });

  it('weighs the prior against every replacement met, not only those it keeps', () => {
    const evidence = { rejectCpus: ['slow'], fresh: ['slow', 'fast'], replacements: many(100, 'slow') };
    expect(measuredRepeat(evidence)).toBeCloseTo(100 / 120, 12);
    expect(measuredRepeat({ ...evidence, replacementsSeen: 1000 })).toBeCloseTo(1000 / 1020, 12);
  });

  it('is 0 where the replacements meet the rejected CPUs no more often than fresh draws, or nothing can be told', () => {
    expect(
      measuredRepeat({ rejectCpus: ['slow'], fresh: ['slow', 'fast'], replacements: ['fast', 'fast', 'slow'] }),
    ).toBe(0);
    expect(measuredRepeat({ rejectCpus: ['slow'], fresh: ['slow', 'slow'], replacements: ['slow'] })).toBe(0);
    expect(measuredRepeat({ rejectCpus: ['slow'], fresh: ['slow', 'fast'], replacements: [] })).toBe(0);
  });
});

/**
 * The reviewer over the core router (the paper's zones, zipper in usw1-az3, whose optimal placement rejects the slow
 * 2.9 GHz Xeon and the AMD EPYC): a batch paced to 20 calls at a time of 1,000 given, told of attempts as its 20
 * workers make them. A worker that found an accepted instance keeps it: its calls run there at once. One that has
 * not draws its call's first instance from `first` (given the worker's index), and a rejected one's replacement from `replacement`, up to 10
 * attempts, the last run wherever it lands.
 */
describe('PacingReviewer', () => {
  const router = new Router(paperView(), { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
  const request = { workload: 'zipper', objective: 'cost' as const, limits: { zones: ['usw1-az3'] } };
  const paced = router.place({ ...request, pool: { usesPerInstance: 50 } });
  const fn = paced.target.functionName;
  const rejects = (cpu: string): boolean => paced.rejectCpus.includes(cpu);
  // usw1-az3's mix in the fixture: 50% 2.5 GHz, 15% 3.0 GHz, 25% 2.9 GHz, 10% EPYC.
  const MIX = [X25, X25, X25, X25, X25, X25, X25, X25, X25, X25, X30, X30, X30, X29, X29, X29, X29, X29, EPYC, EPYC];
  const attempt = (cpu: string, n: number, status: AttemptRecord['status'], newInstance = true): AttemptRecord => ({
    functionName: fn,
    azId: 'usw1-az3',
    status,
    cpu,
    instanceId: `i-${n}`,
    newInstance,
    roundTripMs: 10,
    // The reviewer prices held calls with the router (`Router.callOn`); these realised costs are the answers'.
    costUsd: status === 'ok' ? paced.expected.costUsd : paced.expected.costUsd / 100,
    billedMs: status === 'ok' ? paced.expected.runtimeMs : 150,
  });
  /**
   * Runs up to `calls` calls through the reviewer, `workers` at a time, telling it of `elsewhere` (the placement off
   * the batch's function, `Route.placementOff`) when given; the concurrency it last gave. A worker keeps the accepted
   * instance its call ran on where `keeps` says so (every one by default).
   */
  function meet(
    reviewer: PacingReviewer,
    first: (worker: number) => string,
    replacement: () => string,
    calls = 600,
    workers = 20,
    elsewhere?: Parameters<PacingReviewer['concurrencyFor']>[3],
    keeps: (cpu: string) => boolean = () => true,
  ): number {
    const held: Array<string | undefined> = new Array(workers).fill(undefined);
    let concurrency = workers;
    let n = 0;
    for (let call = 0; call < calls && concurrency === workers; call++) {
      const worker = call % workers;
      const kept = held[worker];
      if (kept !== undefined) {
        reviewer.observe(undefined, attempt(kept, n++, 'ok', false), worker);
        concurrency = reviewer.concurrencyFor(workers, 1000 - call - 1, call + 1, elsewhere);
        continue;
      }
      let previous: AttemptRecord | undefined;
      let cpu = first(worker);
      for (let tries = 1; ; tries++) {
        const runs = tries === 10 || !rejects(cpu);
        const next = attempt(cpu, n++, runs ? 'ok' : 'rejected');
        reviewer.observe(previous, next, worker);
        concurrency = reviewer.concurrencyFor(workers, 1000 - call - 1, call + 1, elsewhere);
        if (runs) {
          if (!rejects(cpu) && keeps(cpu)) held[worker] = cpu;
          break;
        }
        previous = next;
        cpu = replacement();
      }
    }
    return concurrency;
  }
  const fromMix = (seed: number) => {
    const random = prng(seed);
    return (): string => MIX[randomInt(random, MIX.length)];
  };

  it('reviews a strict reject set of optimal', () => {
    expect(paced.strategy).toBe('optimal');
    expect([...paced.rejectCpus].sort()).toEqual([EPYC, X29]);
  });

  it('widens to the given concurrency once few workers hold an accepted instance and replacements stay rejected', () => {
    // The paced batch's first instances are all of a rejected CPU (its function's few hosts run it), and so are
    // its replacements but one in 500: measured against the first draws alone, they would show no repeat.
    const reviewer = new PacingReviewer(router, { ...request, pool: { usesPerInstance: 50 } }, paced, 1000);
    let replaced = 0;
    expect(
      meet(
        reviewer,
        () => X29,
        () => (++replaced % 500 === 0 ? X25 : X29),
      ),
    ).toBe(1000);
    // Not before 20 calls were answered: a first round's replacements all search at once.
    expect(reviewer.widenedAtCall).toBeGreaterThanOrEqual(PACING_REVIEW_EVIDENCE);
    expect(reviewer.repeat).toBeGreaterThan(0.5);
    // For good: later reviews keep the given concurrency.
    expect(reviewer.concurrencyFor(20, 500, 600)).toBe(1000);
  });

  describe('the widened batch, priced on the hosts the batch met', () => {
    /** The reviewer, told the host of each instance it meets: the boot time `hostOf` gives it. */
    function onHosts(reviewer: PacingReviewer, hostOf: (attempt: AttemptRecord) => number): PacingReviewer {
      const observe = reviewer.observe.bind(reviewer);
      reviewer.observe = (previous, attempt, worker) =>
        observe(previous, { ...attempt, bootTime: hostOf(attempt) }, worker);
      return reviewer;
    }
    const serial = (attempt: AttemptRecord): number => Number(attempt.instanceId?.slice(2));
    /**
     * Runs the first 40 calls of the batch of the test above, whose replacements stay rejected, allowed 100 calls at a
     * time: the reviews up to then, each of which finds the paced batch cheaper where both repeat alike. `first` is the
     * CPU of each worker's first instance (the 2.9 GHz Xeon's by default).
     */
    const widenFrom20 = (reviewer: PacingReviewer, first: (worker: number) => string = () => X29): number => {
      let replaced = 0;
      return meet(reviewer, first, () => (++replaced % 500 === 0 ? X25 : X29), 40);
    };
    const reviewer100 = (): PacingReviewer =>
      new PacingReviewer(router, { ...request, pool: { usesPerInstance: 50 } }, paced, 100);

    it('widens where its instances met two hosts: most of 100 at a time would land on hosts it has not met', () => {
      const twoHosts = onHosts(reviewer100(), (attempt) => serial(attempt) % 2);
      expect(widenFrom20(twoHosts)).toBe(100);
      expect(twoHosts.repeat).toBeGreaterThan(0.5);
    });

    it('keeps its pacing where the hosts it met hold 100 at a time: their replacements would repeat as measured', () => {
      // Each instance on a host of its own: by the first review the batch has met more hosts than it would run.
      const everyHostNew = onHosts(reviewer100(), serial);
      expect(widenFrom20(everyHostNew)).toBe(20);
      expect(everyHostNew.repeat).toBeGreaterThan(0.5);
      expect(everyHostNew.widenedAtCall).toBeUndefined();
    });

    it("takes a host's room from the accepted instances its workers hold on one host", () => {
      // Two workers hold the fast 3.0 GHz Xeon; the rest search on 50 hosts of the 2.9 GHz Xeon. With both 3.0 GHz
      // instances on one host, the hosts met hold 2 each: 102, as many as the batch would run.
      const run = (fastHost: (attempt: AttemptRecord) => number): number =>
        widenFrom20(
          onHosts(reviewer100(), (attempt) => (attempt.cpu === X30 ? fastHost(attempt) : serial(attempt) % 50)),
          (worker) => (worker < 2 ? X30 : X29),
        );
      expect(run(() => 1_000)).toBe(20);
      expect(run(serial)).toBe(100);
    });

    it('counts on a host only the accepted instances its workers hold there at once', () => {
      // Before the batch's other calls, worker 0 met 30 instances of the fast 3.0 GHz Xeon on one host, one after
      // another, and holds none of them now: the host's room is what the workers hold there at once, not 30.
      const reviewer = onHosts(reviewer100(), (attempt) => (attempt.cpu === X30 ? 1_000 : serial(attempt) % 10));
      for (let n = 0; n < 30; n++) reviewer.observe(undefined, attempt(X30, 10_000 + n, 'ok'), 0);
      expect(widenFrom20(reviewer)).toBe(100);
    });
  });

  it('keeps its pacing while half its workers hold an accepted instance, though replacements stay rejected', () => {
    // Every other worker's first instance is the fast 3.0 GHz Xeon, and kept; the rest never find an accepted one.
    // Priced as if every worker searched with that repeat, the paced batch would cost more than the unpaced one.
    const reviewer = new PacingReviewer(router, { ...request, pool: { usesPerInstance: 50 } }, paced, 1000);
    expect(
      meet(
        reviewer,
        (worker) => (worker % 2 === 0 ? X30 : X29),
        () => X29,
      ),
    ).toBe(20);
    expect(reviewer.widenedAtCall).toBeUndefined();
    expect(reviewer.repeat).toBeGreaterThan(0.5);
  });

  it("weighs the function's siblings in its fleet only once 20 calls were answered, no call longer than here, and only observed runtimes", () => {
    // Paced 4 at a time: the first review comes after 4 answers. Every other worker keeps a 3.0 GHz Xeon, so the
    // pacing pays and the reviews go on.
    const reviewer = new PacingReviewer(router, { ...request, pool: { usesPerInstance: 250 } }, paced, 1000);
    const asked: Array<{ answered: number; siblings?: boolean; maxCallMs?: number; observedRuntimes?: boolean }> = [];
    let answered = 0;
    const observe = reviewer.observe.bind(reviewer);
    reviewer.observe = (previous, next, worker) => {
      if (next.status === 'ok') answered++;
      observe(previous, next, worker);
    };
    meet(
      reviewer,
      (worker) => (worker % 2 === 0 ? X30 : X29),
      () => X29,
      400,
      4,
      (_uses, options) => {
        asked.push({ answered, ...options });
        return undefined;
      },
    );
    expect(asked.length).toBeGreaterThan(2);
    expect(asked[0].answered).toBeLessThan(PACING_REVIEW_EVIDENCE);
    for (const { answered, siblings } of asked) expect(siblings).toBe(answered >= PACING_REVIEW_EVIDENCE);
    expect(asked.some((a) => a.siblings)).toBe(true);
    for (const { observedRuntimes } of asked) expect(observedRuntimes).toBe(true);
    // Bounded by a call searching on here at the batch's pacing (its runtime and the latency its retries add).
    for (const { maxCallMs } of asked) {
      expect(Number.isFinite(maxCallMs)).toBe(true);
      expect(maxCallMs).toBeGreaterThan(0);
    }
  });

  it('once moved, counts the workers that kept an accepted instance where the batch was', () => {
    // 14 of 20 workers hold a 3.0 GHz Xeon in usw1-az3; the other 6 moved to usw1-az1, where every instance they
    // meet is the rejected 2.9 GHz Xeon.
    const moved = router.place({ ...request, limits: { zones: ['usw1-az1'] }, pool: { usesPerInstance: 50 } });
    expect(moved.rejectCpus).toEqual([X29]);
    const pacedRequest = { ...request, pool: { usesPerInstance: 50 } };
    /** Rounds of the batch: each held worker answers one call, each moved one `searcherCalls` (short calls). */
    const review = (reviewer: PacingReviewer, searcherCalls = 1): number => {
      const on = (
        placement: typeof paced,
        cpu: string,
        n: number,
        status: AttemptRecord['status'],
        newInstance = true,
      ) => ({
        ...attempt(cpu, n, status, newInstance),
        functionName: placement.target.functionName,
        azId: placement.target.azId,
      });
      let concurrency = 20;
      let n = 0;
      let call = 0;
      // about 600 of the 1,000 calls, before the batch's last calls would widen it anyway
      const rounds = Math.floor(600 / (14 + 6 * searcherCalls));
      for (let round = 0; round < rounds && concurrency === 20; round++) {
        for (let worker = 0; worker < 20 && concurrency === 20; worker++) {
          if (worker < 14) {
            reviewer.observe(undefined, on(paced, X30, n++, 'ok', false), worker);
            call++;
            concurrency = reviewer.concurrencyFor(20, Math.max(1, 1000 - call), call);
            continue;
          }
          for (let c = 0; c < searcherCalls && concurrency === 20; c++) {
            call++;
            let previous: AttemptRecord | undefined;
            for (let tries = 1; tries <= 10 && concurrency === 20; tries++) {
              const next = on(moved, X29, n++, tries === 10 ? 'ok' : 'rejected');
              reviewer.observe(previous, next, worker);
              concurrency = reviewer.concurrencyFor(20, Math.max(1, 1000 - call), call);
              previous = next;
            }
          }
        }
      }
      return concurrency;
    };
    const first = new PacingReviewer(router, pacedRequest, paced, 1000);
    first.moved = { atCall: 100, placement: moved, retryRepeat: 0.9 };
    expect(review(first.afterMove())).toBe(20);
    // Told only of the moved workers, the review would widen the whole batch: they all search in vain.
    expect(review(new PacingReviewer(router, pacedRequest, moved, 1000))).toBe(1000);
    // Workers, not calls: the moved workers' calls answering four times as often do not outnumber the held ones.
    const again = new PacingReviewer(router, pacedRequest, paced, 1000);
    again.moved = { atCall: 100, placement: moved, retryRepeat: 0.9 };
    expect(review(again.afterMove(), 4)).toBe(20);
  });

  it("weighs the INIT new instances wait for with its placer's INIT time", () => {
    // By latency alone, given 21 at a time and paced to 20: half the workers hold a 3.0 GHz Xeon, the rest meet only
    // AMD EPYCs, which the placement rejects. With no INIT, a 21st worker shortens the batch and the review widens.
    // When every new instance waits a long INIT (1,000 s, far past Lambda's, to show that the review takes it from
    // its placer: the router's prices are the same, only the INIT time the placer reports differs), the searches the
    // wider batch would make cost more time than it saves, and the held instances keep the pacing.
    const memorySizes = [paced.target.memoryMb];
    const pacedRequest = {
      ...request,
      objective: 'latency' as const,
      limits: { zones: ['usw1-az3'], memorySizes },
      pool: { usesPerInstance: 50 },
    };
    const here = router.place(pacedRequest);
    expect(here.target.functionName).toBe(fn);
    expect(here.rejectCpus).toContain(EPYC);
    expect(here.rejectCpus).not.toContain(X30);
    const placerWithInit = (initMs: number) => ({
      initMs,
      place: router.place.bind(router),
      mixFor: router.mixFor.bind(router),
      callOn: router.callOn.bind(router),
    });
    const reviewWith = (initMs: number): PacingReviewer => {
      const reviewer = new PacingReviewer(placerWithInit(initMs), pacedRequest, here, 21);
      meet(
        reviewer,
        (worker) => (worker % 2 === 0 ? X30 : EPYC),
        () => EPYC,
      );
      return reviewer;
    };
    expect(reviewWith(0).widenedAtCall).toBe(PACING_REVIEW_EVIDENCE);
    const longInit = reviewWith(1_000_000);
    expect(longInit.widenedAtCall).toBeUndefined();
    expect(longInit.repeat).toBeGreaterThan(0.5);
  });

  it('counts as held only the instances its placement accepts now, after the router learned a CPU is slow', () => {
    // Every other worker holds a 3.0 GHz Xeon the batch's placement accepted; the others search at each call (keeping
    // only a 3.0 GHz Xeon they find), their replacements a little likelier than fresh draws to meet the rejected
    // 2.9 GHz Xeon. Then the router learns that zipper runs 4× longer on the 3.0 GHz Xeon than on the 2.5 GHz one:
    // placed again, the batch's function rejects it, so a worker holding one searches at its next call. Counted as
    // held at the price of a call there, those workers would make widening look cheaper than the pacing.
    const learned = new Router(paperView(), { baselineZone: 'usw1-az3', init: { billed: true, initMs: 150 } });
    const limits = { zones: ['usw1-az3'], memorySizes: [paced.target.memoryMb] };
    const pacedRequest = { ...request, limits, pool: { usesPerInstance: 50 } };
    const before = learned.place(pacedRequest);
    expect(before.target.functionName).toBe(fn);
    expect(before.rejectCpus).not.toContain(X30);
    const x25Ms = learned.callOn('zipper', before.target, X25)?.runtimeMs ?? Number.NaN;
    for (let i = 0; i < 40; i++) {
      learned.observe({ workload: 'zipper', target: before.target, cpu: X25, runtimeMs: x25Ms, rejected: false });
      learned.observe({ workload: 'zipper', target: before.target, cpu: X30, runtimeMs: 4 * x25Ms, rejected: false });
    }
    const after = learned.place(pacedRequest);
    expect(after.target.functionName).toBe(fn);
    expect(after.rejectCpus).toContain(X30);

    const reviewer = new PacingReviewer(learned, pacedRequest, before, 1000);
    const fresh = fromMix(13);
    let replaced = 0;
    const replacement = (): string => (++replaced % 5 === 0 ? X29 : fresh());
    const concurrency = meet(
      reviewer,
      (worker) => (worker % 2 === 0 ? X30 : fresh()),
      replacement,
      600,
      20,
      undefined,
      (cpu) => cpu === X30,
    );
    expect(reviewer.repeat).toBeGreaterThan(0);
    expect(concurrency).toBe(20);
    expect(reviewer.widenedAtCall).toBeUndefined();
  });

  it('keeps its pacing while replacements meet the mix as fresh draws do', () => {
    const reviewer = new PacingReviewer(router, { ...request, pool: { usesPerInstance: 50 } }, paced, 1000);
    let draws = 0;
    const mostlyRejected = (): string => (draws++ % 10 === 0 ? X25 : X29);
    expect(meet(reviewer, mostlyRejected, fromMix(13))).toBe(20);
    expect(reviewer.widenedAtCall).toBeUndefined();
    expect(reviewer.repeat).toBeDefined();
  });
});
