import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  DEFAULT_HOLD_MS,
  DEFAULT_MAX_ATTEMPTS,
  DYNAMIC_FUNCTION_TIMEOUT_SECONDS,
  FUNCTION_ENV,
  MAX_ATTEMPTS_LIMIT,
  MAX_HOLD_MS,
  METRIC_SERVICES,
  METRICS_NAMESPACE,
  PAPER_MEMORY_SIZES,
  ROUTER_TIMEOUT_SECONDS,
  TABLE_SCHEMA,
} from '../contracts';
import { ROUTER_FUNCTION_NAME } from '../core/naming';
import { isRejectMode, REJECT_MODES, type RejectMode } from '../core/reject-mode';
import type { Arch } from '../core/types';
import { type ExternalZoneInput, parseExternalZones } from '../providers/config';
import { bundledCode, bundledHandler, CONTROL_HANDLERS } from './bundling';
import { endpointSecretsStatement, SECRET_SUFFIX_REASON } from './endpoint-secrets';
import { MeshPropsError } from './errors';
import { ExecutionRole } from './execution-role';
import { invokeMeshStatements } from './invoke-scope';
import { validateFunctionTimeout } from './lambda-limits';
import { acknowledgeWildcardGrants } from './nag';
import { ALL_ARCHITECTURES, SKY_RUNTIME } from './region-mesh-stack';
import { SkyDashboard } from './sky-dashboard';
import { routerTableStatement } from './table-access';

/** The zones of one region of the mesh. */
export interface RegionZones {
  readonly region: string;
  readonly azIds: readonly string[];
}

/** Properties of a {@link ControlStack}. */
export interface ControlStackProps extends StackProps {
  /** The regions and zones of the mesh the router routes into. */
  readonly mesh: readonly RegionZones[];
  /**
   * Memory sizes of the mesh's dynamic functions, in MB.
   * @default PAPER_MEMORY_SIZES
   */
  readonly memorySizes?: readonly number[];
  /**
   * Architectures of the mesh's dynamic functions.
   * @default ['x86_64', 'arm64']
   */
  readonly architectures?: readonly Arch[];
  /**
   * Name of the DynamoDB table.
   * @default 'skymesh'
   */
  readonly tableName?: string;
  /**
   * What happens to the table (characterizations, profiles) when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * Whether the table refuses deletion (by CloudFormation or anyone else) until the protection is turned off.
   * @default true
   */
  readonly tableDeletionProtection?: boolean;
  /**
   * Hold time of a rejected attempt, in ms, passed to the router: a whole number from 0 to 10,000 (`MAX_HOLD_MS`,
   * the most the router accepts).
   * @default 150
   */
  readonly holdMs?: number;
  /**
   * What a rejected instance does, passed to the router: `hold`, `end` or `auto` (see `SkyMeshProps.rejectMode`).
   * @default 'auto'
   */
  readonly rejectMode?: RejectMode;
  /**
   * Attempt budget of a request that sets none, passed to the router: a whole number from 1 to 50.
   * @default 10
   */
  readonly maxAttempts?: number;
  /**
   * Timeout of the dynamic functions, passed to the router: it holds each placement to it, and waits this long
   * (and a little more) before it runs the work elsewhere. Whole seconds from 1 to 900.
   * @default Duration.seconds(300)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
   */
  readonly functionTimeout?: Duration;
  /**
   * Retention of the router's log group.
   * @default logs.RetentionDays.TWO_WEEKS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Timeout of the router: it waits for the dynamic function and its retries.
   * @default Duration.seconds(ROUTER_TIMEOUT_SECONDS), 15 minutes
   */
  readonly routerTimeout?: Duration;
  /**
   * Zones on other providers the router may route to (validated as the router reads them); the router
   * gets their settings in `SKY_ENDPOINTS` and may read the Secrets Manager secrets they name.
   * @default - none
   */
  readonly endpoints?: readonly ExternalZoneInput[];
  /**
   * Code of the router (a bundle with `router.js`).
   * @default - `lambda/router/index.ts` bundled with esbuild
   */
  readonly code?: lambda.Code;
}

/**
 * The control plane in the home region: the skymesh DynamoDB table (on-demand, point-in-time recovery,
 * TTL on `expiresAt`, index `byType` to read every zone's `LATEST` in one query), the router function
 * `sky-router` with a Function URL that requires IAM auth (SigV4), and the dashboard.
 *
 * The router may invoke the mesh's dynamic functions (`sky-<azId>-<arch>-<mb>`, unqualified) in the mesh's
 * regions, query the table and update items (atomic ADDs, conditional lease updates); nothing else. The table has deletion protection.
 */
export class ControlStack extends Stack {
  readonly table: dynamodb.Table;
  readonly router: lambda.Function;
  readonly routerUrl: lambda.FunctionUrl;
  readonly routerRole: ExecutionRole;
  readonly dashboard: SkyDashboard;

