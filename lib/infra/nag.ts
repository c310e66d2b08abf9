import { type CfnResource, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { NagMessageLevel, NagPack, type NagPackProps, NagRuleCompliance, type NagRuleResult } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/**
 * cdk-nag's AwsSolutions-IAM5 names a finding by the wildcard alone (`AwsSolutions-IAM5[Resource::*]`),
 * so acknowledging `*` for `ec2:DescribeSubnets` silences `iam:PassRole` on `*` in the same role too.
 * {@link SkyMeshChecks} adds a rule that names every allowed ACTION with every wildcard it is granted on
 * (`SkyMesh-IAM5[Action::iam:PassRole::Resource::*]`), and {@link acknowledgeWildcardGrants} acknowledges
 * exactly the pairs of the statements it is given: a new action on an old wildcard is a new finding.
 */

/** The project's own cdk-nag pack: one rule, wildcard grants per action. Run it beside AwsSolutionsChecks. */
export class SkyMeshChecks extends NagPack {
  readonly name = 'SkyMesh';

  constructor(scope?: IConstruct, props?: NagPackProps) {
    super(scope, props);
    this.packName = 'SkyMesh';
  }

  protected checkResource(node: CfnResource): void {
    this.applyRule({
      ruleSuffixOverride: 'IAM5',
      info: 'The IAM entity grants an action on a wildcard resource (or a wildcard action) that nobody acknowledged.',
      explanation:
        'Each action allowed on a wildcard must be acknowledged by name, so that adding an action to a role ' +
        'with an acknowledged wildcard is reported.',
      level: NagMessageLevel.ERROR,
      node,
      rule: wildcardGrants,
    });
  }
}

/** The findings of {@link SkyMeshChecks} for a resource: `Action::<action>::Resource::<wildcard arn>`. */
function wildcardGrants(node: CfnResource): NagRuleResult {
  const documents: unknown[] = [];
  const stack = Stack.of(node);
  if (node instanceof iam.CfnRole || node instanceof iam.CfnUser || node instanceof iam.CfnGroup) {
    const policies = stack.resolve(node.policies) as Array<{ policyDocument: unknown }> | undefined;
    for (const policy of policies ?? []) documents.push(stack.resolve(stack.resolve(policy).policyDocument));
  } else if (node instanceof iam.CfnPolicy || node instanceof iam.CfnManagedPolicy) {
    documents.push(stack.resolve(node.policyDocument));
  } else {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings = new Set<string>();
  for (const document of documents) {
    for (const statement of (document as { Statement?: RawStatement[] }).Statement ?? []) {
      for (const finding of findingsOf(statement)) findings.add(finding);
    }
  }
  return findings.size > 0 ? [...findings] : NagRuleCompliance.COMPLIANT;
}

interface RawStatement {
  readonly Effect?: string;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

function findingsOf(statement: RawStatement): string[] {
  if (statement.Effect !== 'Allow') return [];
  // NotAction and NotResource in an Allow grant everything else: as broad as a wildcard.
  const actions = statement.NotAction !== undefined ? ['*'] : list<string>(statement.Action);
  const resources =
    statement.NotResource !== undefined ? ['*'] : list<unknown>(statement.Resource).map((r) => flatten(r));
  const findings: string[] = [];
  for (const action of actions) {
    for (const resource of resources) {
      if (isWildcard(action) || isWildcard(resource)) findings.push(findingId(action, resource));
    }
  }
  return findings;
}

function findingId(action: string, resource: string): string {
  return `Action::${action}::Resource::${resource}`;
}

function list<T>(value: T | T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** A statement, or the actions and resources of one that CDK writes itself (e.g. a service integration's grant). */
export type WildcardGrant =
  | iam.PolicyStatement
  | { readonly actions: readonly string[]; readonly resources: readonly string[] };

/**
 * Acknowledges the wildcards of exactly the given statements: cdk-nag's AwsSolutions-IAM5 finding for each
 * wildcard resource (`AwsSolutions-IAM5[Resource::<arn>]`, which cannot tell actions apart) and the
 * SkyMesh-IAM5 finding for each action × wildcard resource pair. Another action on the same wildcard
 * stays reported by {@link SkyMeshChecks}.
 */
export function acknowledgeWildcardGrants(scope: IConstruct, grants: readonly WildcardGrant[], reason: string): void {
  const stack = Stack.of(scope);
  const ids = new Set<string>();
  for (const grant of grants) {
    const statement =
      grant instanceof iam.PolicyStatement
        ? grant
        : new iam.PolicyStatement({ actions: [...grant.actions], resources: [...grant.resources] });
    const json = stack.resolve(statement.toStatementJson()) as RawStatement;
    for (const finding of findingsOf(json)) {
      ids.add(`SkyMesh-IAM5[${finding}]`);
      const resource = finding.slice(finding.indexOf('::Resource::') + '::Resource::'.length);
      if (resource.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${resource}]`);
    }
  }
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** A resolved CloudFormation value as cdk-nag prints it in finding ids. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value.replace(/\$\{/g, '<').replace(/\}/g, '>');
  if (value && typeof value === 'object') {
    const node = value as Record<string, unknown>;
    if ('Fn::Join' in node) {
      const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(delimiter);
    }
    if ('Ref' in node) return `<${flatten(node.Ref)}>`;
    if ('Fn::GetAtt' in node) {
      const [resource, attribute] = node['Fn::GetAtt'] as [unknown, unknown];
      return `<${flatten(resource)}.${flatten(attribute)}>`;
    }
  }
  return JSON.stringify(value);
}

/** IAM matches `*` and `?` in actions and resource ARNs alike: either makes a pattern. */
function isWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
