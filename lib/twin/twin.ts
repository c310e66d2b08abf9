import { providerSampling } from '../catalog/providers';
import {
  DYNAMIC_FUNCTION_TIMEOUT_SECONDS,
  FANOUT_MEMORY_MB,
  type InvocationReport,
  type InvokeOptions,
  type InvokeResult,
  type Invoker,
  isLambdaMemorySize,
  LAMBDA_MEMORY_MB,
  ROUTER_TIMEOUT_SECONDS,
  SAMPLING_DEFAULTS,
} from '../contracts';
import { billedDurationMs, initBilledMs, LAMBDA_MIN_BILLED_MS } from '../core/cost-model';
import { parseFunctionName, providerOfZone } from '../core/naming';
import type { Arch } from '../core/types';
import type { Clock } from './clock';
import { TwinError } from './errors';
import { type CallTiming, InstancePlatform } from './instance-platform';
import type { HandlerKit, InstanceHandler, PlainHandler, TwinContext } from './kit';
import { rngFor } from './random';
import { mixOfDay, type Scenario, type ScenarioCpu } from './scenario';
import { DEFAULT_KEEP_ALIVE_MS, EmulatedZone, hostCounts, type Instance } from './zone';

/**
 * The twin's world: one emulated zone per scenario zone, the functions skymesh deploys there
 * (resolved from their deterministic names), and any plain handlers registered by name. `call()`
 * is what a Lambda Invoke does; `invoker` offers it through the handlers' Invoker interface, and
 * the loopback API serves it over HTTP.
 */

/** Lambda's answer when a zone cannot start another instance. */
export const THROTTLE_REASON = 'ConcurrentInvocationLimitExceeded';
export const THROTTLE_MESSAGE = 'Rate Exceeded.';

/** What one invocation came to. */
export type CallResult =
  | {
      readonly kind: 'ok';
      readonly payload: unknown;
      /** Emulated time from the invoke to the answer (invoke latency, cold start, handler). */
      readonly durationMs: number;
      /** How long the handler ran. */
      readonly runMs: number;
      /**
       * What Lambda bills: the handler's run rounded up to the next 1 ms (at least 1 ms: a call that took no time on
       * the twin's clock took some on Lambda's), plus the INIT of a new instance where the scenario's pricing bills INIT.
       */
      readonly billedMs: number;
      /** The INIT part of `billedMs` (0 for a warm instance or when INIT is not billed). */
      readonly initBilledMs?: number;
      /** How long the new instance's INIT took, billed or not (absent for a warm instance). */
      readonly initMs?: number;
      readonly instanceId?: string;
      readonly cold?: boolean;
      /** The CPU key of the instance's host. */
      readonly cpu?: string;
    }
  | {
      readonly kind: 'function-error';
      readonly errorType: string;
      readonly errorMessage: string;
      readonly trace: readonly string[];
      readonly durationMs: number;
      /** What Lambda bills a run that failed, as an answered one (absent for a handler that is not a zone's). */
      readonly billing?: Pick<Extract<CallResult, { kind: 'ok' }>, 'runMs' | 'billedMs' | 'initBilledMs' | 'initMs'>;
    }
  | { readonly kind: 'throttled'; readonly reason: string; readonly message: string; readonly durationMs: number }
  | { readonly kind: 'not-found'; readonly message: string }
  | { readonly kind: 'timeout'; readonly message: string; readonly durationMs: number }
  /** An `Event` invocation was queued; the call runs in the background. */
  | { readonly kind: 'queued' };

export interface TwinOptions {
  readonly scenario: Scenario;
  readonly clock: Clock;
  /** Creates the handlers run in emulated instances. */
  readonly kit: HandlerKit;
  /** @default DEFAULT_KEEP_ALIVE_MS (5 minutes of emulated time) */
  readonly keepAliveMs?: number;
  /**
   * Emulated INIT of a new instance: time a cold start adds before the handler runs, billed where
   * the scenario's `pricing.initBilled` is true. @default the scenario's `initMs`
   */
  readonly coldStartMs?: number;
  /** Emulated round-trip time of an invoke, added to every call. @default 5 */
  readonly invokeLatencyMs?: number;
  /** Memory of sampler 0; sampler i gets base + i (the paper's 10,140..10,240 MB). @default 10140 */
  readonly samplerMemoryBaseMb?: number;
  /** Memory of the fan-out function, as the zone sampler stack deploys it. @default 1024 */
  readonly fanoutMemoryMb?: number;
  /** Whether emulated /proc/stat carries CPU ticks (see InstanceFacts.cpuTicks). @default true */
  readonly cpuTicks?: boolean;
  /** The day of the scenario whose fleet the zones start with. @default 0 */
  readonly day?: number;
  /** ms since the epoch at day 0 (fleet boot times derive from it). @default 2024-05-01T00:00Z */
  readonly epochMs?: number;
}

