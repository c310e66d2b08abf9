import { providerSampling } from '../catalog/providers';
import { DEFAULT_SKY_CONFIG } from '../config/sky-config';
import {
  type FanoutResponse,
  failureTotal,
  type PollRecord,
  SAMPLING_DEFAULTS,
  type SamplingSettings,
} from '../contracts';
import { ape, distributionOf } from '../core/distribution';
import { characterizationCountsOf, hostKeyOf } from '../core/host-census';
import { fanoutFunctionName, samplerFunctionName } from '../core/naming';
import { confidenceOf } from '../core/stopping-rule';
import type { Arch, CharacterizationConfidence, CpuCounts, PollAggregate, StopReason } from '../core/types';
import { createStepsHandler, MemorySamplingStore, NO_METRICS, type RunState } from '../sampling';
import type { VirtualClock } from './clock';
import type { PriceBook } from './prices';
import type { Twin } from './twin';

/**
 * Progressive sampling of one zone on one day, as the deployed sampling state machine runs it: the
 * same steps (`lib/sampling`: start, record, decide, finalize, fail, with the same rotation, cost,
 * stopping rule and drift class) in the order the state machine calls them, against a store in
 * memory; each poll one burst through the real fan-out tree (real sampler code on emulated
 * instances, dispatched in-process through the Invoker interface) with the payload the Poll state
 * sends. Time is virtual: the 250 ms sleeps, waits between polls and keep-alive cost no real time.
 */

/**
 * How the twin samples: the deployed sampling settings (`lib/contracts`, defaults as the stacks'; the
 * prices come from the twin's price book, as the stacks take them from the catalog) and what only the
 * twin does (the gap between steps, the probe for the saturation point).
 */
export interface TwinSamplingOptions extends Omit<SamplingSettings, 'pricePerGbSecond' | 'pricePerRequest'> {
  /** Emulated time between the end of a poll and the next (state machine steps). @default 500 */
  readonly pollGapMs: number;
  /** Keep polling after the rule stops, to find the poll at which the zone saturates. @default true */
  readonly probeSaturation: boolean;
  /** Most polls (rule's and probe's together) when probing for saturation. @default 100 */
  readonly maxProbePolls: number;
  /** Requests of each probe poll (one sampler each, the paper's polls). @default 1000 */
  readonly probeConcurrency: number;
}

export const DEFAULT_TWIN_SAMPLING: TwinSamplingOptions = {
  ...SAMPLING_DEFAULTS,
  pollGapMs: 500,
  probeSaturation: true,
  maxProbePolls: 100,
  probeConcurrency: 1000,
};

/** One poll as the report keeps it (without the list of instance ids). */
export type PollSummary = Omit<PollAggregate, 'instanceIds' | 'bootTimes' | 'hosts'> & {
  readonly hosts: number;
  readonly costUsd: number;
};

