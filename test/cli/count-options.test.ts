import { InvalidArgumentError } from 'commander';
import { parsePositiveInt } from '../../lib/cli/router-options';
import { runSky } from './run-sky';

describe('count options (--days, --workers, --burst, --batch, --top, ...)', () => {
  it.each([
    ['1', 1],
    ['12', 12],
    [' 7 ', 7],
  ])('takes %j as %d', (value, n) => {
    expect(parsePositiveInt(value)).toBe(n);
  });

  it.each(['0', '-3', '2.5', 'x', '', ' ', '0x10', '1e2'])(
    'fails when the value is %j, saying what it must be and what it got',
    (value) => {
      expect(() => parsePositiveInt(value)).toThrow(InvalidArgumentError);
      expect(() => parsePositiveInt(value)).toThrow(`must be a whole number ≥ 1, got "${value}"`);
    },
  );

  it.each([
    ['twin', '--days', '0'],
    ['local', '--burst', '2.5'],
  ])('sky %s fails when %s is %s, naming the option', async (command, option, value) => {
    await expect(runSky([command, option, value])).rejects.toMatchObject({
      stderr: expect.stringContaining(`'${option} <n>' argument '${value}' is invalid. must be a whole number ≥ 1`),
    });
  });

  it.each([
    ['--burst', '20000', /^--burst: Option burst is 20000; allowed: a whole number from 1 to 10000/m],
    ['--routing-time-scale', 'Infinity', /^--routing-time-scale: Option routingTimeScale is Infinity; allowed:/m],
    [
      '--poll-concurrency',
      '6000',
      /^--poll-concurrency: Option pollConcurrency is 6000; allowed: a whole number from 10 to 5000/m,
    ],
    [
      '--poll-concurrency',
      '9',
      /^--poll-concurrency: Option pollConcurrency is 9; allowed: a whole number from 10 to 5000 \(a run's polls must together see the 100 instances a characterization needs\)/m,
    ],
  ])('sky local fails when %s is %s, out of range, naming the flag', async (option, value, message) => {
    await expect(runSky(['local', '--no-progress', '--no-report', option, value])).rejects.toMatchObject({
      stderr: expect.stringMatching(message),
    });
  });

  it.each([
    ['--waves <n>', '20000'],
    ['--max-slowdown <x>', '20000'],
  ])('sky twin fails when %s is %s, over what the router takes, naming the option', async (option, value) => {
    await expect(runSky(['twin', option.split(' ')[0], value])).rejects.toMatchObject({
      stderr: expect.stringContaining(`'${option}' argument '${value}' is invalid. must be at most 10000`),
    });
  });

  it('sky twin refuses --sampled-architectures without x86_64, which its days always sample', async () => {
    await expect(runSky(['twin', '--sampled-architectures', 'arm64'])).rejects.toMatchObject({
      stderr: expect.stringContaining('must include x86_64: the twin always samples its x86_64 fleets'),
    });
  });

  it('sky local fails when --profiling-calls is over what the router takes, naming the option', async () => {
    await expect(runSky(['local', '--profiling-calls', '101'])).rejects.toMatchObject({
      stderr: expect.stringMatching(/--profiling-calls <n>.*must be a whole number 0\.\.100/),
    });
  });
});