/** Day 0 of every experiment; the paper's EX-4 ran in spring 2024. */
export const DEFAULT_EPOCH_MS = Date.UTC(2024, 4, 1);

/** What lives in an emulated instance: its platform and the handler created for it. */
export interface InstanceRuntime {
  readonly platform: InstancePlatform;
  readonly handler: InstanceHandler;
}

/** An emulated zone of the twin. */
export type TwinZone = EmulatedZone<InstanceRuntime>;

interface ZoneFunction {
  readonly zone: EmulatedZone<InstanceRuntime>;
  readonly name: string;
  readonly arch: Arch;
  readonly memoryMb: number;
  /** The function's configured timeout, ms, as its Lambda context reports it. @default 900000 */
  readonly timeoutMs?: number;
  /** How its calls are timed (a fan-out's always by the clock). @default 'clock' */
  readonly timing?: CallTiming;
  readonly create: (platform: InstancePlatform) => InstanceHandler;
}

let requestSerial = 0;

/** The twin's world; see the module comment. */
export class Twin {
  readonly scenario: Scenario;
  readonly clock: Clock;
  readonly invoker: Invoker;
  private readonly kit: HandlerKit;
  private readonly zoneMap = new Map<string, EmulatedZone<InstanceRuntime>>();
  private readonly plain = new Map<string, PlainHandler>();
  /** Emulated INIT of a new instance, ms. */
  readonly coldStartMs: number;
  /** Billed ms of a new instance's INIT (0 where INIT is not billed by the scenario's pricing). */
  readonly initBilledMs: number;
  private readonly invokeLatencyMs: number;
  private readonly samplerMemoryBaseMb: number;
  private readonly fanoutMemoryMb: number;
  private readonly epochMs: number;
  private readonly cpuTicks: boolean;
  private currentDay = 0;
  private readonly background = new Set<Promise<unknown>>();
  /** Function names resolved so far (null: not a function of the twin). */
  private readonly resolved = new Map<string, ZoneFunction | null>();

  constructor(options: TwinOptions) {
    this.scenario = options.scenario;
    this.clock = options.clock;
    this.kit = options.kit;
    this.coldStartMs = options.coldStartMs ?? this.scenario.initMs;
    this.initBilledMs = initBilledMs({ billed: this.scenario.pricing.initBilled, initMs: this.coldStartMs });
    this.invokeLatencyMs = options.invokeLatencyMs ?? 5;
    this.samplerMemoryBaseMb = options.samplerMemoryBaseMb ?? SAMPLING_DEFAULTS.samplerMemoryMb;
    this.fanoutMemoryMb = options.fanoutMemoryMb ?? FANOUT_MEMORY_MB;
    this.epochMs = options.epochMs ?? DEFAULT_EPOCH_MS;
    this.cpuTicks = options.cpuTicks ?? true;
    for (const z of this.scenario.zones) {
      const zone = new EmulatedZone<InstanceRuntime>({
        azId: z.azId,
        region: z.region,
        slotsPerHost: z.slotsPerHost,
        ...(z.hostMemoryMb !== undefined ? { hostMemoryMb: z.hostMemoryMb } : {}),
        clock: this.clock,
        rng: rngFor(this.scenario.seed, 'zone', z.azId),
        keepAliveMs: options.keepAliveMs ?? DEFAULT_KEEP_ALIVE_MS,
        placementSpread: z.placementSpread ?? 1,
      });
      this.zoneMap.set(z.azId, zone);
    }
    this.setDay(options.day ?? 0);
    this.invoker = { invoke: (name, payload, opts) => this.invoke(name, payload, opts) };
  }

