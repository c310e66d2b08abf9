import fc from 'fast-check';
import { createFanoutHandler, splitCount } from '../../lambda/fanout/handler';
import { socketsOf } from '../../lambda/fanout/index';
import { mergeSketches, quantile, sketchOf } from '../../lambda/fanout/latency';
import { MAX_LEAF_PAYLOAD_BYTES } from '../../lambda/fanout/request';
import { loadSamplerHandler } from '../../lambda/sampler/load';
import { samplerSource } from '../../lib/sampling/sampler-source';
import { AMD_CPUINFO, FakePlatform, GRAVITON2_CPUINFO, INTEL_CPUINFO } from './helpers/fake-platform';
import { MemoryInvoker } from './helpers/memory-invoker';

const SAMPLER = 'sky-smp-usw2-az1-00';
const FANOUT = 'sky-fanout-usw2-az1';

/**
 * An emulated zone: every sampler call gets the next instance in the list (cycling), each a
 * platform with its own CPU, so repeated calls revisit instances once the list is used up.
 */
function zone(cpus: string[], bootTimes: number[] = [1000], idPrefix = 'i') {
  const source = samplerSource({ index: 0, azId: 'usw2-az1', sleepMs: 250 });
  const instances = cpus.map(
    (cpuinfo, i) =>
      new FakePlatform({
        cpuinfo,
        btime: bootTimes[i % bootTimes.length],
        tmpDir: `/tmp/${idPrefix}${i}`,
        idPrefix: `${idPrefix}${i}`,
      }),
  );
  let next = 0;
  return async () => {
    const platform = instances[next++ % instances.length]!;
    return loadSamplerHandler(source, platform)({});
  };
}

function setup(cpus: string[], bootTimes?: number[]) {
  const invoker = new MemoryInvoker();
  const handler = createFanoutHandler({ invoker, selfName: FANOUT });
  invoker.register(SAMPLER, zone(cpus, bootTimes));
  invoker.register(FANOUT, (payload) => handler(payload));
  return { invoker, handler };
}

describe('splitCount', () => {
  it('splits 1000 at branching 10 into 10 children of 100', () => {
    expect(splitCount(1000, 10)).toEqual(Array(10).fill(100));
    expect(splitCount(150, 10)).toEqual(Array(10).fill(15));
    expect(splitCount(15, 10)).toEqual([8, 7]);
  });

  it('keeps the total, at most `branching` children, sizes within one, and always shrinks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 100_000 }), fc.integer({ min: 2, max: 1000 }), (count, branching) => {
        fc.pre(count > branching);
        const sizes = splitCount(count, branching);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(count);
        expect(sizes.length).toBeLessThanOrEqual(branching);
        expect(sizes.length).toBeGreaterThanOrEqual(2);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        expect(Math.max(...sizes)).toBeLessThan(count);
      }),
    );
  });
});

