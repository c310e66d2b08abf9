import type { Options, Params } from 'cli-progress';
import { barLine, formatSeconds, terminalProgress } from '../../lib/local/progress';

const OPTIONS = { barsize: 10, barCompleteString: '#'.repeat(10), barIncompleteString: '-'.repeat(10) } as Options;

function params(value: number, total: number, elapsedS: number): Params {
  const now = Date.now();
  return {
    value,
    total,
    progress: value / total,
    startTime: now - elapsedS * 1000,
    stopTime: now,
    eta: 0,
    maxWidth: 200,
  } as Params;
}

describe('barLine', () => {
  it('shows the count, the time taken and the time left of a task with a real total', () => {
    const line = barLine(OPTIONS, params(3, 12, 30), { label: 'route bursts', detail: '' });
    expect(line).toContain('3/12 · 30s, ETA 1m30s');
  });

  it('counts a capped task against its cap while it runs, without an ETA, and as a plain count once done', () => {
    const running = barLine(OPTIONS, params(3, 30, 12), { label: 'sample', detail: '', upTo: 'polls', cap: 30 });
    expect(running).toContain('3 of ≤30 polls · 12s');
    expect(running).not.toContain('ETA');
    const done = barLine(OPTIONS, params(4, 4, 15), {
      label: 'sample',
      detail: 'converged',
      upTo: 'polls',
      cap: 30,
      finished: true,
    });
    expect(done).toContain('4 polls · 15s · converged');
    expect(done).not.toContain('4/4');
  });

  it('stays within 99 columns', () => {
    const line = barLine(OPTIONS, params(1, 2, 1), { label: 'x', detail: 'y'.repeat(300) });
    expect(line.length).toBe(99);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('terminalProgress without a terminal', () => {
  it('writes one line per finished task, with its count, outcome and time', () => {
    const lines: string[] = [];
    const stream = { isTTY: false, write: (text: string) => lines.push(text) } as unknown as NodeJS.WriteStream;
    const progress = terminalProgress(stream);
    const sample = progress.task('sample usw1-az1', 30, { upTo: 'polls' });
    sample.update(1);
    sample.done('converged');
    const route = progress.task('route bursts', 72);
    route.update(72);
    route.done();
    expect(lines).toEqual([
      expect.stringMatching(/^ {2}sample usw1-az1: 1 poll, converged \(\d+s\)\n$/),
      expect.stringMatching(/^ {2}route bursts: 72\/72 \(\d+s\)\n$/),
    ]);
  });
});

describe('formatSeconds', () => {
  it.each([
    [0, '0s'],
    [9.4, '9s'],
    [75, '1m15s'],
    [600, '10m00s'],
  ])('%s -> %s', (seconds, text) => {
    expect(formatSeconds(seconds)).toBe(text);
  });
});
