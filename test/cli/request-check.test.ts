import { InvalidArgumentError } from 'commander';
import type { RouterClient } from '../../lib/aws/router-client';
import { type InvokeCliOptions, invokeBodyOf, runInvoke } from '../../lib/cli/invoke-command';
import { runPlan } from '../../lib/cli/plan-command';
import { parseLocation, parseNonNegative, parseObjective } from '../../lib/cli/router-options';
import { runSky } from './run-sky';

/** A client that records every request it is asked to send, and answers nothing. */
function recordingClient(): { client: RouterClient; sent: unknown[] } {
  const sent: unknown[] = [];
  const client = {
    invoke: async (request: unknown) => {
      sent.push(request);
      throw new Error('nothing should be sent');
    },
  } as unknown as RouterClient;
  return { client, sent };
}

describe('sky invoke and sky plan check the request before sending or reading anything', () => {
  it.each<[string, Partial<InvokeCliOptions>, RegExp]>([
    [
      'a workload that is not built in',
      { workload: 'no-such-work' },
      /^--workload no-such-work: not a built-in workload/,
    ],
    ['a memory size below 128 MB', { workload: 'zipper', memory: [64] }, /^--memory: limits\.memorySizes\.0: /],
    ['more attempts than the router allows', { workload: 'zipper', maxAttempts: 99 }, /^--max-attempts: /],
    ['a batch over 10,000 calls', { workload: 'zipper', batch: 999_999 }, /^--batch: batch\.count: /],
    ['more threads than the router takes', { workload: 'zipper', parallelism: 65 }, /^--parallelism: parallelism: /],
  ])('invoke refuses %s, naming the flag, and sends nothing', async (_what, options, message) => {
    const { client, sent } = recordingClient();
    const invoke = runInvoke({ region: 'us-west-2', ...options } as InvokeCliOptions, client);
    await expect(invoke).rejects.toThrow(InvalidArgumentError);
    await expect(invoke).rejects.toThrow(message);
    expect(sent).toEqual([]);
  });

  it('sky plan reports a bad flag as the flag, not as a failure to read the table', async () => {
    const plan = runSky(['plan', '--workload', 'zipper', '--memory', '64', '--endpoint-url', 'http://127.0.0.1:9']);
    await expect(plan).rejects.toMatchObject({ stderr: expect.stringMatching(/^--memory: limits\.memorySizes\.0: /m) });
    await expect(plan).rejects.toMatchObject({ stderr: expect.not.stringContaining('reading table') });
  });

  it.each<[string, string[], NodeJS.ProcessEnv, RegExp]>([
    ['--table', ['--table', 'a b'], {}, /--table <name>' argument 'a b' is invalid\. a DynamoDB table name/],
    ['SKY_TABLE_NAME', [], { SKY_TABLE_NAME: 'x' }, /^SKY_TABLE_NAME=x: a DynamoDB table name/m],
    [
      'AWS_ENDPOINT_URL_DYNAMODB',
      [],
      { AWS_ENDPOINT_URL_DYNAMODB: 'ftp://x' },
      /^AWS_ENDPOINT_URL_DYNAMODB=ftp:\/\/x: expected an http/m,
    ],
  ])('sky plan refuses a bad %s, naming it, before reading anything', async (_what, args, env, message) => {
    const plan = runSky(['plan', '--workload', 'zipper', ...args], { ...process.env, ...env });
    await expect(plan).rejects.toMatchObject({ stderr: expect.stringMatching(message) });
  });

  it('plan refuses a bad region before reading the table', async () => {
    let reads = 0;
    const store = {
      latestCharacterizations: async () => {
        reads++;
        return [];
      },
      profiles: async () => ({}),
      allPassiveCounts: async () => [],
    };
    const options = { workload: 'zipper', regions: ['mars-1'], top: 5, table: 'skymesh', region: 'us-west-2' };
    await expect(runPlan(options, store)).rejects.toThrow(/^--regions: /);
    expect(reads).toBe(0);
  });
});

describe('--objective', () => {
  it('takes a name or weights', () => {
    expect(parseObjective('latency')).toBe('latency');
    expect(parseObjective('cost=1,latency=0.5')).toEqual({ cost: 1, latency: 0.5, carbon: 0 });
  });

  it.each<[string, RegExp]>([
    ['speed', /"speed": expected cost, latency, carbon or weights/],
    ['cost=', /"cost=": expected .* \(each a number ≥ 0\)/],
    ['cost=-1', /"cost=-1": expected/],
    ['cost=1,cost=2', /cost is given twice/],
    ['cost=0', /every weight is 0/],
    ['cost=1,toString=5', /"toString=5": expected/],
    ['constructor=1', /"constructor=1": expected/],
    ['cost=1=2', /"cost=1=2": expected/],
  ])('refuses %s, saying why', (value, message) => {
    expect(() => parseObjective(value)).toThrow(InvalidArgumentError);
    expect(() => parseObjective(value)).toThrow(message);
  });
});

describe('--client-location and --max-added-latency-ms', () => {
  it('takes lat,lon in degrees and a number ≥ 0', () => {
    expect(parseLocation('47.6,-122.3')).toEqual({ lat: 47.6, lon: -122.3 });
    expect(parseNonNegative('0')).toBe(0);
  });

  it.each([',', '1,2,3', '47.6,', '91,0'])('refuses the location %j', (value) => {
    expect(() => parseLocation(value)).toThrow(InvalidArgumentError);
    expect(() => parseLocation(value)).toThrow('is not lat,lon in degrees');
  });

  it.each(['', ' ', '-1', 'x'])('refuses the latency %j', (value) => {
    expect(() => parseNonNegative(value)).toThrow(InvalidArgumentError);
  });
});

describe('endpoint options', () => {
  it.each([
    ['plan', '--endpoint-url', 'not-a-url', /--endpoint-url <url>' argument 'not-a-url' is invalid\. expected an http/],
    [
      'invoke',
      '--lambda-endpoint',
      'ftp://x',
      /--lambda-endpoint <url>' argument 'ftp:\/\/x' is invalid\. .* not ftp:/,
    ],
  ])('sky %s refuses %s %s at once, naming the option', async (command, option, value, message) => {
    await expect(runSky([command, '-w', 'zipper', option, value])).rejects.toMatchObject({
      stderr: expect.stringMatching(message),
    });
  });
});

describe('sky invoke --parallelism', () => {
  it("says the work's threads in the request, and refuses a count that is not one, naming the flag", async () => {
    const body = invokeBodyOf({
      workload: 'zipper',
      parallelism: 1.2,
      region: 'us-west-2',
      functionName: 'sky-router',
    });
    expect(body.parallelism).toBe(1.2);
    const bad = runSky(['invoke', '--workload', 'zipper', '--parallelism', '0']);
    await expect(bad).rejects.toMatchObject({
      stderr: expect.stringMatching(/--parallelism <threads>.*must be a number > 0/),
    });
  });
});