describe('fan-out tree', () => {
  it('calls the target directly when count <= branching', async () => {
    const { invoker, handler } = setup([INTEL_CPUINFO, AMD_CPUINFO, INTEL_CPUINFO]);
    const poll = await handler({ target: SAMPLER, count: 3, branching: 10 });
    expect(invoker.calls.map((c) => c.name)).toEqual([SAMPLER, SAMPLER, SAMPLER]);
    expect(poll).toMatchObject({
      requested: 3,
      succeeded: 3,
      failures: {},
      cpuCounts: { 'intel-xeon-2.50': 2, 'amd-epyc': 1 },
      cpuModels: { 'intel-xeon-2.50': 'Intel(R) Xeon(R) Processor @ 2.50GHz', 'amd-epyc': 'AMD EPYC' },
      newInstances: 3,
      bootTimes: [1000],
      billedMs: 750,
      fanoutCalls: 0,
    });
    expect(poll.instanceIds).toHaveLength(3);
    expect(poll).not.toHaveProperty('instances');
  });

  it('polls 1000 through a tree and counts each distinct instance once', async () => {
    // 400 instances: 1000 requests revisit them, so only 400 are distinct and only the first visits are new.
    const cpus = Array.from({ length: 400 }, (_, i) =>
      i % 4 === 0 ? AMD_CPUINFO : i % 4 === 1 ? GRAVITON2_CPUINFO : INTEL_CPUINFO,
    );
    const { invoker, handler } = setup(cpus, [1000, 2000, 3000]);
    const poll = await handler({ target: SAMPLER, count: 1000, branching: 10 }, { functionName: 'ignored' });
    expect(poll.requested).toBe(1000);
    expect(poll.succeeded).toBe(1000);
    expect(poll.cpuCounts).toEqual({ 'amd-epyc': 100, graviton2: 100, 'intel-xeon-2.50': 200 });
    expect(poll.instanceIds).toHaveLength(400);
    expect(poll.newInstances).toBe(400);
    expect(poll.bootTimes).toEqual([1000, 2000, 3000]);
    const samplerCalls = invoker.calls.filter((c) => c.name === SAMPLER).length;
    const fanoutCalls = invoker.calls.filter((c) => c.name === FANOUT).length;
    expect(samplerCalls).toBe(1000);
    expect(fanoutCalls).toBe(110); // 10 children of 100, each with 10 children of 10
    expect(poll.fanoutCalls).toBe(110);
    for (const call of invoker.calls.filter((c) => c.name === FANOUT)) {
      expect(call.payload).toMatchObject({ includeDetail: true, target: SAMPLER, branching: 10 });
    }
    expect(JSON.stringify(poll).length).toBeLessThan(40_000);
  });

  it('lists the hosts met: one entry per (boot time, CPU), with its instances and sampler functions', async () => {
    // 40 instances cycling over CPUs (intel, amd) and boot times (1000, 2000, 3000): 6 hosts.
    const cpus = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? INTEL_CPUINFO : AMD_CPUINFO));
    const { handler } = setup(cpus, [1000, 2000, 3000]);
    const poll = await handler({ target: SAMPLER, count: 40, branching: 10 }, { functionName: FANOUT });
    expect(poll.samplers).toBe(1);
    expect(poll.hosts).toHaveLength(6);
    expect(poll.hosts!.reduce((n, h) => n + h.instances, 0)).toBe(40);
    expect(poll.hosts!.every((h) => h.samplers === 1)).toBe(true);
    expect(poll.hosts!.map((h) => `${h.cpu}@${h.bootTime}`).sort()).toEqual([
      'amd-epyc@1000',
      'amd-epyc@2000',
      'amd-epyc@3000',
      'intel-xeon-2.50@1000',
      'intel-xeon-2.50@2000',
      'intel-xeon-2.50@3000',
    ]);
  });

  it('spreads a poll over several sampler functions and counts the functions that met each host', async () => {
    const other = 'sky-smp-usw2-az1-01';
    const { invoker, handler } = setup([INTEL_CPUINFO], [1000]);
    invoker.register(other, zone([INTEL_CPUINFO, AMD_CPUINFO], [1000, 2000], 'j'));
    const poll = await handler({ targets: [SAMPLER, other], count: 25, branching: 10 }, { functionName: FANOUT });
    expect(invoker.calls.filter((c) => c.name === SAMPLER)).toHaveLength(13);
    expect(invoker.calls.filter((c) => c.name === other)).toHaveLength(12);
    expect(poll.requested).toBe(25);
    expect(poll.samplers).toBe(2);
    // SAMPLER's one instance is on intel@1000; `other` has intel@1000 and amd@2000.
    expect(poll.hosts).toEqual([
      { bootTime: 1000, cpu: 'intel-xeon-2.50', instances: 2, samplers: 2 },
      { bootTime: 2000, cpu: 'amd-epyc', instances: 1, samplers: 1 },
    ]);
  });

  it('fails on a request with neither target nor targets', async () => {
    const { handler } = setup([INTEL_CPUINFO]);
    await expect(handler({ count: 5, branching: 10 })).rejects.toThrow('target');
  });

  it('fails on a request with both target and targets, invoking nothing', async () => {
    const { invoker, handler } = setup([INTEL_CPUINFO]);
    let invoked = 0;
    invoker.fault = () => {
      invoked++;
      return undefined;
    };
    await expect(handler({ target: SAMPLER, targets: [SAMPLER], count: 5, branching: 10 })).rejects.toThrow(
      'both target and targets are set',
    );
    expect(invoked).toBe(0);
  });

  it.each([
    [undefined, 64],
    ['16', 16],
  ])('takes SKY_FANOUT_MAX_SOCKETS %p as %p connections', (value, sockets) => {
    expect(socketsOf(value)).toBe(sockets);
  });

  it.each(['abc', '0', '2.5', '0x10', '9999'])('refuses SKY_FANOUT_MAX_SOCKETS %p, naming it', (value) => {
    expect(() => socketsOf(value)).toThrow(/^SKY_FANOUT_MAX_SOCKETS is .*; allowed: a whole number from 1 to 4096$/);
  });

  it('counts throttles and sampler errors by type and keeps the successes', async () => {
    const { invoker, handler } = setup([INTEL_CPUINFO]);
    let samplerCall = 0;
    invoker.fault = (name) => {
      if (name !== SAMPLER) return undefined;
      samplerCall++;
      if (samplerCall % 5 === 0) {
        return {
          ok: false,
          errorType: 'TooManyRequestsException',
          message: 'Rate exceeded',
          retryable: true,
          durationMs: 3,
        };
      }
      if (samplerCall % 7 === 0)
        return { ok: false, errorType: 'Timeout', message: 'late', retryable: true, durationMs: 900 };
      return undefined;
    };
    const poll = await handler({ target: SAMPLER, count: 100, branching: 10 });
    expect(poll.requested).toBe(100);
    const throttled = 20;
    const timedOut = Array.from({ length: 100 }, (_, i) => i + 1).filter((k) => k % 7 === 0 && k % 5 !== 0).length;
    expect(poll.failures).toEqual({ TooManyRequestsException: throttled, Timeout: timedOut });
    expect(poll.succeeded).toBe(100 - throttled - timedOut);
  });

  it('bills ceil(elapsedMs) per successful call, or the call latency when the sampler does not say', async () => {
    const invoker = new MemoryInvoker();
    let n = 0;
    invoker.register(SAMPLER, async () => ({
      cpuModel: 'AMD EPYC',
      instanceId: `x${n}`,
      newInstance: true,
      greeting: 'hi',
      ...(n++ % 2 === 0 ? { elapsedMs: 251.2 } : {}),
    }));
    invoker.durationOf = () => 300.5;
    invoker.fault = (_name, _payload, k) =>
      k === 5 ? { ok: false, errorType: 'Timeout', message: 'late', retryable: true, durationMs: 900 } : undefined;
    const poll = await createFanoutHandler({ invoker })({ target: SAMPLER, count: 5, branching: 5 });
    expect(poll.succeeded).toBe(4);
    expect(poll.billedMs).toBe(252 + 301 + 252 + 301);
  });

  it('bills each call as its REPORT record says, INIT included, through the tree, and counts those INITs', async () => {
    // GIVEN samplers whose even calls start a new instance (INIT 180 ms) and whose log tail holds a REPORT record
    const invoker = new MemoryInvoker();
    let n = 0;
    invoker.register(SAMPLER, async () => {
      const cold = n % 2 === 0;
      return { cpuModel: 'AMD EPYC', instanceId: `x${n++}`, newInstance: cold, elapsedMs: 251.2 };
    });
    let k = 0;
    invoker.reportOf = (name) =>
      name === SAMPLER
        ? k++ % 2 === 0
          ? { billedMs: 432, durationMs: 251.2, initMs: 180.3 }
          : { billedMs: 252, durationMs: 251.2 }
        : { billedMs: 40, durationMs: 39.5 };
    const handler = createFanoutHandler({ invoker, selfName: FANOUT });
    invoker.register(FANOUT, (payload) => handler(payload, {}));
    // WHEN a poll of 20 goes through two children of 10
    const poll = await handler({ target: SAMPLER, count: 20, branching: 10 });
    // THEN the billed time is the records' (not the handler's own 252 ms a call), and the 10 INITs are counted
    expect(poll.succeeded).toBe(20);
    expect(poll.billedMs).toBe(10 * 432 + 10 * 252);
    expect(poll.initsBilled).toBe(10);
    expect(poll.newInstances).toBe(10);
    // AND the children are billed as their own records say
    expect(poll.fanoutMs).toBe(2 * 40);
  });

  it('counts a sampler answer that is not a sampler response', async () => {
    const invoker = new MemoryInvoker();
    invoker.register(SAMPLER, async () => ({ errorMessage: 'odd' }));
    const poll = await createFanoutHandler({ invoker })({ target: SAMPLER, count: 4, branching: 4 });
    expect(poll).toMatchObject({ requested: 4, succeeded: 0, failures: { InvalidSamplerPayload: 4 } });
  });

  it('counts every request of a failed child as failed with its error type', async () => {
    const { invoker, handler } = setup([INTEL_CPUINFO, AMD_CPUINFO]);
    let fanoutCall = 0;
    invoker.fault = (name, payload) => {
      if (name !== FANOUT) return undefined;
      fanoutCall++;
      if (fanoutCall === 2) {
        expect((payload as { count: number }).count).toBe(10);
        return { ok: false, errorType: 'Unhandled', message: 'child crashed', retryable: false, durationMs: 5 };
      }
      return undefined;
    };
    const poll = await handler({ target: SAMPLER, count: 50, branching: 10 });
    expect(poll.requested).toBe(50);
    expect(poll.succeeded).toBe(40);
    expect(poll.failures).toEqual({ Unhandled: 10 });
  });

  it('counts a child that answers garbage', async () => {
    const invoker = new MemoryInvoker();
    invoker.register(FANOUT, async () => 'not an aggregate');
    const poll = await createFanoutHandler({ invoker, selfName: FANOUT })({
      target: SAMPLER,
      count: 30,
      branching: 10,
    });
    expect(poll).toMatchObject({ requested: 30, succeeded: 0, failures: { InvalidFanoutPayload: 30 } });
  });

  it('merges latency percentiles across the tree like one flat poll', async () => {
    const { invoker, handler } = setup([INTEL_CPUINFO]);
    let n = 0;
    invoker.durationOf = (name) => (name === SAMPLER ? 100 + (n++ % 100) * 10 : 1);
    const tree = await handler({ target: SAMPLER, count: 1000, branching: 10 });
    // Latencies 100..1090 each 10 times: exact p50 = 590, p90 = 990, p99 = 1080.
    expect(Math.abs(tree.latencyMs.p50 - 590) / 590).toBeLessThan(0.011);
    expect(Math.abs(tree.latencyMs.p90 - 990) / 990).toBeLessThan(0.011);
    expect(Math.abs(tree.latencyMs.p99 - 1080) / 1080).toBeLessThan(0.011);
    expect(tree.latencyMs.max).toBe(1090);
  });

  it('needs a name to recurse and rejects bad requests naming the field', async () => {
    const handler = createFanoutHandler({ invoker: new MemoryInvoker() });
    await expect(handler({ target: SAMPLER, count: 20, branching: 10 })).rejects.toThrow(/selfName/);
    await expect(handler({ target: SAMPLER, count: 0, branching: 10 })).rejects.toThrow(/count = 0/);
    await expect(handler({ target: SAMPLER, count: 5, branching: 1 })).rejects.toThrow(/branching = 1/);
    await expect(handler({ count: 5, branching: 3 })).rejects.toThrow(/target/);
  });

  it('refuses a leafPayload larger than 1 MiB as JSON, naming it, invoking nothing', async () => {
    const invoker = new MemoryInvoker();
    invoker.register(SAMPLER, zone([INTEL_CPUINFO]));
    const handler = createFanoutHandler({ invoker });
    const big = { pad: 'x'.repeat(MAX_LEAF_PAYLOAD_BYTES) };
    await expect(handler({ target: SAMPLER, count: 2, branching: 2, leafPayload: big })).rejects.toThrow(
      `bad fan-out request: leafPayload is ${MAX_LEAF_PAYLOAD_BYTES + 10} bytes as JSON; at most ${MAX_LEAF_PAYLOAD_BYTES}`,
    );
    expect(invoker.calls).toEqual([]);
    const fits = { pad: 'x'.repeat(MAX_LEAF_PAYLOAD_BYTES - 10) };
    await handler({ target: SAMPLER, count: 2, branching: 2, leafPayload: fits });
    expect(invoker.calls).toHaveLength(2);
  });

  it('refuses a leafPayload nested 20,000 levels deep, naming it, where measuring it would exhaust the stack', async () => {
    const invoker = new MemoryInvoker();
    invoker.register(SAMPLER, zone([INTEL_CPUINFO]));
    const handler = createFanoutHandler({ invoker });
    let deep: unknown = 1;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    await expect(handler({ target: SAMPLER, count: 2, branching: 2, leafPayload: deep })).rejects.toThrow(
      /^bad fan-out request: leafPayload nests objects or arrays more than 64 levels deep/,
    );
    expect(invoker.calls).toEqual([]);
  });

  it('passes leafPayload and leafTimeoutMs to the leaves', async () => {
    const invoker = new MemoryInvoker();
    invoker.register(SAMPLER, zone([INTEL_CPUINFO]));
    await createFanoutHandler({ invoker })({
      target: SAMPLER,
      count: 2,
      branching: 2,
      leafTimeoutMs: 900,
      leafPayload: { sleepMs: 1 },
    });
    expect(invoker.calls.map((c) => c.payload)).toEqual([{ sleepMs: 1 }, { sleepMs: 1 }]);
    expect(invoker.calls.map((c) => c.options)).toEqual([
      { timeoutMs: 900, logTail: true },
      { timeoutMs: 900, logTail: true },
    ]);
  });
});

