import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import type { Construct } from 'constructs';
import { PLATFORM_OPERATORS_GROUP } from '../../../src/model/names';
import { eksAccessPolicyArn, type EksAccessPolicy } from './arns';

export interface ClusterAccessProps {
  readonly clusterName: string;
  /** An IAM role or user ARN (never an assumed-role session: EKS rejects those). */
  readonly principalArn: string;
  readonly partition: string;
  readonly policy: EksAccessPolicy;
  /**
   * Namespaces the policy is scoped to.
   * @default - the whole cluster
   */
  readonly namespaces?: string[];
  /**
   * Kubernetes groups of the principal, which RBAC bindings name.
   * @default - none
   */
  readonly kubernetesGroups?: string[];
  /**
   * How many of the grant exist (a Terraform expression of 0 or 1).
   * @default - one
   */
  readonly count?: number;
}

/** The construct ids of the grant's two resources: they are their Terraform addresses, so each caller keeps its own. */
export interface ClusterAccessIds {
  readonly entry: string;
  readonly association: string;
}

/**
 * A principal's access to the cluster in API authentication mode: its access entry and one access
 * policy association. Returns the association: Kubernetes resources applied by that principal
 * must come after it.
 */
export function clusterAccess(scope: Construct, ids: ClusterAccessIds, props: ClusterAccessProps): EksAccessPolicyAssociation {
  const entry = new EksAccessEntry(scope, ids.entry, {
    count: props.count,
    clusterName: props.clusterName,
    principalArn: props.principalArn,
    type: 'STANDARD',
    kubernetesGroups: props.kubernetesGroups,
  });
  // A counted entry has no single attribute to refer to: name the principal and order explicitly.
  const after = props.count === undefined ? { principalArn: entry.principalArn } : { principalArn: props.principalArn, dependsOn: [entry] };
  return new EksAccessPolicyAssociation(scope, ids.association, {
    count: props.count,
    clusterName: props.clusterName,
    ...after,
    policyArn: eksAccessPolicyArn(props.partition, props.policy),
    accessScope: props.namespaces ? { type: 'namespace', namespaces: props.namespaces } : { type: 'cluster' },
  });
}

/**
 * Cluster-admin access of a principal, created in `scope` as `<key>-entry` and `<key>-admin`. The
 * entry carries the platform operators' group, which tenant namespace admission lets through.
 */
export function clusterAdminAccess(
  scope: Construct,
  key: string,
  props: Omit<ClusterAccessProps, 'policy' | 'namespaces' | 'kubernetesGroups'>,
): EksAccessPolicyAssociation {
  return clusterAccess(
    scope,
    { entry: `${key}-entry`, association: `${key}-admin` },
    { ...props, policy: 'AmazonEKSClusterAdminPolicy', kubernetesGroups: [PLATFORM_OPERATORS_GROUP] },
  );
}
