import {
  carbonIntensity,
  carbonIntensityOf,
  GRID_CARBON_INTENSITY,
  hasMeasuredCarbonIntensity,
  LAMBDA_PRICE_EXCEPTIONS,
  lambdaPrice,
  REGION_CODES,
  REGIONS,
  regionFacts,
  STANDARD_LAMBDA_PRICES,
  UNKNOWN_REGION_CARBON_INTENSITY,
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
    ['us-east-1', 418, 'US-MIDA-PJM'],
    ['us-west-1', 208, 'US-CAL-CISO'],
    ['us-west-2', 129, 'US-NW-BPAT'],
    ['eu-north-1', 20, 'SE-SE3'],
    ['sa-east-1', 106, 'BR-CS'],
    ['eu-west-1', 301, 'IE'],
    ['il-central-1', 475, 'IL'],
  ])('%s is %d gCO2e/kWh (Electricity Maps 2025, zone %s)', (region, grams, zone) => {
    expect(carbonIntensity(region)).toBe(grams);
    expect(carbonIntensityOf(region)).toEqual({ gPerKwh: grams, year: 2025, source: 'electricity-maps', zone });
    expect(hasMeasuredCarbonIntensity(region)).toBe(true);
  });

  it('every catalog region has a yearly figure from 2024 or later, so CCF serves no catalog region', () => {
    for (const region of REGION_CODES) {
      expect(hasMeasuredCarbonIntensity(region)).toBe(true);
      expect(carbonIntensityOf(region).source).toBe('electricity-maps');
      expect(carbonIntensityOf(region).year).toBeGreaterThanOrEqual(2024);
    }
  });

  it('a region outside the catalog gets CCF’s documented average, labelled as such', () => {
    expect(hasMeasuredCarbonIntensity('xx-east-9')).toBe(false);
    expect(carbonIntensity('xx-east-9')).toBe(392.78188);
    expect(carbonIntensityOf('xx-east-9')).toEqual(UNKNOWN_REGION_CARBON_INTENSITY);
    expect(UNKNOWN_REGION_CARBON_INTENSITY.source).toBe('cloud-carbon-footprint');
    expect(hasMeasuredCarbonIntensity('constructor')).toBe(false);
    expect(carbonIntensity('__proto__')).toBe(392.78188);
  });

  it.each(Object.keys(GRID_CARBON_INTENSITY).map((code) => [code]))(
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
