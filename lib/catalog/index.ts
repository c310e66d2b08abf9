export {
  type CarbonSource,
  carbonIntensity,
  carbonIntensityOf,
  GRID_CARBON_INTENSITY,
  type GridCarbonIntensity,
  hasMeasuredCarbonIntensity,
  UNKNOWN_REGION_CARBON_INTENSITY,
} from './carbon';
export { UnknownRegionError } from './errors';
export { AZ_IDS, REGION_CODES, regionFacts, regionInfo, regionOfAzId, requireRegionInfo } from './lookup';
export { LAMBDA_PRICE_EXCEPTIONS, type LambdaPrice, lambdaPrice, STANDARD_LAMBDA_PRICES } from './prices';
export {
  type CatalogProvider,
  DIGITALOCEAN_FUNCTIONS,
  IBM_CODE_ENGINE,
  PROVIDERS,
  type ProviderAuthScheme,
  type ProviderInfo,
  type ProviderPriceModel,
  type ProviderRegion,
  type ProviderSampling,
  providerCarbonIntensity,
  providerRegion,
  providerSampling,
} from './providers';
export { REGIONS, type RegionInfo } from './regions';
