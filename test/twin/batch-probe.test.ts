import { formatAnswer } from '../../lib/cli/invoke-command';
import type { DynamicResponse } from '../../lib/contracts';
import {
  acceptedAfterMsOf,
  PROBE_ANSWER_MARGIN_MS,
  probedSearchUses,
  probeSearchMs,
  probeUses,
} from '../../lib/routing/probe';
import type { RoutingService } from '../../lib/routing/service';
import type { BatchAnswer } from '../../lib/routing/types';
import type { Scenario } from '../../lib/twin/scenario';
import { characterizationOf, profiledBatch, routedTwin, smallScenario } from './fixtures';

/** A zone, its scenario, the mix the router is given for it and the memory size its batch runs at. */
interface ProbeSetup {
  readonly zone: typeof ZONE;
  readonly scenario: Scenario;
  readonly counts: Record<string, number>;
  readonly memoryMb: number;
}

/**
 * A zone of 16 hosts, 4 of them the 3.0 GHz Xeon, whose function's cold starts prefer about 9 of them and fill the
 * host the last one opened: workers that start together meet one host.
 */
const ZONE = {
  azId: 'usw1-az3',
  region: 'us-west-1',
  hosts: 16,
  slotsPerHost: 120,
  placementSpread: 0.55,
  mix: [{ xeon25: 0.75, xeon30: 0.25 } as Record<string, number>],
};

/** A one-day scenario of `seed` in `zone`, INIT billed (150 ms), whose one workload is `workload`. */
function probeScenario(zone: typeof ZONE, workload: Record<string, unknown>, seed = 1): Scenario {
  return smallScenario({
    seed,
    days: 1,
    initMs: 150,
    pricing: { initBilled: true },
    cpus: {
      xeon25: { model: 'Intel(R) Xeon(R) Processor @ 2.50GHz' },
      xeon29: { model: 'Intel(R) Xeon(R) Processor @ 2.90GHz' },
      xeon30: { model: 'Intel(R) Xeon(R) Processor @ 3.00GHz' },
    },
    zones: [zone],
    workloads: { work: { baseMs: 1_500, cv: 0.05, ...workload } },
  });
}

/** Seed 7's batch meets the 2.5 GHz Xeon on its first cold start. */
const TWO_XEONS: ProbeSetup = {
  zone: ZONE,
  scenario: probeScenario(ZONE, { memoryMb: 1769, relative: { xeon25: 1, xeon30: 0.6 } }, 7),
  counts: { 'intel-xeon-2.50': 12, 'intel-xeon-3.00': 4 },
  memoryMb: 1769,
};

/**
 * A zone of 20 hosts: half the 2.9 GHz Xeon, a little slower than the 3.0 GHz one that is one in ten, and the rest the
 * 2.5 GHz Xeon. At 256 MB one host takes every worker's instance of the function.
 */
const THREE_XEONS_ZONE = {
  ...ZONE,
  hosts: 20,
  placementSpread: 0.8,
  mix: [{ xeon25: 0.4, xeon29: 0.5, xeon30: 0.1 }],
};

/** Seed 1's probe meets the 2.9 GHz Xeon before the 3.0 GHz one. */
const THREE_XEONS: ProbeSetup = {
  zone: THREE_XEONS_ZONE,
  scenario: probeScenario(THREE_XEONS_ZONE, { memoryMb: 256, relative: { xeon25: 1, xeon29: 0.7, xeon30: 0.6 } }),
  counts: { 'intel-xeon-2.50': 8, 'intel-xeon-2.90': 10, 'intel-xeon-3.00': 2 },
  memoryMb: 256,
};

/**
 * A zone of 20 hosts where the 3.0 GHz Xeon, 20% faster, is one in twenty. Searched for by each worker, it costs about
 * twenty rejected attempts, each with its INIT, for the few calls the worker's instance serves; searched for once by a
 * probe, whose host then takes every worker's instance at 256 MB, it pays.
 */
