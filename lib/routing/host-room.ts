import { instancesPerHost } from '../core/fleet-capacity';
import { hostOfAttempt } from './pool';
import type { AttemptRecord } from './types';

/**
 * How many of one function's instances a host takes, as the router learns it from its probed batches.
 *
 * A probed batch (`probe.ts`) starts its other workers once the probe holds an accepted instance, and the platform
 * packs their cold starts onto that host, so the probe's search is paid once for as many workers as the host takes.
 * Lambda does not publish how many that is (Wang et al., USENIX ATC 2018, saw one account's instances fill a worker's
 * memory before the next). Until a batch has shown it, the router takes what a host's memory allows
 * (`instancesPerHost`: 384 GiB over the memory size, an upper bound). A probed batch shows it: its workers' first
 * instances land on the probe's host until the host is full, and the first that lands on another host tells how many
 * the probe's host took. The room is kept as the function's share of a host's memory (instances × memory size), as
 * the platform packs by memory, so a batch at one memory size prices every size. A batch whose workers filled a host
 * sets it; one whose workers all fit raises it where they were more than it allowed.
 *
 * It lives as long as the router's instance (a Lambda execution environment, or the twin's deployment) and is not
 * stored: a new instance learns it again from its first probed batch that fills a host.
 */
export class HostRoom {
  /** One function's share of a host's memory, MB; undefined until a probed batch filled a host. */
  private shareMb: number | undefined;

  /** Instances of one function at `memoryMb` a host is expected to take (at least one). */
  at(memoryMb: number): number {
    if (this.shareMb === undefined) return instancesPerHost(memoryMb);
    return Math.max(1, Math.floor(this.shareMb / Math.max(1, memoryMb)));
  }

  /** Learns from what a probed batch's first round met (`ProbeHostTally.room`) at `memoryMb`. */
  learn(room: ObservedRoom, memoryMb: number): void {
    const shareMb = room.instances * memoryMb;
    if (room.filled) this.shareMb = shareMb;
    else if (this.shareMb !== undefined && shareMb > this.shareMb) this.shareMb = shareMb;
  }

  /** The share it has learned, MB; undefined until a probed batch filled a host. */
  get learnedShareMb(): number | undefined {
    return this.shareMb;
  }
}

/** What a probed batch's first round showed of the probe's host. */
export interface ObservedRoom {
  /** The probe's function. */
  readonly functionName: string;
  /** Instances of the function the probe's host took: the probe's and the workers' that landed there first. */
  readonly instances: number;
  /** Whether a worker's first instance landed on another host after them: the host was full. */
  readonly filled: boolean;
}

/**
 * Where a probed batch's first round of instances landed: the probe's (the last attempt of the batch's first call, on
 * the host its instance runs on) and each other worker's first attempt (calls 1 to concurrency − 1, which start
 * together once the probe ends). Attempts on another function (a worker the spread started on another fleet) and
 * attempts whose host is unknown say nothing of the probe's host.
 */
export class ProbeHostTally {
  private probe: { readonly functionName: string; readonly host: string } | undefined;
  private readonly firsts: Array<{ readonly index: number; readonly functionName: string; readonly host?: string }> =
    [];

  /** The probe's call's attempt: the host of the last one answered is where its instance runs. */
  observeProbe(attempt: AttemptRecord): void {
    const host = attempt.status === 'ok' ? hostOfAttempt(attempt) : undefined;
    if (host !== undefined) this.probe = { functionName: attempt.functionName, host };
  }

  /** The first attempt of call `index` of the first round (a worker's first instance). */
  observeFirst(index: number, attempt: AttemptRecord): void {
    if (attempt.newInstance !== true) return;
    this.firsts.push({ index, functionName: attempt.functionName, host: hostOfAttempt(attempt) });
  }

  /**
   * What the first round showed, in call order: the workers' first instances on the probe's function that landed on
   * its host before one landed elsewhere. Undefined when the probe's host is unknown, a worker's host on its function
   * is unknown, or no worker started on its function.
   */
  room(): ObservedRoom | undefined {
    const probe = this.probe;
    if (!probe) return undefined;
    const here = this.firsts.filter((f) => f.functionName === probe.functionName).sort((a, b) => a.index - b.index);
    if (here.length === 0 || here.some((f) => f.host === undefined)) return undefined;
    const before = here.findIndex((f) => f.host !== probe.host);
    const { functionName } = probe;
    return before < 0
      ? { functionName, instances: 1 + here.length, filled: false }
      : { functionName, instances: 1 + before, filled: true };
  }
}
