import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { type LocalDynamo, startLocalDynamo } from '../../lib/aws/local-dynamo';
import { SkyStore } from '../../lib/aws/store';
import { InvalidRecordError } from '../../lib/aws/store-errors';
import { ensureSkyTable } from '../../lib/aws/table-setup';
import { LearningBuffer } from '../../lib/routing/learning';
import { MemoryRouterStore } from '../../lib/routing/memory-store';
import type { FunctionHostsAddition, RouterStore } from '../../lib/routing/types';
import { routingViewOf } from '../../lib/routing/view-cache';

const FN = 'sky-usw1-az1-x86_64-128';
const NOW = Date.parse('2026-01-02T03:04:05Z');
const config = {
  deployed: [{ azId: 'usw1-az1', region: 'us-west-1' }],
  architectures: ['x86_64' as const],
  memorySizes: [128],
};

describe('a function’s hosts in the table (local DynamoDB)', () => {
  let dynamo: LocalDynamo;
  let doc: ReturnType<typeof createDocumentClient>;
  let store: SkyStore;
  const at = { now: NOW };

  beforeAll(async () => {
    dynamo = await startLocalDynamo();
    doc = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint });
    const raw = new DynamoDBClient({
      region: 'us-west-2',
      endpoint: dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureSkyTable(raw, 'fn-hosts');
    raw.destroy();
    store = new SkyStore({ client: doc, tableName: 'fn-hosts', now: () => at.now });
  });
  afterAll(async () => {
    doc?.destroy();
    await dynamo.close();
  });

  it('keeps each host once per day, merges concurrent routers, and dates and expires the day', async () => {
    // GIVEN two routers adding overlapping hosts of one function at once, and a zone's passive counts beside them
    at.now = NOW;
    await Promise.all([
      store.addFunctionHosts({
        functionName: FN,
        azId: 'usw1-az1',
        arch: 'x86_64',
        hosts: { 'intel-xeon-2.50': ['100', '101'] },
      }),
      store.addFunctionHosts({
        functionName: FN,
        azId: 'usw1-az1',
        arch: 'x86_64',
        hosts: { 'intel-xeon-2.50': ['101'], 'intel-xeon-3.00': ['200'] },
      }),
      store.addPassiveCpu('usw1-az1', { 'intel-xeon-2.50': 3 }),
    ]);
    at.now = NOW + 86_400_000;
    await store.addFunctionHosts({
      functionName: FN,
      azId: 'usw1-az1',
      arch: 'x86_64',
      hosts: { 'intel-xeon-2.50': ['100'] },
    });
    // WHEN they are read back
    const periods = await store.allFunctionHosts();
    // THEN each day is a period, with each host once
    const byDay = periods
      .map((p) => [
        p.updatedAt?.slice(0, 10),
        Object.fromEntries(Object.entries(p.hosts).map(([c, b]) => [c, [...b].sort()])),
      ])
      .sort();
    expect(byDay).toEqual([
      ['2026-01-02', { 'intel-xeon-2.50': ['100', '101'], 'intel-xeon-3.00': ['200'] }],
      ['2026-01-03', { 'intel-xeon-2.50': ['100'] }],
    ]);
    expect(periods.every((p) => p.functionName === FN && p.azId === 'usw1-az1' && p.arch === 'x86_64')).toBe(true);
    const item = await doc.send(
      new GetCommand({ TableName: 'fn-hosts', Key: { pk: 'ZONE#usw1-az1', sk: `FNHOSTS#${FN}#2026-01-02` } }),
    );
    expect(item.Item).toMatchObject({ type: 'FNHOSTS', firstAt: '2026-01-02T03:04:05.000Z' });
    expect(item.Item?.expiresAt).toBe(Date.parse('2026-01-10T00:00:00Z') / 1000);
    // the zone's passive counts read as before, with no function hosts among them
    expect({ ...(await store.passiveCounts('usw1-az1'))?.counts }).toEqual({ 'intel-xeon-2.50': 3 });
    expect((await store.allPassiveCounts()).length).toBe(1);
    // and the view the router places from ages them into the function's evidence
    const view = routingViewOf(config, {}, [], {}, [], NOW + 86_400_000, { functionHosts: periods });
    expect(view.functionHosts?.[FN]).toMatchObject({ distinctHosts: 3, arch: 'x86_64' });
  });

  it('adds up the day’s returns to known hosts beside its hosts, and reads them back', async () => {
    at.now = NOW + 5 * 86_400_000;
    const fn = 'sky-usw1-az1-x86_64-512';
    const addition = { functionName: fn, azId: 'usw1-az1', arch: 'x86_64' as const };
    await store.addFunctionHosts({ ...addition, hosts: { 'intel-xeon-2.50': ['100'] } });
    await Promise.all([
      store.addFunctionHosts({
        ...addition,
        hosts: { 'intel-xeon-2.50': ['100'] },
        returns: { checked: 3, returned: 2, chance: 0.25 },
      }),
      store.addFunctionHosts({
        ...addition,
        hosts: { 'intel-xeon-2.50': ['101'] },
        returns: { checked: 1, returned: 0, chance: 0.5 },
      }),
    ]);
    const [period] = (await store.allFunctionHosts()).filter((p) => p.functionName === fn);
    expect(period.returns).toEqual({ checked: 4, returned: 2, chance: 0.75 });
    expect(
      routingViewOf(config, {}, [], {}, [], at.now, { functionHosts: [period] }).functionHosts?.[fn].windowShare,
    ).toBeCloseTo(1.75 / 3, 12);
  });

  it.each([
    [{ functionName: '' }, 'functionName'],
    [{ azId: '' }, 'azId'],
    [{ arch: 'sparc' }, 'arch'],
    [{ hosts: { 'intel-xeon-2.50': ['12.5'] } }, 'boot time of a intel-xeon-2.50 host'],
    [{ hosts: { 'intel-xeon-2.50': ['0'] } }, 'boot time'],
    [{ hosts: { '': ['1'] } }, 'cpu'],
    [{ returns: { checked: 2, returned: 3, chance: 0 } }, 'returns.returned'],
    [{ returns: { checked: 2, returned: 1, chance: Number.NaN } }, 'returns.chance'],
    [{ returns: { checked: 1.5, returned: 1, chance: 0 } }, 'returns.checked'],
  ])('fails when an addition is bad (%j), naming it, and stores nothing', async (bad, field) => {
    const addition = {
      functionName: 'sky-usw1-az1-x86_64-256',
      azId: 'usw1-az1',
      arch: 'x86_64',
      hosts: { 'intel-xeon-2.50': ['7'] },
      ...bad,
    } as FunctionHostsAddition;
    const before = (await store.allFunctionHosts()).length;
    const error = await store.addFunctionHosts(addition).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidRecordError);
    expect((error as Error).message).toContain(field);
    expect((await store.allFunctionHosts()).length).toBe(before);
  });
});

