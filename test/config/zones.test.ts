import { REGION_CODES, REGIONS, regionOfAzId } from '../../lib/catalog';
import { loadSkyConfig, resolveRegions, resolveZones } from '../../lib/config';

describe('resolveZones', () => {
  it('"all" gives every zone of every catalog region, in catalog order', () => {
    const zones = resolveZones(loadSkyConfig({}));
    expect(zones.map((entry) => entry.region)).toEqual(REGION_CODES);
    expect(zones).toEqual(REGIONS.map((region) => ({ region: region.code, azIds: [...region.azIds] })));
  });

  it.each([
    [['us-west-1'], [{ region: 'us-west-1', azIds: ['usw1-az1', 'usw1-az3'] }]],
    [
      ['sa-east-1', 'ca-central-1'],
      [
        { region: 'sa-east-1', azIds: ['sae1-az1', 'sae1-az2', 'sae1-az3'] },
        { region: 'ca-central-1', azIds: ['cac1-az1', 'cac1-az2', 'cac1-az4'] },
      ],
    ],
  ])('regions %j give their catalog zones in the given order', (regions, expected) => {
    expect(resolveZones(loadSkyConfig({ regions }))).toEqual(expected);
  });

  it('a zones subset keeps only those zones and drops regions left empty', () => {
    const config = loadSkyConfig({
      regions: 'us-west-1,sa-east-1,eu-north-1,ca-central-1,us-east-1',
      zones: 'cac1-az1,usw1-az3,usw1-az1,sae1-az1,eun1-az1',
    });
    expect(resolveZones(config)).toEqual([
      { region: 'us-west-1', azIds: ['usw1-az1', 'usw1-az3'] },
      { region: 'sa-east-1', azIds: ['sae1-az1'] },
      { region: 'eu-north-1', azIds: ['eun1-az1'] },
      { region: 'ca-central-1', azIds: ['cac1-az1'] },
    ]);
  });

  it('zones with regions "all" select just those zones', () => {
    const zones = resolveZones(loadSkyConfig({ zones: 'use1-az6,apne1-az4' }));
    expect(zones).toEqual([
      { region: 'us-east-1', azIds: ['use1-az6'] },
      { region: 'ap-northeast-1', azIds: ['apne1-az4'] },
    ]);
  });

  it('every resolved AZ ID belongs to the region it is listed under', () => {
    for (const { region, azIds } of resolveZones(loadSkyConfig({}))) {
      for (const azId of azIds) expect(regionOfAzId(azId)).toBe(region);
    }
  });

  it('resolveRegions expands "all" and keeps a list as given', () => {
    expect(resolveRegions({ regions: 'all' })).toEqual(REGION_CODES);
    expect(resolveRegions({ regions: ['eu-west-1', 'us-east-2'] })).toEqual(['eu-west-1', 'us-east-2']);
  });
});
