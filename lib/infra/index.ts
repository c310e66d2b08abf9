/**
 * `skymesh/infra`: the {@link SkyMesh} construct for a CDK app, and the stacks and constructs it is made of.
 * Needs the peer dependencies aws-cdk-lib and constructs.
 */

// What a bad setting throws (from the construct's props as from cdk.json), re-exported for embedders.
export { ConfigError } from '../config/errors';
// The contracts the stacks set on their functions, re-exported for embedders of the construct.
export { FUNCTION_ENV, METRIC_DIMENSION, METRIC_SERVICES, METRICS, METRICS_NAMESPACE } from '../contracts';
export {
  bundledCode,
  bundledHandler,
  CONTROL_HANDLERS,
  DYNAMIC_HANDLERS,
  type HandlerGroup,
  ZONE_HANDLERS,
} from './bundling';
export { ControlStack, type ControlStackProps, type RegionZones } from './control-stack';
export { BundlingError, InfraError, MeshLimitError, MeshPropsError } from './errors';
export { ExecutionRole, type ExecutionRoleProps } from './execution-role';
export { ExternalZoneSamplerStack, type ExternalZoneSamplerStackProps } from './external-zone-sampler-stack';
export { CLOUDFORMATION_LIMITS, regionMeshEstimate, zoneSamplerEstimate } from './limits';
export {
  assertMeshWithinLimits,
  type MeshSize,
  meshPlanFromConfig,
  meshSize,
  type SkyMeshPlan,
  stackNames,
} from './mesh-plan';
export { ALL_ARCHITECTURES, RegionMeshStack, type RegionMeshStackProps } from './region-mesh-stack';
export { SamplingStateMachine, type SamplingStateMachineProps } from './sampling-state-machine';
export { SkyDashboard, type SkyDashboardProps } from './sky-dashboard';
export { SkyMesh, type SkyMeshProps } from './sky-mesh';
export { ZonalNetwork, type ZonalNetworkProps, type ZoneAttachment } from './zonal-network';
export { type TableLocation, ZoneSamplerStack, type ZoneSamplerStackProps } from './zone-sampler-stack';
