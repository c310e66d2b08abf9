import { MeshLimitError } from './errors';

/**
 * CloudFormation quotas that a stack must stay under.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
 */
export const CLOUDFORMATION_LIMITS = {
  /** Resources declared in one template. */
  resources: 500,
  /** Template body uploaded through S3 (as `cdk deploy` does): 1 MB, read as 10^6 bytes to be safe. */
  templateBytes: 1_000_000,
} as const;

/**
 * Resources of a region mesh stack besides its subnets and functions: VPC, security group, flow log,
 * its role and log group, the functions' log group and their shared execution role.
 */
export const REGION_MESH_FIXED_RESOURCES = 7;

/** Resources of a zone sampler stack besides its samplers: 3 roles, log group, fan-out and steps functions. */
export const ZONE_SAMPLER_FIXED_RESOURCES = 6;

/**
 * Resources kept free in each zone sampler stack for the sampling state machine and its schedule
 * (state machine, its role and policy, log group, schedule, scheduler role, policies added to roles).
 */
export const SAMPLING_RESOURCE_BUDGET = 24;

/**
 * Upper bounds of template bytes, as `cdk synth` writes them (JSON indented by one space, with the
 * `aws:cdk:path` metadata the CLI adds). Measured on synthesized stacks and rounded up; the tests check
 * that every estimate stays above the real size.
 */
export const TEMPLATE_BYTES = {
  /** Everything of a region mesh stack but its subnets and functions. */
  regionMeshBase: 9_000,
  /** A subnet, its export and its ARN in the execution role (measured: 834). */
  perSubnet: 1_000,
  /** A dynamic function (measured: 1,179 with the longest region and AZ ID names). */
  perDynamicFunction: 1_300,
  /** Everything of a zone sampler stack but its samplers, including the sampling state machine (measured: 23,000). */
  zoneSamplerBase: 40_000,
  /** A sampler without its inline code, which is added at its JSON-escaped length (measured: 1,030). */
  perSamplerWithoutCode: 1_150,
} as const;

/** Counts of one region mesh stack. */
export interface RegionMeshShape {
  readonly stackName: string;
  readonly zones: number;
  readonly memorySizes: number;
  readonly architectures: number;
}

/** Counts of one zone sampler stack. */
export interface ZoneSamplerShape {
  readonly stackName: string;
  /** Samplers of every sampled architecture. */
  readonly samplers: number;
  /** Sampling state machines, one per sampled architecture. @default 1 */
  readonly stateMachines?: number;
  /** Total JSON-escaped length of the samplers' inline sources. */
  readonly inlineCodeBytes: number;
}

/** Expected resources and template bytes of a region mesh stack. */
export function regionMeshEstimate(shape: RegionMeshShape): { resources: number; templateBytes: number } {
  const functions = shape.zones * shape.memorySizes * shape.architectures;
  return {
    resources: REGION_MESH_FIXED_RESOURCES + shape.zones + functions,
    templateBytes:
      TEMPLATE_BYTES.regionMeshBase +
      shape.zones * TEMPLATE_BYTES.perSubnet +
      functions * TEMPLATE_BYTES.perDynamicFunction,
  };
}

/** Expected resources (including the sampling budget) and template bytes of a zone sampler stack. */
export function zoneSamplerEstimate(shape: ZoneSamplerShape): { resources: number; templateBytes: number } {
  return {
    resources: ZONE_SAMPLER_FIXED_RESOURCES + SAMPLING_RESOURCE_BUDGET * (shape.stateMachines ?? 1) + shape.samplers,
    templateBytes:
      TEMPLATE_BYTES.zoneSamplerBase * (shape.stateMachines ?? 1) +
      shape.samplers * TEMPLATE_BYTES.perSamplerWithoutCode +
      shape.inlineCodeBytes,
  };
}

/** Throws a {@link MeshLimitError} if a region mesh stack of this shape would break a CloudFormation limit. */
export function assertRegionMeshWithinLimits(shape: RegionMeshShape): void {
  const { resources, templateBytes } = regionMeshEstimate(shape);
  const perZone = shape.memorySizes * shape.architectures;
  const fix =
    `It has ${shape.zones} zones × ${shape.memorySizes} memory sizes × ${shape.architectures} architectures = ` +
    `${shape.zones * perZone} functions. Configure fewer memorySizes or architectures, or fewer zones for this region ` +
    '(skymesh.zones).';
  assertWithinLimits(shape.stackName, { resources, templateBytes }, fix);
}

/** Throws a {@link MeshLimitError} if a zone sampler stack of this shape would break a CloudFormation limit. */
export function assertZoneSamplerWithinLimits(shape: ZoneSamplerShape): void {
  const { resources, templateBytes } = zoneSamplerEstimate(shape);
  const machines = shape.stateMachines ?? 1;
  const maxByResources =
    CLOUDFORMATION_LIMITS.resources - ZONE_SAMPLER_FIXED_RESOURCES - SAMPLING_RESOURCE_BUDGET * machines;
  const bytesPerSampler = TEMPLATE_BYTES.perSamplerWithoutCode + shape.inlineCodeBytes / Math.max(shape.samplers, 1);
  const maxByBytes = Math.floor(
    (CLOUDFORMATION_LIMITS.templateBytes - TEMPLATE_BYTES.zoneSamplerBase * machines) / bytesPerSampler,
  );
  // samplersPerZone applies to each sampled architecture
  const maxSamplers = Math.floor(Math.min(maxByResources, maxByBytes) / machines);
  const fix =
    machines > 1
      ? `It has ${shape.samplers} samplers over ${machines} sampled architectures; configure skymesh.samplersPerZone of at most ${maxSamplers}, or fewer sampledArchitectures.`
      : `It has ${shape.samplers} samplers; configure skymesh.samplersPerZone of at most ${maxSamplers}.`;
  assertWithinLimits(shape.stackName, { resources, templateBytes }, fix);
}

/** Throws a {@link MeshLimitError} naming the first CloudFormation limit a stack of this estimate breaks, with `fix`. */
function assertWithinLimits(
  stackName: string,
  estimate: { readonly resources: number; readonly templateBytes: number },
  fix: string,
): void {
  if (estimate.resources > CLOUDFORMATION_LIMITS.resources) {
    throw new MeshLimitError(stackName, 'resources', estimate.resources, CLOUDFORMATION_LIMITS.resources, fix);
  }
  if (estimate.templateBytes > CLOUDFORMATION_LIMITS.templateBytes) {
    throw new MeshLimitError(
      stackName,
      'template bytes',
      estimate.templateBytes,
      CLOUDFORMATION_LIMITS.templateBytes,
      fix,
    );
  }
}
