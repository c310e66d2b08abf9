import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A DynamoDB-compatible server (dynalite, in memory) listening on loopback. */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  close(): Promise<void>;
}

/**
 * Starts dynalite in memory on 127.0.0.1 (port 0 picks a free one). Tables become ACTIVE at once.
 *
 * @example
 * const dynamo = await startLocalDynamo();
 * const doc = createDocumentClient({ region: 'us-west-2', endpoint: dynamo.endpoint });
 * await dynamo.close();
 */
export async function startLocalDynamo(options: { readonly port?: number } = {}): Promise<LocalDynamo> {
  // dynalite ships no type declarations.
  const dynalite = require('dynalite') as (opts: { createTableMs?: number; deleteTableMs?: number }) => Server;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
