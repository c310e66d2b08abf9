import type { WorkloadRunner } from '../../lambda/dynamic/index';
import type { Platform } from '../contracts';
import { billedCost, billedDurationMs } from '../core/cost-model';
import { archOfCpu } from '../core/cpu';
import type { Arch, CpuKey } from '../core/types';
import type { Workload } from '../workloads/types';
import type { PriceBook } from './prices';
import { lognormalFactor, normalFactor, type Rng } from './random';
import type { Scenario, ScenarioWorkload } from './scenario';
import { modelRuntimeMs, relativeAt } from './workload-model';

/**
 * The workload model of a routing burst and its bound: the modelled runner that emulated instances
 * run (runtimes from the scenario's model through the dynamic handler's runner seam, in virtual
 * time), and the oracle. Bursts themselves are routed by the routing service (see `routing.ts`).
 */

/** What a burst came to. */
export interface BurstOutcome {
  readonly requests: number;
  /** Requests that ran the work (on the last attempt at the latest). */
  readonly completed: number;
  /** Requests that could not run at all (every target throttled, or the handler errored). */
  readonly failed: number;
  readonly attempts: number;
  readonly rejected: number;
  /** Requests that reached their last attempt, which runs wherever it lands. */
  readonly exhausted: number;
  readonly throttled: number;
  /** Billed USD of every attempt (duration rounded up to 1 ms × memory × price + request charge). */
  readonly costUsd: number;
  /** Billed time of every attempt that ran, each rounded up to 1 ms (INIT included where billed), ms. */
  readonly billedMs: number;
  /** Sum of the billed runtime of the accepted attempts, ms. */
  readonly runtimeMs: number;
  /** Sum over requests of the time spent before the accepted attempt began (rejections, throttles), ms. */
  readonly addedLatencyMs: number;
  /** Completed requests by their added latency rounded to the ms (mergeable across bursts, for percentiles). */
  readonly addedLatencyCounts: Readonly<Record<string, number>>;
  /** Accepted attempts per CPU key. */
  readonly acceptedByCpu: Readonly<Record<CpuKey, number>>;
  /** Accepted attempts per zone. */
  readonly acceptedByZone: Readonly<Record<string, number>>;
  /** Accepted attempts per memory size (MB, as a string key). */
  readonly acceptedByMemory: Readonly<Record<string, number>>;
  /** Accepted attempts per architecture. */
  readonly acceptedByArch: Readonly<Record<string, number>>;
  /** The oracle's: from the burst's start until its last call ends, ms (a routed burst's is timed by the twin). */
  readonly durationMs?: number;
}

/** The request number travels in the input, so that the runtime noise of request i is shared by every strategy. */
interface ModelInput {
  readonly request: number;
}

/** What the modelled runner needs to know about the burst under way. */
export interface ModelState {
  /** Runtime factor of the k-th run of a burst (mean 1); common to all strategies of a day and workload. */
  noise: Float64Array;
  /** Runs of the burst under way so far: the next run takes `noise[next]`. */
  next: number;
  /** Run the real workload code too (correctness mode); the billed time stays the model's. */
  realWorkloads: boolean;
  /** Per workload, when several run at once (the profiling phase): its own noise and runs so far, in place of `noise` and `next`. */
  byWorkload?: Map<string, { readonly noise: Float64Array; next: number }>;
}

/** Relative runtime of each workload per normalized CPU key at its own memory (unlisted CPUs run at 1.0). */
export function relativeByCpuKey(scenario: Scenario, workload: ScenarioWorkload): Map<CpuKey, number> {
  const out = new Map<CpuKey, number>();
  for (const cpu of scenario.cpuList) out.set(cpu.cpuKey, relativeAt(workload, cpu.key, workload.memoryMb));
  return out;
}

const runtimeCache = new WeakMap<ScenarioWorkload, Map<string, number>>();

/** The mean runtime of a workload on a CPU at a memory size (default: its own), ms; see workload-model.ts. */
export function meanRuntimeMs(
  scenario: Scenario,
  workload: ScenarioWorkload,
  cpuKey: CpuKey,
  memoryMb: number = workload.memoryMb,
): number {
  let byKey = runtimeCache.get(workload);
  if (!byKey) {
    byKey = new Map();
    runtimeCache.set(workload, byKey);
  }
  const key = `${cpuKey}@${memoryMb}`;
  let ms = byKey.get(key);
  if (ms === undefined) {
    ms = modelRuntimeMs(scenario, workload, cpuKey, memoryMb);
    byKey.set(key, ms);
  }
  return ms;
}

/** Draws the noise factors of a burst. */
export function drawNoise(rng: Rng, n: number, cv: number, kind: 'lognormal' | 'normal'): Float64Array {
  const noise = new Float64Array(n);
  for (let i = 0; i < n; i++) noise[i] = kind === 'normal' ? normalFactor(rng, cv) : lognormalFactor(rng, cv);
  return noise;
}