  constructor(scope: Construct, id: string, props: ControlStackProps) {
    super(scope, id, props);
    const regions = props.mesh.map((r) => r.region);
    if (regions.length === 0 || new Set(regions).size !== regions.length) {
      throw new MeshPropsError('mesh', regions, 'at least one region, each once');
    }
    const architectures = props.architectures ?? ALL_ARCHITECTURES;
    const memorySizes = props.memorySizes ?? PAPER_MEMORY_SIZES;
    const functionTimeout = props.functionTimeout ?? Duration.seconds(DYNAMIC_FUNCTION_TIMEOUT_SECONDS);
    validateFunctionTimeout('functionTimeout', functionTimeout);
    const holdMs = props.holdMs ?? DEFAULT_HOLD_MS;
    if (!(Number.isInteger(holdMs) && holdMs >= 0 && holdMs <= MAX_HOLD_MS)) {
      throw new MeshPropsError('holdMs', holdMs, `a whole number of ms from 0 to ${MAX_HOLD_MS}`);
    }
    const rejectMode = props.rejectMode ?? 'auto';
    if (!isRejectMode(rejectMode)) throw new MeshPropsError('rejectMode', rejectMode, REJECT_MODES.join(', '));
    const maxAttempts = props.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!(Number.isInteger(maxAttempts) && maxAttempts >= 1 && maxAttempts <= MAX_ATTEMPTS_LIMIT)) {
      throw new MeshPropsError('maxAttempts', maxAttempts, `a whole number from 1 to ${MAX_ATTEMPTS_LIMIT}`);
    }

    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName ?? TABLE_SCHEMA.defaultTableName,
      partitionKey: { name: TABLE_SCHEMA.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE_SCHEMA.ttlAttribute,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
      deletionProtection: props.tableDeletionProtection ?? true,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: TABLE_SCHEMA.typeIndex.name,
      partitionKey: { name: TABLE_SCHEMA.typeIndex.partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: TABLE_SCHEMA.typeIndex.sortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const endpoints = props.endpoints ?? [];
    // Fails synth with the field at fault, as the router would fail at its first call.
    const externalZones = parseExternalZones(endpoints, 'endpoints').map((zone) => zone.azId);
    const invoke = invokeMeshStatements(this, props.mesh, architectures, memorySizes);
    const secrets = endpointSecretsStatement(this, endpoints);
    this.routerRole = new ExecutionRole(this, 'RouterRole', {
      logGroup,
      description: 'skymesh router: invoke the dynamic functions of the mesh, query and update the skymesh table',
      statements: [
        invoke.allow,
        invoke.denyQualified,
        routerTableStatement(this.table.tableArn),
        ...(secrets ? [secrets] : []),
      ],
    });

    this.router = new lambda.Function(this, 'Router', {
      functionName: ROUTER_FUNCTION_NAME,
      code: props.code ?? bundledCode(this, CONTROL_HANDLERS),
      handler: bundledHandler(CONTROL_HANDLERS, 'router'),
      runtime: SKY_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: 1024,
      timeout: props.routerTimeout ?? Duration.seconds(ROUTER_TIMEOUT_SECONDS),
      role: this.routerRole.role,
      logGroup,
      environment: {
        [FUNCTION_ENV.tableName]: this.table.tableName,
        [FUNCTION_ENV.tableRegion]: this.region,
        [FUNCTION_ENV.regions]: regions.join(','),
        [FUNCTION_ENV.zones]: props.mesh.flatMap((r) => r.azIds).join(','),
        [FUNCTION_ENV.memorySizes]: memorySizes.join(','),
        [FUNCTION_ENV.architectures]: architectures.join(','),
        [FUNCTION_ENV.holdMs]: String(holdMs),
        [FUNCTION_ENV.rejectMode]: rejectMode,
        [FUNCTION_ENV.maxAttempts]: String(maxAttempts),
        [FUNCTION_ENV.functionTimeoutMs]: String(functionTimeout.toMilliseconds()),
        [FUNCTION_ENV.metricsNamespace]: METRICS_NAMESPACE,
        [FUNCTION_ENV.serviceName]: METRIC_SERVICES.router,
        // The router is outside any VPC: it alone reaches other providers over the internet.
        ...(endpoints.length > 0 ? { [FUNCTION_ENV.endpoints]: JSON.stringify(endpoints) } : {}),
      },
    });
    // IAM auth: the URL answers only SigV4-signed requests of principals allowed lambda:InvokeFunctionUrl.
    this.routerUrl = this.router.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

    this.dashboard = new SkyDashboard(this, 'Dashboard', { regions, externalZones });

    new CfnOutput(this, 'RouterUrl', { value: this.routerUrl.url, description: 'IAM-authenticated router URL' });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });

    acknowledgeWildcardGrants(
      this.routerRole,
      [invoke.allow],
      'The router invokes the dynamic functions by their deterministic names sky-<azId>-<arch>-<mb> (no registry); ' +
        'the names are exact where the policy has room, else patterns of those names per region; qualified ARNs ' +
        '(versions, aliases) are denied.',
    );
    if (secrets) acknowledgeWildcardGrants(this.routerRole, [secrets], SECRET_SUFFIX_REASON);
  }
}
