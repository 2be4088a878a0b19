import { VpcSecurityGroupIngressRule } from '@cdktf/provider-aws/lib/vpc-security-group-ingress-rule';
import { Construct } from 'constructs';

export interface AlbToGatewayProps {
  /** The EKS cluster security group: the pods' ENIs carry it. */
  readonly clusterSecurityGroupId: string;
  readonly albSecurityGroupId: string;
  /** Port the gateway pods serve HTTP on. */
  readonly gatewayPort: number;
  /** Istio's readiness port, which the ALB health checks call. */
  readonly healthPort: number;
}

/**
 * The ALB reaches the Istio ingress gateway pods directly (target type ip). Pods share the node
 * ENIs' security group, the EKS cluster security group, which admits only itself by default: open
 * the gateway port and the readiness port to the ALB's security group only.
 */
export class AlbToGateway extends Construct {
  constructor(scope: Construct, id: string, props: AlbToGatewayProps) {
    super(scope, id);
    for (const [key, port, what] of [
      ['gateway', props.gatewayPort, 'traffic'],
      ['health', props.healthPort, 'health checks'],
    ] as const) {
      new VpcSecurityGroupIngressRule(this, `alb-to-${key}`, {
        securityGroupId: props.clusterSecurityGroupId,
        description: `ALB to Istio ingress gateway pods: ${what}`,
        ipProtocol: 'tcp',
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: props.albSecurityGroupId,
      });
    }
  }
}