const RARE_FAST_ZONE = { ...ZONE, hosts: 20, placementSpread: 1, mix: [{ xeon25: 0.95, xeon30: 0.05 }] };

const RARE_FAST: ProbeSetup = {
  zone: RARE_FAST_ZONE,
  scenario: probeScenario(RARE_FAST_ZONE, { memoryMb: 256, relative: { xeon25: 1, xeon30: 0.8 } }),
  counts: { 'intel-xeon-2.50': 19, 'intel-xeon-3.00': 1 },
  memoryMb: 256,
};

/** One invocation of the zone's dynamic function, in the order the twin ran them. */
interface Invocation {
  readonly at: number;
  readonly endAt: number;
  readonly status: string;
  readonly cpu: string;
  readonly host: string;
  readonly cold: boolean;
}

/**
 * A batch of 120 calls, at most 40 at a time within `maxSlowdown` times the unpaced duration, on the setup's zone, with
 * every invocation of its dynamic function after profiling (the host is its boot time and CPU, as the router keys hosts)
 * and the routing service that ran it. `learned`: how many of the function's instances the router has seen a host take
 * before the batch (`HostRoom`), if any.
 */
async function batch(
  maxSlowdown = 6,
  { zone, scenario, counts, memoryMb }: ProbeSetup = TWO_XEONS,
  learned?: number,
): Promise<{ answer: BatchAnswer; invocations: Invocation[]; service: RoutingService }> {
  const env = routedTwin(scenario, { memorySizes: [memoryMb] });
  const { service } = env.routing;
  if (learned !== undefined) {
    service.hostRoom.learn(
      { functionName: `sky-usw1-az3-x86_64-${memoryMb}`, instances: learned, filled: true },
      memoryMb,
    );
  }
  env.twin.setDay(0);
  env.routing.characterize([characterizationOf(zone, counts)]);
  const invocations: Invocation[] = [];
  let batchStarted = false;
  env.twin.onInvoke = (functionName, result) => {
    if (!batchStarted || functionName !== `sky-usw1-az3-x86_64-${memoryMb}` || result.kind !== 'ok') return;
    const answer = result.payload as DynamicResponse;
    invocations.push({
      at: env.clock.now() - result.durationMs,
      endAt: env.clock.now(),
      status: answer.status,
      cpu: answer.inspection.cpuKey,
      host: `${answer.inspection.cpuKey}@${answer.inspection.bootTime}`,
      cold: result.cold === true,
    });
  };
  const answer = await profiledBatch(
    env,
    {
      workload: { name: 'work', size: 'small' },
      limits: { memorySizes: [memoryMb], architectures: ['x86_64'] },
      batch: { count: 120, concurrency: 40, maxSlowdown },
    },
    undefined,
    () => {
      batchStarted = true;
    },
  );
  return { answer, invocations: invocations.sort((a, b) => a.at - b.at), service };
}

