import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { ZoneAttachment } from './zonal-network';

/** Properties of an {@link ExecutionRole}. */
export interface ExecutionRoleProps {
  /** The log group every function of the role writes to (its only log permission). */
  readonly logGroup: logs.ILogGroup;
  /**
   * Zones whose subnets the functions attach to; adds the network-interface permissions Lambda needs
   * to place them there, scoped to those subnets and security groups.
   * @default - no VPC permissions
   */
  readonly attachments?: readonly ZoneAttachment[];
  /**
   * Further statements (e.g. invoke or table access).
   * @default - none
   */
  readonly statements?: readonly iam.PolicyStatement[];
  /** What the role is for, shown in IAM. */
  readonly description: string;
  /**
   * The functions' code calls no AWS API: deny every action made with the role's credentials from inside
   * the execution environment (requests that carry `lambda:SourceFunctionArn`), so credentials that leak
   * out of a function are worth nothing. Lambda's own calls for the function (network interfaces) carry
   * no such key and keep working; the log writes Lambda makes carry it and stay allowed.
   * @default false
   * @see https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html
   */
  readonly denyCallsFromFunctionCode?: boolean;
}

/** The actions Lambda makes with the source function's ARN on the function's behalf (its logs). */
const LOG_WRITES = ['logs:CreateLogStream', 'logs:PutLogEvents'];

/**
 * One execution role shared by many functions of a stack (one role per function would cost a resource
 * each). Its policy is inline in the role resource, so every function that references the role
 * depends on the whole policy and no separate policy resource is created.
 *
 * Without `statements` it grants what AWSLambdaVPCAccessExecutionRole grants, scoped as far as EC2
 * allows: writing to one log group, and managing the network interfaces in the given subnets.
 */
export class ExecutionRole extends Construct {
  readonly role: iam.Role;
  /** The statements that let Lambda manage the functions' network interfaces (two of them need wildcards). */
  readonly networkStatements: readonly iam.PolicyStatement[];

  constructor(scope: Construct, id: string, props: ExecutionRoleProps) {
    super(scope, id);
    this.networkStatements = props.attachments?.length ? networkInterfaceStatements(this, props.attachments) : [];
    const statements = [
      new iam.PolicyStatement({
        sid: 'WriteLogs',
        actions: LOG_WRITES,
        resources: [props.logGroup.logGroupArn],
      }),
      ...this.networkStatements,
      ...(props.statements ?? []),
      ...(props.denyCallsFromFunctionCode ? [denyCallsFromFunctionCode()] : []),
    ];
    this.role = new iam.Role(this, 'Resource', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: props.description,
      inlinePolicies: { Execution: new iam.PolicyDocument({ statements }) },
    });
  }
}

function denyCallsFromFunctionCode(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'DenyCallsFromFunctionCode',
    effect: iam.Effect.DENY,
    notActions: LOG_WRITES,
    resources: ['*'],
    conditions: { ArnLike: { 'lambda:SourceFunctionArn': 'arn:*:lambda:*:*:function:*' } },
  });
}

/** ARN of every network interface in the stack's region and account (the narrowest EC2 allows). */
export function networkInterfaceArn(scope: Construct): string {
  return Stack.of(scope).formatArn({ service: 'ec2', resource: 'network-interface', resourceName: '*' });
}

/**
 * The VPC permissions of a Lambda execution role.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-vpc.html#configuration-vpc-permissions
 */
function networkInterfaceStatements(scope: Construct, attachments: readonly ZoneAttachment[]): iam.PolicyStatement[] {
  const stack = Stack.of(scope);
  const subnets = [...new Set(attachments.map((a) => a.subnetId))];
  const securityGroups = [...new Set(attachments.map((a) => a.securityGroupId))];
  const eni = networkInterfaceArn(scope);
  return [
    new iam.PolicyStatement({
      // Describe calls support no resource-level permissions: "*" is the only form EC2 accepts.
      sid: 'DescribeNetwork',
      actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
      resources: ['*'],
    }),
    new iam.PolicyStatement({
      sid: 'CreateInterfacesInMeshSubnets',
      actions: ['ec2:CreateNetworkInterface'],
      resources: [
        eni,
        ...subnets.map((id) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: id })),
        ...securityGroups.map((id) =>
          stack.formatArn({ service: 'ec2', resource: 'security-group', resourceName: id }),
        ),
      ],
    }),
    new iam.PolicyStatement({
      sid: 'ManageInterfaces',
      actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      resources: [eni],
    }),
  ];
}
