import { AsyncLocalStorage } from 'node:async_hooks';
import type { Invoker } from '../lib/contracts';
import type { RouterStore } from '../lib/routing/types';
import { startSky } from '../test/router/sky-fixture';

export const title = 'Router service: overhead per request beyond the invoke itself';

/**
 * Routes requests through the router handler against the twin's loopback Lambda API (real SDK
 * client) with the table on dynalite, and measures, per request, the handler's wall time minus
 * the time spent inside the invokes: parsing, the cached view, placement, following, learning and
 * telemetry. Prints p50 and p99 (target: p99 ≤ 5 ms).
 */
export async function run(): Promise<void> {
  const sky = await startSky({ maxSockets: 64 });
  try {
    await sky.characterize();
    const cases: Array<{
      name: string;
      store?: RouterStore;
      learning?: 'await' | 'background';
      concurrency: number;
      requests: number;
    }> = [
      { name: 'serial, learning awaited (dynalite writes)', concurrency: 1, requests: 2000 },
      { name: 'serial, learning in the background', learning: 'background', concurrency: 1, requests: 2000 },
      {
        name: 'serial, table writes skipped (router work only)',
        store: readOnly(sky.store),
        concurrency: 1,
        requests: 2000,
      },
      { name: '50 concurrent, learning awaited (shared flushes)', concurrency: 50, requests: 4000 },
    ];
    console.log('| case | requests | attempts/request | overhead p50 ms | overhead p99 ms | invoke p50 ms |');
    console.log('|---|---|---|---|---|---|');
    for (const c of cases) {
      const invokeMs = new Map<number, number>();
      // Each call runs in its own async context, so concurrent calls' invoke times stay apart.
      const call = new AsyncLocalStorage<number>();
      const invoker: Invoker = {
        async invoke(name, payload, options) {
          const id = call.getStore() ?? 0;
          const started = performance.now();
          const result = await sky.invoker.invoke(name, payload, options);
          invokeMs.set(id, (invokeMs.get(id) ?? 0) + performance.now() - started);
          return result;
        },
      };
      const handler = sky.router({
        invoker,
        cacheTtlMs: 3_600_000,
        ...(c.store ? { store: c.store } : {}),
        ...(c.learning ? { learning: c.learning } : {}),
      });
      // Warm up: connections, the view cache, the placement cache, the JIT.
      for (let i = 0; i < 200; i++) await handler({ workload: 'zipper', objective: 'cost' });
      const overheads: number[] = [];
      const invokes: number[] = [];
      let attempts = 0;
      let next = 0;
      let serial = 0;
      await Promise.all(
        Array.from({ length: c.concurrency }, async () => {
          while (next < c.requests) {
            next++;
            const id = ++serial;
            const started = performance.now();
            const answer = (await call.run(id, () => handler({ workload: 'zipper', objective: 'cost' }))) as {
              attempts?: unknown[];
            };
            const total = performance.now() - started;
            const inInvoke = invokeMs.get(id) ?? 0;
            overheads.push(total - inInvoke);
            invokes.push(inInvoke);
            attempts += answer.attempts?.length ?? 0;
          }
        }),
      );
      await handler.flush();
      console.log(
        `| ${c.name} | ${c.requests} | ${(attempts / c.requests).toFixed(2)} | ${pct(overheads, 50).toFixed(2)} | ${pct(overheads, 99).toFixed(2)} | ${pct(invokes, 50).toFixed(2)} |`,
      );
    }
  } finally {
    await sky.close();
  }
  await rejectModes();
  await batchPlanning();
}

/**
 * Which pays after a rejection: keeping the instance warm (`hold`, the paper), ending it (`end`,
 * Minos) or `auto`. Each mode gets a fresh twin at 1/20 of real time (so a 150 ms hold is long next
 * to a loopback round trip), zipper placed with `focus-fastest` in one mixed zone; serial calls and a
 * burst (the paper's batch experiments). Costs are the router's estimates from billed time.
 */