describe('a paced batch that searches probes with one call before its other workers start', () => {
  it('starts the others once the probe holds an accepted instance, and they fill its host', async () => {
    const { answer, invocations } = await batch();
    expect(answer.summary.succeeded).toBe(120);
    expect(answer.placement.rejectCpus).toEqual(['intel-xeon-2.50']);
    const probe = answer.pacing?.probe;
    expect(probe).toBeDefined();
    if (!probe) return;
    // The probe met the rejected CPU first, then an accepted one, and the others started while its work still ran:
    // its attempt went unanswered past a rejection's time, long before the call's end.
    expect(probe.by).toBe('unanswered');
    expect(probe.attempts).toBeGreaterThanOrEqual(2);
    const probeAttempts = invocations.slice(0, probe.attempts);
    expect(probeAttempts.slice(0, -1).every((i) => i.status === 'rejected' && i.cpu === 'intel-xeon-2.50')).toBe(true);
    const accepted = probeAttempts[probe.attempts - 1];
    expect(accepted.status).toBe('ok');
    expect(accepted.cpu).toBe('intel-xeon-3.00');
    // Nothing else ran while the probe searched, and the others started while its accepted attempt still ran.
    const others = invocations.slice(probe.attempts);
    expect(others[0].at).toBeGreaterThan(accepted.at);
    expect(others[0].at).toBeLessThan(accepted.endAt);
    // Started together, every worker's first cold start would have met the host the probe rejected first; started
    // after it, the next workers' cold starts fill the probe's accepted host.
    expect(probeAttempts[0].host).not.toBe(accepted.host);
    expect(others[0].cold).toBe(true);
    expect(others[0].host).toBe(accepted.host);
    // The pacing kept room for the probe: its expected duration counts the probe's search and meets the budget.
    const pacing = answer.pacing!;
    expect(pacing.expectedDurationMs).toBeLessThanOrEqual(6 * pacing.unpacedDurationMs);
    expect(formatAnswer(answer)).toMatch(
      new RegExp(
        `probe: the first call searched alone over ${probe.attempts} attempts \\(rejecting intel-xeon-2\\.50\\), the others started after`,
      ),
    );
  });
  it('holds out, for the calls its host will serve, past a fast CPU it met first for the fastest', async () => {
    const { answer, invocations } = await batch(1.5, THREE_XEONS);
    expect(answer.summary.succeeded).toBe(120);
    // The batch is priced for its probe, whose search serves all 120 calls.
    expect(answer.placement.rejectCpus).toEqual(['intel-xeon-2.50', 'intel-xeon-2.90']);
    const probe = answer.pacing?.probe;
    expect(probe).toBeDefined();
    if (!probe) return;
    // The probe's host serves all 120 calls: it rejected the 2.9 GHz Xeon and went on to the 3.0 GHz one.
    expect(probe.rejectCpus).toEqual(['intel-xeon-2.50', 'intel-xeon-2.90']);
    expect(formatAnswer(answer)).toMatch(
      new RegExp(`searched alone over ${probe.attempts} attempts \\(rejecting intel-xeon-2\\.50, intel-xeon-2\\.90\\)`),
    );
    const probeAttempts = invocations.slice(0, probe.attempts);
    expect(probeAttempts.some((i) => i.status === 'rejected' && i.cpu === 'intel-xeon-2.90')).toBe(true);
    expect(probeAttempts.at(-1)?.cpu).toBe('intel-xeon-3.00');
    // The workers' cold starts filled its host, so every call ran on the fastest CPU.
    const accepted = invocations.filter((i) => i.status === 'ok');
    expect(accepted.every((i) => i.cpu === 'intel-xeon-3.00')).toBe(true);
  });

  it('searches past a CPU that no worker would search past alone, once the probe shares its search', async () => {
    // Priced for each worker's own search, the batch would accept any CPU; priced for the probe's, it rejects.
    const { answer, invocations } = await batch(1.5, RARE_FAST);
    expect(answer.summary.succeeded).toBe(120);
    const probe = answer.pacing?.probe;
    expect(probe).toBeDefined();
    if (!probe) return;
    expect(probe.rejectCpus).toEqual(['intel-xeon-2.50']);
    expect(answer.placement.rejectCpus).toEqual(['intel-xeon-2.50']);
    const probeAttempts = invocations.slice(0, probe.attempts);
    expect(probeAttempts.at(-1)?.cpu).toBe('intel-xeon-3.00');
    // The workers' cold starts filled the probe's host: every call ran on the 3.0 GHz Xeon.
    const accepted = invocations.filter((i) => i.status === 'ok');
    expect(accepted.every((i) => i.cpu === 'intel-xeon-3.00')).toBe(true);
  });

  it("learns from the workers' first instances how many of the function's instances the probe's host takes", async () => {
    const { answer, invocations, service } = await batch(2);
    const probe = answer.pacing?.probe;
    expect(probe).toBeDefined();
    if (!probe) return;
    const accepted = invocations[probe.attempts - 1];
    // The other workers start together once the probe holds its instance. The twin gives a function 12 GiB of a
    // host: six instances at 1,769 MB, the probe's and five workers'; the others land on other hosts.
    const after = invocations.slice(probe.attempts);
    const firstRound = after.filter((i) => i.at === after[0].at);
    const concurrency = answer.pacing?.concurrency ?? 0;
    expect(concurrency).toBeGreaterThan(6);
    expect(firstRound).toHaveLength(concurrency - 1);
    expect(firstRound.filter((i) => i.host === accepted.host)).toHaveLength(5);
    expect(service.hostRoom.learnedShareMb).toBe(6 * 1769);
    expect(service.hostRoom.at(1769)).toBe(6);
  });

  it("does not probe where the host is known to take no instance beyond the probe's: no worker would start there", async () => {
    const { answer } = await batch(6, TWO_XEONS, 1);
    expect(answer.summary.succeeded).toBe(120);
    expect(answer.placement.rejectCpus).toEqual(['intel-xeon-2.50']);
    expect(answer.pacing).toBeDefined();
    expect(answer.pacing?.probe).toBeUndefined();
  });

  it('does not probe a batch that runs unpaced: every worker starts at once', async () => {
    const { answer, invocations } = await batch(1);
    expect(answer.pacing).toBeUndefined();
    expect(answer.summary.succeeded).toBe(120);
    // All 40 first attempts start before any call is answered.
    const firstAt = invocations[0].at;
    expect(invocations.filter((i) => i.at === firstAt).length).toBe(40);
  });
});

