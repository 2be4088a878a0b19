import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import type { Construct } from 'constructs';
import { PLATFORM_OPERATORS_GROUP } from '../../../src/config/names';

export interface ClusterAdminAccessProps {
  readonly clusterName: string;
  /** An IAM role or user ARN (never an assumed-role session: EKS rejects those). */
  readonly principalArn: string;
  readonly partition: string;
}

/**
 * A principal's cluster-admin access in API authentication mode: its access entry and the
 * AmazonEKSClusterAdminPolicy association, created in `scope` as `<key>-entry` and `<key>-admin`.
 * The entry carries the platform operators' group, which tenant namespace admission lets through.
 * Returns the association: Kubernetes resources applied by that principal must come after it.
 */
export function clusterAdminAccess(scope: Construct, key: string, props: ClusterAdminAccessProps): EksAccessPolicyAssociation {
  const entry = new EksAccessEntry(scope, `${key}-entry`, { clusterName: props.clusterName, principalArn: props.principalArn, type: 'STANDARD', kubernetesGroups: [PLATFORM_OPERATORS_GROUP] });
  return new EksAccessPolicyAssociation(scope, `${key}-admin`, {
    clusterName: props.clusterName,
    principalArn: entry.principalArn,
    policyArn: `arn:${props.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
    accessScope: { type: 'cluster' },
  });
}