/**
 * The modelled runner of one instance: runtime = the model's mean on the instance's CPU at its
 * memory size × noise[request], slept on
 * the platform's (virtual) clock, so the dynamic handler's timings and the twin's billing see it; never past the
 * call's deadline.
 * With `realWorkloads` the real workload code runs first (its output check applies).
 */
export function modelRunner(scenario: Scenario, state: ModelState, platform: Platform): WorkloadRunner {
  return {
    async run(task) {
      const workload = scenario.workloads[task.name];
      if (!workload) return task.invoke();
      const input = task.input as Partial<ModelInput> | undefined;
      // A request that names its number keeps its noise; routed calls (which share one input) take the next.
      const own = state.byWorkload?.get(task.name);
      const i = typeof input?.request === 'number' ? input.request : own ? own.next++ : state.next++;
      if (state.realWorkloads) await task.invoke();
      // Whole ms (Lambda bills 1 ms steps), computed as the oracle computes it, so both bill alike.
      const mean = meanRuntimeMs(scenario, workload, task.instance.cpuKey, task.instance.memoryMb);
      const ms = Math.ceil(mean * ((own ? own.noise : state.noise)[i] ?? 1));
      // The handler stops a run at its deadline, and Lambda bills the call until then: a run that would outlast the
      // deadline ends 1 ms past it, which the handler's own check answers as a Timeout.
      const ran = Math.min(ms, task.timeoutMs + 1);
      await platform.sleep(ran);
      return { modelledMs: ran };
    },
  };
}

/**
 * Stand-ins for scenario workloads the dynamic handler does not ship (any scenario may name its
 * own): the modelled runner answers for them, so their `run` is never called.
 */
export function scenarioWorkloads(
  scenario: Scenario,
  builtIn: Readonly<Record<string, Workload>>,
): Record<string, Workload> {
  const out: Record<string, Workload> = { ...builtIn };
  for (const name of Object.keys(scenario.workloads)) {
    if (out[name]) continue;
    out[name] = {
      name,
      vCpus: 1,
      description: `scenario workload ${name} (modelled)`,
      sizes: { test: {}, small: {}, large: {} },
      run: () => ({}),
      check: () => undefined,
    };
  }
  return out;
}

/**
 * What the platform bills for one call of `durationMs` (INIT included where billed): the core's `billedCost`
 * at the zone's price, so a provider's vCPU-seconds and minimum billed time (DigitalOcean's 100 ms) apply
 * exactly as the core's cost model applies them.
 */
export function billOfCall(
  prices: PriceBook,
  region: string,
  arch: Arch,
  memoryMb: number,
  durationMs: number,
): { billedMs: number; costUsd: number } {
  const price = prices.billing(region, arch);
  return {
    billedMs: billedDurationMs(durationMs, price.minBilledMs),
    costUsd: billedCost(durationMs, memoryMb, price),
  };
}

/** One zone's fleet as the oracle sees it: hosts per CPU and what one host holds (as EmulatedZone counts it). */
export interface OracleZone {
  readonly azId: string;
  readonly region: string;
  readonly hostsByCpu: ReadonlyMap<CpuKey, number>;
  /** Most instances one host runs. */
  readonly slotsPerHost: number;
  /** Memory of one host for instances, MB. */
  readonly hostMemoryMb: number;
  /** The memory sizes deployed in the zone (another provider offers fewer). @default - every size asked */
  readonly memorySizes?: readonly number[];
}

/**
 * The oracle: it knows every instance's CPU before placing, so each request goes straight to an
 * instance of the cheapest (zone, CPU) with a free slot, in one attempt, at the memory size that is
 * cheapest on that CPU (among `memorySizes`) and on the CPU's architecture. Requests with the
 * largest runtime factor take the cheapest slots first, which minimizes the total (rearrangement
 * inequality), so no strategy that meets the same runtime factors can cost less. Each request
 * starts a new instance, billed its INIT where INIT is billed, as every strategy's first attempt is
 * when the whole burst starts at once.
 *
 * When the strategies' bursts run at most `concurrency` calls at a time (a batch's concurrency or
 * waves), their later calls reuse instances earlier ones left warm and skip INIT, so the oracle runs
 * under the same pacing: it starts `concurrency` instances on the cheapest slots and each takes the
 * next call as soon as its last one ends (the heaviest calls first, so the cheapest instances get
 * them), paying INIT once per instance. It still cannot know more than that: a strategy that spreads
 * its calls further in time (throttle back-off) can reuse more, and then cost less (the target tables
 * mark such rows).
 */
