import type { Arch, GeoPoint } from '../core/types';
import { GRID_CARBON_INTENSITY, UNKNOWN_REGION_CARBON_INTENSITY } from './carbon';

/** A serverless platform other than AWS Lambda whose functions skymesh can target over HTTPS. */
export type CatalogProvider = 'ibm-code-engine' | 'digitalocean';

/** How a caller proves itself to a provider's function. */
export type ProviderAuthScheme =
  /** An IBM Cloud IAM API key exchanged for a bearer token (`POST /identity/token`), sent as `Authorization: Bearer`. */
  | 'ibm-iam'
  /** DigitalOcean's web function secret (`webSecure` in project.yml), sent as `X-Require-Whisk-Auth`. */
  | 'digitalocean-secret';

/** One region of a provider. */
export interface ProviderRegion {
  /** The provider's region code, e.g. `us-south`, `tor1`. */
  readonly code: string;
  /** City or metro the provider names. */
  readonly name: string;
  /** Approximate metro location. */
  readonly location: GeoPoint;
  /**
   * The AWS region that draws from the same Electricity Maps zone (see `carbon.ts`), whose 2025 figure
   * stands for this region's grid; undefined where no AWS region shares the zone (Dallas on ERCOT,
   * New York on NYISO, Toronto on Ontario's grid, Amsterdam): the catalog's unknown-region figure.
   */
  readonly gridLike?: string;
}

/** What a provider bills, in USD (first tier, no free allowance). */
export interface ProviderPriceModel {
  /** Per GB-second of memory. */
  readonly perGbSecond: number;
  /** Per vCPU-second, where CPU is billed apart from memory. */
  readonly perVcpuSecond: number;
  /** vCPUs a function gets per GB of memory (the provider's fixed CPU:memory ratio). */
  readonly vcpusPerGb: number;
  /** Per request (HTTP call). */
  readonly perRequest: number;
  /** Shortest duration billed per call, ms. */
  readonly minBilledMs: number;
}

/** A provider's catalog entry. */
export interface ProviderInfo {
  readonly provider: CatalogProvider;
  /** Zone-ID prefix: zone `<prefix>-<region>`. */
  readonly zonePrefix: string;
  readonly regions: readonly ProviderRegion[];
  readonly price: ProviderPriceModel;
  /** Memory sizes a function can have (those the sky mesh deploys), MB. */
  readonly memorySizes: readonly number[];
  /**
   * Memory of the sky mesh's samplers on this provider, MB: every sampler has this one size (Lambda's have
   * a size each), and the sampling cost estimate and the twin price them at it.
   */
  readonly samplerMemoryMb: number;
  /** Most calls a deployment runs at once, where the provider documents a limit (a poll sends no more). */
  readonly maxConcurrency?: number;
  readonly architectures: readonly Arch[];
  readonly auth: ProviderAuthScheme;
  /**
   * Largest response body a function may return, bytes, where the provider documents a limit below Lambda's
   * 6 MB: a longer answer would not reach the caller whole, so the router refuses it as an error.
   */
  readonly maxResultBytes?: number;
  /**
   * Largest request body a function accepts, bytes, where the provider documents a limit below Lambda's 6 MB: the
   * router refuses a larger request before sending it.
   */
  readonly maxInputBytes?: number;
}

/**
 * IBM Cloud Code Engine.
 *
 * - Regions: the Code Engine regions as Lithops' Code Engine backend lists them (lithops-cloud.github.io,
 *   "IBM Cloud Code Engine": eu-gb, eu-de, us-south, us-east, br-sao, ca-tor, jp-tok, jp-osa, au-syd);
 *   locations are the metros IBM names the regions after (Dallas, Washington DC, ...).
 * - Billing: IBM Cloud Docs, "Pricing for Code Engine" (cloud.ibm.com/docs/codeengine?topic=codeengine-pricing,
 *   2024-02-15): apps and functions are billed for the vCPU and memory their running instances are
 *   configured with, per second, and for incoming HTTP calls.
 * - Prices: IBM Cloud Docs, billing-usage "Scenario: Estimating costs of a Code Engine App" (2024-08-14), whose
 *   rate table gives $0.00003431 per vCPU-second, $0.00000356 per GB-second and $0.538 per million requests
 *   (free tier not counted here: 100,000 vCPU-s, 200,000 GB-s and 100,000 requests a month). IBM states that
 *   actual prices vary by geography; these are the US-dollar list figures.
 * - Memory and CPU: IBM Cloud Docs, "Supported memory and CPU combinations" (topic codeengine-mem-cpu-combo) and
 *   "Function runtimes" (codeengine-fun-runtime, 2024-10-09): functions run at 0.25 vCPU with 1 GB, 0.5 vCPU
 *   with 2 GB or 1 vCPU with 4 GB (the default), and those are also the "balanced" column for apps, which the
 *   packaged endpoint deploys as (`--memory 2G --cpu 0.5`; apps may also pair 1 GB with 0.5 vCPU or 2 GB
 *   with 1 vCPU, which the mesh does not use). Hence 1, 2 and 4 GB at 0.25 vCPU per GB, also the three memory
 *   settings the sky mesh paper deployed (seed 003, §3.3). Samplers run at 4 GB and 1 vCPU.
 * - CPUs: Intel Cascade Lake at 2.4 and 2.5 GHz (seed 003, §4.2); x86_64 only.
 * - Auth: an IAM API key exchanged at `https://iam.cloud.ibm.com/identity/token` (grant type
 *   `urn:ibm:params:oauth:grant-type:apikey`) for a bearer token that expires after an hour.
 */