  /** The emulated zones by AZ ID. */
  get zones(): ReadonlyMap<string, TwinZone> {
    return this.zoneMap;
  }

  get day(): number {
    return this.currentDay;
  }

  /**
   * Installs day `day`'s fleet in every zone: host CPUs from the day's mix (largest remainder),
   * placed on hosts in a seeded random order, with seeded boot times. Live instances are dropped. `draw` names
   * another seeded draw of where instances land on the same fleet (the same hosts, boot times included), e.g. one
   * per workload, so that repeated fresh pools of a day are not all the same draw.
   */
  setDay(day: number, draw?: string): void {
    if (!Number.isInteger(day) || day < 0) throw new TwinError(`day must be a whole number ≥ 0, got ${day}`);
    this.currentDay = day;
    for (const z of this.scenario.zones) {
      const zone = this.zoneMap.get(z.azId) as EmulatedZone<InstanceRuntime>;
      zone.configure(
        [...fleetOf(this.scenario, z.azId, day), ...arm64FleetOf(this.scenario, z.azId, day)],
        rngFor(this.scenario.seed, 'zone', z.azId, 'day', day),
        this.epochMs + day * 86_400_000,
        draw === undefined ? undefined : rngFor(this.scenario.seed, 'zone', z.azId, 'day', day, 'draw', draw),
      );
    }
  }

  /** Registers a handler by function name (e.g. `sky-router`, `sky-steps-<azId>`); it runs outside the zones. */
  register(functionName: string, handler: PlainHandler): void {
    this.plain.set(functionName, handler);
  }

  /** Removes a registered handler. */
  unregister(functionName: string): void {
    this.plain.delete(functionName);
  }

  /** Waits until every `Event` invocation queued so far has finished. */
  async drain(): Promise<void> {
    while (this.background.size > 0) await Promise.all([...this.background]);
  }

  /**
   * Called with every call made through `invoke` and what it came to, as the platform saw it
   * (billed time included): the twin's bill, kept apart from what the router estimates.
   */
  onInvoke: ((functionName: string, result: CallResult) => void) | undefined;

  /** The Invoker interface over `call()`: failures are data, never thrown. */
  async invoke(functionName: string, payload: unknown, options: InvokeOptions = {}): Promise<InvokeResult> {
    const started = this.clock.now();
    const result = await this.call(functionName, payload, {
      invocationType: options.invocationType,
      timeoutMs: options.timeoutMs,
    });
    // Lambda returns a log tail with the REPORT record when asked; another provider's HTTPS function returns none.
    const tail = options.logTail === true && options.invocationType !== 'Event' && writesReport(functionName);
    this.onInvoke?.(functionName, result);
    switch (result.kind) {
      case 'ok':
        return {
          ok: true,
          payload: result.payload,
          durationMs: result.durationMs,
          ...(tail ? { report: reportOfCall(result) } : {}),
        };
      case 'queued':
        return { ok: true, payload: undefined, durationMs: this.clock.now() - started };
      case 'function-error':
        return {
          ok: false,
          errorType: 'Unhandled',
          message: `${result.errorType}: ${result.errorMessage}`,
          retryable: false,
          durationMs: result.durationMs,
          ...(tail && result.billing ? { report: reportOfCall(result.billing) } : {}),
        };
      case 'throttled':
        return {
          ok: false,
          errorType: 'TooManyRequestsException',
          message: result.message,
          retryable: true,
          durationMs: result.durationMs,
        };
      case 'timeout':
        return {
          ok: false,
          errorType: 'Timeout',
          message: result.message,
          retryable: true,
          durationMs: result.durationMs,
        };
      case 'not-found':
        return {
          ok: false,
          errorType: 'ResourceNotFoundException',
          message: result.message,
          retryable: false,
          durationMs: 0,
        };
    }
  }

