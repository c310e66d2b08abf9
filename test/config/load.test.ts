import { CONFIG_KEYS, ConfigError, DEFAULT_SKY_CONFIG, loadSkyConfig, type SkyConfig } from '../../lib/config';
import { LOG_RETENTION_DAYS, PAPER_MEMORY_SIZES } from '../../lib/contracts';

/** The ConfigError a bad config throws (fails the test if it does not throw one). */
function configError(context: Record<string, unknown>): ConfigError {
  try {
    loadSkyConfig(context);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(context)}`);
}

describe('loadSkyConfig defaults', () => {
  it('an empty context gives the defaults', () => {
    expect(loadSkyConfig({})).toEqual(DEFAULT_SKY_CONFIG);
  });

  it.each([
    ['regions', 'all'],
    ['memorySizes', [128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240]],
    ['architectures', ['x86_64', 'arm64']],
    ['samplersPerZone', 100],
    ['samplerMemoryMb', 10140],
    ['samplerSleepMs', 100],
    ['pollConcurrency', 200],
    ['samplersPerPoll', 10],
    ['fanoutBranching', 10],
    ['accuracyTarget', 0.95],
    ['saturationFailureRate', 0.5],
    ['maxPolls', 30],
    ['maxRunCostUsd', 0.2],
    ['sampleEveryHours', 22],
    ['homeRegion', 'us-west-2'],
    ['holdMs', 150],
    ['rejectMode', 'auto'],
    ['maxAttempts', 10],
    ['functionTimeoutSeconds', 300],
    ['tableName', 'skymesh'],
    ['logRetentionDays', 14],
  ] as Array<[keyof SkyConfig, unknown]>)('%s defaults to %j', (key, value) => {
    expect(loadSkyConfig({})[key]).toEqual(value);
  });

  it('zones are absent by default (every zone)', () => {
    expect(loadSkyConfig({}).zones).toBeUndefined();
  });

  it('the paper memory sizes are the nine of the paper', () => {
    expect(PAPER_MEMORY_SIZES).toHaveLength(9);
  });

  it('keys set to undefined are absent', () => {
    expect(loadSkyConfig({ regions: undefined, maxPolls: undefined })).toEqual(DEFAULT_SKY_CONFIG);
  });

  it('the result is frozen', () => {
    const config = loadSkyConfig({ regions: ['us-west-1'] });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.regions)).toBe(true);
    expect(Object.isFrozen(config.memorySizes)).toBe(true);
  });
});

describe('loadSkyConfig overrides and coercion', () => {
  it.each([
    ['regions', 'us-west-1,sa-east-1', ['us-west-1', 'sa-east-1']],
    ['regions', ' us-west-1 , sa-east-1 ,', ['us-west-1', 'sa-east-1']],
    ['regions', '["eu-north-1"]', ['eu-north-1']],
    ['regions', ['ca-central-1'], ['ca-central-1']],
    ['regions', 'all', 'all'],
    ['regions', ' all ', 'all'],
    ['zones', 'usw1-az1,usw1-az3', ['usw1-az1', 'usw1-az3']],
    ['zones', ['sae1-az1'], ['sae1-az1']],
    ['memorySizes', '2048,128', [128, 2048]],
    ['memorySizes', [1024, '512'], [512, 1024]],
    ['memorySizes', '[10240]', [10240]],
    ['architectures', 'arm64', ['arm64']],
    ['architectures', 'arm64,x86_64', ['arm64', 'x86_64']],
    ['samplersPerZone', '20', 20],
    ['samplersPerZone', 1, 1],
    ['samplerMemoryMb', '10000', 10000],
    ['samplerSleepMs', '0', 0],
    ['pollConcurrency', '500', 500],
    ['fanoutBranching', ' 4 ', 4],
    ['accuracyTarget', '0.9', 0.9],
    ['saturationFailureRate', '1', 1],
    ['maxPolls', '12', 12],
    ['maxRunCostUsd', '0.05', 0.05],
    ['maxRunCostUsd', '5e-2', 0.05],
    ['sampleEveryHours', '6', 6],
    ['sampleEveryHours', 1.5, 1.5],
    ['homeRegion', 'eu-west-1', 'eu-west-1'],
    ['holdMs', '0', 0],
    ['rejectMode', ' end ', 'end'],
    ['maxAttempts', '4', 4],
    ['functionTimeoutSeconds', '900', 900],
    ['functionTimeoutSeconds', 1, 1],
    ['tableName', 'sky.mesh_test-1', 'sky.mesh_test-1'],
    ['logRetentionDays', '30', 30],
    ['logRetentionDays', 3653, 3653],
  ] as Array<[keyof SkyConfig, unknown, unknown]>)('%s %j reads as %j', (key, given, expected) => {
    expect(loadSkyConfig({ [key]: given })[key]).toEqual(expected);
  });

  it.each([
    ['22h', 22],
    ['90m', 1.5],
    ['1d', 24],
    ['2D', 48],
    ['120min', 2],
    ['6', 6],
    [12, 12],
  ])('sampleEvery %j sets sampleEveryHours to %d', (sampleEvery, hours) => {
    expect(loadSkyConfig({ sampleEvery }).sampleEveryHours).toBe(hours);
  });

  it('sampleEvery and sampleEveryHours may both be given when they agree', () => {
    expect(loadSkyConfig({ sampleEvery: '1d', sampleEveryHours: 24 }).sampleEveryHours).toBe(24);
  });

  it('keeps the other defaults when one key is overridden', () => {
    expect(loadSkyConfig({ maxPolls: 5 })).toEqual({ ...DEFAULT_SKY_CONFIG, maxPolls: 5 });
  });

  it('accepts the largest sampler range that fits Lambda memory', () => {
    const config = loadSkyConfig({ samplerMemoryMb: 10141, samplersPerZone: 100 });
    expect(config.samplerMemoryMb + config.samplersPerZone - 1).toBe(10240);
  });
});

describe('loadSkyConfig bad values', () => {
  it.each([
    ['regions', '', 'non-empty list'],
    ['regions', [], 'non-empty list'],
    ['regions', 'US-WEST-1', 'region codes'],
    ['regions', 'us-west-1,us-west-1', 'distinct'],
    ['regions', 42, 'region codes'],
    ['regions', 'xx-east-9', 'regions of the catalog'],
    ['zones', '', 'non-empty list of distinct AZ IDs'],
    ['zones', 'us-west-1a', 'AZ IDs'],
    ['zones', 'usw1-az2', 'AZ IDs of the selected regions'],
    ['zones', 'usw1-az1,usw1-az1', 'distinct'],
    ['memorySizes', '64', 'integers from 128 to 10240'],
    ['memorySizes', '10241', 'integers from 128 to 10240'],
    ['memorySizes', '1024.5', 'integers from 128 to 10240'],
    ['memorySizes', 'big', 'integers from 128 to 10240'],
    ['memorySizes', '128,128', 'distinct'],
    ['architectures', 'x86', '"x86_64", "arm64"'],
    ['architectures', 'arm64,arm64', 'distinct'],
    ['samplersPerZone', 'many', 'an integer from 1 to 999'],
    ['samplersPerZone', '0', 'an integer from 1 to 999'],
    ['samplersPerZone', 2.5, 'an integer from 1 to 999'],
    ['samplersPerZone', '1000', 'an integer from 1 to 999'],
    ['samplerMemoryMb', '127', 'an integer from 128 to 10240'],
    ['samplerMemoryMb', '10241', 'an integer from 128 to 10240'],
    ['samplerSleepMs', '-1', 'an integer from 0 to 25000'],
    ['samplerSleepMs', '30000', 'an integer from 0 to 25000'],
    ['pollConcurrency', '0', 'an integer from 1 to 5000'],
    ['pollConcurrency', '5001', 'an integer from 1 to 5000'],
    ['fanoutBranching', '1', 'an integer from 2 to 1000'],
    ['accuracyTarget', '1', 'greater than 0 and less than 1'],
    ['accuracyTarget', '0', 'greater than 0 and less than 1'],
    ['accuracyTarget', '95%', 'greater than 0 and less than 1'],
    ['saturationFailureRate', '1.5', 'greater than 0 and at most 1'],
    ['saturationFailureRate', 0, 'greater than 0 and at most 1'],
    ['maxPolls', '0', 'an integer from 1 to 1000'],
    ['maxRunCostUsd', '0', 'greater than 0'],
    ['maxRunCostUsd', '$1', 'greater than 0'],
    ['sampleEveryHours', '0', 'whole minutes'],
    ['sampleEveryHours', 0.001, 'whole minutes'],
    ['sampleEveryHours', 9000, 'whole minutes'],
    ['sampleEveryHours', 0.5, 'from 1 to 720'],
    ['sampleEveryHours', 721, 'from 1 to 720'],
    ['homeRegion', 'moon-1', 'region code'],
    ['homeRegion', 'us-west-9', 'a region of the catalog'],
    ['holdMs', '-5', 'an integer from 0 to 10000'],
    ['rejectMode', 'wait', 'hold, end, auto'],
    ['maxAttempts', '0', 'an integer from 1 to 50'],
    ['maxAttempts', 51, 'an integer from 1 to 50'],
    ['holdMs', 30_000, 'an integer from 0 to 10000'],
    ['functionTimeoutSeconds', '901', 'an integer from 1 to 900'],
    ['functionTimeoutSeconds', 0, 'an integer from 1 to 900'],
    ['functionTimeoutSeconds', 30.5, 'an integer from 1 to 900'],
    ['tableName', 'ab', 'DynamoDB table name'],
    ['tableName', 'sky mesh', 'DynamoDB table name'],
    ['tableName', 7, 'DynamoDB table name'],
    ['logRetentionDays', '13', 'CloudWatch Logs retentions'],
    ['logRetentionDays', 'forever', 'CloudWatch Logs retentions'],
  ] as Array<[string, unknown, string]>)(
    'fails when %s is %j, naming key, value and what is allowed',
    (key, value, allowed) => {
      const error = configError({ [key]: value });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0].key).toBe(key);
      expect(error.problems[0].allowed).toContain(allowed);
      expect(error.message).toContain(`skymesh.${key} is `);
      expect(error.message).toContain(allowed);
      if (typeof value === 'string' && value.length > 0 && !value.includes(',')) {
        expect(error.message).toContain(JSON.stringify(value));
      }
    },
  );

  it.each([
    ['sampleEvery', '22 hours'],
    ['sampleEvery', '0h'],
    ['sampleEvery', '1s'],
    ['sampleEvery', 'soon'],
    ['sampleEvery', '-2h'],
    ['sampleEvery', '30m'],
    ['sampleEvery', '31d'],
  ])('fails when %s is %j', (key, value) => {
    const error = configError({ [key]: value });
    expect(error.problems.map((problem) => problem.key)).toEqual(['sampleEvery']);
    expect(error.message).toContain(`skymesh.sampleEvery is ${JSON.stringify(value)}`);
    expect(error.message).toContain('"22h", "90m" or "1d"');
  });

  it('fails when sampleEvery disagrees with sampleEveryHours', () => {
    const error = configError({ sampleEvery: '1d', sampleEveryHours: 22 });
    expect(error.message).toContain('skymesh.sampleEvery is "1d"');
    expect(error.message).toContain('sampleEveryHours (22)');
  });

  it('fails when the sampler memory range passes 10240 MB, naming the last sampler', () => {
    const error = configError({ samplerMemoryMb: 10200, samplersPerZone: 100 });
    expect(error.problems[0].key).toBe('samplerMemoryMb');
    expect(error.message).toContain('skymesh.samplerMemoryMb is 10200');
    expect(error.message).toContain('at most 10141 with samplersPerZone 100');
    expect(error.message).toContain('sampler 99 would get 10299 MB');
  });

  it('fails when no sampling run could see the instances a characterization needs, naming pollConcurrency', () => {
    const error = configError({ pollConcurrency: 20, maxPolls: 4 });
    expect(error.problems.map((problem) => problem.key)).toEqual(['pollConcurrency']);
    expect(error.message).toContain('skymesh.pollConcurrency is 20');
    expect(error.message).toContain(
      'at least 25 with 4 polls a run for each AWS zone (maxPolls 4, and samplersPerZone / samplersPerPoll 10)',
    );
    expect(error.message).toContain('a run sees at most 80 instances, fewer than the 100');
    expect(() => loadSkyConfig({ pollConcurrency: 20, maxPolls: 5 })).not.toThrow();
    // The endpoints cap the polls too: 20 samplers, 10 a poll, make 2 polls of 40 requests.
    expect(configError({ pollConcurrency: 40, samplersPerZone: 20 }).message).toContain(
      'at least 50 with 2 polls a run',
    );
    expect(() => loadSkyConfig({ pollConcurrency: 50, samplersPerZone: 20 })).not.toThrow();
    // A zone on another provider polls its own samplers: one sampler makes one poll a run.
    const ibm = {
      provider: 'ibm-code-engine',
      region: 'eu-gb',
      functions: { '1024': 'https://fn.example.org' },
      samplers: ['https://sampler.example.org'],
      auth: { type: 'ibm-iam', apiKey: { env: 'IBM_KEY' } },
    };
    const external = configError({ pollConcurrency: 60, endpoints: [ibm] });
    expect(external.problems.map((problem) => problem.key)).toEqual(['pollConcurrency']);
    expect(external.message).toContain("at least 100 with 1 poll a run for ibm-eu-gb's 1 sampler");
    expect(() => loadSkyConfig({ pollConcurrency: 100, endpoints: [ibm] })).not.toThrow();
  });

  it('fails when a zone is outside the selected regions, saying where it is', () => {
    const error = configError({ regions: 'us-west-1', zones: 'usw1-az1,sae1-az1' });
    expect(error.problems).toHaveLength(1);
    expect(error.message).toContain('skymesh.zones is "sae1-az1" (it is in sa-east-1, which is not in regions)');
  });

  it('suggests the closest region for a typo', () => {
    expect(configError({ regions: 'us-wset-1' }).message).toContain('did you mean "us-west-1"?');
    expect(configError({ homeRegion: 'eu-nort-1' }).message).toContain('did you mean "eu-north-1"?');
  });

  it('suggests the closest AZ ID for a typo', () => {
    expect(configError({ zones: 'cac1-az3' }).message).toMatch(/did you mean "cac1-az[124]"\?/);
  });

  it.each([
    ['regoins', 'regions'],
    ['region', 'regions'],
    ['memorysizes', 'memorySizes'],
    ['samplerPerZone', 'samplersPerZone'],
    ['sampleEvry', 'sampleEvery'],
    ['logRetention', 'logRetentionDays'],
    ['colour', undefined],
  ])('fails on unknown key %s, suggesting %s', (key, suggestion) => {
    const error = configError({ [key]: 'x' });
    expect(error.problems[0].key).toBe(key);
    expect(error.message).toContain(`skymesh.${key} is "x" (unknown key`);
    if (suggestion) expect(error.message).toContain(`did you mean "${suggestion}"?`);
    else expect(error.message).not.toContain('did you mean');
    for (const known of CONFIG_KEYS) expect(error.problems[0].allowed).toContain(known);
  });

  it('lists every problem at once', () => {
    const error = configError({
      regoins: 'all',
      samplersPerZone: 'abc',
      homeRegion: 'us-wst-2',
      logRetentionDays: 13,
      architectures: 'sparc',
    });
    expect(error.problems.map((problem) => problem.key).sort()).toEqual(
      ['architectures', 'homeRegion', 'logRetentionDays', 'regoins', 'samplersPerZone'].sort(),
    );
    expect(error.message).toMatch(/^invalid skymesh config \(5 problems\):/);
    expect(error.message.split('\n')).toHaveLength(6);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('ConfigError');
  });

  it.each([null, 'regions=all', ['all'], 7])('fails when the settings are not an object: %j', (value) => {
    expect(() => loadSkyConfig(value as unknown as Record<string, unknown>)).toThrow(ConfigError);
  });

  it('every accepted log retention is accepted', () => {
    for (const days of LOG_RETENTION_DAYS)
      expect(loadSkyConfig({ logRetentionDays: days }).logRetentionDays).toBe(days);
  });
});
