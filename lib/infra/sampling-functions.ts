import { Duration, Stack } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { FANOUT_MEMORY_MB, FUNCTION_ENV, METRIC_SERVICES, METRICS_NAMESPACE } from '../contracts';
import { fanoutFunctionName, samplingStepsFunctionName } from '../core/naming';
import { bundledHandler, ZONE_HANDLERS } from './bundling';
import { ExecutionRole } from './execution-role';
import { SKY_RUNTIME } from './region-mesh-stack';
import { samplingTableStatement } from './table-access';

/** The skymesh table, which lives in the home region. */
export interface TableLocation {
  readonly tableName: string;
  readonly region: string;
}

/**
 * The fan-out tree function of a zone (`sky-fan-<azId>`, id `Fanout`, role `FanoutRole`), outside any VPC:
 * it may do what `statements` allow and nothing else. Shared by the sampler stacks of Lambda zones and of
 * zones on other providers, which differ only in what the fan-out may call and its environment.
 */
export function createFanout(
  scope: Construct,
  props: {
    readonly azId: string;
    readonly code: lambda.Code;
    readonly logGroup: logs.ILogGroup;
    readonly description: string;
    readonly statements: readonly iam.PolicyStatement[];
    readonly environment?: Readonly<Record<string, string>>;
  },
): { readonly role: ExecutionRole; readonly fn: lambda.Function } {
  const role = new ExecutionRole(scope, 'FanoutRole', {
    logGroup: props.logGroup,
    description: props.description,
    statements: props.statements,
  });
  const fn = new lambda.Function(scope, 'Fanout', {
    functionName: fanoutFunctionName(props.azId),
    code: props.code,
    handler: bundledHandler(ZONE_HANDLERS, 'fanout'),
    runtime: SKY_RUNTIME,
    memorySize: FANOUT_MEMORY_MB,
    timeout: Duration.minutes(2),
    role: role.role,
    logGroup: props.logGroup,
    environment: { [FUNCTION_ENV.azId]: props.azId, ...props.environment },
  });
  return { role, fn };
}

/**
 * The sampling steps function of a zone (`sky-steps-<azId>`, id `Steps`, role `StepsRole`): it reads and
 * writes the skymesh table in the home region (see `samplingTableStatement`) and nothing else.
 */
export function createSamplingSteps(
  scope: Construct,
  props: {
    readonly azId: string;
    readonly code: lambda.Code;
    readonly logGroup: logs.ILogGroup;
    readonly table: TableLocation;
  },
): { readonly role: ExecutionRole; readonly fn: lambda.Function } {
  const tableArn = Stack.of(scope).formatArn({
    service: 'dynamodb',
    region: props.table.region,
    resource: 'table',
    resourceName: props.table.tableName,
  });
  const role = new ExecutionRole(scope, 'StepsRole', {
    logGroup: props.logGroup,
    description: `skymesh sampling steps of ${props.azId}: read and write the skymesh table`,
    statements: [samplingTableStatement(tableArn)],
  });
  const fn = new lambda.Function(scope, 'Steps', {
    functionName: samplingStepsFunctionName(props.azId),
    code: props.code,
    handler: bundledHandler(ZONE_HANDLERS, 'sampling'),
    runtime: SKY_RUNTIME,
    memorySize: 512,
    timeout: Duration.minutes(1),
    role: role.role,
    logGroup: props.logGroup,
    environment: {
      [FUNCTION_ENV.azId]: props.azId,
      [FUNCTION_ENV.tableName]: props.table.tableName,
      [FUNCTION_ENV.tableRegion]: props.table.region,
      [FUNCTION_ENV.metricsNamespace]: METRICS_NAMESPACE,
      [FUNCTION_ENV.serviceName]: METRIC_SERVICES.sampling,
    },
  });
  return { role, fn };
}
