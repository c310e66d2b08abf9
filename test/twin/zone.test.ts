import type { DynamicResponse } from '../../lib/contracts';
import { VirtualClock } from '../../lib/twin/clock';
import { defaultHandlerKit } from '../../lib/twin/handlers';
import type { HandlerKit } from '../../lib/twin/kit';
import { rngFor } from '../../lib/twin/random';
import { fleetOf, Twin } from '../../lib/twin/twin';
import { EmulatedZone, hostCounts } from '../../lib/twin/zone';
import { smallScenario } from './fixtures';

const START = Date.UTC(2024, 4, 1);

function zoneOf(slotsPerHost = 2, hosts = 3, keepAliveMs = 300_000, placementSpread = 1, hostMemoryMb?: number) {
  const clock = new VirtualClock(START);
  const scenario = smallScenario();
  const zone = new EmulatedZone({
    azId: 'usw1-az3',
    region: 'us-west-1',
    slotsPerHost,
    clock,
    rng: rngFor(1, 'z'),
    keepAliveMs,
    placementSpread,
    ...(hostMemoryMb !== undefined ? { hostMemoryMb } : {}),
  });
  zone.configure(fleetOf(scenario, 'usw1-az3', 0).slice(0, hosts), rngFor(1, 'fleet'), START);
  return { zone, clock };
}