describe('learning a function’s hosts from routed calls', () => {
  const site = (bootTime?: number) => ({ functionName: FN, arch: 'x86_64' as const, bootTime });

  it('adds each host a function met once per flush, by boot time, beside the zone’s passive counts', async () => {
    const store = new MemoryRouterStore({ now: () => NOW });
    const buffer = new LearningBuffer(store);
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', site(1_700_000_000));
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', site(1_700_000_000));
    buffer.observeInstance('usw1-az1', 'amd-epyc', site(1_700_000_500));
    await buffer.flush();
    const [period] = await store.allFunctionHosts();
    expect(period).toMatchObject({ functionName: FN, azId: 'usw1-az1', arch: 'x86_64' });
    expect(period.hosts).toEqual({ 'intel-xeon-2.50': ['1700000000'], 'amd-epyc': ['1700000500'] });
    expect((await store.allPassiveCounts())[0].counts).toEqual({ 'intel-xeon-2.50': 2, 'amd-epyc': 1 });
  });

  it('counts instances without a host (no boot time, or none that is a boot time) toward the zone only', async () => {
    const store = new MemoryRouterStore({ now: () => NOW });
    const buffer = new LearningBuffer(store);
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', site());
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', site(Number.NaN));
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50');
    await buffer.flush();
    expect(await store.allFunctionHosts()).toEqual([]);
    expect((await store.allPassiveCounts())[0].counts).toEqual({ 'intel-xeon-2.50': 3 });
  });

  it('learns nothing of functions from a store without function hosts, and loses none of its other writes', async () => {
    const memory = new MemoryRouterStore({ now: () => NOW });
    const older: Pick<RouterStore, 'addProfileSums' | 'addPassiveCpu'> = {
      addProfileSums: (w, k, s) => memory.addProfileSums(w, k, s),
      addPassiveCpu: (az, c) => memory.addPassiveCpu(az, c),
    };
    const buffer = new LearningBuffer(older);
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', site(1_700_000_000));
    expect(buffer.empty).toBe(false);
    await buffer.flush();
    expect(buffer.stats.failedWrites).toBe(0);
    expect((await memory.allPassiveCounts())[0].counts).toEqual({ 'intel-xeon-2.50': 1 });
  });

  it('sums the checks of new instances against their function’s known hosts, per flush', async () => {
    const store = new MemoryRouterStore({ now: () => NOW });
    const buffer = new LearningBuffer(store);
    const checked = (bootTime: number, returned: boolean, chance: number) => ({
      ...site(bootTime),
      check: { returned, chance },
    });
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', checked(1_700_000_000, true, 0.1));
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', checked(1_700_000_001, false, 0.1));
    // an instance not checked (nothing known yet), and a check that is no chance, count toward nothing
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', site(1_700_000_002));
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', checked(1_700_000_003, true, 2));
    await buffer.flush();
    buffer.observeInstance('usw1-az1', 'intel-xeon-2.50', checked(1_700_000_000, true, 0.2));
    await buffer.flush();
    const [period] = await store.allFunctionHosts();
    expect(period.returns?.checked).toBe(3);
    expect(period.returns?.returned).toBe(2);
    expect(period.returns?.chance).toBeCloseTo(0.4, 12);
  });
});
