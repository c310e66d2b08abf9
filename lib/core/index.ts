/**
 * The skymesh router library: pure TypeScript, no I/O, deterministic given its inputs.
 * This file only re-exports.
 */
export * from './cost-model';
export * from './cpu';
export * from './distribution';
export * from './drift';
export * from './errors';
export * from './naming';
export * from './reject-set';
export * from './stopping-rule';
export type * from './types';
