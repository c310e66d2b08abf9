import { routedTwin, smallScenario, trueMixCharacterizations } from './fixtures';

const PROFILE = 'zipper@small';

/**
 * A burst the router places nowhere (no target runs the work within its time budget) is an outcome of the run, as
 * the router's per-request `NoTarget` answer is to a user: every request of the burst failed, nothing was billed,
 * and the twin goes on, instead of stopping the whole run and losing the other workloads' results.
 */
describe('a burst the router refuses', () => {
  const scenario = smallScenario({ days: 1 });

  it('counts every request failed, with the reason, and the next burst still runs', async () => {
    // GIVEN the router's twin, the zones characterized, and zipper observed at 4096 MB (about 1 s a call)
    const { clock, twin, routing } = routedTwin(scenario, { memorySizes: [4096] });
    twin.setDay(0);
    routing.characterize(trueMixCharacterizations(scenario, 400, { polls: 2 }));
    const key = (cpu: string) => ({ cpu, arch: 'x86_64' as const, memoryMb: 4096 });
    for (const [cpu, ms] of [
      ['intel-xeon-2.50', 1000],
      ['intel-xeon-3.00', 880],
      ['intel-xeon-2.90', 1220],
      ['amd-epyc', 1350],
    ] as const) {
      await routing.store.addProfileSums(PROFILE, key(cpu), { count: 20, sum: 20 * ms, sumSquares: 20 * ms * ms });
    }
    const request = { workload: { name: 'zipper', size: 'small' }, objective: 'cost' } as const;
    // WHEN a burst's work must finish within 500 ms, which no CPU does
    const refused = await clock.run(() => routing.burst({ ...request, timeoutMs: 500 }, 20));
    // THEN every request failed, nothing was billed, and the router's reason names the budget
    expect('refused' in refused && refused.refused).toMatch(/"zipper@small".*timeoutMs 500/);
    expect(refused.outcome).toMatchObject({ requests: 20, completed: 0, failed: 20, attempts: 0, costUsd: 0 });
    // and the same deployment places the next burst, whose budget holds
    const placed = await clock.run(() => routing.burst(request, 20));
    expect('answer' in placed).toBe(true);
    expect(placed.outcome).toMatchObject({ requests: 20, completed: 20, failed: 0 });
  });
});