export const IBM_CODE_ENGINE: ProviderInfo = {
  provider: 'ibm-code-engine',
  zonePrefix: 'ibm',
  regions: [
    { code: 'us-south', name: 'Dallas', location: { lat: 32.7767, lon: -96.797 } },
    // Washington DC is in PJM, as Northern Virginia is.
    { code: 'us-east', name: 'Washington DC', location: { lat: 38.9072, lon: -77.0369 }, gridLike: 'us-east-1' },
    { code: 'ca-tor', name: 'Toronto', location: { lat: 43.6532, lon: -79.3832 } },
    { code: 'br-sao', name: 'São Paulo', location: { lat: -23.5505, lon: -46.6333 }, gridLike: 'sa-east-1' },
    { code: 'eu-gb', name: 'London', location: { lat: 51.5072, lon: -0.1276 }, gridLike: 'eu-west-2' },
    { code: 'eu-de', name: 'Frankfurt', location: { lat: 50.1109, lon: 8.6821 }, gridLike: 'eu-central-1' },
    { code: 'jp-tok', name: 'Tokyo', location: { lat: 35.6762, lon: 139.6503 }, gridLike: 'ap-northeast-1' },
    { code: 'jp-osa', name: 'Osaka', location: { lat: 34.6937, lon: 135.5023 }, gridLike: 'ap-northeast-3' },
    { code: 'au-syd', name: 'Sydney', location: { lat: -33.8688, lon: 151.2093 }, gridLike: 'ap-southeast-2' },
  ],
  price: {
    perGbSecond: 0.00000356,
    perVcpuSecond: 0.00003431,
    vcpusPerGb: 0.25,
    perRequest: 0.538e-6,
    minBilledMs: 0,
  },
  memorySizes: [1024, 2048, 4096],
  samplerMemoryMb: 4096,
  architectures: ['x86_64'],
  auth: 'ibm-iam',
};

/**
 * DigitalOcean Functions.
 *
 * - Regions: DigitalOcean's "Functions Availability" table (docs.digitalocean.com/products/functions/details/
 *   availability): NYC3, AMS3, SFO3, SGP1, LON1, FRA1, TOR1, BLR1, SYD1.
 * - Price: digitalocean.com/pricing/functions: $0.0000185 per GiB-second, no request charge, 100 ms minimum
 *   runtime per invocation (90,000 GiB-seconds a month are free; not counted here).
 * - Limits: docs.digitalocean.com/products/functions/details/limits ("Functions Limits", last edited
 *   2025-01-17): memory from 128 MB to 1 GB (default 256 MB); a namespace runs up to 120 functions at once and
 *   600 invocations a minute; input and result are at most 1 MB each; timeout at most 15 minutes. The sky mesh
 *   deploys 128, 256, 512 and 1024 MB, and samplers at 1 GB.
 * - CPUs: Intel Xeon at 2.6 and 2.7 GHz (seed 003, §4.2); x86_64 only.
 * - Auth: a web function with `webSecure: <secret>` in project.yml accepts a call only with the header
 *   `X-Require-Whisk-Auth: <secret>` (Apache OpenWhisk's secure web actions, which DigitalOcean Functions run).
 */