export function oracleBurst(
  zones: readonly OracleZone[],
  workload: ScenarioWorkload,
  scenario: Scenario,
  noise: Float64Array,
  requests: number,
  prices: PriceBook,
  choice: {
    readonly memorySizes: readonly number[];
    readonly initBilledMs: number;
    /** Most calls the strategies' bursts run at once. @default requests (all at once) */
    readonly concurrency?: number;
  },
): BurstOutcome {
  const options: Array<{
    azId: string;
    region: string;
    cpu: CpuKey;
    /** The bill of a call of mean runtime (INIT included), which orders the options. */
    meanCostUsd: number;
    msFactor: number;
    memoryMb: number;
    left: number;
  }> = [];
  for (const zone of zones) {
    for (const [cpu, hosts] of zone.hostsByCpu) {
      let best: (typeof options)[number] | undefined;
      for (const memoryMb of choice.memorySizes) {
        if (zone.memorySizes && !zone.memorySizes.includes(memoryMb)) continue;
        const slots = hosts * Math.min(zone.slotsPerHost, Math.floor(zone.hostMemoryMb / memoryMb));
        if (slots <= 0) continue;
        const msFactor = meanRuntimeMs(scenario, workload, cpu, memoryMb);
        const { costUsd } = billOfCall(prices, zone.region, archOfCpu(cpu), memoryMb, msFactor + choice.initBilledMs);
        const option = {
          azId: zone.azId,
          region: zone.region,
          cpu,
          meanCostUsd: costUsd,
          msFactor,
          memoryMb,
          left: slots,
        };
        if (!best || option.meanCostUsd < best.meanCostUsd) best = option;
      }
      if (best) options.push(best);
    }
  }
  options.sort((a, b) => a.meanCostUsd - b.meanCostUsd || (a.azId < b.azId ? -1 : 1));
  const order = Array.from({ length: requests }, (_, i) => i).sort(
    (a, b) => (noise[b] ?? 1) - (noise[a] ?? 1) || a - b,
  );
  const acceptedByCpu: Record<CpuKey, number> = {};
  const acceptedByZone: Record<string, number> = {};
  const acceptedByMemory: Record<string, number> = {};
  const acceptedByArch: Record<string, number> = {};
  let cost = 0;
  let billed = 0;
  let runtime = 0;
  let failed = 0;
  const concurrency = Math.max(1, Math.min(requests, choice.concurrency ?? requests));
  // Instances on the cheapest slots, as many as run at once; with all calls at once, one per call.
  const instances: Array<{ option: (typeof options)[number]; freeAt: number; warm: boolean }> = [];
  let o = 0;
  while (instances.length < concurrency) {
    while (o < options.length && options[o].left === 0) o++;
    if (o >= options.length) break;
    options[o].left--;
    instances.push({ option: options[o], freeAt: 0, warm: false });
  }
  const paced = concurrency < requests;
  for (const [k, i] of order.entries()) {
    let instance = instances[k];
    if (paced && instances.length > 0) {
      // The instance that frees first (the cheaper on a tie) takes the call.
      instance = instances[0];
      for (const candidate of instances) if (candidate.freeAt < instance.freeAt) instance = candidate;
    }
    if (!instance) {
      failed++;
      continue;
    }
    const option = instance.option;
    const ms = Math.ceil(option.msFactor * (noise[i] ?? 1));
    const initMs = instance.warm ? 0 : choice.initBilledMs;
    instance.warm = true;
    instance.freeAt += ms + initMs;
    const bill = billOfCall(prices, option.region, archOfCpu(option.cpu), option.memoryMb, ms + initMs);
    cost += bill.costUsd;
    billed += bill.billedMs;
    runtime += ms;
    acceptedByCpu[option.cpu] = (acceptedByCpu[option.cpu] ?? 0) + 1;
    acceptedByZone[option.azId] = (acceptedByZone[option.azId] ?? 0) + 1;
    acceptedByMemory[option.memoryMb] = (acceptedByMemory[option.memoryMb] ?? 0) + 1;
    const arch = archOfCpu(option.cpu);
    acceptedByArch[arch] = (acceptedByArch[arch] ?? 0) + 1;
  }
  let durationMs = 0;
  for (const instance of instances) durationMs = Math.max(durationMs, instance.freeAt);
  return {
    requests,
    completed: requests - failed,
    failed,
    attempts: requests - failed,
    rejected: 0,
    exhausted: 0,
    throttled: 0,
    costUsd: cost,
    billedMs: billed,
    runtimeMs: runtime,
    addedLatencyMs: 0,
    addedLatencyCounts: requests - failed > 0 ? { 0: requests - failed } : {},
    acceptedByCpu,
    acceptedByZone,
    acceptedByMemory,
    acceptedByArch,
    durationMs,
  };
}
