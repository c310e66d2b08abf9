import type { RouterClient } from '../../lib/aws/router-client';
import { formatAnswer, invokeBodyOf, runInvoke } from '../../lib/cli/invoke-command';
import { resumeNote } from '../../lib/routing/batch';
import type { RouterRequestBody } from '../../lib/routing/request';
import { parseRouterRequest } from '../../lib/routing/request';
import type { BatchAnswer, BatchCallOutcome, BatchResume, RouterAnswer } from '../../lib/routing/types';

/** The placement both answers report. */
const PLACEMENT: BatchAnswer['placement'] = {
  target: {
    azId: 'usw1-az3',
    region: 'us-west-1',
    arch: 'x86_64',
    memoryMb: 1024,
    functionName: 'sky-usw1-az3-x86_64-1024',
  },
  strategy: 'optimal',
  rejectCpus: ['intel-xeon-2.50'],
  holdMs: 0,
  rejectMode: 'auto',
  keepBeforeLastAttempt: true,
  maxAttempts: 10,
  expected: { costUsd: 1.6e-5, runtimeMs: 600, attempts: 1.3, addedLatencyMs: 3, carbonG: 0 },
  evidence: { level: 'measured', runtime: 'observed', mix: 'measured' },
  notes: [],
};

describe('sky invoke --batch --max-slowdown', () => {
  it('sends a batch with a time budget the router accepts', () => {
    const body = invokeBodyOf({
      workload: 'zipper',
      batch: 200,
      concurrency: 50,
      maxSlowdown: 4,
      region: 'us-west-2',
      functionName: 'sky-router',
    });
    expect(parseRouterRequest(body).batch).toEqual({
      count: 200,
      concurrency: 50,
      includeResults: false,
      maxSlowdown: 4,
      resumable: true,
    });
  });

  it('prints what the router chose and what it expects the pacing to take and save', () => {
    const answer: BatchAnswer = {
      status: 'batch',
      profile: 'zipper',
      placement: PLACEMENT,
      summary: {
        count: 40,
        concurrency: 2,
        succeeded: 40,
        failed: 0,
        costUsd: 6.4e-4,
        attemptsPerRequest: 1.3,
        rejects: 12,
        failovers: 0,
        newInstances: 14,
        expectedCostUsd: 6.4e-4,
        carbonG: 0,
        byFunction: {},
        byCpu: { 'intel-xeon-3.00': 40 },
      },
      calls: [],
      pacing: {
        maxSlowdown: 20,
        givenConcurrency: 40,
        concurrency: 2,
        rounds: 20,
        expectedDurationMs: 12_060,
        unpacedDurationMs: 1_000,
        expectedCostUsd: 1.6e-5,
        unpacedCostUsd: 1.9e-5,
      },
    };
    expect(formatAnswer(answer)).toMatch(
      /paced: 2 of 40 at a time \(20 rounds\), expected 12\.1 s against 1\.0 s unpaced/,
    );
    const moved = {
      ...answer,
      pacing: {
        ...answer.pacing!,
        moved: {
          atCall: 6,
          functionName: 'sky-usw1-az1-x86_64-1024',
          azId: 'usw1-az1',
          arch: 'x86_64' as const,
          memoryMb: 1024,
          retryRepeat: 0.9,
        },
      },
    };
    expect(formatAnswer(moved)).toMatch(/moved to sky-usw1-az1-x86_64-1024 from call 6 \(.*repeat 0\.90/);
    expect(formatAnswer(answer)).not.toMatch(/moved/);
  });

  it('prints how many calls went on searching off their function', () => {
    const answer = {
      status: 'batch',
      profile: 'zipper',
      placement: PLACEMENT,
      summary: {
        count: 800,
        concurrency: 400,
        succeeded: 800,
        failed: 0,
        costUsd: 1.17,
        attemptsPerRequest: 2.1,
        rejects: 900,
        failovers: 0,
        newInstances: 1500,
        expectedCostUsd: 1.2,
        searchMoves: 664,
        carbonG: 0,
        byFunction: { 'sky-usw1-az3-x86_64-2048': 136, 'sky-usw1-az3-arm64-2048': 664 },
        byCpu: { 'amd-epyc': 136, graviton2: 664 },
      },
      calls: [],
    } satisfies BatchAnswer;
    expect(formatAnswer(answer)).toMatch(/0 failovers, 664 searches moved on/);
    const { searchMoves: _none, ...summary } = answer.summary;
    expect(formatAnswer({ ...answer, summary })).not.toMatch(/searches moved/);
  });

  /** A router whose deadline lets each send make at most `perSend` calls; `refuseSend` (1-based) is refused. */
  function resumingRouter(perSend: number, refuseSend?: number): RouterClient & { sent: RouterRequestBody[] } {
    const sent: RouterRequestBody[] = [];
    return {
      sent,
      async invoke(request): Promise<RouterAnswer> {
        sent.push(request);
        if (sent.length === refuseSend) {
          return {
            status: 'error',
            error: { type: 'NoCapacity', message: 'every zone throttled' },
            httpStatus: 503,
            attempts: [],
          };
        }
        const count = request.batch!.count;
        const made = Math.min(count, perSend);
        const call = (index: number): BatchCallOutcome => ({
          index,
          status: 'ok',
          cpu: 'intel-xeon-3.00',
          attempts: 1,
          rejects: 0,
          failovers: 0,
          newInstances: 0,
          addedLatencyMs: 0,
          costUsd: 1e-5,
          carbonG: 0,
        });
        const left = count - made;
        return {
          status: 'batch',
          profile: 'zipper',
          placement: PLACEMENT,
          summary: {
            count: made,
            concurrency: 5,
            succeeded: made,
            failed: 0,
            costUsd: made * 1e-5,
            attemptsPerRequest: 1,
            rejects: 0,
            failovers: 0,
            newInstances: 0,
            expectedCostUsd: made * 1e-5,
            carbonG: 0,
            byFunction: {},
            byCpu: { 'intel-xeon-3.00': made },
          },
          calls: Array.from({ length: made }, (_, i) => call(i)),
          ...(left > 0 ? { resume: resumeOf(left), notes: [resumeNote(resumeOf(left))] } : {}),
        };
      },
    };
  }

  function resumeOf(count: number): BatchResume {
    return { count, concurrency: 5, target: TARGET, includeResults: false, resumable: true };
  }

  const TARGET = { azId: 'usw1-az3', arch: 'x86_64', memoryMb: 1024 } as const;

  const OPTIONS = { workload: 'zipper', batch: 25, concurrency: 5, region: 'us-west-2', functionName: 'sky-router' };

  it("sends the batch again with each answer's resume until every call ran, and prints it as one", async () => {
    const router = resumingRouter(10);
    const answer = (await runInvoke(OPTIONS, router)) as BatchAnswer;
    expect(router.sent.map((r) => r.batch?.count)).toEqual([25, 15, 5]);
    expect(router.sent[1].batch).toEqual({
      count: 15,
      concurrency: 5,
      target: TARGET,
      includeResults: false,
      resumable: true,
    });
    expect(answer.summary.count).toBe(25);
    expect(answer.calls.map((c) => c.index)).toEqual([...Array(25).keys()]);
    expect(answer.resumedAtCalls).toEqual([10, 20]);
    expect(answer.notes).toBeUndefined();
    expect(formatAnswer(answer)).toMatch(
      /^batch of 25 .*: 25 ok, 0 failed\nsent in 3 parts \(the router's deadline\), resumed at call 10, 20/,
    );
  });

  it('keeps the calls made when the router refuses a later send, and says so', async () => {
    const answer = (await runInvoke(OPTIONS, resumingRouter(10, 2))) as BatchAnswer;
    expect(answer.summary.count).toBe(10);
    expect(answer.resume).toEqual({
      count: 15,
      concurrency: 5,
      target: TARGET,
      includeResults: false,
      resumable: true,
    });
    expect(formatAnswer(answer)).toMatch(/note: the router refused send 2 of the batch: .*every zone throttled/);
  });
});
