import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { type LocalDynamo, startLocalDynamo } from '../../lib/aws/local-dynamo';
import { SkyStore } from '../../lib/aws/store';
import { ensureSkyTable } from '../../lib/aws/table-setup';
import { LearningBuffer } from '../../lib/routing/learning';

describe('LearningBuffer against the real store on dynalite', () => {
  let dynamo: LocalDynamo;
  let store: SkyStore;

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    const doc = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint });
    await ensureSkyTable(doc, 'learning');
    store = new SkyStore({ client: doc, tableName: 'learning' });
  });

  afterAll(async () => {
    await dynamo?.close();
  });

  it('coalesces observations into one ADD per profile entry and one per zone, and loses none', async () => {
    // GIVEN 100 runtimes on two CPUs and 30 new instances in two zones
    const buffer = new LearningBuffer(store);
    const key25 = { cpu: 'intel-xeon-2.50', arch: 'x86_64' as const, memoryMb: 2048 };
    const key30 = { cpu: 'intel-xeon-3.00', arch: 'x86_64' as const, memoryMb: 2048 };
    for (let i = 0; i < 60; i++) buffer.observeRuntime('zipper', key25, 1000 + i);
    for (let i = 0; i < 40; i++) buffer.observeRuntime('zipper', key30, 880);
    for (let i = 0; i < 20; i++) buffer.observeInstance('usw1-az1', i % 2 === 0 ? 'intel-xeon-2.50' : 'amd-epyc');
    for (let i = 0; i < 10; i++) buffer.observeInstance('usw1-az3', 'intel-xeon-3.00');
    // WHEN flushed
    await buffer.flush();
    // THEN four writes carried everything
    expect(buffer.stats.writes).toBe(4);
    expect(buffer.stats.failedWrites).toBe(0);
    expect(buffer.empty).toBe(true);
    const profile = (await store.profiles(['zipper'])).zipper;
    const e25 = profile.entries.find((e) => e.cpu === 'intel-xeon-2.50')!;
    const e30 = profile.entries.find((e) => e.cpu === 'intel-xeon-3.00')!;
    expect(e25.stats.count).toBe(60);
    expect(e25.stats.meanMs).toBeCloseTo(1029.5, 6);
    expect(e30.stats.count).toBe(40);
    expect(e30.stats.meanMs).toBeCloseTo(880, 6);
    expect((await store.passiveCounts('usw1-az1'))?.counts).toEqual({ 'intel-xeon-2.50': 10, 'amd-epyc': 10 });
    expect((await store.passiveCounts('usw1-az3'))?.counts).toEqual({ 'intel-xeon-3.00': 10 });
  });

  it("sums the INIT reports of new instances into the day's item, and drops them for a store that learns no INIT", async () => {
    const buffer = new LearningBuffer(store);
    buffer.observeInit(150);
    buffer.observeInit(250, true);
    buffer.observeInit(200, false);
    buffer.observeInit(Number.NaN, true);
    await buffer.flush();
    expect(buffer.stats.failedWrites).toBe(0);
    expect(await store.allInitSums()).toEqual([
      expect.objectContaining({ count: 3, sumMs: 600, billingChecked: 2, billed: 1 }),
    ]);
    const blind = new LearningBuffer({
      addProfileSums: (...a) => store.addProfileSums(...a),
      addPassiveCpu: (...a) => store.addPassiveCpu(...a),
    });
    blind.observeInit(150, true);
    expect(blind.empty).toBe(true);
  });

  it('lets concurrent callers share flushes, each returning only after its own observations are written', async () => {
    const buffer = new LearningBuffer(store);
    const key = { cpu: 'graviton2', arch: 'arm64' as const, memoryMb: 1024 };
    // 50 concurrent "calls": each observes, then awaits a flush, then checks the table holds at least its count.
    let observed = 0;
    const shortfalls: number[] = [];
    await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i % 5));
        buffer.observeRuntime('flushers', key, 100);
        // Every observation made up to this one must be in the table once this caller's flush resolves.
        const ordinal = ++observed;
        await buffer.flush();
        const entry = (await store.profiles(['flushers'])).flushers.entries[0];
        if (entry.stats.count < ordinal) shortfalls.push(ordinal - entry.stats.count);
      }),
    );
    const total = (await store.profiles(['flushers'])).flushers.entries[0].stats.count;
    expect(total).toBe(50);
    // Fewer writes than calls: flushes were shared.
    expect(buffer.stats.writes).toBeLessThan(50);
    expect(shortfalls).toEqual([]);
  });

  it('reports a failed write and never rejects', async () => {
    const doc = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint });
    const missing = new SkyStore({ client: doc, tableName: 'absent' });
    const errors: string[] = [];
    const buffer = new LearningBuffer(missing, (_error, what) => errors.push(what));
    buffer.observeRuntime('zipper', { cpu: 'amd-epyc', arch: 'x86_64', memoryMb: 128 }, 5);
    buffer.observeInstance('usw1-az1', 'amd-epyc');
    await expect(buffer.flush()).resolves.toBeUndefined();
    expect(buffer.stats.failedWrites).toBe(2);
    expect(errors.sort()).toEqual(['passive usw1-az1', 'profile zipper']);
  });
});
