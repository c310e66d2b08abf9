import { effectiveMaxPolls } from '../contracts';
import { decideStop } from '../core/stopping-rule';
import type { PollAggregate } from '../core/types';
import type { StepContext } from './context';
import { StepInputError } from './errors';
import type { EventOf, RunState } from './events';

/**
 * Decide: applies the core stopping rule to every poll recorded so far (read back from the
 * table, so a decision never depends on state lost between steps).
 */
export async function decideStep(event: EventOf<'decide'>, ctx: StepContext): Promise<RunState> {
  const { runId, azId, settings, run } = event;
  // Deciding on a run no start step made would send the state machine to poll for it again.
  const stored = await ctx.store.getRun(runId);
  if (!stored || stored.azId !== azId) {
    throw new StepInputError('runId', runId, `a run the start step made for ${azId}`);
  }
  const records = await ctx.store.polls(runId);
  const polls: PollAggregate[] = records.map((record) => record.aggregate);
  const costSoFarUsd = records.reduce((sum, record) => sum + record.costUsd, 0);
  const verdict = decideStop(polls, {
    accuracyTarget: settings.accuracyTarget,
    saturationFailureRate: settings.saturationFailureRate,
    maxPolls: effectiveMaxPolls(settings),
    maxCostUsd: settings.maxRunCostUsd,
    costSoFarUsd,
    pollPricing: {
      samplerMemoryMb: settings.samplerMemoryMb,
      pricePerGbSecond: settings.pricePerGbSecond,
      pricePerRequest: settings.pricePerRequest,
      initBilledMs: settings.initBilledMs,
    },
  });
  const decision =
    verdict.action === 'continue'
      ? {
          action: 'continue' as const,
          estimatedApe: round(verdict.estimatedApe),
          waitSeconds: Math.max(0, Math.ceil(verdict.waitSeconds)),
        }
      : { action: 'stop' as const, reason: verdict.reason, estimatedApe: round(verdict.estimatedApe), waitSeconds: 0 };
  return { ...run, decision };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