async function rejectModes(): Promise<void> {
  console.log('\nreject modes (zipper, focus-fastest, usw1-az1: 50% 2.50 GHz, 20% 3.00 GHz, 30% EPYC):');
  console.log('| mode | calls | attempts/request | on 3.00 GHz | mean runtime ms | cost per 1k requests |');
  console.log('|---|---|---|---|---|---|');
  for (const mode of ['hold', 'end', 'auto'] as const) {
    for (const shape of ['serial 200', 'burst 400 @ 100'] as const) {
      const sky = await startSky({ timeScale: 0.05, maxSockets: 128 });
      try {
        await sky.characterize();
        const handler = sky.router({ config: { ...sky.config, rejectMode: mode }, cacheTtlMs: 3_600_000 });
        const request = {
          workload: 'zipper',
          strategy: 'focus-fastest',
          limits: { zones: ['usw1-az1'], memoryMb: 2048 },
        };
        const outcomes: Array<{ attempts: number; cpu?: string; runtimeMs?: number; costUsd: number }> = [];
        if (shape === 'serial 200') {
          for (let i = 0; i < 200; i++) {
            const a = (await handler(request)) as unknown as {
              attempts: Array<{ cpu?: string }>;
              estimate?: { costUsd: number; runtimeMs?: number };
            };
            outcomes.push({
              attempts: a.attempts.length,
              cpu: a.attempts.at(-1)?.cpu,
              runtimeMs: a.estimate?.runtimeMs,
              costUsd: a.estimate?.costUsd ?? 0,
            });
          }
        } else {
          const b = (await handler({ ...request, batch: { count: 400, concurrency: 100 } })) as unknown as {
            calls: Array<{ attempts: number; cpu?: string; runtimeMs?: number; costUsd: number }>;
          };
          outcomes.push(...b.calls);
        }
        const n = outcomes.length;
        const fast = outcomes.filter((o) => o.cpu === 'intel-xeon-3.00').length;
        const runtimes = outcomes.filter((o) => o.runtimeMs !== undefined).map((o) => o.runtimeMs as number);
        console.log(
          `| ${mode} | ${shape} | ${(outcomes.reduce((s, o) => s + o.attempts, 0) / n).toFixed(2)} | ${((100 * fast) / n).toFixed(0)}% | ${(runtimes.reduce((a, b) => a + b, 0) / runtimes.length).toFixed(0)} | $${((1000 * outcomes.reduce((s, o) => s + o.costUsd, 0)) / n).toFixed(4)} |`,
        );
      } finally {
        await sky.close();
      }
    }
  }
}

/**
 * What a batch's planning takes before its first call: its placement, where its workers start (`spreadOf`) and, for a
 * paced batch (a time budget, `maxSlowdown`), its pacing (each concurrency priced per worker and again as priced for
 * its probe, `probe.ts`).
 * Timed from the handler's start to the batch's first invoke, on a handler whose view is cached, for batches of zipper
 * of 400–411 calls at most 100 at a time: each count is new to the handler, so none of its placements is cached.
 */
async function batchPlanning(): Promise<void> {
  console.log('\nbatch planning (zipper, 400–411 calls at most 100 at a time; handler start to first invoke):');
  console.log('| batch | batches | planning p50 ms | planning max ms | calls at a time (mean) | probed |');
  console.log('|---|---|---|---|---|---|');
  const sky = await startSky({ timeScale: 0.01, maxSockets: 128 });
  try {
    await sky.characterize();
    let firstInvokeAt: number | undefined;
    const invoker: Invoker = {
      invoke(name, payload, options) {
        firstInvokeAt ??= performance.now();
        return sky.invoker.invoke(name, payload, options);
      },
    };
    const handler = sky.router({ invoker, cacheTtlMs: 3_600_000 });
    // The view cached and runtimes on each CPU learned, as a deployed router's are after its first requests.
    for (let i = 0; i < 100; i++) await handler({ workload: 'zipper', objective: 'cost' });
    await handler.flush();
    for (const maxSlowdown of [1, 4]) {
      const planning: number[] = [];
      let concurrency = 0;
      let probed = 0;
      for (let b = 0; b < 12; b++) {
        firstInvokeAt = undefined;
        const started = performance.now();
        const answer = (await handler({
          workload: 'zipper',
          objective: 'cost',
          batch: { count: 400 + b, concurrency: 100, maxSlowdown },
        })) as unknown as { pacing?: { concurrency: number; probe?: unknown } };
        await handler.flush();
        planning.push((firstInvokeAt ?? Number.NaN) - started);
        concurrency += answer.pacing?.concurrency ?? 100;
        if (answer.pacing?.probe) probed++;
      }
      console.log(
        `| ${maxSlowdown > 1 ? `paced, maxSlowdown ${maxSlowdown}` : 'unpaced'} | ${planning.length} | ${pct(planning, 50).toFixed(1)} | ${Math.max(...planning).toFixed(1)} | ${(concurrency / planning.length).toFixed(0)} | ${probed} |`,
      );
    }
  } finally {
    await sky.close();
  }
}

function readOnly(store: RouterStore): RouterStore {
  return {
    latestCharacterizations: () => store.latestCharacterizations(),
    profiles: () => store.profiles(),
    addProfileSums: async () => {},
    addPassiveCpu: async () => {},
    allPassiveCounts: () => store.allPassiveCounts(),
  };
}

function pct(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
