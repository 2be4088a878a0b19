/** ARNs of what AWS itself owns, per partition: managed policies and EKS access policies. */

/** An AWS managed policy (`service-role/...` paths included). */
export function awsManagedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}

/** EKS access policies tenantctl associates with access entries. */
export type EksAccessPolicy = 'AmazonEKSClusterAdminPolicy' | 'AmazonEKSAdminPolicy' | 'AmazonEKSViewPolicy';

/** An EKS cluster access policy. */
export function eksAccessPolicyArn(partition: string, policy: EksAccessPolicy): string {
  return `arn:${partition}:eks::aws:cluster-access-policy/${policy}`;
}