describe('fan-out deadlines', () => {
  it('bounds leaf and child calls by its own remaining time, so late calls count as Timeout', async () => {
    const invoker = new MemoryInvoker();
    invoker.register(SAMPLER, zone([INTEL_CPUINFO]));
    const handler = createFanoutHandler({ invoker, selfName: FANOUT });
    invoker.register(FANOUT, (payload) => handler(payload, { getRemainingTimeInMillis: () => 5000 }));
    await handler(
      { target: SAMPLER, count: 4, branching: 2, leafTimeoutMs: 9000 },
      { getRemainingTimeInMillis: () => 30_000 },
    );
    const children = invoker.calls.filter((c) => c.name === FANOUT);
    expect(children.map((c) => c.options)).toEqual(Array(2).fill({ timeoutMs: 29_000, logTail: true }));
    const leaves = invoker.calls.filter((c) => c.name === SAMPLER);
    expect(leaves.map((c) => c.options)).toEqual(Array(4).fill({ timeoutMs: 4000, logTail: true }));
  });
});

describe('latency sketch', () => {
  it('merging is exact: a split sketch equals the whole', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.5, max: 60_000, noNaN: true }), { minLength: 1, maxLength: 300 }),
        fc.nat(),
        (xs, cut) => {
          const at = cut % xs.length;
          const merged = mergeSketches([sketchOf(xs.slice(0, at)), sketchOf(xs.slice(at))]);
          expect(merged).toEqual(mergeSketches([sketchOf(xs)]));
          const sorted = [...xs].sort((a, b) => a - b);
          const exact = sorted[Math.ceil(0.9 * xs.length) - 1]!;
          expect(Math.abs(quantile(merged, 0.9) - exact) / exact).toBeLessThan(0.0101);
        },
      ),
    );
  });
});
