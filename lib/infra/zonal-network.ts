import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { MeshPropsError } from './errors';

/** What a function needs to be pinned to one zone: that zone's subnet and the mesh's security group. */
export interface ZoneAttachment {
  readonly azId: string;
  readonly subnetId: string;
  readonly securityGroupId: string;
}

/** Properties of a {@link ZonalNetwork}. */
export interface ZonalNetworkProps {
  /**
   * The zones to create one isolated subnet in, by AZ ID (`use1-az1`), never by AZ name: names map to
   * different physical zones in different accounts.
   * @see https://docs.aws.amazon.com/ram/latest/userguide/working-with-az-ids.html
   */
  readonly azIds: readonly string[];
  /**
   * Retention of the VPC flow log.
   * @default logs.RetentionDays.TWO_WEEKS
   */
  readonly flowLogRetention?: logs.RetentionDays;
}

/** 10.0.0.0/16 split into /20s: one per zone, so at most 16 zones. */
const VPC_CIDR = '10.0.0.0/16';
const MAX_ZONES = 16;
const AZ_ID_PATTERN = /^[a-z]{2,5}\d-az\d+$/;

/**
 * A VPC that exists only to pin Lambda functions to zones: one isolated subnet per zone created by AZ
 * ID, no internet or NAT gateway, no route beyond the VPC's local one, and one security group that
 * allows no inbound and no outbound traffic (the functions attached to it need no network at all;
 * invocations and logs do not pass through the VPC), and no DNS resolution. A flow log records any attempt anyway.
 *
 * Built from L1 resources because the L2 `Vpc` addresses zones by name, which differs per account.
 */
export class ZonalNetwork extends Construct {
  readonly vpc: ec2.CfnVPC;
  readonly securityGroup: ec2.CfnSecurityGroup;
  private readonly subnets = new Map<string, ec2.CfnSubnet>();

  constructor(scope: Construct, id: string, props: ZonalNetworkProps) {
    super(scope, id);
    validateAzIds(props.azIds);

    this.vpc = new ec2.CfnVPC(this, 'Resource', {
      cidrBlock: VPC_CIDR,
      enableDnsHostnames: false,
      // Nothing in the mesh resolves names: the functions call no AWS API and reach nothing over the network
      // (invocations and logs do not pass through the VPC). The Route 53 resolver would be a channel out that
      // the flow log does not record.
      enableDnsSupport: false,
      tags: [{ key: 'Name', value: `skymesh-${Stack.of(this).region}` }],
    });
    props.azIds.forEach((azId, i) => {
      const subnet = new ec2.CfnSubnet(this, azId, {
        vpcId: this.vpc.ref,
        availabilityZoneId: azId,
        cidrBlock: `10.0.${i * 16}.0/20`,
        mapPublicIpOnLaunch: false,
        tags: [{ key: 'Name', value: `skymesh-${azId}` }],
      });
      this.subnets.set(azId, subnet);
    });
    this.securityGroup = new ec2.CfnSecurityGroup(this, 'SecurityGroup', {
      vpcId: this.vpc.ref,
      groupDescription: 'skymesh functions: no inbound, no outbound',
      // An explicit rule that matches nothing replaces the default allow-all egress (as the L2 does).
      securityGroupEgress: [
        {
          ipProtocol: 'icmp',
          fromPort: 252,
          toPort: 86,
          cidrIp: '255.255.255.255/32',
          description: 'Disallow all traffic',
        },
      ],
    });
    this.addFlowLog(props.flowLogRetention ?? logs.RetentionDays.TWO_WEEKS);
  }

  /** The zones of this network, in the order given. */
  get azIds(): string[] {
    return [...this.subnets.keys()];
  }

  /** Subnet and security group that pin a function to `azId`. */
  attachment(azId: string): ZoneAttachment {
    const subnet = this.subnets.get(azId);
    if (!subnet) throw new MeshPropsError('azId', azId, `one of this network's zones: ${this.azIds.join(', ')}`);
    return { azId, subnetId: subnet.ref, securityGroupId: this.securityGroup.attrGroupId };
  }

  private addFlowLog(retention: logs.RetentionDays): void {
    const logGroup = new logs.LogGroup(this, 'FlowLogs', { retention, removalPolicy: RemovalPolicy.DESTROY });
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'FlowLogRole', {
      assumedBy: new iam.ServicePrincipal('vpc-flow-logs.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: 'Delivers the skymesh VPC flow log to its log group',
      inlinePolicies: {
        Delivery: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({
              actions: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
              resources: [logGroup.logGroupArn],
            }),
          ],
        }),
      },
    });
    new ec2.CfnFlowLog(this, 'FlowLog', {
      resourceId: this.vpc.ref,
      resourceType: 'VPC',
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logGroupName: logGroup.logGroupName,
      deliverLogsPermissionArn: role.roleArn,
    });
  }
}

function validateAzIds(azIds: readonly string[]): void {
  if (azIds.length === 0 || azIds.length > MAX_ZONES) {
    throw new MeshPropsError('azIds', azIds, `1 to ${MAX_ZONES} AZ IDs (one /20 subnet each in ${VPC_CIDR})`);
  }
  for (const azId of azIds) {
    if (!AZ_ID_PATTERN.test(azId)) throw new MeshPropsError('azIds', azId, 'AZ IDs such as use1-az1');
  }
  if (new Set(azIds).size !== azIds.length) throw new MeshPropsError('azIds', azIds, 'each AZ ID once');
}
