export { SKY_CONTEXT_KEY, skyConfigFromApp, skyConfigFromContext } from './context';
export { durationHours } from './duration';
export { ConfigError, type ConfigProblem } from './errors';
export {
  DYNAMODB_TABLE_NAME_PATTERN,
  LAMBDA_MAX_MEMORY_MB,
  LAMBDA_MIN_MEMORY_MB,
  LOG_RETENTION_DAYS,
} from './lambda-limits';
export { loadSkyConfig } from './load';
export { CONFIG_KEYS } from './rules';
export { DEFAULT_SKY_CONFIG, PAPER_MEMORY_SIZES, type SkyConfig } from './sky-config';
export { type ResolvedRegion, resolveRegions, resolveZones } from './zones';
