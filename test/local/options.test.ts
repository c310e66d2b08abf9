import { DEFAULT_PROFILING_OBSERVATIONS } from '../../lib/core/profiling-plan';
import { LocalSkyOptionError } from '../../lib/local/errors';
import { resolveLocalSkyOptions } from '../../lib/local/options';
import { MAX_BATCH_SLOWDOWN, MAX_PROFILING_OBSERVATIONS } from '../../lib/routing/request';
import { DEFAULT_TWIN_MAX_SLOWDOWN } from '../../lib/twin/experiment';

describe("the local sky's options", () => {
  it("paces optimal's bursts within the twin's time budget unless told", () => {
    expect(resolveLocalSkyOptions().maxSlowdown).toBe(DEFAULT_TWIN_MAX_SLOWDOWN);
    expect(resolveLocalSkyOptions({ maxSlowdown: 1 }).maxSlowdown).toBe(1);
    expect(resolveLocalSkyOptions({ maxSlowdown: 2.5 }).maxSlowdown).toBe(2.5);
  });

  it.each([0.5, 0, -3, Number.NaN, Number.POSITIVE_INFINITY, MAX_BATCH_SLOWDOWN + 1])(
    'refuses a time budget of %p, naming the option and what it allows',
    (maxSlowdown) => {
      const refused = () => resolveLocalSkyOptions({ maxSlowdown });
      expect(refused).toThrow(LocalSkyOptionError);
      expect(refused).toThrow(/^Option maxSlowdown is .*; allowed: a number from 1 \(not paced\) to 10000$/);
    },
  );

  it.each([
    ['experimentBurst', { experimentBurst: 200 }],
    ['probeSaturation', { probeSaturation: true }],
  ])('refuses %s without the experiment it is for, rather than dropping it', (option, given) => {
    expect(() => resolveLocalSkyOptions({ ...given, experiment: false })).toThrow(
      new RegExp(`^Option ${option} is .*; allowed: nothing without the experiment$`),
    );
    expect(() => resolveLocalSkyOptions(given)).not.toThrow();
  });

  it('shows a value that is not finite as it was given, not as JSON null', () => {
    expect(() => resolveLocalSkyOptions({ routingTimeScale: Number.POSITIVE_INFINITY })).toThrow(
      /^Option routingTimeScale is Infinity; allowed:/,
    );
  });

  it("profiles with the twin's profiling calls unless told, and 0 skips profiling", () => {
    expect(resolveLocalSkyOptions().profilingCalls).toBe(DEFAULT_PROFILING_OBSERVATIONS);
    expect(resolveLocalSkyOptions({ profilingCalls: 0 }).profilingCalls).toBe(0);
    expect(resolveLocalSkyOptions({ profilingCalls: MAX_PROFILING_OBSERVATIONS }).profilingCalls).toBe(
      MAX_PROFILING_OBSERVATIONS,
    );
  });

  it.each([-1, 2.5, Number.NaN, MAX_PROFILING_OBSERVATIONS + 1])(
    'refuses %p profiling calls, naming the option and what it allows',
    (profilingCalls) => {
      const refused = () => resolveLocalSkyOptions({ profilingCalls });
      expect(refused).toThrow(LocalSkyOptionError);
      expect(refused).toThrow(/^Option profilingCalls is .*; allowed: a whole number from 0 \(no profiling\) to 100$/);
    },
  );
});
