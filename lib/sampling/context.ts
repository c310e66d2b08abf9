import { samplersPerPollOf } from '../contracts';
import { samplerFunctionName } from '../core/naming';
import type { Arch } from '../core/types';
import type { SamplingSettings } from './events';
import type { SamplingMetrics } from './metrics';
import type { SamplingStore } from './store';

/** What every step needs: the table, a clock and the metrics sink. */
export interface StepContext {
  readonly store: SamplingStore;
  /**
   * Where the store is, as an error of its client names it: e.g. `table skymesh in us-west-2`.
   * @default - 'the store'
   */
  readonly storeName?: string;
  /** ms since the epoch. */
  readonly now: () => number;
  readonly metrics: SamplingMetrics;
}

/**
 * Index of the first sampler that poll `pollIndex` of a run hits: each poll takes the next
 * `samplersPerPoll` endpoints, so every poll meets fresh functions (and so fresh instances).
 */
export function samplerIndexOf(samplerStart: number, pollIndex: number, settings: SamplingSettings): number {
  return (samplerStart + pollIndex * samplersPerPollOf(settings)) % settings.samplersPerZone;
}

/** Function names of the samplers poll `pollIndex` spreads its requests over. */
export function samplerTargets(
  azId: string,
  samplerStart: number,
  pollIndex: number,
  settings: SamplingSettings,
): string[] {
  const first = samplerIndexOf(samplerStart, pollIndex, settings);
  const count = samplersPerPollOf(settings);
  return Array.from({ length: count }, (_, j) =>
    samplerFunctionName(
      azId,
      (first + j) % settings.samplersPerZone,
      settings.samplersPerZone,
      samplerArchOf(settings),
    ),
  );
}

/** The first sampler poll `pollIndex` hits (the one its records name). */
export function samplerTarget(
  azId: string,
  samplerStart: number,
  pollIndex: number,
  settings: SamplingSettings,
): string {
  return samplerFunctionName(
    azId,
    samplerIndexOf(samplerStart, pollIndex, settings),
    settings.samplersPerZone,
    samplerArchOf(settings),
  );
}

/** The architecture a run samples (absent from the settings: x86_64). */
export function samplerArchOf(settings: Pick<SamplingSettings, 'samplerArch'>): Arch {
  return settings.samplerArch ?? 'x86_64';
}

/**
 * Where a run's rotation starts: a hash of the run id (FNV-1a), so that consecutive runs start at
 * different samplers and a retried start step picks the same one.
 */
export function samplerStartOf(runId: string, samplersPerZone: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < runId.length; i++) {
    hash ^= runId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash % samplersPerZone;
}
