import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signBody } from '../../lib/providers';
import { buildProviderPackages } from '../../scripts/build-providers';

/** The packages the providers run, built and run for real: the container's server as a process, DO's main in-process. */

let out: string;
let built: { ibm: string; digitalocean: string };

beforeAll(() => {
  out = mkdtempSync(join(tmpdir(), 'sky-providers-'));
  built = buildProviderPackages(out, 2);
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startServer(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(built.ibm, 'server.js')], {
    env: { PATH: process.env.PATH ?? '', PORT: String(port), ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url, { method: 'GET' });
      return { url, child };
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  child.kill();
  throw new Error('the server did not start');
}

describe('IBM Code Engine package', () => {
  it('is a build context: a Dockerfile that runs the bundled server as an unprivileged user', () => {
    const dockerfile = readFileSync(join(built.ibm, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM node:22/m);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "server.js"\]$/m);
    expect(existsSync(join(built.ibm, 'server.js'))).toBe(true);
  });

  it('serves the dynamic function behind a bearer secret: refuses a wrong one, runs work for the right one', async () => {
    const secret = 'a-secret-of-enough-length-123';
    const { url, child } = await startServer({ SKY_AUTH: 'bearer', SKY_ENDPOINT_SECRET: secret });
    try {
      const body = JSON.stringify({ code: { source: 'exports.run = (x) => x * 2' }, input: 21 });
      const refused = await fetch(url, { method: 'POST', body, headers: { Authorization: 'Bearer wrong' } });
      expect(refused.status).toBe(401);
      const answer = await fetch(url, { method: 'POST', body, headers: { Authorization: `Bearer ${secret}` } });
      expect(answer.status).toBe(200);
      const response = (await answer.json()) as { status: string; result: unknown; inspection: { cpuKey: string } };
      expect(response.status).toBe('ok');
      expect(response.result).toBe(42);
      expect(typeof response.inspection.cpuKey).toBe('string');
      // Sent code runs in a worker with an empty environment: the endpoint's secret is not in its process.env (it is
      // still in /proc/self/environ, which the README says).
      const peek = JSON.stringify({ code: { source: 'exports.run = () => process.env.SKY_ENDPOINT_SECRET ?? null' } });
      const peeked = await fetch(url, { method: 'POST', body: peek, headers: { Authorization: `Bearer ${secret}` } });
      expect(((await peeked.json()) as { result: unknown }).result).toBeNull();
    } finally {
      child.kill();
    }
  });

  it('serves a sampler behind an HMAC signature', async () => {
    const secret = 'another-secret-of-enough-length';
    const { url, child } = await startServer({
      SKY_AUTH: 'hmac',
      SKY_ENDPOINT_SECRET: secret,
      SKY_FUNCTION: 'sampler',
      SKY_SAMPLER_INDEX: '3',
      SKY_SAMPLER_SLEEP_MS: '1',
      SKY_AZ_ID: 'ext-lab',
    });
    try {
      const answer = await fetch(url, {
        method: 'POST',
        body: '{}',
        headers: { 'X-Sky-Signature': signBody(secret, '{}') },
      });
      expect(answer.status).toBe(200);
      const sample = (await answer.json()) as { cpuModel: string; instanceId: string };
      expect(sample.cpuModel.length).toBeGreaterThan(0);
      const replay = await fetch(url, {
        method: 'POST',
        body: '{"x":1}',
        headers: { 'X-Sky-Signature': signBody(secret, '{}') },
      });
      expect(replay.status).toBe(401);
    } finally {
      child.kill();
    }
  });

  it('refuses to start without a complete caller check', async () => {
    const child = spawn(process.execPath, [join(built.ibm, 'server.js')], {
      env: { PATH: process.env.PATH ?? '', PORT: String(await freePort()), SKY_AUTH: 'ibm-iam' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    // 'close', not 'exit': the process can exit before its stderr has been read to the end.
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).toBe(1);
    expect(stderr).toContain('SKY_ALLOWED_IAM_IDS');
  });
});

describe('DigitalOcean Functions package', () => {
  it('lists a secure web function per memory size and the samplers, with final parameters', () => {
    const project = readFileSync(join(built.digitalocean, 'project.yml'), 'utf8');
    for (const mb of [128, 256, 512, 1024]) expect(project).toContain(`- name: dynamic-${mb}`);
    expect(project).toContain('- name: sampler-01');
    expect(project.match(/webSecure: \$\{SKY_DO_SECRET\}/g)).toHaveLength(6);
    expect(project.match(/final: true/g)).toHaveLength(6);
  });

  it("runs the dynamic function from main(args), leaving out the platform's and the project's fields", async () => {
    const { main } = require(join(built.digitalocean, 'packages/sky/dynamic-1024/index.js')) as {
      main(args: Record<string, unknown>): Promise<{ statusCode: number; body: { status: string; result: unknown } }>;
    };
    const answer = await main({
      code: { source: 'exports.run = (x) => x + 1' },
      input: 41,
      SKY_FUNCTION: 'dynamic',
      __ow_method: 'post',
      __ow_headers: { 'x-require-whisk-auth': 'x' },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.body.status).toBe('ok');
    expect(answer.body.result).toBe(42);
  });
});
