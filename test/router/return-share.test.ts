import { regionFacts, regionOfAzId } from '../../lib/catalog';
import type { Invoker } from '../../lib/contracts';
import { routerEnvironment } from '../../lib/routing/environment';
import { RouterConfigError } from '../../lib/routing/errors';
import { MemoryRouterStore } from '../../lib/routing/memory-store';
import { RoutingService } from '../../lib/routing/service';
import { silentTelemetry } from '../../lib/routing/telemetry';
import { characterization, EPYC, NOW, X25, X29, X30 } from '../core/fixtures';

/** How often a held instance takes the retry back: read from SKY_RETURN_SHARE and priced by the router Lambda's placer. */
const facts = { regionFacts, regionOfAzId };
const baseEnv = { SKY_ZONES: 'usw1-az3', AWS_REGION: 'us-west-1', SKY_REJECT_MODE: 'hold' };
const noInvoke: Invoker = {
  invoke: () => Promise.reject(new Error('planning invokes nothing')),
};

async function plannedAttempts(env: Record<string, string>): Promise<number> {
  const { config } = routerEnvironment({ ...baseEnv, ...env }, facts);
  const store = new MemoryRouterStore({ now: () => NOW });
  store.putCharacterization(
    characterization('usw1-az3', 'us-west-1', { [X25]: 500, [X30]: 150, [X29]: 250, [EPYC]: 100 }),
  );
  const service = new RoutingService({
    store,
    invoker: noInvoke,
    config,
    clock: () => NOW,
    telemetry: silentTelemetry,
  });
  const plan = await service.plan({
    workload: 'zipper',
    strategy: 'retry-slow',
    limits: { architectures: ['x86_64'], memorySizes: [2048] },
  });
  expect(plan.placement.rejectCpus.length).toBeGreaterThan(0);
  expect(plan.placement.maxAttempts).toBe(10);
  return plan.placement.expected.attempts;
}

describe('SKY_RETURN_SHARE', () => {
  it('prices hold as the platform hands retries back: 1 by default, a fresh draw per retry at 0', async () => {
    const held = await plannedAttempts({});
    // Every retry back on the held instance: 1 + 9q attempts. Each retry a fresh draw: (1 − q^10)/(1 − q).
    const q = (held - 1) / 9;
    expect(q).toBeGreaterThan(0.1);
    expect(await plannedAttempts({ SKY_RETURN_SHARE: '0' })).toBeCloseTo((1 - q ** 10) / (1 - q), 9);
    expect(await plannedAttempts({ SKY_RETURN_SHARE: '1' })).toBeCloseTo(held, 12);
  });

  it.each(['1.5', '-0.2', 'most'])('fails on %s, naming the variable and the range', (value) => {
    expect(() => routerEnvironment({ ...baseEnv, SKY_RETURN_SHARE: value }, facts)).toThrow(RouterConfigError);
    expect(() => routerEnvironment({ ...baseEnv, SKY_RETURN_SHARE: value }, facts)).toThrow(/SKY_RETURN_SHARE.*0 to 1/);
  });
});
