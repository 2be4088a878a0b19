import { SecurityGroup } from '@cdktf/provider-aws/lib/security-group';
import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';

export interface HttpsFromVpcSecurityGroupProps {
  readonly name: string;
  /** What the group guards, shown in the console. */
  readonly description: string;
  /** What the HTTPS rule admits, shown in the console. */
  readonly ruleDescription: string;
  readonly vpcId: string;
  readonly vpcCidr: string;
}

/**
 * A security group for a private AWS endpoint (an interface endpoint, the EKS API): HTTPS from
 * inside the VPC only. It has no egress rule: the endpoint only answers connections, and security
 * groups are stateful.
 */
export class HttpsFromVpcSecurityGroup extends Construct {
  readonly id: string;

  constructor(scope: Construct, id: string, props: HttpsFromVpcSecurityGroupProps) {
    super(scope, id);
    const sg = new SecurityGroup(this, 'security-group', {
      name: props.name,
      description: props.description,
      vpcId: props.vpcId,
      tags: { Name: props.name },
    });
    new VpcSecurityGroupIngressRule(this, 'ingress-https', {
      securityGroupId: sg.id,
      description: props.ruleDescription,
      ipProtocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      cidrIpv4: props.vpcCidr,
    });
    this.id = sg.id;
  }
}
