import { DataAwsVpcEndpointService } from '@cdktf/provider-aws/lib/data-aws-vpc-endpoint-service';
import { VpcEndpoint } from '@cdktf/provider-aws/lib/vpc-endpoint';
import { Construct } from 'constructs';
import type { PlatformNames } from '../../../src/model/names';
import { HttpsFromVpcSecurityGroup } from './https-from-vpc-security-group';

export interface VpcEndpointsProps {
  /** Names of the endpoints' security group and endpoints. */
  readonly names: Pick<PlatformNames['network'], 'endpointSecurityGroup' | 'endpoint'>;
  readonly vpcId: string;
  readonly vpcCidr: string;
  /** Subnets that get an interface endpoint ENI, one per AZ. */
  readonly subnetIds: string[];
  /** Route tables that reach S3 through the gateway endpoint. */
  readonly routeTableIds: string[];
}

/**
 * Interface endpoints of the AWS APIs nodes and platform pods call: image pulls (ECR API and
 * registry, whose layers come from S3), IRSA token exchange (STS), log shipping, the VPC CNI
 * (EC2) and the load balancer controller (ELB).
 */
export const INTERFACE_ENDPOINT_SERVICES = ['ecr.api', 'ecr.dkr', 'sts', 'logs', 'ec2', 'elasticloadbalancing'] as const;

/**
 * Private endpoints so nodes reach AWS APIs inside the VPC rather than over the NAT gateways and
 * the internet. Service names come from `aws_vpc_endpoint_service`, which knows each partition's
 * spelling (China regions prefix some with `cn.`).
 */
export class VpcEndpoints extends Construct {
  readonly securityGroupId: string;
  /** The S3 gateway endpoint: package and image layer downloads of the private subnets go through it. */
  readonly s3Gateway: VpcEndpoint;

  constructor(scope: Construct, id: string, props: VpcEndpointsProps) {
    super(scope, id);
    const sg = new HttpsFromVpcSecurityGroup(this, 'security-group', {
      name: props.names.endpointSecurityGroup,
      description: 'VPC interface endpoints: HTTPS from inside the VPC only',
      ruleDescription: 'HTTPS to AWS APIs from the VPC',
      vpcId: props.vpcId,
      vpcCidr: props.vpcCidr,
    });
    this.securityGroupId = sg.id;

    const s3 = new DataAwsVpcEndpointService(this, 's3-service', { service: 's3', serviceType: 'Gateway' });
    this.s3Gateway = new VpcEndpoint(this, 's3', {
      vpcId: props.vpcId,
      serviceName: s3.serviceName,
      vpcEndpointType: 'Gateway',
      routeTableIds: props.routeTableIds,
      tags: { Name: props.names.endpoint('s3') },
    });

    for (const service of INTERFACE_ENDPOINT_SERVICES) {
      const key = service.replace('.', '-');
      const lookup = new DataAwsVpcEndpointService(this, `${key}-service`, { service, serviceType: 'Interface' });
      new VpcEndpoint(this, key, {
        vpcId: props.vpcId,
        serviceName: lookup.serviceName,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: true,
        subnetIds: props.subnetIds,
        securityGroupIds: [sg.id],
        tags: { Name: props.names.endpoint(key) },
      });
    }
  }
}
