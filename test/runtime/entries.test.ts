import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A handler's entry (`lambda/<name>/index`) is what the twin and the local sky load for its factory, so
 * importing one must start nothing: no thread (the dynamic function's spare worker), no change to the
 * environment (its credential scrub). Both belong to the instance's first call.
 */

const LAMBDA = join(__dirname, '..', '..', 'lambda');
const ENTRIES = readdirSync(LAMBDA).filter((name) => readdirSync(join(LAMBDA, name)).includes('index.ts'));

/** OS threads of this process: a worker thread is one from its construction on. */
function threads(): number {
  return Number(/Threads:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
}

describe('importing a handler entry', () => {
  const saved = { ...process.env };

  afterAll(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  it('finds the entries', () => {
    expect(ENTRIES).toEqual(expect.arrayContaining(['dynamic', 'fanout', 'router', 'sampler', 'sampling']));
  });

  it.each(ENTRIES)('starts nothing: lambda/%s/index', (name) => {
    // GIVEN an environment as Lambda sets it, with the role's credentials
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: 'AKIAFAKEFAKEFAKEFAKE',
      AWS_SECRET_ACCESS_KEY: 'fake/secret/key',
      AWS_SESSION_TOKEN: 'FAKE-SESSION-TOKEN',
      AWS_REGION: 'us-west-2',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
    });
    const environment = { ...process.env };
    const before = threads();
    // WHEN the entry is loaded afresh
    let entry: Record<string, unknown> = {};
    jest.isolateModules(() => {
      entry = require(join(LAMBDA, name, 'index'));
    });
    // THEN it exports its factory or handler, and nothing has started or changed
    expect(Object.keys(entry).length).toBeGreaterThan(0);
    expect(threads()).toBe(before);
    const { AWS_SDK_UA_APP_ID: userAgent, ...after } = process.env;
    // Powertools tags the SDK's user agent when it loads (`PT/...`); the only variable any import sets.
    if (userAgent !== environment.AWS_SDK_UA_APP_ID) expect(userAgent).toMatch(/^PT\//);
    const { AWS_SDK_UA_APP_ID: _tag, ...expected } = environment;
    expect(after).toEqual(expected);
  });
});
