export { SKY_CONTEXT_KEY, skyConfigFromApp, skyConfigFromContext } from './context';
export { durationHours } from './duration';
export { ConfigError, type ConfigProblem } from './errors';
export { loadSkyConfig } from './load';
export { CONFIG_KEYS } from './rules';
export { DEFAULT_SKY_CONFIG, type SkyConfig } from './sky-config';
export { type ResolvedRegion, resolveRegions, resolveZones } from './zones';
