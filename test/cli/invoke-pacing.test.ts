import { formatAnswer, invokeBodyOf } from '../../lib/cli/invoke-command';
import { parseRouterRequest } from '../../lib/routing/request';
import type { BatchAnswer } from '../../lib/routing/types';

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
});