describe('emulated zone', () => {
  it('reuses an idle warm instance of the same function, and only of that function', () => {
    const { zone } = zoneOf();
    const first = zone.acquire('f', 'x86_64', 1024);
    if (!first.ok) throw new Error('no capacity');
    expect(first.cold).toBe(true);
    zone.release(first.instance);
    const again = zone.acquire('f', 'x86_64', 1024);
    expect(again).toMatchObject({ ok: true, cold: false });
    if (again.ok) expect(again.instance).toBe(first.instance);
    const other = zone.acquire('g', 'x86_64', 1024);
    expect(other).toMatchObject({ ok: true, cold: true });
  });

  it('cold-starts concurrent calls on separate instances until the slots run out, then throttles', () => {
    const { zone } = zoneOf(2, 3);
    const got = Array.from({ length: 8 }, () => zone.acquire('f', 'x86_64', 1024));
    expect(got.filter((g) => g.ok)).toHaveLength(6);
    expect(got.slice(6)).toEqual([
      { ok: false, reason: 'no-capacity' },
      { ok: false, reason: 'no-capacity' },
    ]);
    expect(zone.stats).toMatchObject({ coldStarts: 6, throttles: 2 });
    // every host got exactly its two slots
    const perHost = new Map<number, number>();
    for (const g of got) if (g.ok) perHost.set(g.instance.host.index, (perHost.get(g.instance.host.index) ?? 0) + 1);
    expect([...perHost.values()]).toEqual([2, 2, 2]);
  });

  it('keeps an idle instance warm for the keep-alive, then frees its slot', async () => {
    const { zone, clock } = zoneOf(1, 1, 300_000);
    const a = zone.acquire('f', 'x86_64', 1024);
    if (!a.ok) throw new Error('no capacity');
    zone.release(a.instance);
    expect(zone.acquire('g', 'x86_64', 1024)).toEqual({ ok: false, reason: 'no-capacity' });
    await clock.run(() => clock.sleep(299_999));
    expect(zone.liveInstances('f')).toBe(1);
    await clock.run(() => clock.sleep(1));
    expect(zone.liveInstances('f')).toBe(0);
    expect(zone.stats.expired).toBe(1);
    expect(zone.acquire('g', 'x86_64', 1024)).toMatchObject({ ok: true, cold: true });
  });

  it('frees the slot at once when an instance ends itself', () => {
    const { zone } = zoneOf(1, 1);
    const a = zone.acquire('f', 'x86_64', 1024);
    if (!a.ok) throw new Error('no capacity');
    zone.end(a.instance);
    expect(zone.usedSlots).toBe(0);
    expect(zone.acquire('f', 'x86_64', 1024)).toMatchObject({ ok: true, cold: true });
  });

  it("packs a function's cold starts on its share of the hosts, then spills over", () => {
    // 10 hosts × 2 slots, spread 0.3: each function prefers 3 hosts (6 slots)
    const { zone } = zoneOf(2, 10, 300_000, 0.3);
    const hostsOf = (name: string, n: number): number[] =>
      Array.from({ length: n }, () => {
        const got = zone.acquire(name, 'x86_64', 1024);
        if (!got.ok) throw new Error('no capacity');
        return got.instance.host.index;
      });
    const first = hostsOf('f', 6);
    expect(new Set(first).size).toBe(3);
    const spilled = hostsOf('f', 2);
    for (const h of spilled) expect(first).not.toContain(h);
    // another function prefers its own hosts, and the zone still saturates at 20 instances
    hostsOf('g', 12);
    expect(zone.acquire('h', 'x86_64', 1024)).toEqual({ ok: false, reason: 'no-capacity' });
  });

  it("draws a function's preferred hosts from the function and the day's fleet, not from what started before it", () => {
    const windowOf = (zone: EmulatedZone, name: string): number[] => {
      const hosts = new Set<number>();
      // 1 GB instances, 2 slots a host: 6 cold starts fill the function's 3 preferred hosts of 10
      for (let i = 0; i < 6; i++) {
        const got = zone.acquire(name, 'x86_64', 1024);
        if (!got.ok) throw new Error('no capacity');
        hosts.add(got.instance.host.index);
      }
      return [...hosts].sort((a, b) => a - b);
    };
    const alone = zoneOf(2, 10, 300_000, 0.3).zone;
    const own = windowOf(alone, 'f');
    const after = zoneOf(2, 10, 300_000, 0.3).zone;
    for (const name of ['other', 'another']) {
      const got = after.acquire(name, 'x86_64', 128);
      if (got.ok) after.end(got.instance);
    }
    expect(windowOf(after, 'f')).toEqual(own);
    // a new day's fleet (new boot times) draws anew
    const { zone: nextDay } = zoneOf(2, 10, 300_000, 0.3);
    nextDay.configure(fleetOf(smallScenario(), 'usw1-az3', 0).slice(0, 10), rngFor(2, 'fleet'), START + 86_400_000);
    expect(windowOf(nextDay, 'f')).not.toEqual(own);
  });

  it("holds instances up to a host's memory, whatever their number below the slot limit", () => {
    const { zone } = zoneOf(100, 1, 300_000, 1, 10_240);
    expect(zone.acquire('f', 'x86_64', 4096)).toMatchObject({ ok: true, cold: true });
    expect(zone.acquire('g', 'x86_64', 4096)).toMatchObject({ ok: true, cold: true });
    expect(zone.acquire('h', 'x86_64', 4096)).toEqual({ ok: false, reason: 'no-capacity' });
    const last = zone.acquire('h', 'x86_64', 2048);
    expect(last).toMatchObject({ ok: true, cold: true });
    expect(zone.acquire('i', 'x86_64', 128)).toEqual({ ok: false, reason: 'no-capacity' });
    if (last.ok) zone.end(last.instance);
    expect(zone.acquire('i', 'x86_64', 128)).toMatchObject({ ok: true, cold: true });
    expect(zone.capacityAt(4096)).toBe(2);
  });

  it("packs one function's small instances onto few hosts and its largest ones onto a host each", () => {
    // 384 GiB hosts: one function fills 12 GiB of a host before opening another
    const { zone } = zoneOf(1000, 40);
    const hostsOf = (name: string, memoryMb: number): Set<number> =>
      new Set(
        Array.from({ length: 12 }, () => {
          const got = zone.acquire(name, 'x86_64', memoryMb);
          if (!got.ok) throw new Error('no capacity');
          return got.instance.host.index;
        }),
      );
    expect(hostsOf('small', 1024).size).toBe(1);
    expect(hostsOf('medium', 4096).size).toBe(4);
    expect(hostsOf('large', 10_240).size).toBe(12);
  });

  it('lets a function past its share of a host when no host has room within the share', () => {
    const { zone } = zoneOf(1000, 2);
    const got = Array.from({ length: 5 }, () => zone.acquire('f', 'x86_64', 10_240));
    expect(got.every((g) => g.ok)).toBe(true);
    // 384 GiB hosts take 38 instances of 10,240 MB each
    expect(zone.capacityAt(10_240)).toBe(76);
  });

  it('gives each CPU its share of hosts (largest remainder)', () => {
    expect([...hostCounts({ a: 0.5, b: 0.25, c: 0.15, d: 0.1 }, ['a', 'b', 'c', 'd'], 7)]).toEqual([
      ['a', 3],
      ['b', 2],
      ['c', 1],
      ['d', 1],
    ]);
    expect(
      [...hostCounts({ a: 0.3334, b: 0.3333, c: 0.3333 }, ['a', 'b', 'c'], 10).values()].reduce((x, y) => x + y),
    ).toBe(10);
  });
});