  /**
   * One invocation by name or ARN. `RequestResponse` (default) waits for the answer; `Event`
   * queues the call and returns `queued` at once; `DryRun` only checks that the function exists.
   */
  async call(
    nameOrArn: string,
    payload: unknown,
    options: { invocationType?: 'RequestResponse' | 'Event' | 'DryRun'; timeoutMs?: number } = {},
  ): Promise<CallResult> {
    const name = functionNameOf(nameOrArn);
    const plain = this.plain.get(name);
    const zoneFn = plain ? undefined : this.resolve(name);
    if (!plain && !zoneFn) {
      return { kind: 'not-found', message: `Function not found: ${arnOf(name, this.scenario.zones[0]?.region)}` };
    }
    if (options.invocationType === 'DryRun') return { kind: 'queued' };
    const run = plain
      ? () => this.callPlain(name, plain, payload)
      : () => this.callZone(zoneFn as ZoneFunction, payload);
    if (options.invocationType === 'Event') {
      const job = run().catch(() => undefined);
      this.background.add(job);
      job.finally(() => this.background.delete(job));
      return { kind: 'queued' };
    }
    if (options.timeoutMs === undefined) return run();
    return this.withTimeout(run(), options.timeoutMs, name);
  }

  private withTimeout(work: Promise<CallResult>, timeoutMs: number, name: string): Promise<CallResult> {
    const started = this.clock.now();
    const timer = this.clock.sleep(timeoutMs).then(
      (): CallResult => ({
        kind: 'timeout',
        message: `${name} did not answer within ${timeoutMs} ms`,
        durationMs: this.clock.now() - started,
      }),
    );
    return Promise.race([work, timer]);
  }

  /** The configured memory of a zone function of the twin (sampler, fan-out, dynamic), MB, or undefined. */
  memoryOf(functionName: string): number | undefined {
    return this.resolve(functionName)?.memoryMb;
  }

  private resolve(name: string): ZoneFunction | undefined {
    let fn = this.resolved.get(name);
    if (fn === undefined) {
      fn = this.resolveUncached(name) ?? null;
      this.resolved.set(name, fn);
    }
    return fn ?? undefined;
  }

  private resolveUncached(name: string): ZoneFunction | undefined {
    const parsed = parseFunctionName(name);
    if (!parsed || parsed.kind === 'router' || parsed.kind === 'steps') return undefined;
    const zone = this.zoneMap.get(parsed.azId);
    if (!zone) return undefined;
    switch (parsed.kind) {
      case 'dynamic': {
        if (!isLambdaMemorySize(parsed.memoryMb)) return undefined;
        const fn = { name, azId: parsed.azId, arch: parsed.arch, memoryMb: parsed.memoryMb };
        return {
          zone,
          name,
          arch: parsed.arch,
          memoryMb: parsed.memoryMb,
          // The mesh's timeout, so a call runs as long as a deployed one may, and no longer.
          timeoutMs: DYNAMIC_FUNCTION_TIMEOUT_SECONDS * 1000,
          timing: this.timingOf('dynamic'),
          create: (p) => this.kit.dynamic(p, fn),
        };
      }
      case 'sampler': {
        // Samplers on another provider all have its one sampler size; Lambda's have a size each.
        const memoryMb =
          providerSampling(zone.region)?.samplerMemoryMb ??
          Math.min(LAMBDA_MEMORY_MB.max, this.samplerMemoryBaseMb + parsed.index);
        const fn = { name, azId: parsed.azId, index: parsed.index, memoryMb };
        // An arm64 sampler runs on the zone's arm64 fleet; an x86_64 one where the zone's functions run by default.
        const arch = parsed.arch === 'arm64' ? 'arm64' : defaultArch(zone);
        return { zone, name, arch, memoryMb, timing: this.timingOf('sampler'), create: (p) => this.kit.sampler(p, fn) };
      }
      case 'fanout': {
        const fn = { name, azId: parsed.azId, memoryMb: this.fanoutMemoryMb };
        return {
          zone,
          name,
          arch: defaultArch(zone),
          memoryMb: this.fanoutMemoryMb,
          create: (p) => this.kit.fanout(p, fn, this.invoker),
        };
      }
    }
  }

  private timingOf(kind: 'dynamic' | 'sampler'): CallTiming {
    return this.kit.workTimed?.includes(kind) ? 'work' : 'clock';
  }

