import { type FanoutRequest, type FanoutResponse, samplersPerPollOf } from '../contracts';
import { ape, distributionOf } from '../core/distribution';
import { characterizationCountsOf, hostKeyOf } from '../core/host-census';
import { fanoutFunctionName, samplerFunctionName } from '../core/naming';
import { confidenceOf, decideStop, pollCostUsd } from '../core/stopping-rule';
import type { CharacterizationConfidence, CpuCounts, PollAggregate, StopReason } from '../core/types';
import type { VirtualClock } from './clock';
import type { PriceBook } from './prices';
import type { Twin } from './twin';

/**
 * Progressive sampling of one zone on one day, as the sampling state machine does it: poll after
 * poll, each poll one burst through the real fan-out tree at the next sampler endpoint (real
 * sampler code on emulated instances, dispatched in-process through the Invoker interface), the
 * core stopping rule deciding after each. Time is virtual: the 250 ms sleeps, waits between polls
 * and keep-alive cost no real time.
 */

/** How the sampling runs; defaults are the paper's (and SkyConfig's). */
export interface SamplingSettings {
  /** Requests per poll. @default 200 */
  readonly pollConcurrency: number;
  /** Fan-out tree branching. @default 10 */
  readonly fanoutBranching: number;
  /** Sampler endpoints per zone; the polls rotate through them. @default 100 */
  readonly samplersPerZone: number;
  /** Sampler endpoints one poll spreads its requests over. @default 20 */
  readonly samplersPerPoll: number;
  /** Memory of sampler 0 (sampler i gets base + i), for cost. @default 10140 */
  readonly samplerMemoryBaseMb: number;
  /** Memory of the fan-out function, for cost. @default 256 */
  readonly fanoutMemoryMb: number;
  /** @default 0.95 */
  readonly accuracyTarget: number;
  /** @default 0.5 */
  readonly saturationFailureRate: number;
  /** @default 30 */
  readonly maxPolls: number;
  /** @default 0.2 */
  readonly maxRunCostUsd: number;
  /** Emulated time between the end of a poll and the next (state machine steps). @default 500 */
  readonly pollGapMs: number;
  /** Keep polling after the rule stops, to find the poll at which the zone saturates. @default true */
  readonly probeSaturation: boolean;
  /** Most polls (rule's and probe's together) when probing for saturation. @default 100 */
  readonly maxProbePolls: number;
  /** Requests of each probe poll (one sampler each, the paper's polls). @default 1000 */
  readonly probeConcurrency: number;
  /** Per-leaf invoke timeout of the fan-out, ms. @default 30000 */
  readonly leafTimeoutMs: number;
  /** Sampler sleep, ms (for the probe's timing; the samplers sleep what their source says). @default 250 */
  readonly samplerSleepMs: number;
}

export const DEFAULT_SAMPLING: SamplingSettings = {
  pollConcurrency: 200,
  fanoutBranching: 10,
  samplersPerZone: 100,
  samplersPerPoll: 20,
  samplerMemoryBaseMb: 10140,
  fanoutMemoryMb: 256,
  accuracyTarget: 0.95,
  saturationFailureRate: 0.5,
  maxPolls: 30,
  maxRunCostUsd: 0.2,
  pollGapMs: 500,
  probeSaturation: true,
  maxProbePolls: 100,
  probeConcurrency: 1000,
  leafTimeoutMs: 30_000,
  samplerSleepMs: 250,
};

/** One poll as the report keeps it (without the list of instance ids). */
export type PollSummary = Omit<PollAggregate, 'instanceIds' | 'bootTimes' | 'hosts'> & {
  readonly hosts: number;
  readonly costUsd: number;
};

