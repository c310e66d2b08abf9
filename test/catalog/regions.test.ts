import {
  AZ_IDS,
  REGION_CODES,
  REGIONS,
  regionInfo,
  regionOfAzId,
  requireRegionInfo,
  UnknownRegionError,
} from '../../lib/catalog';

describe('region catalog', () => {
  it('lists every region once', () => {
    expect(new Set(REGION_CODES).size).toBe(REGIONS.length);
  });

  it('lists every AZ ID once across all regions', () => {
    expect(new Set(AZ_IDS).size).toBe(AZ_IDS.length);
  });

  it.each(REGIONS.map((region) => [region.code, region] as const))('%s has a well-formed entry', (code, region) => {
    expect(code).toMatch(/^[a-z]{2}-[a-z]+-\d$/);
    expect(region.name.length).toBeGreaterThan(0);
    expect(region.azIds.length).toBeGreaterThanOrEqual(2);
    expect(region.location.lat).toBeGreaterThanOrEqual(-90);
    expect(region.location.lat).toBeLessThanOrEqual(90);
    expect(region.location.lon).toBeGreaterThanOrEqual(-180);
    expect(region.location.lon).toBeLessThanOrEqual(180);
    for (const azId of region.azIds) expect(azId).toMatch(/^[a-z]{2,5}\d-az\d+$/);
  });

  it.each(REGIONS.map((region) => [region.code, region.azIds] as const))(
    '%s AZ IDs share one prefix that ends with the region number',
    (code, azIds) => {
      const prefixes = new Set(azIds.map((azId) => azId.split('-az')[0]));
      expect(prefixes.size).toBe(1);
      const [prefix] = prefixes;
      expect(prefix.at(-1)).toBe(code.at(-1));
      expect(prefix[0]).toBe(code[0]);
    },
  );

  it.each([
    ['us-east-1', ['use1-az1', 'use1-az2', 'use1-az3', 'use1-az4', 'use1-az5', 'use1-az6']],
    ['us-west-1', ['usw1-az1', 'usw1-az3']],
    ['ca-central-1', ['cac1-az1', 'cac1-az2', 'cac1-az4']],
    ['ap-northeast-1', ['apne1-az1', 'apne1-az2', 'apne1-az4']],
    ['sa-east-1', ['sae1-az1', 'sae1-az2', 'sae1-az3']],
    ['eu-north-1', ['eun1-az1', 'eun1-az2', 'eun1-az3']],
  ])('%s has the documented (not always contiguous) AZ IDs', (code, azIds) => {
    expect(regionInfo(code)?.azIds).toEqual(azIds);
  });

  it.each([
    'af-south-1',
    'ap-east-1',
    'ap-south-2',
    'ap-southeast-3',
    'ap-southeast-4',
    'ap-southeast-5',
    'ap-southeast-7',
    'ca-west-1',
    'eu-central-2',
    'eu-south-1',
    'eu-south-2',
    'il-central-1',
    'me-central-1',
    'me-south-1',
    'mx-central-1',
  ])('%s is listed as an opt-in region', (code) => {
    expect(regionInfo(code)?.optIn).toBe(true);
  });

  it.each(['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'eu-west-1', 'ap-northeast-1', 'sa-east-1'])(
    '%s is enabled by default',
    (code) => {
      expect(regionInfo(code)?.optIn).toBe(false);
    },
  );

  it.each(AZ_IDS.map((azId) => [azId]))('regionOfAzId(%s) round-trips to a region that lists it', (azId) => {
    const region = regionOfAzId(azId);
    expect(region).toBeDefined();
    expect(regionInfo(region!)?.azIds).toContain(azId);
  });

  it.each(['usw1-az2', 'use1-az7', 'us-west-1a', ''])('regionOfAzId(%j) is undefined', (azId) => {
    expect(regionOfAzId(azId)).toBeUndefined();
  });

  it('regionInfo of an unknown region is undefined and requireRegionInfo names it', () => {
    expect(regionInfo('xx-east-9')).toBeUndefined();
    expect(() => requireRegionInfo('xx-east-9')).toThrow(UnknownRegionError);
    expect(() => requireRegionInfo('xx-east-9')).toThrow(/"xx-east-9" is not in the catalog; allowed: us-east-1/);
  });
});
