import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Sha256 } from '@aws-crypto/sha256-js';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RouterHandler } from '../../lambda/router';
import {
  functionRouterClient,
  RouterClientError,
  regionOfFunctionUrl,
  urlRouterClient,
} from '../../lib/aws/router-client';
import { formatAnswer, runInvoke } from '../../lib/cli/invoke-command';
import type { BatchAnswer, RoutedCall } from '../../lib/routing/types';
import { runSky } from '../cli/run-sky';
import { type SkyFixture, startSky } from './sky-fixture';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

/**
 * A stand-in for the router's IAM-authenticated Function URL on loopback: it verifies each request's
 * SigV4 signature (service `lambda`) by signing it again with the account's secret, answers 403 as
 * Lambda does when it does not match, and otherwise hands the router handler a Function URL event.
 */
async function startFunctionUrl(handler: RouterHandler, region: string): Promise<{ url: string; server: Server }> {
  const signer = new SignatureV4({ service: 'lambda', region, credentials: CREDENTIALS, sha256: Sha256 });
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const authorization = String(req.headers.authorization ?? '');
    const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
    const amzDate = String(req.headers['x-amz-date'] ?? '');
    const signingDate = new Date(
      amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z'),
    );
    const headers: Record<string, string> = {};
    for (const name of signedHeaders) if (name !== 'x-amz-date') headers[name] = String(req.headers[name]);
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const expected = await signer.sign(
      {
        method: req.method ?? 'POST',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        query: {},
        headers,
        body,
      },
      { signingDate },
    );
    if (!authorization || expected.headers.authorization !== authorization) {
      res.writeHead(403, { 'content-type': 'application/json' }).end(JSON.stringify({ Message: 'Forbidden' }));
      return;
    }
    const result = (await handler({
      version: '2.0',
      rawPath: url.pathname,
      headers: req.headers,
      requestContext: { http: { method: req.method, path: url.pathname } },
      body,
      isBase64Encoded: false,
    })) as { statusCode: number; headers: Record<string, string>; body: string };
    res.writeHead(result.statusCode, result.headers).end(result.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

describe('router clients', () => {
  let sky: SkyFixture;
  let functionUrl: { url: string; server: Server };
  let lambda: LambdaClient;

  beforeAll(async () => {
    sky = await startSky();
    await sky.characterize();
    const handler = sky.router();
    functionUrl = await startFunctionUrl(handler, 'us-west-2');
    // The router registered in the twin under its deployed name, for direct invocation.
    sky.api.register('sky-router', (event, context) => handler(event, context));
    lambda = new LambdaClient({ region: 'us-west-2', endpoint: sky.api.endpoint, credentials: CREDENTIALS });
  });

  afterAll(async () => {
    lambda?.destroy();
    await new Promise((resolve) => functionUrl?.server.close(resolve));
    await sky?.close();
  });

  it('signs Function URL requests with SigV4 for service lambda, and gets the router answer', async () => {
    const client = urlRouterClient({ url: functionUrl.url, region: 'us-west-2', credentials: CREDENTIALS });
    const answer = (await client.invoke({ workload: 'zipper', objective: 'cost' })) as RoutedCall;
    expect(answer.status).toBe('ok');
    if (answer.status === 'ok') expect(answer.result).toMatchObject({ workload: 'zipper' });
  });

  it('returns a router error answer as data, with its status', async () => {
    const client = urlRouterClient({ url: functionUrl.url, region: 'us-west-2', credentials: CREDENTIALS });
    const answer = (await client.invoke({ workload: 'zipper', objective: 'speed' as never })) as RoutedCall;
    expect(answer.status).toBe('error');
    if (answer.status === 'error') {
      expect(answer.httpStatus).toBe(400);
      expect(answer.error.field).toBe('objective');
    }
  });

  it('throws RouterClientError with 403 when the signature does not match (wrong secret)', async () => {
    const client = urlRouterClient({
      url: functionUrl.url,
      region: 'us-west-2',
      credentials: { accessKeyId: CREDENTIALS.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    await expect(client.invoke({ workload: 'zipper' })).rejects.toMatchObject({
      name: 'RouterClientError',
      statusCode: 403,
    });
  });

  it('throws RouterClientError when signed for another region', async () => {
    const client = urlRouterClient({ url: functionUrl.url, region: 'eu-west-1', credentials: CREDENTIALS });
    await expect(client.invoke({ workload: 'zipper' })).rejects.toBeInstanceOf(RouterClientError);
  });

  it('reads the region from a Function URL host, and refuses a URL it cannot sign for', () => {
    expect(regionOfFunctionUrl(new URL('https://abcdefghij.lambda-url.sa-east-1.on.aws/'))).toBe('sa-east-1');
    expect(() => urlRouterClient({ url: 'http://127.0.0.1:1/', credentials: CREDENTIALS })).toThrow(/region/);
    expect(() => urlRouterClient({ url: 'not a url', credentials: CREDENTIALS })).toThrow(RouterClientError);
  });

  it('invokes the router function directly with the Lambda Invoke API', async () => {
    const client = functionRouterClient({ client: lambda });
    const answer = (await client.invoke({ workload: 'zipper', batch: { count: 20, concurrency: 5 } })) as BatchAnswer;
    expect(answer.status).toBe('batch');
    expect(answer.summary.succeeded).toBe(20);
  });

  it('reports a missing router function as RouterClientError', async () => {
    const client = functionRouterClient({ client: lambda, functionName: 'sky-router-missing' });
    await expect(client.invoke({ workload: 'zipper' })).rejects.toThrow(/ResourceNotFoundException/);
  });

  it('sky invoke builds the request from its options and prints the answer', async () => {
    const answer = await runInvoke(
      {
        workload: 'zipper',
        objective: 'cost',
        zones: ['usw1-az1', 'usw1-az3'],
        maxAttempts: 4,
        region: 'us-west-2',
        functionName: 'sky-router',
        lambdaEndpoint: sky.api.endpoint,
      },
      functionRouterClient({ client: lambda }),
    );
    expect(answer.status).toBe('ok');
    const call = answer as RoutedCall;
    expect(['usw1-az1', 'usw1-az3']).toContain(call.placement?.target.azId);
    const text = formatAnswer(answer);
    expect(text).toContain('result: {"workload":"zipper"');
    expect(text).toContain(`placement: ${call.placement?.target.functionName}`);
    expect(text).toContain(`evidence: ${call.placement?.evidence.level} (runtimes ${call.placement?.evidence.runtime}`);
    expect(text).toMatch(/cost: \$/);
  });

  describe('as the sky CLI', () => {
    const cliEnv = () => ({
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    });

    it('sky invoke --endpoint signs for the Function URL and prints the answer', async () => {
      const { stdout } = await runSky(
        [
          'invoke',
          '--workload',
          'zipper',
          '--objective',
          'cost',
          '--endpoint',
          functionUrl.url,
          '--region',
          'us-west-2',
        ],
        cliEnv(),
      );
      expect(stdout).toContain('result: {"workload":"zipper"');
      expect(stdout).toMatch(/placement: sky-[a-z0-9-]+-x86_64-\d+ \(/);
    });

    it('sky invoke without --endpoint invokes sky-router and prints a batch summary as JSON', async () => {
      const { stdout } = await runSky(
        [
          'invoke',
          '--workload',
          'zipper',
          '--batch',
          '10',
          '--concurrency',
          '5',
          '--json',
          '--lambda-endpoint',
          sky.api.endpoint,
          '--region',
          'us-west-2',
        ],
        cliEnv(),
      );
      const answer = JSON.parse(stdout) as BatchAnswer;
      expect(answer.status).toBe('batch');
      expect(answer.summary.count).toBe(10);
      expect(answer.summary.succeeded).toBe(10);
    });

    it('sky invoke exits 2 and prints the field when the router refuses the request', async () => {
      const failure = await runSky(
        [
          'invoke',
          '--workload',
          'zipper',
          '--regions',
          'eu-north-1',
          '--lambda-endpoint',
          sky.api.endpoint,
          '--region',
          'us-west-2',
        ],
        cliEnv(),
      ).catch((e: { code: number; stdout: string }) => e);
      expect((failure as { code: number }).code).toBe(2);
      expect((failure as { stdout: string }).stdout).toMatch(/^error 400 NoTarget \(field limits\)/);
    });
  });
});