/** The sampling of one zone on one day. */
export interface ZoneSampling {
  readonly azId: string;
  readonly region: string;
  readonly day: number;
  /** Polls the stopping rule ran. */
  readonly polls: readonly PollSummary[];
  /** APE of the cumulative characterization after each poll against the day's true mix. */
  readonly apeByPoll: readonly number[];
  /** First poll count with APE ≤ 5, or null. */
  readonly pollsTo95: number | null;
  readonly stoppedBecause: StopReason;
  /** The rule's own error estimate when it stopped. */
  readonly estimatedApe: number;
  /** The poll at which more than `saturationFailureRate` of the requests failed, or null. */
  readonly saturatedAtPoll: number | null;
  /**
   * APE after each poll when polling on to saturation (the rule's polls, then the probe's), against
   * the true mix: the paper's Figure 5–6 view. Equal to `apeByPoll` when there was no probe.
   */
  readonly groundTruthApeByPoll: readonly number[];
  /** First poll count with APE ≤ 5 when polling on to saturation (the paper's "polls to 95%"), or null. */
  readonly groundTruthPollsTo95: number | null;
  /** Distinct instances seen by the rule's polls. */
  readonly instancesSeen: number;
  /** Failed requests in the rule's polls. */
  readonly failures: number;
  /** USD of the rule's polls: samplers, fan-out calls and requests at the region's price. */
  readonly costUsd: number;
  /** Hosts per CPU key over the rule's polls (instances when no host was reported): the characterization. */
  readonly counts: CpuCounts;
  /** The rule's confidence in `counts` when it stopped. */
  readonly confidence: CharacterizationConfidence;
  /** The zone's true mix that day (share of hosts per CPU key). */
  readonly trueMix: Readonly<Record<string, number>>;
  /** Emulated ms since the epoch when the run finished. */
  readonly finishedAt: number;
}

/** A poll that never reached the tree (the fan-out call itself failed): every request failed. */
function failedPoll(requested: number, errorType: string): FanoutResponse {
  return {
    requested,
    succeeded: 0,
    failures: { [errorType]: requested },
    cpuCounts: {},
    cpuModels: {},
    instanceIds: [],
    newInstances: 0,
    bootTimes: [],
    latencyMs: { p50: 0, p90: 0, p99: 0, max: 0 },
    billedMs: 0,
  };
}

function failuresOf(poll: PollAggregate): number {
  let n = 0;
  for (const k of Object.keys(poll.failures)) n += poll.failures[k];
  return n;
}

/**
 * Cost of one poll: sampler time, INIT of the new sampler instances and requests (the core's
 * `pollCostUsd`), fan-out time and requests.
 */
function pollCost(
  poll: FanoutResponse,
  samplerMemoryMb: number,
  settings: SamplingSettings,
  price: { perGbSecond: number; perRequest: number },
  initMs: number,
): number {
  const samplers = pollCostUsd(poll, {
    samplerMemoryMb,
    pricePerGbSecond: price.perGbSecond,
    pricePerRequest: price.perRequest,
    initBilledMs: initMs,
  });
  const fanoutGbS = ((poll.fanoutMs ?? 0) / 1000) * (settings.fanoutMemoryMb / 1024);
  const fanoutRequests = (poll.fanoutCalls ?? 0) + 1;
  return samplers + fanoutGbS * price.perGbSecond + fanoutRequests * price.perRequest;
}

/**
 * Samples zone `azId` of `twin` on the twin's current day until the stopping rule stops, then
 * (with `probeSaturation`) keeps polling the zone's capacity to find the saturation point.
 * Must run inside `clock.run()`.
 */