describe('emulated instances running the real handlers', () => {
  const scenario = smallScenario();
  const target = 'sky-usw1-az3-x86_64-2048';
  const twinOf = (kit: HandlerKit = defaultHandlerKit()) => {
    const clock = new VirtualClock(START);
    return { clock, twin: new Twin({ scenario, clock, kit }) };
  };
  const echo = { code: { source: 'exports.run = (x, ctx) => ({ x, cpu: ctx.instance.cpuKey })' }, input: 7 };

  it('reports the emulated CPU, zone, memory and a new instance through the real inspector', async () => {
    const { clock, twin } = twinOf();
    const first = await clock.run(() => twin.call(target, echo));
    const second = await clock.run(() => twin.call(target, echo));
    expect(first.kind).toBe('ok');
    if (first.kind !== 'ok' || second.kind !== 'ok') return;
    const a = first.payload as Extract<DynamicResponse, { status: 'ok' }>;
    const b = second.payload as Extract<DynamicResponse, { status: 'ok' }>;
    expect(a.status).toBe('ok');
    expect(a.inspection).toMatchObject({
      azId: 'usw1-az3',
      region: 'us-west-1',
      memoryMb: 2048,
      newInstance: true,
      arch: 'x86_64',
    });
    expect(a.inspection.cpuKey).toBe(first.cpu);
    expect(a.result).toEqual({ x: 7, cpu: first.cpu });
    const bootTimes = twin.zones
      .get('usw1-az3')
      ?.hosts.filter((h) => h.cpu.cpuKey === first.cpu)
      .map((h) => h.bootTime);
    expect(bootTimes).toContain(a.inspection.bootTime);
    // the second call reuses the warm instance
    expect(b.inspection.instanceId).toBe(a.inspection.instanceId);
    expect(b.inspection.newInstance).toBe(false);
    expect(second.cold).toBe(false);
  });

  it("takes a host's memory from the scenario's zone", () => {
    const withMemory = {
      ...scenario,
      zones: scenario.zones.map((z, i) => (i === 0 ? { ...z, hostMemoryMb: 20_480 } : z)),
    };
    const twin = new Twin({ scenario: withMemory, clock: new VirtualClock(START), kit: defaultHandlerKit() });
    const zone = withMemory.zones[0];
    expect(twin.zones.get(zone.azId)?.capacityAt(10_240)).toBe(zone.hosts * Math.min(2, zone.slotsPerHost));
    expect(twin.zones.get(withMemory.zones[1].azId)?.hostMemoryMb).toBe(384 * 1024);
  });

  it('a rejected instance that stays warm is offered the next request again', async () => {
    const { clock, twin } = twinOf();
    const probe = await clock.run(() => twin.call(target, echo));
    if (probe.kind !== 'ok') throw new Error(probe.kind);
    const reject = { ...echo, reject: { cpus: [probe.cpu as string], holdMs: 150 } };
    const started = clock.now();
    const rejected = await clock.run(() => twin.call(target, reject));
    if (rejected.kind !== 'ok') throw new Error(rejected.kind);
    expect((rejected.payload as DynamicResponse).status).toBe('rejected');
    expect(rejected.billedMs).toBe(150);
    expect(clock.now() - started).toBeGreaterThanOrEqual(150);
    const next = await clock.run(() => twin.call(target, echo));
    if (next.kind !== 'ok') throw new Error(next.kind);
    expect(next.instanceId).toBe(probe.instanceId);
    expect(twin.zones.get('usw1-az3')?.liveInstances(target)).toBe(1);
  });

  it('a rejected instance that ends itself is replaced by a new one', async () => {
    const { clock, twin } = twinOf();
    const probe = await clock.run(() => twin.call(target, echo));
    if (probe.kind !== 'ok') throw new Error(probe.kind);
    const reject = { ...echo, reject: { cpus: [probe.cpu as string], holdMs: 150, endInstance: true } };
    const rejected = await clock.run(() => twin.call(target, reject));
    if (rejected.kind !== 'ok') throw new Error(rejected.kind);
    expect((rejected.payload as DynamicResponse).status).toBe('rejected');
    expect(twin.zones.get('usw1-az3')?.liveInstances(target)).toBe(0);
    const next = await clock.run(() => twin.call(target, echo));
    if (next.kind !== 'ok') throw new Error(next.kind);
    expect(next.cold).toBe(true);
    expect(next.instanceId).not.toBe(probe.instanceId);
  });

  it('runs a poll of concurrent sampler calls on distinct instances through the real fan-out tree', async () => {
    const { clock, twin } = twinOf();
    const answer = await clock.run(() =>
      twin.invoke('sky-fan-usw1-az3', { target: 'sky-smp-usw1-az3-00', count: 120, branching: 5 }),
    );
    expect(answer.ok).toBe(true);
    if (!answer.ok) return;
    const poll = answer.payload as {
      succeeded: number;
      cpuCounts: Record<string, number>;
      failures: Record<string, number>;
    };
    // 200 slots, minus the fan-out tree's own instances: every sampler call held its own instance
    const seen = Object.values(poll.cpuCounts).reduce((a, b) => a + b, 0);
    expect(poll.succeeded).toBe(120);
    expect(seen).toBe(120);
    expect(Object.keys(poll.cpuCounts).sort()).toEqual([
      'amd-epyc',
      'intel-xeon-2.50',
      'intel-xeon-2.90',
      'intel-xeon-3.00',
    ]);
  });

  it('throttles a poll larger than the zone with TooManyRequestsException', async () => {
    const { clock, twin } = twinOf();
    const answer = await clock.run(() =>
      twin.invoke('sky-fan-sae1-az1', { target: 'sky-smp-sae1-az1-00', count: 150, branching: 10 }),
    );
    if (!answer.ok) throw new Error(answer.errorType);
    const poll = answer.payload as { succeeded: number; failures: Record<string, number> };
    // 100 slots; the tree itself holds some of them
    expect(poll.succeeded).toBeLessThan(100);
    expect(poll.failures.TooManyRequestsException).toBe(150 - poll.succeeded);
  });
});
