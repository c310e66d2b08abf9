/**
 * Reads Step Functions definitions out of a synthesized CloudFormation template, resolving the
 * intrinsics CDK writes into `DefinitionString` (Fn::Join, Fn::GetAtt of Lambda functions, Ref of
 * pseudo parameters and functions) to the ARNs the functions will have. With it, a local engine
 * runs exactly the definition that would be deployed, not a second hand-written copy.
 */

/** Where the template is deployed, for the ARNs. */
export interface DefinitionEnvironment {
  readonly region: string;
  /** @default '123456789012' */
  readonly account?: string;
  /** @default 'aws' */
  readonly partition?: string;
}

/** A CloudFormation template as JSON. */
export interface CfnTemplate {
  readonly Resources?: Readonly<
    Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>
  >;
}

/** An ASL document. */
export type AslDefinition = Record<string, unknown> & { readonly StartAt: string; readonly States: object };

export class DefinitionResolveError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(`Cannot resolve ${path}: ${message}`);
    this.name = 'DefinitionResolveError';
  }
}

/**
 * Every state machine of a template by its `StateMachineName` (or logical id when unnamed).
 * @example
 * const defs = stateMachineDefinitions(Template.fromStack(stack).toJSON(), { region: 'us-west-1' });
 * const machine = new StateMachine(defs['sky-sampling-usw1-az1']);
 */
export function stateMachineDefinitions(
  template: CfnTemplate,
  env: DefinitionEnvironment,
): Record<string, AslDefinition> {
  const out: Record<string, AslDefinition> = {};
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const props = resource.Properties ?? {};
    const name = typeof props.StateMachineName === 'string' ? props.StateMachineName : logicalId;
    const resolved = resolveValue(template, env, props.DefinitionString, `${logicalId}.DefinitionString`);
    if (typeof resolved !== 'string') {
      throw new DefinitionResolveError(`${logicalId}.DefinitionString`, 'it does not resolve to a string');
    }
    let text = resolved;
    const substitutions = (props.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(substitutions)) {
      const substitute = resolveValue(template, env, value, `${logicalId}.DefinitionSubstitutions.${key}`);
      text = text.split(`\${${key}}`).join(String(substitute));
    }
    out[name] = JSON.parse(text) as AslDefinition;
  }
  return out;
}

/** ARN of a Lambda function by name. */
export function lambdaArn(env: DefinitionEnvironment, functionName: string): string {
  return `arn:${env.partition ?? 'aws'}:lambda:${env.region}:${env.account ?? '123456789012'}:function:${functionName}`;
}

function resolveValue(template: CfnTemplate, env: DefinitionEnvironment, value: unknown, path: string): unknown {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => resolveValue(template, env, v, `${path}[${i}]`));
  if (value === null || typeof value !== 'object') throw new DefinitionResolveError(path, `unexpected ${value}`);
  const node = value as Record<string, unknown>;
  if ('Fn::Join' in node) {
    const [delimiter, parts] = node['Fn::Join'] as [string, unknown[]];
    return parts.map((p, i) => String(resolveValue(template, env, p, `${path}.Fn::Join[${i}]`))).join(delimiter);
  }
  if ('Ref' in node) return resolveRef(template, env, String(node.Ref), path);
  if ('Fn::GetAtt' in node) {
    const [logicalId, attribute] = node['Fn::GetAtt'] as [string, string];
    const resource = template.Resources?.[logicalId];
    if (resource?.Type === 'AWS::Lambda::Function' && attribute === 'Arn') {
      return lambdaArn(env, functionNameOf(logicalId, resource.Properties, path));
    }
    throw new DefinitionResolveError(path, `Fn::GetAtt ${logicalId}.${attribute} (only Lambda function ARNs)`);
  }
  throw new DefinitionResolveError(path, `unsupported intrinsic ${Object.keys(node).join(', ')}`);
}

function resolveRef(template: CfnTemplate, env: DefinitionEnvironment, ref: string, path: string): string {
  switch (ref) {
    case 'AWS::Region':
      return env.region;
    case 'AWS::AccountId':
      return env.account ?? '123456789012';
    case 'AWS::Partition':
      return env.partition ?? 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
  }
  const resource = template.Resources?.[ref];
  if (resource?.Type === 'AWS::Lambda::Function') return functionNameOf(ref, resource.Properties, path);
  throw new DefinitionResolveError(path, `Ref ${ref}`);
}

function functionNameOf(logicalId: string, props: Record<string, unknown> | undefined, path: string): string {
  const name = props?.FunctionName;
  if (typeof name !== 'string') {
    throw new DefinitionResolveError(path, `function ${logicalId} has no literal FunctionName`);
  }
  return name;
}