export async function sampleZone(
  twin: Twin,
  clock: VirtualClock,
  azId: string,
  trueMix: Readonly<Record<string, number>>,
  prices: PriceBook,
  settings: SamplingSettings = DEFAULT_SAMPLING,
): Promise<ZoneSampling> {
  const zone = twin.zones.get(azId);
  if (!zone) throw new RangeError(`zone ${azId} is not in the twin`);
  const price = prices.lambda(zone.region, 'x86_64');
  const init = twin.initBilledMs;
  const fanout = fanoutFunctionName(azId);
  const polls: PollAggregate[] = [];
  const summaries: PollSummary[] = [];
  const apeByPoll: number[] = [];
  let counts: CpuCounts = {};
  let cost = 0;
  let failures = 0;
  let decision: ReturnType<typeof decideStop> | undefined;
  let saturatedAtPoll: number | null = null;
  for (let k = 0; ; k++) {
    const perPoll = samplersPerPollOf(settings);
    const indexes = Array.from({ length: perPoll }, (_, j) => (k * perPoll + j) % settings.samplersPerZone);
    const index = indexes[0];
    const request: FanoutRequest = {
      targets: indexes.map((i) => samplerFunctionName(azId, i, settings.samplersPerZone)),
      count: settings.pollConcurrency,
      branching: settings.fanoutBranching,
      leafTimeoutMs: settings.leafTimeoutMs,
    };
    const answer = await twin.invoke(fanout, request);
    const poll = answer.ok ? (answer.payload as FanoutResponse) : failedPoll(request.count, answer.errorType);
    const pollUsd = pollCost(poll, settings.samplerMemoryBaseMb + index, settings, price, init);
    polls.push(poll);
    cost += pollUsd;
    failures += failuresOf(poll);
    counts = characterizationCountsOf(polls);
    apeByPoll.push(ape(distributionOf(counts), trueMix));
    const { instanceIds, bootTimes, hosts, ...rest } = poll;
    summaries.push({ ...rest, hosts: hosts?.length ?? bootTimes.length, costUsd: pollUsd });
    if (saturatedAtPoll === null && failuresOf(poll) > settings.saturationFailureRate * poll.requested) {
      saturatedAtPoll = k + 1;
    }
    decision = decideStop(polls, {
      accuracyTarget: settings.accuracyTarget,
      saturationFailureRate: settings.saturationFailureRate,
      maxPolls: settings.maxPolls,
      maxCostUsd: settings.maxRunCostUsd,
      costSoFarUsd: cost,
    });
    if (decision.action === 'stop') break;
    await clock.sleep(settings.pollGapMs + decision.waitSeconds * 1000);
  }
  const stop = decision as Extract<typeof decision, { action: 'stop' }>;
  const finishedAt = clock.now();
  const groundTruthApeByPoll = [...apeByPoll];
  if (saturatedAtPoll === null && settings.probeSaturation) {
    const hosts = new Map<string, string>();
    for (const poll of polls) for (const h of poll.hosts ?? []) hosts.set(hostKeyOf(h.bootTime, h.cpu), h.cpu);
    saturatedAtPoll = await probeSaturation(twin, clock, azId, polls.length, settings, (met) => {
      for (const h of met) hosts.set(hostKeyOf(h.bootTime, h.cpu), h.cpu);
      const all: Record<string, number> = {};
      for (const cpu of hosts.values()) all[cpu] = (all[cpu] ?? 0) + 1;
      groundTruthApeByPoll.push(ape(distributionOf(all), trueMix));
    });
  }
  const pollsTo95 = apeByPoll.findIndex((a) => a <= 5);
  const truthTo95 = groundTruthApeByPoll.findIndex((a) => a <= 5);
  let instancesSeen = 0;
  for (const key of Object.keys(counts)) instancesSeen += counts[key];
  return {
    azId,
    region: zone.region,
    day: twin.day,
    polls: summaries,
    apeByPoll,
    pollsTo95: pollsTo95 < 0 ? null : pollsTo95 + 1,
    stoppedBecause: stop.reason,
    estimatedApe: stop.estimatedApe,
    saturatedAtPoll,
    groundTruthApeByPoll,
    groundTruthPollsTo95: truthTo95 < 0 ? null : truthTo95 + 1,
    instancesSeen,
    failures,
    costUsd: cost,
    counts,
    confidence: confidenceOf(polls),
    trueMix,
    finishedAt,
  };
}

/**
 * Keeps polling after the rule stopped, as the paper polled to saturation for its ground truth
 * (§4.1): each further poll asks the zone for `probeConcurrency` instances of the next sampler
 * endpoint at once, holds them for the sampler's sleep, and counts the ones the zone cannot start.
 * Only failures matter here, so the probe takes instances from the same emulated zone (same
 * slots, same keep-alive, same warm instances left by the real polls) without running handler
 * code in them; each instance's CPU is read from its host (what its sampler would have reported),
 * so the run can also show how the characterization converges when polling on (Figures 5–6).
 * Returns the first poll (counted from the run's first) whose failed share exceeds
 * the saturation rate, or null within `maxProbePolls`.
 */
async function probeSaturation(
  twin: Twin,
  clock: VirtualClock,
  azId: string,
  pollsDone: number,
  settings: SamplingSettings,
  onPoll: (hosts: ReadonlyArray<{ bootTime: number; cpu: string }>) => void,
): Promise<number | null> {
  const zone = twin.zones.get(azId)!;
  const arch = zone.hosts.some((h) => h.arch === 'x86_64') ? 'x86_64' : 'arm64';
  for (let k = pollsDone; k < settings.maxProbePolls; k++) {
    await clock.sleep(settings.pollGapMs);
    const name = samplerFunctionName(azId, k % settings.samplersPerZone, settings.samplersPerZone);
    const held = [];
    let failed = 0;
    for (let i = 0; i < settings.probeConcurrency; i++) {
      const got = zone.acquire(name, arch);
      if (got.ok) held.push(got.instance);
      else failed++;
    }
    onPoll(held.map((i) => ({ bootTime: i.host.bootTime, cpu: i.host.cpu.cpuKey })));
    await clock.sleep(settings.samplerSleepMs);
    for (const instance of held) zone.release(instance);
    if (failed > settings.saturationFailureRate * settings.probeConcurrency) return k + 1;
  }
  return null;
}
