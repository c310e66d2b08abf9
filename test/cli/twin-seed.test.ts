import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smallScenarioJson } from '../twin/fixtures';
import { runSky } from './run-sky';

describe('sky twin --seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sky-seed-'));
  const fileAt = (seed: number): string => {
    const path = join(dir, `small-${seed}.json`);
    writeFileSync(path, JSON.stringify(smallScenarioJson({ seed, days: 1, burst: 20 })));
    return path;
  };
  const twin = async (...args: string[]): Promise<string> =>
    (await runSky(['twin', '--json', '--no-progress', ...args])).stdout;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the file at the given seed, as if the file said it, and differently from the file's own seed", async () => {
    const own = fileAt(11);
    const atSeed = await twin('--scenario', own, '--seed', '5');
    expect(atSeed).toBe(await twin('--scenario', fileAt(5)));
    expect(atSeed).not.toBe(await twin('--scenario', own));
  });

  it.each(['-1', '2.5', '4294967296', 'x'])(
    'fails when the seed is %s, naming the option and the range',
    async (seed) => {
      await expect(twin('--scenario', fileAt(11), '--seed', seed)).rejects.toMatchObject({
        stderr: expect.stringMatching(/--seed <n>.*must be a whole number 0\.\.4294967295/),
      });
    },
  );
});
