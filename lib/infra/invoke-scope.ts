import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { dynamicFunctionName } from '../core/naming';
import type { Arch } from '../core/types';

/** The zones of one region of the mesh. */
export interface MeshRegion {
  readonly region: string;
  readonly azIds: readonly string[];
}

/**
 * Characters the invoke statement's function names may take. IAM allows 10,240 characters for all of a
 * role's inline policies; the rest of the router's policy takes under 1,000.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export const INVOKE_SCOPE_BUDGET = 7_000;

/** Room an ARN takes in the policy beside its name: `"arn:aws:lambda:<region>:<12-digit account>:function:",`. */
const ARN_OVERHEAD = '"arn:aws:lambda::123456789012:function:",'.length;

/**
 * The function names (IAM patterns, per region) the router may invoke: the mesh's dynamic functions
 * `sky-<azId>-<arch>-<mb>`, named exactly when the list fits {@link INVOKE_SCOPE_BUDGET}. A mesh too large
 * for that (the global one has ~1,900 functions) is named per region, architecture and memory size with
 * one `?` for the zone's digit; failing that, per region and architecture with `*` for the memory size.
 */
export function dynamicFunctionPatterns(
  mesh: readonly MeshRegion[],
  architectures: readonly Arch[],
  memorySizes: readonly number[],
): Map<string, string[]> {
  const exact = perRegion(mesh, (r) =>
    r.azIds.flatMap((azId) =>
      architectures.flatMap((arch) => memorySizes.map((mb) => dynamicFunctionName(azId, arch, mb))),
    ),
  );
  const perMemory = perRegion(mesh, (r) =>
    zonePatterns(r.azIds).flatMap((zone) =>
      architectures.flatMap((arch) => memorySizes.map((mb) => dynamicFunctionName(zone, arch, mb))),
    ),
  );
  const perArch = perRegion(mesh, (r) =>
    zonePatterns(r.azIds).flatMap((zone) => architectures.map((arch) => `sky-${zone}-${arch}-*`)),
  );
  for (const candidate of [exact, perMemory]) if (size(candidate) <= INVOKE_SCOPE_BUDGET) return candidate;
  return perArch;
}

/**
 * The router's invoke statements: allow the mesh's function names, and deny qualified ARNs (`name:version`,
 * `name:alias`) of any `sky-` function, which a pattern ending in `*` would otherwise match: the router
 * invokes unqualified names only.
 */
export function invokeMeshStatements(
  scope: Construct,
  mesh: readonly MeshRegion[],
  architectures: readonly Arch[],
  memorySizes: readonly number[],
): { allow: iam.PolicyStatement; denyQualified: iam.PolicyStatement } {
  const arn = (region: string, name: string) => lambdaFunctionArn(scope, name, region);
  const patterns = dynamicFunctionPatterns(mesh, architectures, memorySizes);
  return {
    allow: new iam.PolicyStatement({
      sid: 'InvokeDynamicFunctions',
      actions: ['lambda:InvokeFunction'],
      resources: [...patterns].flatMap(([region, names]) => names.map((name) => arn(region, name))),
    }),
    denyQualified: new iam.PolicyStatement({
      sid: 'DenyQualifiedInvokes',
      effect: iam.Effect.DENY,
      actions: ['lambda:InvokeFunction'],
      resources: [arn('*', 'sky-*:*')],
    }),
  };
}

function perRegion(mesh: readonly MeshRegion[], names: (r: MeshRegion) => string[]): Map<string, string[]> {
  return new Map(mesh.map((r) => [r.region, [...new Set(names(r))]]));
}

/** `usw2-az?` when every zone of the region is `usw2-az<one digit>`; otherwise the AZ IDs themselves. */
function zonePatterns(azIds: readonly string[]): string[] {
  const prefixes = new Set(azIds.map((azId) => /^(.+-az)\d$/.exec(azId)?.[1]));
  const [prefix] = prefixes;
  return prefixes.size === 1 && prefix !== undefined ? [`${prefix}?`] : [...azIds];
}

function size(patterns: Map<string, string[]>): number {
  let total = 0;
  for (const [region, names] of patterns) for (const name of names) total += ARN_OVERHEAD + region.length + name.length;
  return total;
}

/** ARN of the Lambda function `name` in the scope's account, in `region` or the scope's own region. */
export function lambdaFunctionArn(scope: Construct, name: string, region?: string): string {
  return Stack.of(scope).formatArn({
    service: 'lambda',
    region,
    resource: 'function',
    resourceName: name,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}
