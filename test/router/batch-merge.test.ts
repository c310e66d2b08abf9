import { resumeNote } from '../../lib/routing/batch';
import { mergeBatchAnswers } from '../../lib/routing/batch-resume';
import type { BatchAnswer, BatchCallOutcome, BatchPacing, BatchResume } from '../../lib/routing/types';

const PACING: BatchPacing = {
  maxSlowdown: 10,
  givenConcurrency: 100,
  concurrency: 20,
  rounds: 50,
  expectedDurationMs: 3_000_000,
  unpacedDurationMs: 400_000,
  expectedCostUsd: 0.01,
  unpacedCostUsd: 0.012,
};

function call(index: number, cpu: string, ok = true): BatchCallOutcome {
  return {
    index,
    status: ok ? 'ok' : 'error',
    ...(ok ? { cpu, functionName: `f-${cpu}` } : { errorType: 'FunctionError' }),
    attempts: 2,
    rejects: 1,
    failovers: 0,
    newInstances: 1,
    runtimeMs: cpu === 'fast' ? 100 : 200,
    addedLatencyMs: 5,
    costUsd: 0.01,
    carbonG: 0.1,
  };
}

function part(calls: BatchCallOutcome[], extra: Partial<BatchAnswer> = {}): BatchAnswer {
  return {
    status: 'batch',
    profile: 'zipper',
    placement: { rejectCpus: ['slow'] } as unknown as BatchAnswer['placement'],
    summary: {
      count: calls.length,
      concurrency: 20,
      succeeded: 0,
      failed: 0,
      costUsd: 0,
      attemptsPerRequest: 0,
      rejects: 0,
      failovers: 0,
      newInstances: 0,
      expectedCostUsd: 0.02 * calls.length,
      carbonG: 0,
      byFunction: {},
      byCpu: {},
      searchMoves: 1,
    },
    calls,
    ...extra,
  };
}

const resume = (count: number): BatchResume => ({
  count,
  concurrency: 100,
  pacedConcurrency: 20,
  maxSlowdown: 10,
  target: { azId: 'usw1-az3', arch: 'x86_64', memoryMb: 1024 },
  includeResults: false,
  resumable: true,
});

describe('a batch sent in parts, merged', () => {
  const first = part([call(0, 'fast'), call(1, 'slow'), call(2, 'fast')], {
    pacing: PACING,
    resume: resume(4),
    notes: [resumeNote(resume(4)), 'a result was omitted'],
  });
  const second = part([call(0, 'fast'), call(1, 'fast', false), call(2, 'fast'), call(3, 'slow')], {
    pacing: { ...PACING, widened: { atCall: 2, concurrency: 100, retryRepeat: 0.4 } },
    summary: { ...part([]).summary, count: 4, concurrency: 100, expectedCostUsd: 0.08, searchMoves: 2 },
  });

  it('numbers the calls on, sums them, and says where each later part started', () => {
    const whole = mergeBatchAnswers([first, second]);
    expect(whole.calls.map((c) => c.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(whole.summary).toMatchObject({
      count: 7,
      succeeded: 6,
      failed: 1,
      concurrency: 100,
      attemptsPerRequest: 2,
      rejects: 7,
      newInstances: 7,
      searchMoves: 3,
      byCpu: { fast: 4, slow: 2 },
    });
    expect(whole.summary.costUsd).toBeCloseTo(0.07, 12);
    expect(whole.summary.expectedCostUsd).toBeCloseTo(0.14, 12);
    expect(whole.resumedAtCalls).toEqual([3]);
    expect(whole.resume).toBeUndefined();
  });

  it("keeps the first part's pacing, with a later widening at the whole batch's call", () => {
    const whole = mergeBatchAnswers([first, second]);
    expect(whole.pacing).toEqual({ ...PACING, widened: { atCall: 5, concurrency: 100, retryRepeat: 0.4 } });
  });

  it('drops the note asking to resume a part that was resumed, and keeps the others and a last resume', () => {
    expect(mergeBatchAnswers([first, second]).notes).toEqual(['a result was omitted']);
    const unfinished = { ...second, resume: resume(2), notes: [resumeNote(resume(2))] };
    const whole = mergeBatchAnswers([first, unfinished]);
    expect(whole.resume).toEqual(resume(2));
    expect(whole.notes).toEqual(['a result was omitted', resumeNote(resume(2))]);
  });

  it("counts each function's retry repeats over every part, with the estimate the last one priced with", () => {
    const tally = (retries: number, sameCpu: number, estimate: number) => ({
      retries,
      sameCpu,
      hostRetries: retries - 1,
      sameHost: sameCpu - 1,
      estimate,
    });
    const withRepeats = (answer: BatchAnswer, retryRepeats: BatchAnswer['summary']['retryRepeats']) => ({
      ...answer,
      summary: { ...answer.summary, retryRepeats },
    });
    const whole = mergeBatchAnswers([
      withRepeats(first, { 'f-a': tally(10, 4, 0.2), 'f-b': tally(3, 2, 0.1) }),
      withRepeats(second, { 'f-a': tally(20, 12, 0.5) }),
    ]);
    expect(whole.summary.retryRepeats).toEqual({
      'f-a': { retries: 30, sameCpu: 16, hostRetries: 28, sameHost: 14, estimate: 0.5 },
      'f-b': tally(3, 2, 0.1),
    });
    expect(mergeBatchAnswers([first, second]).summary.retryRepeats).toBeUndefined();
  });

  it("gives the first part's stopped search, at the whole batch's call", () => {
    const stop = { functionName: 'f-slow', searchUsdPerCall: 0.012, acceptAnyUsdPerCall: 0.01 };
    const withStop = (answer: BatchAnswer, atCall: number) => ({
      ...answer,
      summary: { ...answer.summary, searchStopped: { ...stop, atCall } },
    });
    expect(mergeBatchAnswers([first, withStop(second, 2)]).summary.searchStopped).toEqual({ ...stop, atCall: 5 });
    expect(mergeBatchAnswers([withStop(first, 1), withStop(second, 2)]).summary.searchStopped).toEqual({
      ...stop,
      atCall: 1,
    });
    expect(mergeBatchAnswers([first, second]).summary.searchStopped).toBeUndefined();
  });

  it('is the answer itself when there was one part', () => {
    expect(mergeBatchAnswers([first])).toBe(first);
  });
});
