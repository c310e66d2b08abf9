import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { DYNAMIC_FUNCTION_TIMEOUT_SECONDS, FUNCTION_ENV, PAPER_MEMORY_SIZES } from '../contracts';
import { dynamicFunctionName } from '../core/naming';
import type { Arch } from '../core/types';
import { bundledCode, bundledHandler, DYNAMIC_HANDLERS, NO_CREDENTIALS_WRAPPER } from './bundling';
import { ExecutionRole } from './execution-role';
import { validateArchitectures, validateFunctionTimeout, validateMemorySizes } from './lambda-limits';
import { assertRegionMeshWithinLimits } from './limits';
import { acknowledgeWildcardGrants } from './nag';
import { ZonalNetwork, type ZoneAttachment } from './zonal-network';

/** Both Lambda architectures. */
export const ALL_ARCHITECTURES: readonly Arch[] = ['x86_64', 'arm64'];

/** The Node.js runtime of every skymesh function: the newest aws-cdk-lib offers (its version: `SKY_NODE_MAJOR`). */
export const SKY_RUNTIME = lambda.Runtime.NODEJS_26_X;

/** Properties of a {@link RegionMeshStack}. */
export interface RegionMeshStackProps extends StackProps {
  /** The zones of the region to deploy into, by AZ ID. */
  readonly azIds: readonly string[];
  /**
   * Memory sizes of the dynamic functions, in MB.
   * @default PAPER_MEMORY_SIZES (128 … 10240)
   */
  readonly memorySizes?: readonly number[];
  /**
   * Architectures of the dynamic functions.
   * @default ['x86_64', 'arm64']
   */
  readonly architectures?: readonly Arch[];
  /**
   * How long the functions' and the flow log's log groups keep events.
   * @default logs.RetentionDays.TWO_WEEKS
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Timeout of a dynamic function (it runs the code it is sent): whole seconds from 1 to 900.
   * @default Duration.minutes(5)
   * @see https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
   */
  readonly timeout?: Duration;
  /**
   * Code of the dynamic functions. It must hold the exec wrapper `sky-no-credentials` (executable) at its
   * root: the functions start their runtime through it, without the role's credentials. Not checked at synth: code
   * without it deploys functions that fail at their first start.
   * @default - `lambda/dynamic/index.ts` bundled with esbuild, with `lambda/dynamic/no-credentials.sh`
   */
  readonly code?: lambda.Code;
}

/**
 * One region of the sky mesh: a {@link ZonalNetwork} with an isolated subnet per zone, and one dynamic
 * function per zone × memory size × architecture named `sky-<azId>-<arch>-<mb>`, each attached to its
 * zone's subnet only, which pins it to that zone. All functions share one code asset, one execution
 * role (logs and network interfaces, nothing else: they run code they are sent) and one log group.
 *
 * No function has a resource policy or a URL: only IAM principals of the account that are allowed
 * `lambda:InvokeFunction` (the router's role, administrators) can invoke them.
 */
export class RegionMeshStack extends Stack {
  readonly network: ZonalNetwork;
  readonly executionRole: ExecutionRole;
  readonly logGroup: logs.LogGroup;
  private readonly functions = new Map<string, lambda.Function>();

  constructor(scope: Construct, id: string, props: RegionMeshStackProps) {
    super(scope, id, props);
    const memorySizes = props.memorySizes ?? PAPER_MEMORY_SIZES;
    const architectures = props.architectures ?? ALL_ARCHITECTURES;
    validateMemorySizes('memorySizes', memorySizes);
    validateArchitectures(architectures);
    assertRegionMeshWithinLimits({
      stackName: this.stackName,
      zones: props.azIds.length,
      memorySizes: memorySizes.length,
      architectures: architectures.length,
    });

    this.network = new ZonalNetwork(this, 'Network', { azIds: props.azIds, flowLogRetention: props.logRetention });
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.TWO_WEEKS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const attachments = props.azIds.map((azId) => this.network.attachment(azId));
    this.executionRole = new ExecutionRole(this, 'ExecutionRole', {
      logGroup: this.logGroup,
      attachments,
      description: 'skymesh dynamic functions: logs and zone network interfaces only',
      denyCallsFromFunctionCode: true,
    });
    const code = props.code ?? bundledCode(this, DYNAMIC_HANDLERS);
    const handler = bundledHandler(DYNAMIC_HANDLERS, 'dynamic');
    const timeout = props.timeout ?? Duration.seconds(DYNAMIC_FUNCTION_TIMEOUT_SECONDS);
    validateFunctionTimeout('timeout', timeout);

    for (const attachment of attachments) {
      for (const arch of architectures) {
        for (const memorySize of memorySizes) {
          const functionName = dynamicFunctionName(attachment.azId, arch, memorySize);
          const fn = new lambda.Function(this, functionName, {
            functionName,
            code,
            handler,
            runtime: SKY_RUNTIME,
            architecture: arch === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
            memorySize,
            timeout,
            role: this.executionRole.role,
            logGroup: this.logGroup,
            environment: {
              [FUNCTION_ENV.azId]: attachment.azId,
              // Sent code must not reach the role's credentials: the runtime starts without them.
              AWS_LAMBDA_EXEC_WRAPPER: `/var/task/${NO_CREDENTIALS_WRAPPER}`,
            },
          });
          pinToZone(fn, attachment);
          this.functions.set(functionName, fn);
        }
      }
    }
    this.suppressNagFindings();
  }

  /** The dynamic functions, by name. */
  get dynamicFunctions(): ReadonlyMap<string, lambda.Function> {
    return this.functions;
  }

  /** Subnet and security group of a zone, for other stacks of the region to pin their functions. */
  attachment(azId: string): ZoneAttachment {
    return this.network.attachment(azId);
  }

  private suppressNagFindings(): void {
    acknowledgeWildcardGrants(this.executionRole, this.executionRole.networkStatements, NETWORK_WILDCARD_REASON);
  }
}

/** Why the VPC permissions of an execution role need wildcards. */
export const NETWORK_WILDCARD_REASON =
  'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets support no resource-level permissions; deleting and ' +
  'assigning addresses is scoped to the network interfaces of this region and account, which Lambda creates on ' +
  'demand with IDs unknown at deploy time (creating them is scoped to the mesh subnets and security group).';

/** Attaches a function to one zone's subnet only, through the L1 (the L2 wants an `IVpc`). */
export function pinToZone(fn: lambda.Function, attachment: ZoneAttachment): void {
  (fn.node.defaultChild as lambda.CfnFunction).vpcConfig = {
    subnetIds: [attachment.subnetId],
    securityGroupIds: [attachment.securityGroupId],
  };
}
