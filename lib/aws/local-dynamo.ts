import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A DynamoDB-compatible server (dynalite, in memory) listening on loopback. */
export interface LocalDynamo {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /**
   * Stops the server: requests already received finish, later ones are refused with a 503
   * (`ServiceUnavailableException`, which SDK clients treat as a retryable server error), then the
   * database closes. Safe while clients are still sending.
   */
  close(): Promise<void>;
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

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
  // dynalite closes its database once the HTTP server has closed, and an operation still running then
  // throws "Database is closed" out of a callback, which ends the process. Every request therefore goes
  // through a gate that counts the ones in flight (until dynalite answers) and refuses new ones once
  // closing has begun, so the database closes only when nothing runs in it.
  const handlers = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (closing) {
      res.writeHead(503, { 'content-type': 'application/x-amz-json-1.0', connection: 'close' });
      res.end(
        JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#ServiceUnavailableException',
          message: 'the local DynamoDB server is closing',
        }),
      );
      return;
    }
    inFlight++;
    let done = false;
    const settle = (): void => {
      if (done) return;
      done = true;
      inFlight--;
      if (inFlight === 0) drained?.();
    };
    // dynalite answers with `end` once its operation is over, whether or not the client is still there.
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    res.end = ((...args: unknown[]) => {
      settle();
      return end(...args);
    }) as ServerResponse['end'];
    for (const handler of handlers) handler.call(server, req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: async () => {
      closing = true;
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections?.();
      });
    },
  };
}
