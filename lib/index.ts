/**
 * The skymesh package entry: what a program needs to place requests itself (`Router`, the embedded
 * router library: pure TypeScript, no I/O) or to run the whole routing service in-process
 * (`RoutingService`: placement, retries, failover, batches, learning) against its own store and invoker.
 * The CDK construct is in `skymesh/infra`. This file only re-exports.
 */

// What the routing service calls out through (lib/contracts).
export type { InvokeOptions, InvokeResult, Invoker } from './contracts/invoker';
export { attemptChain, type PlacementCostInput, type PlacementExpectation } from './core/cost-model';
export { cpuKeyOf } from './core/cpu';
// The embedded router library (lib/core): placement from characterizations and profiles.
export { ape, type Distribution, distributionOf, mergeCounts } from './core/distribution';
export { classifyDrift, type Drift, driftBetween } from './core/drift';
export { CoreInputError, NoPlacementError } from './core/errors';
export { type HostCensus, hostCensusOf } from './core/host-census';
export { DEFAULT_HOLD_MS, DEFAULT_MAX_ATTEMPTS, MAX_HOLD_MS } from './core/lambda-limits';
export { dynamicFunctionName, parseFunctionName } from './core/naming';
export { expectedRejectModeCost, type RejectMode, type RejectModeCostInput } from './core/reject-mode';
export { rejectCpusAt } from './core/reject-schedule';
export { type RankedTarget, Router, type RouterOptions } from './core/router';
export {
  type CharacterizationErrorEstimate,
  decideStop,
  estimateCharacterizationError,
  type StopOptions,
} from './core/stopping-rule';
export { STRATEGY_NAMES } from './core/strategies';
export type {
  Arch,
  Characterization,
  CpuCounts,
  CpuKey,
  DriftClass,
  Objective,
  ObjectiveWeights,
  Outcome,
  Placement,
  PlacementLimits,
  PlacementRequest,
  PollAggregate,
  PoolContext,
  ProfileKey,
  RegionFacts,
  RoutingView,
  RuntimeStats,
  StopDecision,
  StrategyName,
  Target,
  WorkloadProfile,
} from './core/types';

// The routing service (lib/routing): follows placements, batches, learns, caches the view.
export type { RouterConfig } from './routing/config';
export { NoTargetError, PayloadTooLargeError, RouterError, RouterRequestError } from './routing/errors';
export { MemoryRouterStore } from './routing/memory-store';
export { corePlacerFactory } from './routing/placer';
export { regionalInvoker } from './routing/regional-invoker';
export { parseRouterRequest, type RouterRequestBody } from './routing/request';
export { type DeadlineSource, type RoutePlan, RoutingService, type RoutingServiceOptions } from './routing/service';
export { type RouterTelemetry, silentTelemetry } from './routing/telemetry';
export type {
  AttemptRecord,
  BatchAnswer,
  BatchCallOutcome,
  BatchSummary,
  PassiveZoneCounts,
  RoutedCall,
  RouterAnswer,
  RouterStore,
  RuntimeSums,
} from './routing/types';
