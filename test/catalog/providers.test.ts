import {
  DIGITALOCEAN_FUNCTIONS,
  IBM_CODE_ENGINE,
  PROVIDERS,
  providerRegion,
  REGION_CODES,
  regionFacts,
  UNKNOWN_REGION_CARBON_INTENSITY,
} from '../../lib/catalog';
import { providerZoneId } from '../../lib/core/naming';

describe('Provider catalog', () => {
  const every = Object.values(PROVIDERS).flatMap((p) => p.regions.map((r) => [p.provider, r.code] as const));

  it.each(every)('%s %s has a location, a positive price and a grid factor', (_provider, code) => {
    const facts = regionFacts(code);
    expect(Number.isFinite(facts.location.lat) && Math.abs(facts.location.lat) <= 90).toBe(true);
    expect(Number.isFinite(facts.location.lon) && Math.abs(facts.location.lon) <= 180).toBe(true);
    expect(facts.pricePerGbSecond.x86_64).toBeGreaterThan(0);
    expect(facts.carbonGPerKwh).toBeGreaterThan(0);
  });

  it('region codes do not collide with AWS or between providers, so a code names one region', () => {
    const codes = every.map(([, code]) => code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(REGION_CODES).not.toContain(code);
  });

  it('IBM Code Engine: 1, 2 and 4 GB, x86_64, CPU billed per vCPU-second at 1 vCPU per 4 GB', () => {
    expect(IBM_CODE_ENGINE.memorySizes).toEqual([1024, 2048, 4096]);
    expect(IBM_CODE_ENGINE.architectures).toEqual(['x86_64']);
    const facts = regionFacts('us-south');
    expect(facts.pricePerVcpuSecond).toBe(0.00003431);
    expect(facts.vcpusPerGb).toBe(0.25);
    expect(facts.pricePerGbSecond.x86_64).toBe(0.00000356);
    expect(facts.pricePerRequest).toBeCloseTo(0.538e-6, 15);
    expect(IBM_CODE_ENGINE.auth).toBe('ibm-iam');
  });

  it('DigitalOcean: per GiB-second only, 100 ms minimum, 128 MB to 1 GB', () => {
    const facts = regionFacts('fra1');
    expect(facts.pricePerGbSecond.x86_64).toBe(0.0000185);
    expect(facts.pricePerRequest).toBe(0);
    expect(facts.minBilledMs).toBe(100);
    expect(facts.pricePerVcpuSecond).toBeUndefined();
    expect(Math.max(...DIGITALOCEAN_FUNCTIONS.memorySizes)).toBe(1024);
    expect(DIGITALOCEAN_FUNCTIONS.auth).toBe('digitalocean-secret');
  });

  it('a region on the same grid as an AWS region has its figure', () => {
    expect(regionFacts('eu-gb').carbonGPerKwh).toBe(regionFacts('eu-west-2').carbonGPerKwh);
    // Toronto is on Ontario's grid, which no AWS region shares: the unknown-region figure.
    expect(regionFacts('ca-tor').carbonGPerKwh).toBe(UNKNOWN_REGION_CARBON_INTENSITY.gPerKwh);
    expect(regionFacts('fra1').carbonGPerKwh).toBe(regionFacts('eu-central-1').carbonGPerKwh);
  });

  it('zone IDs are <prefix>-<region> and resolve back to the region', () => {
    expect(providerZoneId('ibm-code-engine', 'us-south')).toBe('ibm-us-south');
    expect(providerZoneId('digitalocean', 'tor1')).toBe('do-tor1');
    expect(providerRegion('tor1')?.provider.provider).toBe('digitalocean');
    expect(providerRegion('us-west-1')).toBeUndefined();
  });
});
