import type { PolicyStatement } from '../../iam/documents';

/**
 * Least-privilege permissions of the AWS Load Balancer Controller as tenantctl uses it: the ALB,
 * listeners and target group are Terraform resources (Edge); the controller only keeps the Istio
 * ingress gateway pod IPs registered in that one target group through a TargetGroupBinding.
 * Describe calls support no resource-level permissions, so they name `*`; registration is
 * limited to the one target group. No create, delete, tag or security group permissions.
 */
export function loadBalancerControllerStatements(targetGroupArn: string): PolicyStatement[] {
  return [
    {
      Sid: 'Describe',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInstances',
        'ec2:DescribeNetworkInterfaces',
        'ec2:DescribeSecurityGroups',
        'ec2:DescribeSubnets',
        'ec2:DescribeVpcs',
        'elasticloadbalancing:DescribeListeners',
        'elasticloadbalancing:DescribeLoadBalancers',
        'elasticloadbalancing:DescribeTags',
        'elasticloadbalancing:DescribeTargetGroupAttributes',
        'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth',
      ],
      Resource: ['*'],
    },
    {
      Sid: 'RegisterGatewayPods',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets'],
      Resource: [targetGroupArn],
    },
  ];
}
