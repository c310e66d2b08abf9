/**
 * What the layers share: environment variable names, metric names, the table schema, the sampling
 * settings schema, limits and defaults, and the dynamic function's wire protocol. This file only re-exports.
 */
export * from './environment';
export type * from './invoker';
export * from './lambda-report';
export * from './limits';
export * from './metrics';
export type * from './platform';
export type * from './protocol';
export * from './sampling-settings';
export * from './table-records';
export * from './table-schema';
export * from './work-limits';
