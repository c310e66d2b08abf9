import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag's AwsSolutions-IAM5 finding for each given wildcard resource ARN of `scope`'s
 * policies, one finding at a time (cdk-nag 3 names each finding `AwsSolutions-IAM5[Resource::<arn>]`,
 * with intrinsics written as `<AWS::AccountId>` or `<Logical.Attr>`), so that no other wildcard is
 * silenced with it.
 */
export function acknowledgeWildcardResources(scope: IConstruct, arns: readonly string[], reason: string): void {
  const stack = Stack.of(scope);
  for (const arn of arns) {
    Validations.of(scope).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flatten(stack.resolve(arn))}]`,
      reason,
    });
  }
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
