import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { startLocalDynamo } from '../../lib/aws/local-dynamo';
import { SkyStore } from '../../lib/aws/store';
import { ensureSkyTable } from '../../lib/aws/table-setup';
import { TABLE_SCHEMA } from '../../lib/contracts';

describe('the local DynamoDB server', () => {
  it('closes while clients are still writing: the writes it received finish, later ones are refused, nothing throws', async () => {
    // GIVEN 100 writers adding to profiles as fast as the server answers
    const dynamo = await startLocalDynamo();
    const client = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint, maxAttempts: 1 });
    await ensureSkyTable(client, TABLE_SCHEMA.defaultTableName);
    const store = new SkyStore({ client, tableName: TABLE_SCHEMA.defaultTableName });
    let stored = 0;
    const refusals: string[] = [];
    let closed = false;
    let afterClose = 0;
    const writers = Array.from({ length: 100 }, async (_, w) => {
      while (afterClose < 200) {
        try {
          await store.addProfileSums(
            'zipper',
            { cpu: 'amd-epyc', arch: 'x86_64', memoryMb: 1024 * (1 + (w % 4)) },
            { count: 1, sum: 5, sumSquares: 25 },
          );
          stored++;
        } catch (error) {
          if (!closed) throw error;
          refusals.push((error as Error).message);
        }
        if (closed) afterClose++;
      }
    });
    // WHEN it closes with the other writers' requests in flight
    while (stored < 300) await new Promise((resolve) => setImmediate(resolve));
    const closing = dynamo.close();
    closed = true;
    await closing;
    // THEN every writer ends with a stored write or a clean refusal, and the process goes on (dynalite's
    // database closing under a running operation would throw "Database is closed" out of a callback)
    await Promise.all(writers);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(refusals.length).toBeGreaterThan(0);
    // Refused: a 503 while it drains, then the connection closed or no longer accepted.
    for (const message of refusals)
      expect(message).toMatch(/the local DynamoDB server is closing|ECONNRESET|ECONNREFUSED|socket hang up/);
    client.destroy();
  });
});
