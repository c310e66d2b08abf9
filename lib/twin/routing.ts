import { ROUTER_TIMEOUT_SECONDS } from '../contracts';
import { parseFunctionName } from '../core/naming';
import { Router, type RouterOptions } from '../core/router';
import type { Arch, Characterization, CpuKey } from '../core/types';
import type { ResolvedZone } from '../core/zone-mix';
import { answerDetail } from '../routing/answer-detail';
import { mergeBatchAnswers, sendUntilDone } from '../routing/batch-resume';
import type { RejectMode, RouterConfig } from '../routing/config';
import { MemoryRouterStore } from '../routing/memory-store';
import { corePlacerFactory } from '../routing/placer';
import type { ProfilingAnswer } from '../routing/profiling';
import type { RouterRequestBody } from '../routing/request';
import { type DeadlineSource, RoutingService } from '../routing/service';
import { silentTelemetry } from '../routing/telemetry';
import type { BatchAnswer, PlacerFactory } from '../routing/types';
import type { BurstOutcome } from './burst';
import { billOfCall } from './burst';
import { TwinError } from './errors';
import type { PriceBook } from './prices';
import type { Scenario } from './scenario';
import type { CallResult, Twin } from './twin';

/**
 * The twin's router: the routing service the router Lambda runs (`RoutingService`: placement by the
 * core `Router`, following with retries, failover and deadlines, batches, learning, the view cache),
 * invoking the emulated zones through the twin's invoker. Its store starts empty and lives as long
 * as the deployment it stands for: it holds the latest characterizations (what sampling measured),
 * and profiles and passive counts (dated by the twin's clock) only from calls the router made (a
 * profiling phase, then every burst), as in a deployment.
 */

/** Largest batch concurrency the router accepts (a burst larger than this queues behind it). */
const MAX_CONCURRENCY = 1000;

/**
 * Most calls of a burst of `count` sent in `waves` waves that run at once, as the router's batch runs them:
 * min(count, the largest concurrency, ceil(count / waves)).
 * @example burstConcurrency(3000, 1); // 1000
 */
export function burstConcurrency(count: number, waves = 1): number {
  return Math.max(1, Math.min(count, MAX_CONCURRENCY, Math.ceil(count / Math.max(1, waves))));
}

/** What the router's view held when a day's bursts began. */
export interface RouterViewSummary {
  readonly characterizations: ReadonlyArray<{
    readonly azId: string;
    readonly counts: Readonly<Record<CpuKey, number>>;
  }>;
  readonly passive: Readonly<Record<string, Readonly<Record<CpuKey, number>>>>;
  /** Runtime observations behind each profile. */
  readonly profileObservations: Readonly<Record<string, number>>;
}

/** What the twin's routing needs to know about the mesh. */
export interface TwinRoutingOptions {
  readonly scenario: Scenario;
  readonly twin: Twin;
  readonly prices: PriceBook;
  /** The deployed zones (with the memory sizes and architectures of zones on other providers). */
  readonly deployed: RouterConfig['deployed'];
  readonly architectures: readonly Arch[];
  readonly memorySizes: readonly number[];
  readonly rejectMode: RejectMode;
  /**
   * Options of the core router beyond the hold. The experiment gives none, as the router Lambda has none beyond its
   * config; tests set INIT billing or parallelism here to pin what they check.
   */
  readonly routerOptions: RouterOptions;
  /**
   * Wraps the placer factory of the service (the core router's), e.g. to record the requests it places.
   * @default the core router's factory, unwrapped
   */
  readonly wrapPlacerFactory?: (factory: PlacerFactory) => PlacerFactory;
}

/** What the platform billed for the calls of a metered run (`TwinRouting.metered`). */
export interface PlatformBill {
  costUsd: number;
  billedMs: number;
  /** Invocations the platform refused for concurrency. */
  throttled: number;
}

/** The twin's routing service and its store, for one deployment (one strategy of a run, across its days). */
export class TwinRouting {
  readonly store: MemoryRouterStore;
  readonly service: RoutingService;

  constructor(private readonly options: TwinRoutingOptions) {
    const { scenario, twin, prices } = options;
    this.store = new MemoryRouterStore({ now: () => twin.clock.now() });
    const regions = [...new Set(scenario.zones.map((z) => z.region))];
    const facts = new Map(regions.map((r) => [r, prices.facts(r)]));
    this.service = new RoutingService({
      store: this.store,
      invoker: twin.invoker,
      config: {
        deployed: options.deployed,
        architectures: options.architectures,
        memorySizes: options.memorySizes,
        regionFacts: (region) => facts.get(region) ?? prices.facts(region),
        holdMs: scenario.holdMs,
        rejectMode: options.rejectMode,
      },
      placerFactory: (options.wrapPlacerFactory ?? ((factory) => factory))(
        corePlacerFactory({ ...options.routerOptions, holdMs: scenario.holdMs }),
      ),
      clock: () => twin.clock.now(),
      timer: twin.clock,
      telemetry: silentTelemetry,
    });
  }