/** The sampling of one zone's fleet of one architecture on one day. */
export interface ZoneSampling {
  readonly azId: string;
  readonly region: string;
  /**
   * Architecture of the samplers (absent: x86_64, or the zone's only fleet where it has no x86_64 hosts).
   * An arm64 run measures the zone's arm64 fleet, which only arm64 functions run on.
   */
  readonly arch?: 'arm64';
  readonly day: number;
  /** Polls the stopping rule ran. */
  readonly polls: readonly PollSummary[];
  /** Whether the run stored a characterization (finalize writes none for a run that saw too few instances). */
  readonly stored: boolean;
  /** APE of the cumulative characterization after each poll against the day's true mix. */
  readonly apeByPoll: readonly number[];
  /** First poll count with APE ≤ 5, or null. */
  readonly pollsTo95: number | null;
  /** Why the run stopped, or `failed` when a step failed (the run then stores no characterization). */
  readonly stoppedBecause: StopReason | 'failed';
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
  /** USD of the rule's polls as the sampling steps estimate it (samplers, the fan-out tree with its root, requests). */
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

function fanoutPrice(price: { perGbSecond: number; perRequest: number }): {
  fanoutPricePerGbSecond: number;
  fanoutPricePerRequest: number;
} {
  return { fanoutPricePerGbSecond: price.perGbSecond, fanoutPricePerRequest: price.perRequest };
}

/**
 * The run id of a zone's sampling on a day (each sampled architecture a state machine of its own, so a run
 * of its own): the rotation's start is a hash of it, as in the cloud.
 */
export function twinRunId(azId: string, day: number, arch: Arch = 'x86_64'): string {
  return `twin-${azId}${arch === 'x86_64' ? '' : `-${arch}`}-day-${day}`;
}

/**
 * Samples zone `azId` of `twin` on the twin's current day until the stopping rule stops, then
 * (with `probeSaturation`, x86_64 runs only: the paper's ground truth) keeps polling the zone's capacity to
 * find the saturation point. `arch` arm64 samples the zone's arm64 fleet with the arm64 samplers
 * (`sky-smp-arm64-<azId>-<nn>`), as the zone's arm64 state machine does, priced at arm64's rate.
 * Must run inside `clock.run()`.
 */
export async function sampleZone(
  twin: Twin,
  clock: VirtualClock,
  azId: string,
  trueMix: Readonly<Record<string, number>>,
  prices: PriceBook,
  options: TwinSamplingOptions = DEFAULT_TWIN_SAMPLING,
  arch: Arch = 'x86_64',
): Promise<ZoneSampling> {
  const zone = twin.zones.get(azId);
  if (!zone) throw new RangeError(`zone ${azId} is not in the twin`);
  if (arch === 'arm64' && providerSampling(zone.region)) {
    throw new RangeError(`zone ${azId} is on another provider: only its x86_64 samplers exist`);
  }
  // Priced as the stacks price the samplers: at the rate of their architecture.
  const price = prices.lambda(zone.region, arch);
  const { pollGapMs, probeSaturation: probe, maxProbePolls, probeConcurrency, ...deployed } = options;
  // A zone of another provider is sampled as its stack samples it: samplers of the provider's one size.
  const provider = providerSampling(zone.region);
  const settings: SamplingSettings = {
    ...deployed,
    ...(provider
      ? {
          samplerMemoryMb: provider.samplerMemoryMb,
          samplerMemoryStepMb: provider.samplerMemoryStepMb,
          pollConcurrency: Math.min(deployed.pollConcurrency, provider.maxPollConcurrency ?? Number.POSITIVE_INFINITY),
          // Its fan-out is a Lambda function in the home region.
          ...fanoutPrice(prices.lambda(DEFAULT_SKY_CONFIG.homeRegion, 'x86_64')),
        }
      : {}),
    ...(arch === 'arm64' ? { samplerArch: arch } : {}),
    pricePerGbSecond: price.perGbSecond,
    pricePerRequest: price.perRequest,
    // What the twin's platform bills for a new instance's INIT (the scenario's billing rule).
    initBilledMs: twin.initBilledMs,
  };
  const store = new MemorySamplingStore(() => clock.now());
  const steps = createStepsHandler({ store, now: () => clock.now(), metrics: NO_METRICS });
  const runId = twinRunId(azId, twin.day, arch);
  const execution = { runId, azId, region: zone.region, settings };
  const fanout = fanoutFunctionName(azId);

  let run: RunState | undefined;
  let failed = false;
  try {
    run = (await steps({
      step: 'start',
      ...execution,
      startedAt: new Date(clock.now()).toISOString(),
      input: { force: true },
    })) as RunState;
    for (;;) {
      // The Poll state's payload.
      const answer = await twin.invoke(fanout, {
        targets: run.targets,
        count: settings.pollConcurrency,
        branching: settings.fanoutBranching,
      });
      if (!answer.ok) throw new Error(`${answer.errorType}: ${answer.message}`);
      run = (await steps({ step: 'record', ...execution, run, poll: answer.payload as FanoutResponse })) as RunState;
      run = (await steps({ step: 'decide', ...execution, run })) as RunState;
      if (run.decision?.action !== 'continue') break;
      await clock.sleep(pollGapMs + run.decision.waitSeconds * 1000);
    }
    run = (await steps({ step: 'finalize', ...execution, run })) as RunState;
  } catch (error) {
    failed = true;
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    await steps({ step: 'fail', runId, azId, region: zone.region, error: { Error: 'TwinStepError', Cause: message } });
  }
  const finishedAt = clock.now();
  const record = await store.getRun(runId);
  const polls = await store.polls(runId);
  const totals = record?.totals;
  const aggregates = polls.map((poll) => poll.aggregate);
  // What finalize stored when it wrote a characterization; the same rule otherwise.
  const stored = (await store.latestCharacterizationRecord(azId, arch))?.characterization;
  const counts = stored?.counts ?? characterizationCountsOf(aggregates);
  const confidence = stored?.confidence ?? confidenceOf(aggregates);

  const apeByPoll = aggregates.map((_, k) =>
    ape(distributionOf(characterizationCountsOf(aggregates.slice(0, k + 1))), trueMix),
  );
  let saturatedAtPoll: number | null = null;
  polls.forEach((poll, k) => {
    const failures = failureTotal(poll.aggregate.failures);
    if (saturatedAtPoll === null && failures > settings.saturationFailureRate * poll.aggregate.requested) {
      saturatedAtPoll = k + 1;
    }
  });
  const groundTruthApeByPoll = [...apeByPoll];
  if (saturatedAtPoll === null && probe && arch === 'x86_64') {
    const hosts = new Map<string, string>();
    for (const poll of aggregates) for (const h of poll.hosts ?? []) hosts.set(hostKeyOf(h.bootTime, h.cpu), h.cpu);
    saturatedAtPoll = await probeSaturation(
      twin,
      clock,
      azId,
      polls.length,
      { ...settings, pollGapMs, maxProbePolls, probeConcurrency },
      (met) => {
        for (const h of met) hosts.set(hostKeyOf(h.bootTime, h.cpu), h.cpu);
        const all: Record<string, number> = {};
        for (const cpu of hosts.values()) all[cpu] = (all[cpu] ?? 0) + 1;
        groundTruthApeByPoll.push(ape(distributionOf(all), trueMix));
      },
    );
  }
  const pollsTo95 = apeByPoll.findIndex((a) => a <= 5);
  const truthTo95 = groundTruthApeByPoll.findIndex((a) => a <= 5);
  return {
    azId,
    region: zone.region,
    ...(arch === 'arm64' ? { arch } : {}),
    day: twin.day,
    polls: polls.map(summaryOf),
    stored: stored !== undefined,
    apeByPoll,
    pollsTo95: pollsTo95 < 0 ? null : pollsTo95 + 1,
    stoppedBecause: failed ? 'failed' : (run?.decision?.reason ?? 'failed'),
    estimatedApe: run?.decision?.estimatedApe ?? Number.NaN,
    saturatedAtPoll,
    groundTruthApeByPoll,
    groundTruthPollsTo95: truthTo95 < 0 ? null : truthTo95 + 1,
    instancesSeen: totals?.instancesSeen ?? 0,
    failures: failureTotal(totals?.failures ?? {}),
    costUsd: totals?.costUsd ?? 0,
    counts,
    confidence,
    trueMix,
    finishedAt,
  };
}

function summaryOf(poll: PollRecord): PollSummary {
  const { instanceIds, bootTimes, instanceCount, hosts, ...rest } = poll.aggregate;
  return { ...rest, hosts: hosts?.length ?? bootTimes.length, costUsd: poll.costUsd };
}

/**
 * Keeps polling after the rule stopped, as the paper polled to saturation for its ground truth
 * (§4.1): each further poll asks the zone for `probeConcurrency` instances of the next sampler
 * endpoint at once, holds them for the sampler's sleep, and counts the ones the zone cannot start.
 * Only failures matter here, so the probe takes instances from the same emulated zone (same
 * host memory and placement, same keep-alive, same warm instances left by the real polls) without running handler
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
  settings: Pick<SamplingSettings, 'samplersPerZone' | 'saturationFailureRate' | 'samplerSleepMs'> & {
    readonly pollGapMs: number;
    readonly maxProbePolls: number;
    readonly probeConcurrency: number;
  },
  onPoll: (hosts: ReadonlyArray<{ bootTime: number; cpu: string }>) => void,
): Promise<number | null> {
  const zone = twin.zones.get(azId)!;
  const arch = zone.hosts.some((h) => h.arch === 'x86_64') ? 'x86_64' : 'arm64';
  for (let k = pollsDone; k < settings.maxProbePolls; k++) {
    await clock.sleep(settings.pollGapMs);
    const name = samplerFunctionName(azId, k % settings.samplersPerZone, settings.samplersPerZone);
    const memoryMb = twin.memoryOf(name);
    if (memoryMb === undefined) throw new RangeError(`${name} is not a sampler of the twin`);
    const held = [];
    let failed = 0;
    for (let i = 0; i < settings.probeConcurrency; i++) {
      const got = zone.acquire(name, arch, memoryMb);
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
