import { type AttributeValue, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { type LocalSkyStore, startLocalSkyStore } from '../../lib/aws/local-sky-store';

/** Names that collide with members of Object.prototype, as a request could give them. */
const PROTOTYPE_NAMES = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];

describe('SkyStore reads with names that collide with Object.prototype', () => {
  let local: LocalSkyStore;

  beforeAll(async () => {
    local = await startLocalSkyStore();
  });

  afterAll(async () => {
    await local.close();
  });

  it('keeps profiles of workloads named constructor, __proto__, toString... apart, and every read still works', async () => {
    // GIVEN observations stored for workloads named after prototype members (as a routed request can name
    // its profile), and one ordinary workload
    const { store } = local;
    const key = { cpu: 'intel-xeon-2.50', arch: 'x86_64', memoryMb: 2048 } as const;
    for (const [i, name] of PROTOTYPE_NAMES.entries()) await store.addProfileObservation(name, key, 100 + i);
    await store.addProfileObservation('zipper', key, 50);
    await store.addProfileObservation('zipper', key, 70);

    // WHEN every profile is read (the router's read), and a few by name
    const all = await store.profiles();
    const some = await store.profiles(['constructor', '__proto__', 'not-stored']);

    // THEN each is one more profile with its own entries, and the ordinary one is intact
    expect(Object.keys(all).sort()).toEqual([...PROTOTYPE_NAMES, 'zipper'].sort());
    for (const [i, name] of PROTOTYPE_NAMES.entries()) {
      expect(Object.hasOwn(all, name)).toBe(true);
      expect(all[name]!.workload).toBe(name);
      expect(all[name]!.entries).toEqual([{ ...key, stats: { count: 1, meanMs: 100 + i, m2: 0 } }]);
    }
    expect(all.zipper!.entries[0]!.stats).toEqual({ count: 2, meanMs: 60, m2: 200 });
    expect(Object.keys(some).sort()).toEqual(['__proto__', 'constructor']);
    // a name with no profile finds nothing, not a member of Object.prototype
    expect(some['not-stored']).toBeUndefined();
    expect(some.toString).toBeUndefined();
  });

  it('reads passive counts whose CPU keys collide with Object.prototype', async () => {
    // GIVEN passive CPU counts with such keys, added twice (atomic ADDs)
    const { store } = local;
    // (JSON.parse makes `__proto__` an own key, as a decoded request would; an object literal would not)
    const poisoned = JSON.parse('{"__proto__": 2, "constructor": 1, "toString": 4, "intel-xeon-2.50": 3}');
    await store.addPassiveCpu('usw1-az1', poisoned);
    await store.addPassiveCpu('usw1-az1', poisoned);
    // WHEN they are read one zone at a time and all at once
    const zone = await store.passiveCounts('usw1-az1');
    const all = await store.allPassiveCounts();
    // THEN every key is a count of its own
    expect(Object.entries(zone!.counts).sort()).toEqual([
      ['__proto__', 4],
      ['constructor', 2],
      ['intel-xeon-2.50', 6],
      ['toString', 8],
    ]);
    expect(zone!.observations).toBe(20);
    expect(all.map((p) => p.azId)).toEqual(['usw1-az1']);
    expect(all[0]!.counts.constructor).toBe(2);
  });

  it('reads malformed or hostile items without throwing', async () => {
    // GIVEN items written behind the store's back: a profile without a workload attribute and with text
    // where numbers belong, a LATEST whose counts and zone are prototype names
    const { store } = local;
    const raw = new DynamoDBClient({
      region: 'us-west-2',
      endpoint: local.dynamo.endpoint,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const put = (item: Record<string, AttributeValue>) =>
      raw.send(new PutItemCommand({ TableName: store.tableName, Item: item }));
    await put({
      pk: { S: 'PROFILE#valueOf' },
      sk: { S: 'CPU#x#arm64#128' },
      type: { S: 'PROFILE' },
      cpu: { S: 'x' },
      arch: { S: 'arm64' },
      memoryMb: { N: '128' },
      count: { S: 'many' },
      sum: { M: { a: { N: '1' } } },
    });
    await put({
      pk: { S: 'ZONE#__proto__' },
      sk: { S: 'LATEST' },
      type: { S: 'LATEST' },
      azId: { S: '__proto__' },
      region: { S: 'us-west-1' },
      counts: { M: JSON.parse('{"__proto__": {"N": "3"}, "constructor": {"N": "1"}}') },
      instancesSeen: { N: '4' },
      polls: { N: '1' },
      failures: { N: '0' },
      measuredAt: { S: '2026-01-01T00:00:00.000Z' },
    });
    await put(
      JSON.parse(
        '{"pk": {"S": "ZONE#usw1-az9"}, "sk": {"S": "PASSIVE"}, "type": {"S": "PASSIVE"},' +
          ' "__proto__": {"M": {"observations": {"N": "7"}}}, "cpu#constructor": {"S": "x"}}',
      ),
    );
    raw.destroy();
    // WHEN they are read
    const profiles = await store.profiles(['valueOf']);
    const zones = await store.latestCharacterizations();
    const passive = await store.allPassiveCounts();
    // THEN the reads answer: the profile keeps its well-formed entry and skips the one with text counts,
    // the zone is data
    const valueOfProfile = profiles['valueOf' as string]!;
    expect(valueOfProfile.workload).toBe('valueOf');
    expect(valueOfProfile.entries.map((e) => e.cpu)).toEqual(['intel-xeon-2.50']);
    expect(zones.map((z) => z.azId)).toContain('__proto__');
    const planted = passive.find((p) => p.azId === 'usw1-az9')!;
    expect(Number.isNaN(planted.counts.constructor)).toBe(true);
  });
});