  /**
   * What the router places from now, in brief: the characterizations, the passive counts and the
   * observations behind each profile (for the report and the tests).
   */
  async viewSummary(): Promise<RouterViewSummary> {
    const { view } = await this.service.cache.get();
    const profileObservations: Record<string, number> = {};
    for (const [name, profile] of Object.entries(view.profiles)) {
      profileObservations[name] = profile.entries.reduce((sum, e) => sum + e.stats.count, 0);
    }
    return {
      characterizations: view.zones.map((z) => ({ azId: z.azId, counts: { ...z.counts } })),
      passive: Object.fromEntries(Object.entries(view.passive ?? {}).map(([az, c]) => [az, { ...c }])),
      profileObservations,
    };
  }

  /**
   * Every zone's CPU mix per architecture as the router places from it now (its characterization
   * and passive counts blended by the core), read through the routing service's view cache.
   * @throws TwinError when the service's placer is not the core router.
   */
  async placedMixes(): Promise<Readonly<Record<string, ResolvedZone['mixes']>>> {
    const { placer } = await this.service.cache.get();
    if (!(placer instanceof Router)) throw new TwinError("the twin's placer is not the core router");
    return Object.fromEntries(placer.zoneMixes.map((zone) => [zone.azId, zone.mixes]));
  }

  /** Makes these the zones' latest characterizations. */
  characterize(characterizations: readonly Characterization[]): void {
    for (const c of characterizations) this.store.putCharacterization(c);
  }

  /**
   * Sends one burst as one resumable router batch (in `waves` waves; paced by the router within `maxSlowdown` when
   * given), sent again with each answer's `resume` as a user would, and returns the answers merged and what the
   * platform billed for them. Must run inside the twin's `clock.run()`. When the router finds no
   * target that runs the work within its budget (`NoTarget`), as it answers a user, every request of the burst failed:
   * the outcome says so and `refused` carries the router's message, so the run goes on with the other bursts.
   * @throws TwinError when the router refuses the request for any other reason (a twin bug, not an outcome).
   */
  async burst(
    request: RouterRequestBody,
    count: number,
    waves = 1,
    maxSlowdown?: number,
  ): Promise<{ answer: BatchAnswer; outcome: BurstOutcome } | { refused: string; outcome: BurstOutcome }> {
    const { value: sends, bill } = await this.metered(async () => {
      const body: RouterRequestBody = {
        ...request,
        batch: {
          count,
          concurrency: burstConcurrency(count),
          ...(waves > 1 ? { waves } : {}),
          ...(maxSlowdown !== undefined ? { maxSlowdown } : {}),
          resumable: true,
        },
      };
      // A user follows each answer's `resume` for the calls the router Lambda's 15 minutes left.
      const sends = await sendUntilDone((part) => this.service.route(part, this.routerDeadline()), body);
      await this.service.flush();
      return sends;
    });
    const { answers, refused } = sends;
    if (refused && answers.length === 0 && refused.status === 'error' && refused.error.type === 'NoTarget') {
      return { refused: refused.error.message, outcome: refusedOutcome(count, bill.throttled) };
    }
    if (refused) {
      const detail = answerDetail(refused);
      throw new TwinError(`the router refused a burst of ${JSON.stringify(request.workload)}: ${detail}`);
    }
    const answer = mergeBatchAnswers(answers);
    return { answer, outcome: this.outcomeOf(answer, bill) };
  }

  /** The deadline of one invocation of the router Lambda starting now, on the twin's clock: its default timeout. */
  private routerDeadline(): DeadlineSource {
    const clock = this.options.twin.clock;
    const endsAt = clock.now() + ROUTER_TIMEOUT_SECONDS * 1000;
    return { getRemainingTimeInMillis: () => endsAt - clock.now() };
  }

  /**
   * Runs `work` and returns what the platform billed for the calls made meanwhile (every attempt's billed time,
   * INIT included where billed, and request charge). One metered run at a time per twin: the twin has one invoke hook.
   */
  async metered<T>(work: () => Promise<T>): Promise<{ readonly value: T; readonly bill: Readonly<PlatformBill> }> {
    const { twin, prices } = this.options;
    if (twin.onInvoke) throw new TwinError('another metered run is under way on this twin');
    const bill = { costUsd: 0, billedMs: 0, throttled: 0 };
    twin.onInvoke = (name, result) => this.addToBill(bill, name, result, prices);
    try {
      return { value: await work(), bill };
    } finally {
      twin.onInvoke = undefined;
    }
  }

