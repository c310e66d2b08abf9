import { regionFacts, regionOfAzId } from '../../lib/catalog';
import { routerEnvironment } from '../../lib/routing/environment';
import { RouterConfigError } from '../../lib/routing/errors';

const facts = { regionFacts, regionOfAzId };

describe('routerEnvironment', () => {
  it('reads the variables the control stack sets, with the catalog giving each zone its region', () => {
    const env = routerEnvironment(
      {
        SKY_ZONES: 'usw1-az1,usw1-az3, sae1-az1',
        SKY_MEMORY_SIZES: '1024,2048',
        SKY_ARCHITECTURES: 'arm64',
        SKY_TABLE_NAME: 'sky-table',
        SKY_TABLE_REGION: 'us-west-2',
        SKY_HOLD_MS: '200',
        SKY_CACHE_TTL_MS: '5000',
        SKY_REJECT_MODE: 'end',
      },
      facts,
    );
    expect(env.config.deployed).toEqual([
      { azId: 'usw1-az1', region: 'us-west-1' },
      { azId: 'usw1-az3', region: 'us-west-1' },
      { azId: 'sae1-az1', region: 'sa-east-1' },
    ]);
    expect(env.config.memorySizes).toEqual([1024, 2048]);
    expect(env.config.architectures).toEqual(['arm64']);
    expect(env.config.holdMs).toBe(200);
    expect(env.config.rejectMode).toBe('end');
    expect(env).toMatchObject({ tableName: 'sky-table', tableRegion: 'us-west-2', cacheTtlMs: 5000 });
  });

  it('takes a region beside an AZ ID the catalog does not know (a new zone)', () => {
    const env = routerEnvironment({ SKY_ZONES: 'us-west-1:usw1-az9', AWS_REGION: 'us-west-2' }, facts);
    expect(env.config.deployed).toEqual([{ azId: 'usw1-az9', region: 'us-west-1' }]);
  });

  it('defaults to the paper sizes, both architectures, the 150 ms hold and the function region', () => {
    const env = routerEnvironment({ SKY_ZONES: 'us-west-1:usw1-az1', AWS_REGION: 'eu-west-1' }, facts);
    expect(env.config.memorySizes).toEqual([128, 256, 512, 1024, 2048, 4096, 6144, 8192, 10240]);
    expect(env.config.architectures).toEqual(['x86_64', 'arm64']);
    expect(env.config.holdMs).toBe(150);
    expect(env.tableRegion).toBe('eu-west-1');
    expect(env.tableName).toBe('skymesh');
  });

  it.each<[string, Record<string, string>, string]>([
    ['no zones', {}, 'SKY_ZONES'],
    ['an AZ name for a zone', { SKY_ZONES: 'us-west-1a' }, 'SKY_ZONES'],
    ['an unknown AZ ID', { SKY_ZONES: 'xxx9-az1' }, 'SKY_ZONES'],
    ['a memory size out of range', { SKY_ZONES: 'usw1-az1', SKY_MEMORY_SIZES: '64' }, 'SKY_MEMORY_SIZES'],
    ['an unknown architecture', { SKY_ZONES: 'usw1-az1', SKY_ARCHITECTURES: 'x86' }, 'SKY_ARCHITECTURES'],
    ['a hold that is not a number', { SKY_ZONES: 'usw1-az1', SKY_HOLD_MS: 'soon' }, 'SKY_HOLD_MS'],
    ['an unknown reject mode', { SKY_ZONES: 'usw1-az1', SKY_REJECT_MODE: 'maybe' }, 'SKY_REJECT_MODE'],
    ['a zone list of only commas', { SKY_ZONES: ',,' }, 'SKY_ZONES'],
    ['a zone given another region than its own', { SKY_ZONES: 'eu-west-1:usw1-az1' }, 'SKY_ZONES'],
    ['a zone prefixed by something not a region', { SKY_ZONES: 'mars-1:usw1-az1' }, 'SKY_ZONES'],
    ['a zone of three parts', { SKY_ZONES: 'us-west-1:usw1-az1:x' }, 'SKY_ZONES'],
    ['a fractional attempt budget', { SKY_ZONES: 'usw1-az1', SKY_MAX_ATTEMPTS: '2.5' }, 'SKY_MAX_ATTEMPTS'],
    ['a hold in hex', { SKY_ZONES: 'usw1-az1', SKY_HOLD_MS: '0x10' }, 'SKY_HOLD_MS'],
    ['an empty table name', { SKY_ZONES: 'usw1-az1', SKY_TABLE_NAME: '' }, 'SKY_TABLE_NAME'],
    ['a table name with a space', { SKY_ZONES: 'usw1-az1', SKY_TABLE_NAME: 'bad name' }, 'SKY_TABLE_NAME'],
    ['a table region that is not one', { SKY_ZONES: 'usw1-az1', SKY_TABLE_REGION: 'not a region' }, 'SKY_TABLE_REGION'],
  ])('refuses %s, naming the variable', (_what, vars, key) => {
    const run = () => routerEnvironment({ AWS_REGION: 'us-west-2', ...vars }, facts);
    expect(run).toThrow(RouterConfigError);
    try {
      run();
    } catch (error) {
      expect((error as RouterConfigError).key).toBe(key);
      expect((error as Error).message).toContain('allowed');
    }
  });
});