describe("the probe's timing", () => {
  it('waits twice a rejected attempt and a margin before it counts an attempt as accepted', () => {
    expect(acceptedAfterMsOf(150, 300)).toBe(900 + PROBE_ANSWER_MARGIN_MS);
    expect(acceptedAfterMsOf(0, 300)).toBe(600 + PROBE_ANSWER_MARGIN_MS);
  });

  it("prices the probe's search as one call's on its own: the batch's attempts spread over an instance's uses", () => {
    const placement = { rejectCpus: ['intel-xeon-2.50'], holdMs: 0, maxAttempts: 10, expected: { attempts: 1.25 } };
    // 0.25 extra attempts a call over 4 uses: one search of 2 attempts, each rejected within 300 ms.
    expect(probeSearchMs(placement, 4, 300)).toBe(2 * 300 + 600 + PROBE_ANSWER_MARGIN_MS);
    expect(probeSearchMs({ ...placement, rejectCpus: [] }, 4, 300)).toBe(0);
  });

  it("keeps the probe's search within one call's attempt budget", () => {
    // 2 extra attempts a call over 40 uses would be 80 rejected attempts; one call makes at most 10 attempts.
    const placement = { rejectCpus: ['intel-xeon-2.50'], holdMs: 0, maxAttempts: 10, expected: { attempts: 3 } };
    expect(probeSearchMs(placement, 40, 300)).toBe(10 * 300 + 600 + PROBE_ANSWER_MARGIN_MS);
  });

  it("prices the probe's reject set for the calls of the workers its host takes", () => {
    // 20 workers, 12 calls each: a host that takes 96 instances takes them all, one that takes 6 takes 72 calls' worth.
    expect(probeUses(240, 20, 96)).toBe(240);
    expect(probeUses(240, 20, 6)).toBe(72);
    expect(probeUses(0, 1, 1)).toBe(1);
  });

  it('prices a batch for its probe: the workers its host takes share one search, the others search for their own', () => {
    // 20 workers, 12 calls each: a host that takes them all shares one search over the 240 calls.
    expect(probedSearchUses(240, 20, 96)).toBe(240);
    // A host that takes 5: one search serves their 60 calls, and each of the 15 others searches for its own 12.
    expect(probedSearchUses(240, 20, 5)).toBeCloseTo(1 / (0.25 / 60 + 0.75 / 12), 12);
    // A host that takes only the probe's instance shares nothing.
    expect(probedSearchUses(240, 20, 1)).toBeCloseTo(1 / (0.05 / 12 + 0.95 / 12), 12);
  });
});
