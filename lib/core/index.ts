/**
 * The skymesh router library: pure TypeScript, no I/O, deterministic given its inputs.
 * This file only re-exports.
 */

export * from './call-fit';
export * from './candidate';
export * from './candidate-scan';
export * from './carbon';
export * from './compiled-view';
export * from './cost-carbon-front';
export * from './cost-model';
export * from './cpu';
export * from './cpu-speed';
export * from './distribution';
export * from './drift';
export * from './errors';
export * from './exploration';
export * from './fleet-capacity';
export * from './geo';
export * from './host-census';
export * from './init-evidence';
export * from './lambda-limits';
export * from './memory-scaling';
export * from './naming';
export * from './objectives';
export * from './pacing';
export * from './placement-scope';
export * from './pool-renewal';
export * from './profiles';
export * from './profiling-plan';
export * from './reject-mode';
export * from './reject-schedule';
export * from './reject-set';
export * from './request-key';
export * from './router';
export * from './runtime-belief';
export * from './runtime-stats';
export * from './statistics';
export * from './stopping-rule';
export * from './strategies';
export type * from './types';
export * from './workload-plan';
export * from './zone-mix';
