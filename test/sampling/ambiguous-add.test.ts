import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDocumentClient } from '../../lib/aws/dynamo-client';
import { type LocalSkyStore, startLocalSkyStore } from '../../lib/aws/local-sky-store';
import { SkyStore } from '../../lib/aws/store';

/**
 * A proxy in front of dynalite that forwards every request and, for the first `lose` UpdateItem calls,
 * drops the answer after DynamoDB applied the write (the connection is reset): the ambiguous failure
 * an SDK retry cannot tell from one that never reached the table.
 */
async function lossyProxy(target: string, lose: { updates: number }): Promise<{ endpoint: string; server: Server }> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const forward = request(
        { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
        (answer) => {
          const body: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => body.push(chunk));
          answer.on('end', () => {
            const isUpdate = String(req.headers['x-amz-target'] ?? '').endsWith('.UpdateItem');
            if (isUpdate && lose.updates > 0) {
              lose.updates -= 1;
              req.socket.destroy();
              return;
            }
            res.writeHead(answer.statusCode ?? 500, answer.headers);
            res.end(Buffer.concat(body));
          });
        },
      );
      forward.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('passive and profile ADDs after an ambiguous error (the bound the README states)', () => {
  let local: LocalSkyStore;
  beforeAll(async () => {
    local = await startLocalSkyStore();
  });
  afterAll(async () => {
    await local.close();
  });

  it('applies an ADD whose answer is lost at most once per attempt of the client: here 3 of 3', async () => {
    // GIVEN a store whose client makes at most 3 attempts, behind a proxy that loses every UpdateItem answer
    const lose = { updates: 10 };
    const proxy = await lossyProxy(local.dynamo.endpoint, lose);
    const client = createDocumentClient({ region: 'us-west-2', endpoint: proxy.endpoint, maxAttempts: 3 });
    const store = new SkyStore({ client });
    try {
      // WHEN one new instance's CPU is added
      await expect(store.addPassiveCpu('usw1-az1', 'intel-xeon-2.50')).rejects.toThrow();
      // THEN every attempt reached the table: the observation counts 3 times, never more than the attempts
      expect(lose.updates).toBe(7);
      expect((await local.store.passiveCounts('usw1-az1'))?.counts).toEqual({ 'intel-xeon-2.50': 3 });
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    }
  });

  it('counts an observation twice when its first answer is lost and the retry is answered', async () => {
    const lose = { updates: 1 };
    const proxy = await lossyProxy(local.dynamo.endpoint, lose);
    const client = createDocumentClient({ region: 'us-west-2', endpoint: proxy.endpoint });
    const store = new SkyStore({ client });
    try {
      await store.addProfileObservation('zipper', { cpu: 'amd-epyc', arch: 'x86_64', memoryMb: 2048 }, 1000);
      const profile = (await local.store.profiles(['zipper'])).zipper;
      // The retry succeeded, and the write its lost answer belonged to had been applied too.
      expect(profile?.entries[0]?.stats.count).toBe(2);
    } finally {
      client.destroy();
      await new Promise<void>((resolve) => proxy.server.close(() => resolve()));
    }
  });
});
