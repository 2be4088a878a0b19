import { DataAwsNetworkInterface } from '@cdktf/provider-aws/lib/data-aws-network-interface';
import { DataAwsVpcEndpoint } from '@cdktf/provider-aws/lib/data-aws-vpc-endpoint';
import { DataAwsVpcEndpointService } from '@cdktf/provider-aws/lib/data-aws-vpc-endpoint-service';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';

export interface StsEndpointAddressesProps {
  /** The platform's VPC. */
  readonly vpcId: string;
  /**
   * Network interfaces of the endpoint: one per subnet it serves (the platform's private
   * subnets, one per availability zone).
   */
  readonly interfaceCount: number;
}

/** STS, whose interface endpoint IRSA clients reach (AssumeRoleWithWebIdentity). */
const STS_SERVICE = 'sts';

/**
 * The private addresses of the platform's STS interface endpoint, as /32 CIDRs for
 * NetworkPolicies: the endpoint is found by its service name (`aws_vpc_endpoint_service` spells
 * it for the partition) in the platform's VPC, and each of its network interfaces by id. HTTPS
 * egress for IRSA can then be opened to STS alone, rather than to every address of the private
 * subnets (nodes, other tenants' pods, the other endpoints). The addresses are read at plan time:
 * a replaced endpoint shows up as a change in every stack that uses them.
 */
export class StsEndpointAddresses extends Construct {
  /** `<ip>/32` of each endpoint network interface. */
  readonly cidrs: string[];

  constructor(scope: Construct, id: string, props: StsEndpointAddressesProps) {
    super(scope, id);
    if (!Number.isInteger(props.interfaceCount) || props.interfaceCount < 1) {
      throw new Error(`StsEndpointAddresses: interfaceCount ${props.interfaceCount} must be a positive integer (one per private subnet)`);
    }
    const service = new DataAwsVpcEndpointService(this, 'service', { service: STS_SERVICE, serviceType: 'Interface' });
    const endpoint = new DataAwsVpcEndpoint(this, 'endpoint', {
      vpcId: props.vpcId,
      serviceName: service.serviceName,
      state: 'available',
      // element() wraps around: with fewer or more interfaces than subnets, the egress rule would
      // silently repeat or miss an address, and IRSA would fail for pods resolving STS to it.
      lifecycle: {
        postcondition: [
          {
            condition: `\${length(self.network_interface_ids) == ${props.interfaceCount}}`,
            errorMessage:
              `The STS interface endpoint must have one network interface in each of the ${props.interfaceCount} private ` +
              `subnets (the tenants' IRSA egress rules name each address).`,
          },
        ],
      },
    });
    // Sorted, so each data source keeps reading the same interface from plan to plan.
    const interfaceIds = Fn.sort(endpoint.networkInterfaceIds);
    this.cidrs = Array.from({ length: props.interfaceCount }, (_, i) => {
      const eni = new DataAwsNetworkInterface(this, `interface-${i}`, { id: Fn.element(interfaceIds, i) });
      return `${eni.privateIp}/32`;
    });
  }
}
