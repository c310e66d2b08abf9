import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateScenario } from '../../lib/twin/scenario-generator';
import { runSky } from './run-sky';

describe('sky twin --generate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sky-generate-'));
  const twin = async (...args: string[]): Promise<string> =>
    (await runSky(['twin', '--json', '--no-progress', '--days', '1', ...args])).stdout;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // seed 37: bursts of 28, one short workload: a run of a few seconds
  it('runs the scenario of the seed, and the file it saves runs to the same report', async () => {
    const saved = join(dir, 'g37.json');
    const generated = await twin('--generate', '37', '--save-scenario', saved);
    expect(JSON.parse(readFileSync(saved, 'utf8'))).toEqual(generateScenario(37).json);
    expect(JSON.parse(generated).scenario).toBe('generated-37');
    expect(await twin('--scenario', saved)).toBe(generated);
  });

  it.each([
    [[], /give exactly one of --scenario <file> and --generate <seed>/],
    [['--generate', '37', '--scenario', 'scenarios/paper-ex5.json'], /give exactly one of --scenario/],
    [
      ['--scenario', 'scenarios/paper-ex5.json', '--save-scenario', 'x.json'],
      /--save-scenario <file>.*needs --generate/,
    ],
    [['--generate', '-3'], /--generate <seed>.*must be a whole number 0\.\.4294967295/],
    [['--scenario', 'scenarios/stress-few-fast.json', '--days', '99'], /--days 99: the scenario has \d+ day\(s\)/],
  ])('fails when given %j, saying what it takes', async (args, message) => {
    await expect(twin(...args)).rejects.toMatchObject({ stderr: expect.stringMatching(message) });
  });

  it('refuses an --out that is the scenario it runs or saves, and keeps that file', async () => {
    const scenario = join(dir, 'kept.json');
    writeFileSync(scenario, readFileSync('scenarios/paper-ex5.json'));
    const before = readFileSync(scenario, 'utf8');
    await expect(twin('--scenario', scenario, '--out', scenario)).rejects.toMatchObject({
      stderr: expect.stringMatching(/--out .*kept\.json is the --scenario file/),
    });
    const saved = join(dir, 'saved.json');
    await expect(twin('--generate', '37', '--save-scenario', saved, '--out', saved)).rejects.toMatchObject({
      stderr: expect.stringMatching(/--out .*saved\.json is the --save-scenario file/),
    });
    expect(readFileSync(scenario, 'utf8')).toBe(before);
    expect(existsSync(saved)).toBe(false);
  });
});
