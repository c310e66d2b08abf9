import type { z } from 'zod';
import type { StepContext } from './context';
import { decideStep } from './decide';
import { StepInputError } from './errors';
import { type FailedRun, type RunState, type StepEvent, StepEventSchema } from './events';
import { finalizeStep } from './finalize';
import { markFailedStep } from './mark-failed';
import { recordStep } from './record';
import { startStep } from './start';

export type StepsHandler = (event: unknown) => Promise<RunState | FailedRun>;

/**
 * Validates a step event and names the field at fault.
 * @throws StepInputError
 */
export function parseStepEvent(event: unknown): StepEvent {
  const parsed = StepEventSchema.safeParse(event);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : '(event)';
  let value: unknown = event;
  for (const key of issue.path) {
    value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  }
  throw new StepInputError(field, value, issue.message);
}

/**
 * The sampling state machine's steps function: one handler, dispatching on `event.step`
 * (`start`, `record`, `decide`, `finalize`, `fail`) to one module per step.
 *
 * @example
 * const handler = createStepsHandler({ store, now: Date.now, metrics: NO_METRICS });
 * const run = await handler({ step: 'start', runId, azId, region, startedAt, settings });
 */
export function createStepsHandler(ctx: StepContext): StepsHandler {
  return async (raw) => {
    const event = parseStepEvent(raw);
    try {
      switch (event.step) {
        case 'start':
          return await startStep(event, ctx);
        case 'record':
          return await recordStep(event, ctx);
        case 'decide':
          return await decideStep(event, ctx);
        case 'finalize':
          return await finalizeStep(event, ctx);
        case 'fail':
          return await markFailedStep(event, ctx);
      }
    } catch (error) {
      throw withStepContext(error, event, ctx.storeName ?? 'the store');
    } finally {
      ctx.metrics.flush();
    }
  };
}

/**
 * An AWS SDK error of the store's client (one with `$metadata`) says what went wrong but not where: the same error with
 * the step, run, zone and store in its message, under its own name, so that the state machine's Retry and Catch match
 * it as before and the run's cause tells an operator which table to look at. Every other error passes unchanged:
 * the steps' own errors and the store's already name what was wrong.
 */
function withStepContext(error: unknown, event: StepEvent, storeName: string): unknown {
  if (!(error instanceof Error) || !('$metadata' in error)) return error;
  const described = new Error(
    `Sampling step '${event.step}' of run ${event.runId} in zone ${event.azId} failed on ${storeName}: ` +
      `${error.name}: ${error.message}`,
    { cause: error },
  );
  described.name = error.name;
  return described;
}
