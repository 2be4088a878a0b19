import type { PolicyStatement } from '../../iam/documents';
import { CLUSTER_TAG_VALUE, clusterTagKey } from './asg-tags';

export interface ClusterAutoscalerPolicyProps {
  readonly partition: string;
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
}

/**
 * Least-privilege permissions of Cluster Autoscaler with Auto Scaling group discovery and managed
 * node groups launched from launch templates: exactly the calls its AWS provider makes (1.31 to
 * 1.35). Describe calls support no resource-level permissions, so they name `*`; the two calls
 * that change capacity are limited to this cluster's groups by the tag EKS sets on them, and node
 * group descriptions (labels and taints of a group at zero nodes) to this cluster's node groups.
 * No launch configuration or instance-requirements calls: tenantctl's groups use neither.
 */
export function clusterAutoscalerStatements(props: ClusterAutoscalerPolicyProps): PolicyStatement[] {
  const arn = (service: string, resource: string) => `arn:${props.partition}:${service}:${props.region}:${props.accountId}:${resource}`;
  return [
    {
      Sid: 'Describe',
      Effect: 'Allow',
      Action: [
        'autoscaling:DescribeAutoScalingGroups',
        'autoscaling:DescribeScalingActivities',
        // Group discovery of the 1.31 autoscaler (later ones filter DescribeAutoScalingGroups by tag).
        'autoscaling:DescribeTags',
        'ec2:DescribeInstanceTypes',
        'ec2:DescribeLaunchTemplateVersions',
      ],
      Resource: ['*'],
    },
    {
      Sid: 'DescribeClusterNodeGroups',
      Effect: 'Allow',
      Action: ['eks:DescribeNodegroup'],
      Resource: [arn('eks', `nodegroup/${props.clusterName}/*/*`)],
    },
    {
      Sid: 'ResizeClusterNodeGroups',
      Effect: 'Allow',
      Action: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
      Resource: [arn('autoscaling', 'autoScalingGroup:*:autoScalingGroupName/*')],
      Condition: { StringEquals: { [`aws:ResourceTag/${clusterTagKey(props.clusterName)}`]: [CLUSTER_TAG_VALUE] } },
    },
  ];
}
