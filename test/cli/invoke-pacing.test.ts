import { formatAnswer, invokeBodyOf } from '../../lib/cli/invoke-command';
import { parseRouterRequest } from '../../lib/routing/request';
import type { BatchAnswer } from '../../lib/routing/types';

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
      placement: {
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
      },
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
});
