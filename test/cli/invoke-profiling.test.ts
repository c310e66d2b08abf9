import { formatAnswer, invokeBodyOf } from '../../lib/cli/invoke-command';
import type { ProfilingAnswer } from '../../lib/routing/profiling';
import { parseRouterRequest } from '../../lib/routing/request';

describe('sky invoke --profiling', () => {
  it('sends a profiling request the router accepts, over the memory sizes asked', () => {
    const body = invokeBodyOf({
      workload: 'zipper',
      memory: [128, 512, 2048],
      profiling: 5,
      concurrency: 10,
      region: 'us-west-2',
      functionName: 'sky-router',
    });
    const request = parseRouterRequest(body);
    expect(request.profiling).toEqual({ observations: 5, concurrency: 10, maxCalls: 2000, worthOnly: true });
    expect(request.limits.memorySizes).toEqual([128, 512, 2048]);
    expect(request.batch).toBeUndefined();
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['--entry without --code-file', { entry: 'main' }, '--entry names a function of --code-file'],
    [
      '--concurrency without --batch or --profiling',
      { concurrency: 10 },
      '--concurrency is for --batch or --profiling',
    ],
    ['--max-slowdown without --batch', { maxSlowdown: 4 }, '--max-slowdown paces a --batch'],
    ['--max-slowdown with --profiling', { maxSlowdown: 4, profiling: 3 }, '--max-slowdown paces a --batch'],
  ])('refuses %s rather than dropping it', (_what, extra, message) => {
    expect(() =>
      invokeBodyOf({ workload: 'zipper', region: 'us-west-2', functionName: 'sky-router', ...extra }),
    ).toThrow(message);
  });

  it('prints one row per memory size, as Power Tuning users read theirs', () => {
    const answer: ProfilingAnswer = {
      status: 'profiling',
      profile: 'zipper',
      sizes: [
        {
          arch: 'x86_64',
          memoryMb: 128,
          cpus: { 'amd-epyc': { calls: 3, meanMs: 6600 } },
          best: {
            functionName: 'sky-use1-az1-x86_64-128',
            rejectCpus: ['intel-xeon-2.50'],
            expectedCostUsd: 0.0000152,
            expectedRuntimeMs: 6700,
          },
        },
        { arch: 'x86_64', memoryMb: 2048, cpus: {} },
      ],
      summary: { cells: 4, skipped: 1, calls: 12, attempts: 40, failed: 0, costUsd: 0.0003, notMade: 2 },
      notes: ['2 call(s) over maxCalls 10 were not made; send again to continue'],
    };
    expect(formatAnswer(answer).split('\n')).toEqual([
      'profiled zipper: 4 cell(s) wanted runtimes (1 not worth more than one); 12 call(s), 40 attempt(s), 0 failed, cost $0.0003000',
      '  x86_64 128 MB: best sky-use1-az1-x86_64-128 reject [intel-xeon-2.50]: $0.00001520, 6700 ms; measured amd-epyc 6600 ms (3)',
      '  x86_64 2048 MB: nothing placeable',
      'note: 2 call(s) over maxCalls 10 were not made; send again to continue',
    ]);
  });
});
