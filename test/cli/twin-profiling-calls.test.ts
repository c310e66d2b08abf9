import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallScenarioJson } from '../twin/fixtures';
import { runSky } from './run-sky';

describe('sky twin --profiling-calls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sky-profiling-'));
  const file = join(dir, 'small.json');
  writeFileSync(file, JSON.stringify(smallScenarioJson({ days: 1, burst: 20 })));
  const twin = async (...args: string[]) =>
    JSON.parse((await runSky(['twin', '--json', '--no-progress', '--scenario', file, ...args])).stdout) as {
      profiling: Array<{ strategy: string; calls: number; attempts: number; costUsd: number }>;
    };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('sets the runtimes each profiling phase wants, and the report says what each phase made and cost', async () => {
    const [one, three, none] = await Promise.all([
      twin('--profiling-calls', '1'),
      twin(),
      twin('--profiling-calls', '0'),
    ]);
    expect(three.profiling.map((r) => r.strategy)).toContain('optimal');
    const optimal = (report: typeof one) => report.profiling.find((r) => r.strategy === 'optimal')!;
    // More runtimes wanted per cell: more calls, and a dearer phase
    expect(optimal(three).calls).toBeGreaterThan(optimal(one).calls);
    expect(optimal(three).costUsd).toBeGreaterThan(optimal(one).costUsd);
    // 0: no profiling phase at all
    expect(none.profiling).toEqual([]);
  });

  it.each(['-1', '2.5', '101', 'x'])('fails when it is %s, naming the option and the range', async (value) => {
    await expect(twin('--profiling-calls', value)).rejects.toMatchObject({
      stderr: expect.stringMatching(/--profiling-calls <n>.*must be a whole number 0\.\.100/),
    });
  });
});
