import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a fake function answers: a payload, or a function error, or a service error status. */
export type FakeAnswer =
  | { kind: 'ok'; payload: unknown; delayMs?: number }
  | { kind: 'function-error'; payload: unknown }
  | { kind: 'service-error'; status: number; type: string; message: string };

/**
 * A stand-in for the Lambda Invoke REST API on 127.0.0.1 (fault injection for the SDK invoker):
 * `POST /2015-03-31/functions/<name>/invocations`. Only what the invoker and the SDK read.
 */
export async function startFakeLambdaApi(
  answer: (name: string, payload: unknown) => FakeAnswer | Promise<FakeAnswer>,
): Promise<{ endpoint: string; requests: Array<{ name: string; payload: unknown }>; close(): Promise<void> }> {
  const requests: Array<{ name: string; payload: unknown }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const match = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? '');
      if (!match) {
        res.writeHead(404).end();
        return;
      }
      const name = decodeURIComponent(match[1]!);
      const text = Buffer.concat(chunks).toString('utf8');
      const payload = text ? JSON.parse(text) : undefined;
      requests.push({ name, payload });
      if (req.headers['x-amz-invocation-type'] === 'Event') {
        res.writeHead(202).end();
        return;
      }
      const a = await answer(name, payload);
      if (a.kind === 'ok' && a.delayMs) await new Promise((r) => setTimeout(r, a.delayMs));
      if (res.destroyed) return;
      if (a.kind === 'service-error') {
        res.writeHead(a.status, { 'content-type': 'application/json', 'x-amzn-errortype': a.type });
        res.end(JSON.stringify({ Type: 'User', message: a.message }));
        return;
      }
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-amz-executed-version': '$LATEST',
      };
      if (a.kind === 'function-error') headers['x-amz-function-error'] = 'Unhandled';
      res.writeHead(200, headers);
      res.end(JSON.stringify(a.payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
