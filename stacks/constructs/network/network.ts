import { CloudwatchLogGroup } from '@cdktf/provider-aws/lib/cloudwatch-log-group';
import { DefaultSecurityGroup } from '@cdktf/provider-aws/lib/default-security-group';
import { Eip } from '@cdktf/provider-aws/lib/eip';
import { FlowLog } from '@cdktf/provider-aws/lib/flow-log';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { InternetGateway } from '@cdktf/provider-aws/lib/internet-gateway';
import { NatGateway } from '@cdktf/provider-aws/lib/nat-gateway';
import { Route } from '@cdktf/provider-aws/lib/route';
import { RouteTable } from '@cdktf/provider-aws/lib/route-table';
import { RouteTableAssociation } from '@cdktf/provider-aws/lib/route-table-association';
import { Subnet } from '@cdktf/provider-aws/lib/subnet';
import { Vpc } from '@cdktf/provider-aws/lib/vpc';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { VpcEndpoints } from './vpc-endpoints';
import { policyDocument, servicePrincipalTrust } from '../iam/documents';

export interface NetworkProps {
  readonly platform: PlatformSpec;
  /** KMS key of the flow log group (its key policy must allow CloudWatch Logs). */
  readonly flowLogsKmsKeyArn: string;
}

/** Flow log records are aggregated over this many seconds (60 or 600). */
const FLOW_LOG_AGGREGATION_SECONDS = 60;

type Tier = 'public' | 'private' | 'database';

/**
 * The platform VPC across two or three AZs: public subnets for the ALB and NAT gateways,
 * private subnets for nodes and pods (internet egress through NAT, AWS APIs through endpoints),
 * database subnets with no route out of the VPC. The default security group is emptied and all
 * traffic is recorded in KMS-encrypted flow logs.
 */
export class Network extends Construct {
  readonly vpcId: string;
  readonly vpcCidr: string;
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  readonly databaseSubnetIds: string[];
  /** CIDRs of the private subnets (where nodes and pods get their addresses). */
  readonly privateSubnetCidrs: string[];
  /** What lets the private subnets out: NAT default routes, their associations, the S3 gateway endpoint. */
  readonly privateEgress: ITerraformDependable[] = [];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { platform } = props;
    const net = platform.network;
    const names = platformNames(platform);
    const azs = net.availabilityZones;

