import { resumeNote, summarizeCalls } from './batch';
import type { RetryRepeatTally } from './pool';
import type { RouterRequestBody } from './request';
import type { BatchAnswer, BatchPacing, BatchSummary, RouterAnswer } from './types';

/** What a resumable batch's sends were answered (`sendUntilDone`). */
export interface BatchSends {
  /** Every batch answer, in order. */
  readonly answers: readonly BatchAnswer[];
  /** The answer that was not a batch's (the router refused the send), which ended the sends. */
  readonly refused?: Exclude<RouterAnswer, BatchAnswer>;
}

/**
 * A resumable batch (`batch.resumable`) as a caller who follows its answers runs it: sent again with each answer's
 * `resume` as its `batch` until every call was started, or until the router refuses a send (its answer is kept beside
 * the answers before it). `send` sends one request to the router. Each send starts at least its first round, so the
 * sends end.
 */
export async function sendUntilDone(
  send: (request: RouterRequestBody) => Promise<RouterAnswer>,
  request: RouterRequestBody,
): Promise<BatchSends> {
  const answers: BatchAnswer[] = [];
  let body = request;
  for (;;) {
    const answer = await send(body);
    if (answer.status !== 'batch') return { answers, refused: answer };
    answers.push(answer);
    if (!answer.resume || answer.summary.count === 0) return { answers };
    body = { ...request, batch: answer.resume };
  }
}

/**
 * One answer for a batch sent in several parts (`sendUntilDone`): the calls of each, numbered on from the last; the
 * summary of them all; the first send's placement and pacing, with where a later send widened or moved it (at the
 * call of the whole batch); the calls at which each later send started (`resumedAtCalls`); and the last send's
 * `resume`, if it left calls. The first send whose bill stopped its search gives `searchStopped`, at the call of the
 * whole batch. Notes that asked to resume a send that was resumed are dropped. Each function's retry
 * repeats are counted over every send, with the estimate the last send that retried there priced with.
 */
export function mergeBatchAnswers(answers: readonly BatchAnswer[]): BatchAnswer {
  const [first] = answers;
  if (answers.length <= 1) return first;
  const offsets: number[] = [];
  let offset = 0;
  for (const answer of answers) {
    offsets.push(offset);
    offset += answer.calls.length;
  }
  const calls = answers.flatMap((answer, i) =>
    answer.calls.map((call) => ({ ...call, index: call.index + offsets[i] })),
  );
  const concurrency = Math.max(...answers.map((a) => a.summary.concurrency));
  const searchMoves = sum(answers, (a) => a.summary.searchMoves ?? 0);
  const spreadStarts = sum(answers, (a) => a.summary.spreadStarts ?? 0);
  const retryRepeats = mergedRetryRepeats(answers);
  const stopped = answers.findIndex((a) => a.summary.searchStopped);
  const searchStopped = stopped >= 0 ? answers[stopped].summary.searchStopped : undefined;
  const summary: BatchSummary = {
    ...summarizeCalls(calls, concurrency),
    expectedCostUsd: sum(answers, (a) => a.summary.expectedCostUsd),
    ...(Object.keys(retryRepeats).length > 0 ? { retryRepeats } : {}),
    ...(searchMoves > 0 ? { searchMoves } : {}),
    ...(spreadStarts > 0 ? { spreadStarts } : {}),
    ...(searchStopped ? { searchStopped: { ...searchStopped, atCall: searchStopped.atCall + offsets[stopped] } } : {}),
  };
  const last = answers[answers.length - 1];
  const notes = answers.flatMap((a) =>
    (a.notes ?? []).filter((note) => a === last || !a.resume || note !== resumeNote(a.resume)),
  );
  const pacing = first.pacing && mergedPacing(first.pacing, answers, offsets);
  return {
    status: 'batch',
    profile: first.profile,
    placement: first.placement,
    summary,
    calls,
    ...(pacing ? { pacing } : {}),
    ...(last.resume ? { resume: last.resume } : {}),
    resumedAtCalls: offsets.slice(1),
    ...(notes.length > 0 ? { notes } : {}),
  };
}

/**
 * The first send's pacing, with the first widening, move, deadline widening and budget widening of any send, at the
 * whole batch's call.
 */
function mergedPacing(pacing: BatchPacing, answers: readonly BatchAnswer[], offsets: readonly number[]): BatchPacing {
  const firstOf = <K extends 'widened' | 'moved' | 'deadlineWidened' | 'budgetWidened'>(key: K): BatchPacing[K] => {
    for (let i = 0; i < answers.length; i++) {
      const event = answers[i].pacing?.[key];
      if (event) return { ...event, atCall: event.atCall + offsets[i] } as BatchPacing[K];
    }
    return undefined;
  };
  const widened = firstOf('widened');
  const moved = firstOf('moved');
  const deadlineWidened = firstOf('deadlineWidened');
  const budgetWidened = firstOf('budgetWidened');
  return {
    ...pacing,
    ...(widened ? { widened } : {}),
    ...(moved ? { moved } : {}),
    ...(deadlineWidened ? { deadlineWidened } : {}),
    ...(budgetWidened ? { budgetWidened } : {}),
  };
}

function mergedRetryRepeats(answers: readonly BatchAnswer[]): Record<string, RetryRepeatTally> {
  const merged: Record<string, RetryRepeatTally> = {};
  for (const answer of answers) {
    for (const [fn, tally] of Object.entries(answer.summary.retryRepeats ?? {})) {
      const before = merged[fn];
      merged[fn] = before
        ? {
            retries: before.retries + tally.retries,
            sameCpu: before.sameCpu + tally.sameCpu,
            hostRetries: before.hostRetries + tally.hostRetries,
            sameHost: before.sameHost + tally.sameHost,
            estimate: tally.estimate,
          }
        : tally;
    }
  }
  return merged;
}

function sum<T>(items: readonly T[], of: (item: T) => number): number {
  return items.reduce((total, item) => total + of(item), 0);
}
