import { DrawWindow, usesPerInstance } from '../../lib/routing/pool';
import type { AttemptRecord } from '../../lib/routing/types';

const attempt = (cpu: string, newInstance: boolean, functionName = 'sky-usw1-az3-x86_64-2048'): AttemptRecord => ({
  functionName,
  azId: 'usw1-az3',
  status: 'rejected',
  cpu,
  newInstance,
  roundTripMs: 1,
  costUsd: 0,
});

describe('usesPerInstance', () => {
  it.each([
    [1000, 1000, 1],
    [1000, 250, 4],
    [1001, 250, 5],
    [3, 50, 1],
    [0, 10, 1],
  ])('%d calls to come at concurrency %d: each instance serves %d', (remaining, concurrency, uses) => {
    expect(usesPerInstance(remaining, concurrency)).toBe(uses);
  });
});

describe('DrawWindow', () => {
  it('counts the CPUs of new instances only, the last `size` of them', () => {
    const w = new DrawWindow(3);
    w.observe(attempt('a', true));
    w.observe(attempt('b', false));
    w.observe(attempt('b', true));
    w.observe(attempt('c', true));
    w.observe(attempt('c', true));
    expect(w.counts('sky-usw1-az3-x86_64-2048')).toEqual({ b: 1, c: 2 });
  });

  it('starts afresh on another function and says nothing of a function it has not seen', () => {
    const w = new DrawWindow();
    w.observe(attempt('a', true));
    w.observe(attempt('b', true, 'sky-usw1-az1-x86_64-2048'));
    expect(w.counts('sky-usw1-az1-x86_64-2048')).toEqual({ b: 1 });
    expect(w.counts('sky-usw1-az3-x86_64-2048')).toBeUndefined();
  });
});
