import type { StepContext } from './context';
import type { EventOf, FailedRun } from './events';

/**
 * The cause Step Functions caught, readable: `<Error>: <message>`. Lambda errors carry a JSON
 * `Cause` with `errorMessage`; others a plain string.
 */
export function describeCause(error: { readonly Error: string; readonly Cause?: string }): string {
  let message = error.Cause ?? '';
  try {
    const parsed = JSON.parse(message) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') message = parsed.errorMessage;
  } catch {
    // not JSON: keep the text
  }
  // Some engines already prefix the message with the error name.
  if (message.startsWith(`${error.Error}: `)) message = message.slice(error.Error.length + 2);
  if (message === error.Error) message = '';
  return message ? `${error.Error}: ${message}` : error.Error;
}

/**
 * MarkFailed: records the run as failed with its cause. Every recorded poll stays in place;
 * a run that never got its record (the start step failed) gets one; a run that had already
 * succeeded stays succeeded.
 */
export async function markFailedStep(event: EventOf<'fail'>, ctx: StepContext): Promise<FailedRun> {
  const cause = describeCause(event.error);
  const record = await ctx.store.failRun(event.runId, { cause, azId: event.azId, region: event.region });
  if (record) ctx.metrics.runFinished(event.azId, record.totals.costUsd);
  return { runId: event.runId, status: record ? 'failed' : 'succeeded', cause };
}