  /**
   * Sends a profiling request (the router's `profiling` option, as `sky invoke --profiling` sends it) and returns
   * the router's answer. Must run inside the twin's `clock.run()`.
   * @throws TwinError when the router refuses the request (a twin bug, not an outcome).
   */
  async profile(request: RouterRequestBody): Promise<ProfilingAnswer> {
    const answer = await this.service.route(request, this.routerDeadline());
    await this.service.flush();
    if (answer.status !== 'profiling') {
      const detail = answerDetail(answer);
      const name = typeof request.workload === 'object' ? request.workload?.name : undefined;
      // The scenario's workload is what the user can change (its memoryMb, baseMs, cv or relative speeds).
      const what = name !== undefined ? `the scenario's workloads.${name}` : JSON.stringify(request.workload);
      throw new TwinError(`the router refused to profile ${what}: ${detail}`);
    }
    return answer;
  }

  /** Adds one call to `bill`: billed time (INIT included) × price, plus the request charge. */
  private addToBill(bill: PlatformBill, name: string, result: CallResult, prices: PriceBook): void {
    if (result.kind === 'throttled') bill.throttled++;
    const billedMs =
      result.kind === 'ok' ? result.billedMs : result.kind === 'function-error' ? result.billing?.billedMs : undefined;
    if (billedMs === undefined) return;
    const parsed = parseFunctionName(name);
    if (parsed?.kind !== 'dynamic') return;
    const region = this.options.scenario.zones.find((z) => z.azId === parsed.azId)?.region;
    if (!region) return;
    const call = billOfCall(prices, region, parsed.arch, parsed.memoryMb, billedMs);
    bill.billedMs += call.billedMs;
    bill.costUsd += call.costUsd;
  }

  private outcomeOf(answer: BatchAnswer, bill: Readonly<PlatformBill>): BurstOutcome {
    const acceptedByZone: Record<string, number> = {};
    const acceptedByMemory: Record<string, number> = {};
    const acceptedByArch: Record<string, number> = {};
    const acceptedByCpu: Record<CpuKey, number> = {};
    let attempts = 0;
    let exhausted = 0;
    let runtimeMs = 0;
    let addedLatencyMs = 0;
    const addedLatencyCounts: Record<string, number> = {};
    for (const call of answer.calls) {
      attempts += call.attempts;
      if (call.attempts >= answer.placement.maxAttempts) exhausted++;
      if (call.status !== 'ok') continue;
      runtimeMs += Math.ceil(call.runtimeMs ?? 0);
      addedLatencyMs += call.addedLatencyMs ?? 0;
      const added = Math.round(call.addedLatencyMs ?? 0);
      addedLatencyCounts[added] = (addedLatencyCounts[added] ?? 0) + 1;
      if (call.cpu) acceptedByCpu[call.cpu] = (acceptedByCpu[call.cpu] ?? 0) + 1;
      const parsed = call.functionName ? parseFunctionName(call.functionName) : undefined;
      if (parsed?.kind !== 'dynamic') continue;
      acceptedByZone[parsed.azId] = (acceptedByZone[parsed.azId] ?? 0) + 1;
      acceptedByMemory[parsed.memoryMb] = (acceptedByMemory[parsed.memoryMb] ?? 0) + 1;
      acceptedByArch[parsed.arch] = (acceptedByArch[parsed.arch] ?? 0) + 1;
    }
    const { summary } = answer;
    return {
      requests: summary.count,
      completed: summary.succeeded,
      failed: summary.failed,
      attempts,
      rejected: summary.rejects,
      exhausted,
      throttled: bill.throttled,
      costUsd: bill.costUsd,
      billedMs: bill.billedMs,
      runtimeMs,
      addedLatencyMs,
      addedLatencyCounts,
      acceptedByCpu,
      acceptedByZone,
      acceptedByMemory,
      acceptedByArch,
    };
  }
}

/** The outcome of a burst the router placed nowhere: every request failed, nothing ran or was billed. */
function refusedOutcome(requests: number, throttled: number): BurstOutcome {
  return {
    requests,
    completed: 0,
    failed: requests,
    attempts: 0,
    rejected: 0,
    exhausted: 0,
    throttled,
    costUsd: 0,
    billedMs: 0,
    runtimeMs: 0,
    addedLatencyMs: 0,
    addedLatencyCounts: {},
    acceptedByCpu: {},
    acceptedByZone: {},
    acceptedByMemory: {},
    acceptedByArch: {},
  };
}
