import {
  CCF_EMISSION_FACTORS_T_PER_KWH,
  CCF_UNKNOWN_REGION_T_PER_KWH,
  carbonIntensity,
  hasMeasuredCarbonIntensity,
  LAMBDA_PRICE_EXCEPTIONS,
  lambdaPrice,
  REGION_CODES,
  REGIONS,
  regionFacts,
  STANDARD_LAMBDA_PRICES,
  UnknownRegionError,
} from '../../lib/catalog';

const everyRegion = REGION_CODES.map((code) => [code]);

describe('Lambda prices', () => {
  it.each(everyRegion)('%s: prices are positive and arm64 is cheaper per GB-second', (region) => {
    const x86 = lambdaPrice(region, 'x86_64');
    const arm = lambdaPrice(region, 'arm64');
    expect(x86.perGbSecond).toBeGreaterThan(0);
    expect(arm.perGbSecond).toBeGreaterThan(0);
    expect(arm.perGbSecond).toBeLessThan(x86.perGbSecond);
    expect(x86.perRequest).toBeGreaterThan(0);
    expect(arm.perRequest).toBe(x86.perRequest);
  });

  it.each([
    ['us-east-1', 'x86_64', 0.0000166667, 2e-7],
    ['us-west-1', 'arm64', 0.0000133334, 2e-7],
    ['af-south-1', 'x86_64', 0.0000221, 2.7e-7],
    ['eu-south-1', 'arm64', 0.0000156138, 2.3e-7],
  ] as const)('%s %s costs %d per GB-s and %d per request', (region, arch, perGbSecond, perRequest) => {
    expect(lambdaPrice(region, arch).perGbSecond).toBe(perGbSecond);
    expect(lambdaPrice(region, arch).perRequest).toBeCloseTo(perRequest, 12);
  });

  it('an unknown region gets the documented standard price', () => {
    expect(lambdaPrice('xx-east-9', 'x86_64')).toEqual(STANDARD_LAMBDA_PRICES.x86_64);
    expect(lambdaPrice('xx-east-9', 'arm64')).toEqual(STANDARD_LAMBDA_PRICES.arm64);
  });

  it.each(Object.keys(LAMBDA_PRICE_EXCEPTIONS).map((code) => [code]))(
    'price exception %s is a catalog region that costs more than the standard price',
    (region) => {
      expect(REGION_CODES).toContain(region);
      expect(lambdaPrice(region, 'x86_64').perGbSecond).toBeGreaterThan(STANDARD_LAMBDA_PRICES.x86_64.perGbSecond);
      expect(lambdaPrice(region, 'arm64').perGbSecond).toBeGreaterThan(STANDARD_LAMBDA_PRICES.arm64.perGbSecond);
    },
  );
});

describe('carbon intensity', () => {
  it.each([
    ['us-east-1', 379.069],
    ['us-west-1', 322.167],
    ['us-west-2', 322.167],
    ['eu-north-1', 8.8],
    ['sa-east-1', 61.7],
    ['eu-west-1', 278.6],
  ])('%s is %d gCO2e/kWh (CCF factor in t/kWh × 10^6)', (region, grams) => {
    expect(carbonIntensity(region)).toBeCloseTo(grams, 6);
    expect(hasMeasuredCarbonIntensity(region)).toBe(true);
  });

  it('a region outside the dataset gets CCF’s documented average', () => {
    expect(hasMeasuredCarbonIntensity('il-central-1')).toBe(false);
    expect(carbonIntensity('il-central-1')).toBeCloseTo(CCF_UNKNOWN_REGION_T_PER_KWH * 1e6, 6);
    expect(carbonIntensity('xx-east-9')).toBeCloseTo(392.78188, 6);
  });

  it.each(Object.keys(CCF_EMISSION_FACTORS_T_PER_KWH).map((code) => [code]))(
    'dataset region %s is a catalog region with a plausible grid intensity',
    (region) => {
      expect(REGION_CODES).toContain(region);
      expect(carbonIntensity(region)).toBeGreaterThan(0);
      expect(carbonIntensity(region)).toBeLessThan(1200);
    },
  );
});

describe('regionFacts', () => {
  it.each(everyRegion)('%s combines location, prices and carbon', (region) => {
    const facts = regionFacts(region);
    const info = REGIONS.find((entry) => entry.code === region)!;
    expect(facts).toEqual({
      region,
      location: info.location,
      pricePerGbSecond: {
        x86_64: lambdaPrice(region, 'x86_64').perGbSecond,
        arm64: lambdaPrice(region, 'arm64').perGbSecond,
      },
      pricePerRequest: lambdaPrice(region, 'x86_64').perRequest,
      carbonGPerKwh: carbonIntensity(region),
    });
  });

  it('fails for a region outside the catalog, naming it', () => {
    expect(() => regionFacts('xx-east-9')).toThrow(UnknownRegionError);
    expect(() => regionFacts('xx-east-9')).toThrow(/xx-east-9/);
  });
});