export const DIGITALOCEAN_FUNCTIONS: ProviderInfo = {
  provider: 'digitalocean',
  zonePrefix: 'do',
  regions: [
    { code: 'nyc3', name: 'New York', location: { lat: 40.7128, lon: -74.006 } },
    { code: 'sfo3', name: 'San Francisco', location: { lat: 37.7749, lon: -122.4194 }, gridLike: 'us-west-1' },
    { code: 'tor1', name: 'Toronto', location: { lat: 43.6532, lon: -79.3832 } },
    { code: 'ams3', name: 'Amsterdam', location: { lat: 52.3676, lon: 4.9041 } },
    { code: 'lon1', name: 'London', location: { lat: 51.5072, lon: -0.1276 }, gridLike: 'eu-west-2' },
    { code: 'fra1', name: 'Frankfurt', location: { lat: 50.1109, lon: 8.6821 }, gridLike: 'eu-central-1' },
    { code: 'sgp1', name: 'Singapore', location: { lat: 1.3521, lon: 103.8198 }, gridLike: 'ap-southeast-1' },
    // Bangalore and Hyderabad (ap-south-2) are both on the Southern India grid.
    { code: 'blr1', name: 'Bangalore', location: { lat: 12.9716, lon: 77.5946 }, gridLike: 'ap-south-2' },
    { code: 'syd1', name: 'Sydney', location: { lat: -33.8688, lon: 151.2093 }, gridLike: 'ap-southeast-2' },
  ],
  price: { perGbSecond: 0.0000185, perVcpuSecond: 0, vcpusPerGb: 0, perRequest: 0, minBilledMs: 100 },
  memorySizes: [128, 256, 512, 1024],
  samplerMemoryMb: 1024,
  maxConcurrency: 120,
  architectures: ['x86_64'],
  auth: 'digitalocean-secret',
  // "The maximum size of result responses is 1 MB" (Functions Limits, above), read as 2^20 bytes, the
  // activation result limit of Apache OpenWhisk, which DigitalOcean Functions run (apache/openwhisk#566 set it
  // at 1 MB and has the invoker reject a larger result with an error rather than pass it on).
  maxResultBytes: 1_048_576,
  // "The maximum size of input parameters is 1 MB" (Functions Limits, above): the request body becomes the
  // action's parameters, read as 2^20 bytes of it like the result limit.
  maxInputBytes: 1_048_576,
};

/** Every provider in the catalog besides AWS Lambda. */
export const PROVIDERS: Readonly<Record<CatalogProvider, ProviderInfo>> = {
  'ibm-code-engine': IBM_CODE_ENGINE,
  digitalocean: DIGITALOCEAN_FUNCTIONS,
};

/** The provider and region entry of a provider region code, or undefined (AWS codes and unknown ones). */
export function providerRegion(code: string): { provider: ProviderInfo; region: ProviderRegion } | undefined {
  for (const provider of Object.values(PROVIDERS)) {
    const region = provider.regions.find((r) => r.code === code);
    if (region) return { provider, region };
  }
  return undefined;
}

/** Grid carbon intensity of a provider region, gCO2e per kWh (see `ProviderRegion.gridLike`). */
export function providerCarbonIntensity(region: ProviderRegion): number {
  const grid = region.gridLike !== undefined ? GRID_CARBON_INTENSITY[region.gridLike] : undefined;
  return (grid ?? UNKNOWN_REGION_CARBON_INTENSITY).gPerKwh;
}

/** How a provider region's samplers are sized and priced in the sampling settings. */
export interface ProviderSampling {
  /** The one memory size of every sampler, MB. */
  readonly samplerMemoryMb: number;
  /** Samplers share one size: no MB added per sampler index. */
  readonly samplerMemoryStepMb: 0;
  /** USD per GB-second, with the vCPU-seconds that come with each GB where those are billed apart. */
  readonly pricePerGbSecond: number;
  readonly pricePerRequest: number;
  /** Most concurrent requests a poll may send (the provider's limit), where one is documented. */
  readonly maxPollConcurrency?: number;
}

/**
 * The sampling settings a provider region's zone takes from the catalog (undefined for an AWS region): the
 * deployed stack, the twin and the local sky all sample such a zone with these. A sampler's sleep (100 ms by
 * default) is at least DigitalOcean's 100 ms minimum, so each sampler call is billed its duration.
 *
 * @example
 * providerSampling('eu-gb')?.samplerMemoryMb; // 4096
 */
export function providerSampling(region: string): ProviderSampling | undefined {
  const provider = providerRegion(region)?.provider;
  if (!provider) return undefined;
  return samplingAt(provider.samplerMemoryMb, provider.price, provider.maxConcurrency);
}

/**
 * Sampling settings for samplers of one size at a price (vCPU-seconds folded into the GB-second price, as a
 * fixed number of vCPUs comes with each GB); for a catalog provider or an HTTPS endpoint's configured price.
 */
export function samplingAt(
  samplerMemoryMb: number,
  price: Pick<ProviderPriceModel, 'perGbSecond' | 'perRequest'> & Partial<ProviderPriceModel>,
  maxPollConcurrency?: number,
): ProviderSampling {
  return {
    samplerMemoryMb,
    samplerMemoryStepMb: 0,
    pricePerGbSecond: price.perGbSecond + (price.vcpusPerGb ?? 0) * (price.perVcpuSecond ?? 0),
    pricePerRequest: price.perRequest,
    ...(maxPollConcurrency !== undefined ? { maxPollConcurrency } : {}),
  };
}
