import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { ConfigError, DEFAULT_SKY_CONFIG, skyConfigFromApp, skyConfigFromContext } from '../../lib/config';

describe('skyConfigFromContext', () => {
  it('reads the skymesh object', () => {
    const config = skyConfigFromContext({ skymesh: { regions: ['us-west-1'], maxPolls: 8 } });
    expect(config.regions).toEqual(['us-west-1']);
    expect(config.maxPolls).toBe(8);
  });

  it('gives the defaults without any skymesh context', () => {
    expect(skyConfigFromContext({ 'other:flag': true })).toEqual(DEFAULT_SKY_CONFIG);
  });

  it('lets skymesh.<key> overrides win over the object, coercing strings', () => {
    const config = skyConfigFromContext({
      skymesh: { regions: 'all', samplersPerZone: 100 },
      'skymesh.regions': 'us-west-1,sa-east-1',
      'skymesh.samplersPerZone': '10',
      'skymesh.sampleEvery': '90m',
    });
    expect(config.regions).toEqual(['us-west-1', 'sa-east-1']);
    expect(config.samplersPerZone).toBe(10);
    expect(config.sampleEveryHours).toBe(1.5);
  });

  it('parses a skymesh object given as JSON text (as -c passes it)', () => {
    expect(skyConfigFromContext({ skymesh: '{"homeRegion":"eu-west-1"}' }).homeRegion).toBe('eu-west-1');
  });

  it.each(['regions=all', '[1,2]', 42])('fails when skymesh is %j', (value) => {
    expect(() => skyConfigFromContext({ skymesh: value })).toThrow(ConfigError);
    expect(() => skyConfigFromContext({ skymesh: value })).toThrow(
      /an object \(or its JSON text\) of skymesh settings/,
    );
  });

  it('fails on an unknown override key, suggesting the closest', () => {
    expect(() => skyConfigFromContext({ 'skymesh.regoins': 'us-west-1' })).toThrow(
      /skymesh\.regoins is "us-west-1" \(unknown key; did you mean "regions"\?\)/,
    );
  });

  it.each([
    ['regions', 'us-west-1', '-c skymesh.regions=us-west-1'],
    ['samplersPerZone', '20', '-c skymesh.samplersPerZone=20'],
    ['regoins', 'us-west-1', '-c skymesh.regions=us-west-1'],
  ])('fails when our key %s is given without the skymesh. prefix, naming the fix', (key, value, fix) => {
    const read = () => skyConfigFromContext({ skymesh: { regions: 'all' }, [key]: value });
    expect(read).toThrow(ConfigError);
    expect(read).toThrow(`context key ${key} is "${value}" (ignored without the "skymesh." prefix)`);
    expect(read).toThrow(fix);
  });

  it.each([
    ['a mistyped key', { skymesh: { regions: 'us-west-1', endpoint: [{ auth: { secret: { value: 'S3CR3T-1' } } }] } }],
    [
      'a key without the prefix',
      { skymesh: { regions: 'all' }, endpoints: '[{"auth":{"secret":{"value":"S3CR3T-1"}}}]' },
    ],
    ['skymesh text that is not JSON', { skymesh: '{"endpoints":[{"auth":{"secret":{"value":"S3CR3T-1"}}}]' }],
    [
      'a key of an endpoint outside auth',
      {
        skymesh: {
          endpoints: [
            {
              apiKey: 'S3CR3T-1',
              provider: 'digitalocean',
              region: 'tor1',
              functions: { '1024': 'https://faas-tor1-1234.doserverless.co/api/v1/web/fn-ns/sky/dynamic-1024' },
              auth: { type: 'digitalocean-secret', secret: { secretId: 'skymesh/do' } },
            },
          ],
        },
      },
    ],
  ])('never prints a secret given by value, even under %s', (_what, context) => {
    const read = () => skyConfigFromContext(context);
    expect(read).toThrow(ConfigError);
    expect(read).toThrow('(not shown: it may hold a secret)');
    try {
      read();
    } catch (error) {
      expect((error as Error).message).not.toContain('S3CR3T-1');
      expect(JSON.stringify((error as ConfigError).problems)).not.toContain('S3CR3T-1');
    }
  });

  it("leaves CDK's and other libraries' context keys alone", () => {
    const config = skyConfigFromContext({
      skymesh: { regions: ['us-west-1'] },
      '@aws-cdk/core:stackResourceLimit': 500,
      'aws:cdk:disable-creation-stack-traces': true,
      'myapp.regions': 'eu-west-1',
      environment: 'prod',
    });
    expect(config.regions).toEqual(['us-west-1']);
  });
});

describe('the project cdk.json', () => {
  it('holds a valid skymesh config', () => {
    const cdkJson = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'cdk.json'), 'utf8'));
    const config = skyConfigFromContext(cdkJson.context);
    expect(config.regions).toEqual(cdkJson.context.skymesh.regions);
    expect(config.homeRegion).toBe(cdkJson.context.skymesh.homeRegion);
  });
});

describe('skyConfigFromApp', () => {
  it('reads cdk.json-style context and -c overrides from the app', () => {
    // GIVEN
    const app = new App({
      context: {
        skymesh: { regions: 'all', architectures: ['x86_64', 'arm64'], homeRegion: 'us-west-2' },
        'skymesh.regions': 'us-west-1,sa-east-1',
        'skymesh.architectures': 'arm64',
      },
    });
    // WHEN
    const config = skyConfigFromApp(app);
    // THEN
    expect(config.regions).toEqual(['us-west-1', 'sa-east-1']);
    expect(config.architectures).toEqual(['arm64']);
    expect(config.homeRegion).toBe('us-west-2');
  });

  it('fails with every problem when the app context is bad', () => {
    const app = new App({ context: { skymesh: { maxPolls: 0 }, 'skymesh.homeRegion': 'mars-1' } });
    let error: unknown;
    try {
      skyConfigFromApp(app);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems.map((problem) => problem.key).sort()).toEqual(['homeRegion', 'maxPolls']);
  });
});
