/**
 * Grid carbon intensity per AWS region: one yearly figure per region, with its source and year beside it.
 *
 * Source: Electricity Maps' yearly carbon intensity for 2025 (gCO2eq/kWh, the API's default life-cycle
 * emission factors), as republished by the Green Web Foundation's CO2.js (github.com/thegreenwebfoundation/
 * co2.js, `data/output/electricity-maps/yearly_2025.json`, release 0.19, data added February 2026). The data is
 * © Electricity Maps under the Open Database License (ODbL 1.0); attribute Electricity Maps when republishing.
 *
 * Each region is mapped to the Electricity Maps zone of the grid it draws from (a country, or a balancing
 * authority or sub-national grid where Electricity Maps splits the country). The mapping is ours; where a region's
 * campus could sit in two zones the comment says which one and why.
 *
 * Cloud Carbon Footprint's coefficient set (archived since 2023) is kept only as the default for a region the
 * catalog does not know: every catalog region has a 2025 figure.
 */

/** Where a region's grid carbon intensity comes from. */
export type CarbonSource = 'electricity-maps' | 'cloud-carbon-footprint';

/** One region's yearly grid carbon intensity and where it comes from. */
export interface GridCarbonIntensity {
  /** Grams CO2e per kWh drawn from the grid, averaged over `year`. */
  readonly gPerKwh: number;
  /** The year the figure averages. */
  readonly year: number;
  readonly source: CarbonSource;
  /** The source's zone key (Electricity Maps zone, e.g. `US-MIDA-PJM`), or `UNKNOWN` for CCF's average. */
  readonly zone: string;
}

function electricityMaps2025(zone: string, gPerKwh: number): GridCarbonIntensity {
  return { gPerKwh, year: 2025, source: 'electricity-maps', zone };
}

/** Yearly grid carbon intensity of every catalog region, with source, year and zone. */
export const GRID_CARBON_INTENSITY: Readonly<Record<string, GridCarbonIntensity>> = {
  'us-east-1': electricityMaps2025('US-MIDA-PJM', 418), // Northern Virginia: Dominion zone of PJM
  // Ohio (Columbus area): AEP Ohio, a PJM member; CCF used the wider NERC RFC region.
  'us-east-2': electricityMaps2025('US-MIDA-PJM', 418),
  'us-west-1': electricityMaps2025('US-CAL-CISO', 208), // Northern California: CAISO
  // Oregon (Boardman/Umatilla): served by utilities in the Bonneville Power Administration's balancing area.
  'us-west-2': electricityMaps2025('US-NW-BPAT', 129),
  'ca-central-1': electricityMaps2025('CA-QC', 41), // Montréal
  'ca-west-1': electricityMaps2025('CA-AB', 385), // Calgary
  'mx-central-1': electricityMaps2025('MX', 385), // Querétaro; Electricity Maps has one zone for Mexico
  'sa-east-1': electricityMaps2025('BR-CS', 106), // São Paulo: Brazil's Southeast/Central-West subsystem
  'af-south-1': electricityMaps2025('ZA', 700), // Cape Town
  'ap-east-1': electricityMaps2025('HK', 590), // Hong Kong
  'ap-east-2': electricityMaps2025('TW', 519), // Taipei
  'ap-south-1': electricityMaps2025('IN-WE', 653), // Mumbai: Western India grid
  'ap-south-2': electricityMaps2025('IN-SO', 489), // Hyderabad: Southern India grid
  'ap-northeast-1': electricityMaps2025('JP-TK', 535), // Tokyo
  'ap-northeast-2': electricityMaps2025('KR', 423), // Seoul
  'ap-northeast-3': electricityMaps2025('JP-KN', 370), // Osaka: Kansai
  'ap-southeast-1': electricityMaps2025('SG', 483), // Singapore
  'ap-southeast-2': electricityMaps2025('AU-NSW', 525), // Sydney
  'ap-southeast-3': electricityMaps2025('ID', 667), // Jakarta; one zone for Indonesia
  'ap-southeast-4': electricityMaps2025('AU-VIC', 474), // Melbourne
  'ap-southeast-5': electricityMaps2025('MY-WM', 651), // Malaysia: Peninsular grid
  'ap-southeast-6': electricityMaps2025('NZ', 90), // Auckland; one zone for New Zealand
  'ap-southeast-7': electricityMaps2025('TH', 485), // Bangkok
  'eu-central-1': electricityMaps2025('DE', 342), // Frankfurt
  'eu-central-2': electricityMaps2025('CH', 50), // Zurich
  'eu-north-1': electricityMaps2025('SE-SE3', 20), // Stockholm: bidding zone SE3
  'eu-south-1': electricityMaps2025('IT-NO', 275), // Milan: North Italy
  'eu-south-2': electricityMaps2025('ES', 136), // Aragón
  'eu-west-1': electricityMaps2025('IE', 301), // Dublin
  'eu-west-2': electricityMaps2025('GB', 176), // London
  'eu-west-3': electricityMaps2025('FR', 31), // Paris
  'il-central-1': electricityMaps2025('IL', 475), // Tel Aviv
  'me-central-1': electricityMaps2025('AE', 348), // United Arab Emirates
  'me-south-1': electricityMaps2025('BH', 488), // Bahrain
};

/**
 * The figure for a region outside the catalog: Cloud Carbon Footprint's `UNKNOWN` AWS factor
 * (0.00039278188 t/kWh, the average of the regions CCF listed; `AwsFootprintEstimationConstants.ts`, 2023 update).
 * Nothing newer covers an unknown region, so CCF's figure stays here, and only here.
 */
export const UNKNOWN_REGION_CARBON_INTENSITY: GridCarbonIntensity = {
  gPerKwh: 392.78188,
  year: 2023,
  source: 'cloud-carbon-footprint',
  zone: 'UNKNOWN',
};

/**
 * A region's yearly grid carbon intensity with its source and year; CCF's average for a region outside the catalog.
 *
 * @example
 * carbonIntensityOf('eu-north-1'); // { gPerKwh: 20, year: 2025, source: 'electricity-maps', zone: 'SE-SE3' }
 */
export function carbonIntensityOf(region: string): GridCarbonIntensity {
  return Object.hasOwn(GRID_CARBON_INTENSITY, region) ? GRID_CARBON_INTENSITY[region] : UNKNOWN_REGION_CARBON_INTENSITY;
}

/**
 * Grid carbon intensity of a region in gCO2e per kWh.
 *
 * @example
 * carbonIntensity('eu-north-1'); // 20
 */
export function carbonIntensity(region: string): number {
  return carbonIntensityOf(region).gPerKwh;
}

/** Whether the carbon figure of a region comes from a per-region source (true) or from the documented default. */
export function hasMeasuredCarbonIntensity(region: string): boolean {
  return Object.hasOwn(GRID_CARBON_INTENSITY, region);
}
