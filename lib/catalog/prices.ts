import type { Arch } from '../core/types';

/** What one Lambda call costs in a region for one architecture (first duration tier, on-demand). */
export interface LambdaPrice {
  /** USD per GB-second of billed duration. */
  readonly perGbSecond: number;
  /** USD per request (invocation). */
  readonly perRequest: number;
}

/**
 * The price in most regions, and the documented default for a region the catalog does not list:
 * $0.0000166667 per GB-second on x86_64, $0.0000133334 on arm64, $0.20 per million requests.
 * Source: AWS Lambda pricing page (aws.amazon.com/lambda/pricing), first tier, e.g. US East (Ohio).
 */
export const STANDARD_LAMBDA_PRICES: Readonly<Record<Arch, LambdaPrice>> = {
  x86_64: { perGbSecond: 0.0000166667, perRequest: 0.2e-6 },
  arm64: { perGbSecond: 0.0000133334, perRequest: 0.2e-6 },
};

/**
 * Regions whose Lambda prices differ from the standard ones. Source: AWS Lambda pricing page, first tier
 * per region (duration figures also as tabulated by aws-lambda-power-tuning's price table).
 * Request charges are the page's per-million figures; eu-south-1's $0.23 is corroborated by a second
 * public table, the others are remembered from the page and less certain. Regions opened after 2022
 * (il-central-1, eu-central-2, ap-south-2, ...) are listed at the standard price on the page as we know it.
 */
export const LAMBDA_PRICE_EXCEPTIONS: Readonly<Record<string, Readonly<Record<Arch, LambdaPrice>>>> = {
  'af-south-1': {
    x86_64: { perGbSecond: 0.0000221, perRequest: 0.27e-6 },
    arm64: { perGbSecond: 0.00001768, perRequest: 0.27e-6 },
  },
  'ap-east-1': {
    x86_64: { perGbSecond: 0.00002292, perRequest: 0.29e-6 },
    arm64: { perGbSecond: 0.0000183, perRequest: 0.29e-6 },
  },
  'eu-south-1': {
    x86_64: { perGbSecond: 0.0000195172, perRequest: 0.23e-6 },
    arm64: { perGbSecond: 0.0000156138, perRequest: 0.23e-6 },
  },
  'me-south-1': {
    x86_64: { perGbSecond: 0.0000206667, perRequest: 0.25e-6 },
    arm64: { perGbSecond: 0.0000165334, perRequest: 0.25e-6 },
  },
  'me-central-1': {
    x86_64: { perGbSecond: 0.0000206667, perRequest: 0.25e-6 },
    arm64: { perGbSecond: 0.0000165334, perRequest: 0.25e-6 },
  },
};

/**
 * The first-tier Lambda price in a region for an architecture.
 * A region the catalog does not list gets the standard price (`STANDARD_LAMBDA_PRICES`).
 *
 * @example
 * lambdaPrice('us-west-1', 'arm64'); // { perGbSecond: 0.0000133334, perRequest: 2e-7 }
 */
export function lambdaPrice(region: string, arch: Arch): LambdaPrice {
  return (LAMBDA_PRICE_EXCEPTIONS[region] ?? STANDARD_LAMBDA_PRICES)[arch];
}