    const vpc = new Vpc(this, 'vpc', {
      cidrBlock: net.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: names.vpc },
    });
    this.vpcId = vpc.id;
    this.vpcCidr = net.vpcCidr;

    // Terraform adopts the default group and removes its allow-all rules: nothing can use it by accident.
    new DefaultSecurityGroup(this, 'default-security-group', { vpcId: vpc.id, tags: { Name: names.network.defaultSecurityGroup } });

    const igw = new InternetGateway(this, 'internet-gateway', { vpcId: vpc.id, tags: { Name: names.network.internetGateway } });

    const clusterTag = { [`kubernetes.io/cluster/${names.cluster}`]: 'shared' };
    const subnetTags: Record<Tier, Record<string, string>> = {
      public: { ...clusterTag, 'kubernetes.io/role/elb': '1' },
      private: { ...clusterTag, 'kubernetes.io/role/internal-elb': '1' },
      database: {},
    };
    const cidrs: Record<Tier, string[]> = { public: net.publicSubnets, private: net.privateSubnets, database: net.databaseSubnets };
    const subnets = (tier: Tier) =>
      azs.map(
        (az, i) =>
          new Subnet(this, `${tier}-subnet-${i}`, {
            vpcId: vpc.id,
            cidrBlock: cidrs[tier][i],
            availabilityZone: az,
            mapPublicIpOnLaunch: false,
            tags: { Name: names.network.subnet(tier, az), ...subnetTags[tier] },
          }),
      );
    const publicSubnets = subnets('public');
    const privateSubnets = subnets('private');
    const databaseSubnets = subnets('database');
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.databaseSubnetIds = databaseSubnets.map((s) => s.id);
    this.privateSubnetCidrs = [...net.privateSubnets];

    const associate = (tier: Tier, routeTableId: string, list: Subnet[]) =>
      list.forEach((subnet, i) => new RouteTableAssociation(this, `${tier}-route-table-association-${i}`, { subnetId: subnet.id, routeTableId }));

    const publicRoutes = new RouteTable(this, 'public-route-table', { vpcId: vpc.id, tags: { Name: names.network.publicRouteTable } });
    new Route(this, 'public-default-route', { routeTableId: publicRoutes.id, destinationCidrBlock: '0.0.0.0/0', gatewayId: igw.id });
    associate('public', publicRoutes.id, publicSubnets);

    // Per AZ, a NAT gateway failure takes out only its own AZ's egress; a single one is cheaper.
    const natCount = net.natGateways === 'per-az' ? azs.length : 1;
    const natGateways = Array.from({ length: natCount }, (_, i) => {
      const eip = new Eip(this, `nat-eip-${i}`, { domain: 'vpc', tags: { Name: names.network.natAddress(azs[i]) } });
      return new NatGateway(this, `nat-gateway-${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i].id,
        tags: { Name: names.network.natGateway(azs[i]) },
        dependsOn: [igw],
      });
    });

    const privateRouteTableIds = privateSubnets.map((subnet, i) => {
      const table = new RouteTable(this, `private-route-table-${i}`, { vpcId: vpc.id, tags: { Name: names.network.privateRouteTable(azs[i]) } });
      const route = new Route(this, `private-default-route-${i}`, {
        routeTableId: table.id,
        destinationCidrBlock: '0.0.0.0/0',
        natGatewayId: natGateways[Math.min(i, natGateways.length - 1)].id,
      });
      const association = new RouteTableAssociation(this, `private-route-table-association-${i}`, { subnetId: subnet.id, routeTableId: table.id });
      this.privateEgress.push(route, association);
      return table.id;
    });

    // Only the implicit local route: the database tier cannot reach or be reached from outside the VPC.
    const databaseRoutes = new RouteTable(this, 'database-route-table', { vpcId: vpc.id, tags: { Name: names.network.databaseRouteTable } });
    associate('database', databaseRoutes.id, databaseSubnets);

    const endpoints = new VpcEndpoints(this, 'endpoints', {
      names: names.network,
      vpcId: vpc.id,
      vpcCidr: net.vpcCidr,
      subnetIds: this.privateSubnetIds,
      routeTableIds: privateRouteTableIds,
    });
    this.privateEgress.push(endpoints.s3Gateway);

    this.flowLogs(vpc, props);
  }

  private flowLogs(vpc: Vpc, props: NetworkProps): void {
    const { platform } = props;
    const names = platformNames(platform);
    const { region, accountId } = platform.aws;

    const logGroup = new CloudwatchLogGroup(this, 'flow-log-group', {
      name: names.flowLogGroup,
      kmsKeyId: props.flowLogsKmsKeyArn,
      retentionInDays: platform.network.flowLogRetentionDays,
    });
    const role = new IamRole(this, 'flow-log-role', {
      name: names.flowLogRole,
      description: 'VPC flow logs delivery to CloudWatch Logs',
      // Confused deputy protection: only flow logs of this account may assume the role.
      assumeRolePolicy: servicePrincipalTrust('vpc-flow-logs.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': accountId },
        ArnLike: { 'aws:SourceArn': `arn:${names.partition}:ec2:${region}:${accountId}:vpc-flow-log/*` },
      }),
    });
    new IamRolePolicy(this, 'flow-log-policy', {
      name: 'deliver-flow-logs',
      role: role.name,
      policy: policyDocument([
        {
          Sid: 'WriteFlowLogGroup',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
          Resource: [logGroup.arn, `${logGroup.arn}:*`],
        },
      ]),
    });
    new FlowLog(this, 'flow-log', {
      vpcId: vpc.id,
      trafficType: 'ALL',
      logDestinationType: 'cloud-watch-logs',
      logDestination: logGroup.arn,
      iamRoleArn: role.arn,
      maxAggregationInterval: FLOW_LOG_AGGREGATION_SECONDS,
      tags: { Name: names.vpc },
    });
  }
}
