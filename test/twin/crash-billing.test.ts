import { DEFAULT_EPOCH_MS } from '../../lib/twin/twin';
import { routedTwin, smallScenario, trueMixCharacterizations } from './fixtures';

/**
 * A dynamic function whose handler itself crashes (a function error, not an error the handler answers) ran, and
 * Lambda bills it: its run, and a new instance's INIT. The twin bills it so, and the router prices the attempt from
 * the REPORT record as it prices an answered one.
 */
describe('a dynamic function that crashes', () => {
  it('is billed its run and INIT by the twin, and the router prices the attempt at what was billed', async () => {
    const scenario = smallScenario();
    const { clock, routing } = routedTwin(scenario, {
      memorySizes: [2048],
      wrapKit: (kit) => ({
        ...kit,
        dynamic: (platform) => async () => {
          await platform.sleep(700);
          throw new RangeError('the handler crashed');
        },
      }),
    });
    clock.advanceTo(DEFAULT_EPOCH_MS + 3_600_000);
    routing.characterize(trueMixCharacterizations(scenario, 1000));
    const { value, bill } = await clock.run(() =>
      routing.metered(() =>
        routing.service.route(
          { workload: 'zipper', limits: { zones: ['usw1-az3'], memoryMb: 2048, arch: 'x86_64' } },
          { getRemainingTimeInMillis: () => 60_000 },
        ),
      ),
    );
    // THEN the call fails with the function's error, and its one attempt was billed 700 ms and the 150 ms INIT
    expect(value).toMatchObject({ status: 'error', error: { type: 'FunctionError' } });
    expect(bill.billedMs).toBeGreaterThanOrEqual(850);
    expect(bill.billedMs).toBeLessThan(900);
    const attempts = 'attempts' in value ? (value.attempts ?? []) : [];
    expect(attempts).toHaveLength(1);
    expect(attempts[0].billedMs).toBe(bill.billedMs);
    expect(attempts[0].costUsd).toBeCloseTo(bill.costUsd, 12);
    // and the new instance's INIT counts toward what the router prices INIT at, whatever its call then did
    await routing.service.flush();
    expect(await routing.store.allInitSums()).toEqual([expect.objectContaining({ count: 1, sumMs: 150, billed: 1 })]);
  });
});