  private async callPlain(name: string, handler: PlainHandler, payload: unknown): Promise<CallResult> {
    const started = this.clock.now();
    try {
      // Registered handlers (the router, the sampling steps) run with the router Lambda's timeout, Lambda's longest.
      const timeoutMs = ROUTER_TIMEOUT_SECONDS * 1000;
      const answer = await handler(
        payload,
        contextOf(name, 1024, this.scenario.zones[0]?.region, this.clock, timeoutMs),
      );
      const durationMs = this.clock.now() - started;
      return {
        kind: 'ok',
        payload: answer ?? null,
        durationMs,
        runMs: durationMs,
        billedMs: billedDurationMs(durationMs, LAMBDA_MIN_BILLED_MS),
      };
    } catch (error) {
      return functionError(error, this.clock.now() - started);
    }
  }

  private async callZone(fn: ZoneFunction, payload: unknown): Promise<CallResult> {
    const started = this.clock.now();
    // The instance is taken when the invoke arrives; the round trip and any cold start are one wait.
    const got = fn.zone.acquire(fn.name, fn.arch, fn.memoryMb);
    if (!got.ok) {
      if (this.invokeLatencyMs > 0) await this.clock.sleep(this.invokeLatencyMs);
      return {
        kind: 'throttled',
        reason: THROTTLE_REASON,
        message: THROTTLE_MESSAGE,
        durationMs: this.clock.now() - started,
      };
    }
    const instance = got.instance;
    let runStarted: number | undefined;
    try {
      const wait = this.invokeLatencyMs + (got.cold ? this.coldStartMs : 0);
      if (wait > 0) await this.clock.sleep(wait);
      runStarted = this.clock.now();
      if (got.cold) {
        const platform = new InstancePlatform(
          {
            functionName: fn.name,
            memoryMb: fn.memoryMb,
            region: fn.zone.region,
            azId: fn.zone.azId,
            host: instance.host,
            instanceId: instance.id,
            cpuTicks: this.cpuTicks,
            timing: fn.timing ?? 'clock',
          },
          this.clock,
        );
        instance.payload = { platform, handler: fn.create(platform) };
      }
      const runtime = instance.payload as InstanceRuntime;
      runtime.platform.beginCall();
      try {
        const answer = await runtime.handler(
          payload,
          contextOf(fn.name, fn.memoryMb, fn.zone.region, this.clock, fn.timeoutMs ?? 900_000),
        );
        const runMs = runtime.platform.callElapsedMs();
        const init = got.cold ? this.initBilledMs : 0;
        return {
          kind: 'ok',
          payload: answer ?? null,
          durationMs: this.clock.now() - started,
          runMs,
          billedMs: billedDurationMs(runMs, LAMBDA_MIN_BILLED_MS) + init,
          initBilledMs: init,
          ...(got.cold ? { initMs: this.coldStartMs } : {}),
          instanceId: instance.id,
          cold: got.cold,
          cpu: instance.host.cpu.cpuKey,
        };
      } finally {
        runtime.platform.endCall();
      }
    } catch (error) {
      const failed = functionError(error, this.clock.now() - started);
      if (runStarted === undefined || failed.kind !== 'function-error') return failed;
      // Lambda bills a run that failed as one that answered: its duration, and a new instance's INIT where billed.
      const runMs = this.clock.now() - runStarted;
      const init = got.cold ? this.initBilledMs : 0;
      return {
        ...failed,
        billing: {
          runMs,
          billedMs: billedDurationMs(runMs, LAMBDA_MIN_BILLED_MS) + init,
          initBilledMs: init,
          ...(got.cold ? { initMs: this.coldStartMs } : {}),
        },
      };
    } finally {
      this.finish(fn.zone, instance);
    }
  }

  private finish(zone: EmulatedZone<InstanceRuntime>, instance: Instance<InstanceRuntime>): void {
    if (instance.payload?.platform.ending) zone.end(instance);
    else zone.release(instance);
  }
}

/** Whether a function's invocations write Lambda's REPORT record: those of Lambda's zones and registered handlers. */
function writesReport(functionName: string): boolean {
  const parsed = parseFunctionName(functionName);
  return parsed === undefined || !('azId' in parsed) || providerOfZone(parsed.azId) === 'aws';
}

/**
 * What Lambda's REPORT record would say of a call that ran, answered or failed: its billed time (INIT included where
 * billed), the handler's duration, and a new instance's INIT.
 */
export function reportOfCall(
  result: Pick<Extract<CallResult, { kind: 'ok' }>, 'runMs' | 'billedMs' | 'initMs'>,
): InvocationReport {
  return {
    billedMs: result.billedMs,
    durationMs: result.runMs,
    ...(result.initMs !== undefined ? { initMs: result.initMs } : {}),
  };
}

