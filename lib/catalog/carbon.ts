/**
 * Grid carbon intensity per AWS region, in metric tons CO2e per kWh, as published by Cloud Carbon Footprint
 * (github.com/cloud-carbon-footprint/cloud-carbon-footprint, `packages/aws/src/domain/
 * AwsFootprintEstimationConstants.ts`, `AWS_EMISSIONS_FACTORS_METRIC_TON_PER_KWH`, the 2023 update).
 * US regions use CCF's NERC-region factors (us-east-1 SERC, us-east-2 RFC, us-west-1/2 WECC).
 * Kept in the source's unit so each figure can be checked against it; `carbonIntensity` converts to g/kWh.
 */
export const CCF_EMISSION_FACTORS_T_PER_KWH: Readonly<Record<string, number>> = {
  'us-east-1': 0.000379069,
  'us-east-2': 0.000410608,
  'us-west-1': 0.000322167,
  'us-west-2': 0.000322167,
  'af-south-1': 0.0009006,
  'ap-east-1': 0.00071,
  'ap-south-1': 0.0007082,
  'ap-northeast-1': 0.0004658,
  'ap-northeast-2': 0.0004156,
  'ap-northeast-3': 0.0004658,
  'ap-southeast-1': 0.000408,
  'ap-southeast-2': 0.00076,
  'ap-southeast-3': 0.0007177,
  'ca-central-1': 0.00012,
  'eu-central-1': 0.000311,
  'eu-west-1': 0.0002786,
  'eu-west-2': 0.000225,
  'eu-west-3': 0.0000511,
  'eu-south-1': 0.0002134,
  'eu-north-1': 0.0000088,
  'me-south-1': 0.0005059,
  'me-central-1': 0.0004041,
  'sa-east-1': 0.0000617,
};

/**
 * The documented default for a region CCF does not list (ca-west-1, eu-central-2, il-central-1, the regions
 * opened since 2022, ...): CCF's own `UNKNOWN` factor, the average of its listed regions.
 */
export const CCF_UNKNOWN_REGION_T_PER_KWH = 0.00039278188;

const GRAMS_PER_METRIC_TON = 1_000_000;

/**
 * Grid carbon intensity of a region in gCO2e per kWh (CCF's factor × 10^6), or CCF's average for a region
 * it does not list.
 *
 * @example
 * carbonIntensity('eu-north-1'); // 8.8
 */
export function carbonIntensity(region: string): number {
  const tons = CCF_EMISSION_FACTORS_T_PER_KWH[region] ?? CCF_UNKNOWN_REGION_T_PER_KWH;
  return Math.round(tons * GRAMS_PER_METRIC_TON * 1e6) / 1e6;
}

/** Whether the carbon figure of a region comes from the dataset (true) or from the documented default. */
export function hasMeasuredCarbonIntensity(region: string): boolean {
  return Object.hasOwn(CCF_EMISSION_FACTORS_T_PER_KWH, region);
}