/** The CPU of each host of a zone on a day, in a seeded random host order. */
export function fleetOf(scenario: Scenario, azId: string, day: number): ScenarioCpu[] {
  const zone = scenario.zones.find((z) => z.azId === azId);
  if (!zone) throw new TwinError(`zone ${azId} is not in scenario ${scenario.name}`);
  const byKey = new Map(scenario.cpuList.map((c) => [c.key, c]));
  const counts = hostCounts(
    mixOfDay(zone, day),
    scenario.cpuList.map((c) => c.key),
    zone.hosts,
  );
  const fleet: ScenarioCpu[] = [];
  for (const [key, count] of counts) {
    for (let i = 0; i < count; i++) fleet.push(byKey.get(key) as ScenarioCpu);
  }
  return fleet;
}

/**
 * The CPU of each host of a zone's arm64 fleet on a day (project extension `zones[].arm64`): its
 * own hosts beside the x86_64 ones, which only arm64 functions run on. Empty without one.
 */
export function arm64FleetOf(scenario: Scenario, azId: string, day: number): ScenarioCpu[] {
  const zone = scenario.zones.find((z) => z.azId === azId);
  if (!zone) throw new TwinError(`zone ${azId} is not in scenario ${scenario.name}`);
  if (!zone.arm64) return [];
  const byKey = new Map(scenario.cpuList.map((c) => [c.key, c]));
  const mix = zone.arm64.mix[Math.min(day, zone.arm64.mix.length - 1)];
  const counts = hostCounts(
    mix,
    scenario.cpuList.map((c) => c.key),
    zone.arm64.hosts,
  );
  const fleet: ScenarioCpu[] = [];
  for (const [key, count] of counts) {
    for (let i = 0; i < count; i++) fleet.push(byKey.get(key) as ScenarioCpu);
  }
  return fleet;
}

function defaultArch(zone: TwinZone): Arch {
  return zone.hosts.some((h) => h.arch === 'x86_64') || zone.hosts.length === 0 ? 'x86_64' : 'arm64';
}

function functionNameOf(nameOrArn: string): string {
  const arn = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(nameOrArn);
  if (arn) return arn[1];
  // Partial ARN `123456789012:function:name`.
  const partial = /^\d{12}:function:([^:]+)$/.exec(nameOrArn);
  return partial ? partial[1] : nameOrArn;
}

function arnOf(name: string, region = 'us-east-1'): string {
  return `arn:aws:lambda:${region}:000000000000:function:${name}`;
}

/** The Lambda context of one call (a class, so that a call allocates one small object). */
class CallContext implements TwinContext {
  readonly functionVersion = '$LATEST';
  readonly callbackWaitsForEmptyEventLoop = false;
  readonly logStreamName = 'twin';
  readonly awsRequestId: string;
  private readonly deadline: number;
  constructor(
    readonly functionName: string,
    private readonly memoryMb: number,
    private readonly region: string | undefined,
    private readonly clock: Clock,
    timeoutMs: number,
  ) {
    this.deadline = clock.now() + timeoutMs;
    this.awsRequestId = `twin-${(++requestSerial).toString(16).padStart(8, '0')}`;
  }
  get invokedFunctionArn(): string {
    return arnOf(this.functionName, this.region);
  }
  get memoryLimitInMB(): string {
    return String(this.memoryMb);
  }
  get logGroupName(): string {
    return `/aws/lambda/${this.functionName}`;
  }
  getRemainingTimeInMillis(): number {
    return Math.max(0, this.deadline - this.clock.now());
  }
}

function contextOf(
  name: string,
  memoryMb: number,
  region: string | undefined,
  clock: Clock,
  timeoutMs: number,
): TwinContext {
  return new CallContext(name, memoryMb, region, clock, timeoutMs);
}

function functionError(error: unknown, durationMs: number): CallResult {
  const e = error instanceof Error ? error : new Error(String(error));
  return {
    kind: 'function-error',
    errorType: e.name || 'Error',
    errorMessage: e.message,
    trace: (e.stack ?? '').split('\n').slice(0, 10),
    durationMs,
  };
}
