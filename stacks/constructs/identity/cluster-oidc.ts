import type { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { Fn } from 'cdktf';

/** The IRSA identity of a looked-up cluster: what IRSA trust policies name. */
export interface ClusterOidc {
  /** Issuer without `https://`, as trust-policy condition keys spell it. */
  readonly issuer: string;
  readonly providerArn: string;
}

/**
 * The cluster's IAM OIDC provider, derived from the issuer: its ARN is
 * `arn:<partition>:iam::<account>:oidc-provider/<issuer host and path>`. Deriving it instead of
 * looking it up by URL avoids `iam:ListOpenIDConnectProviders`, an account-wide listing that the
 * stacks' run roles are not granted.
 */
export function clusterOidc(cluster: DataAwsEksCluster, partition: string, accountId: string): ClusterOidc {
  const issuer = Fn.replace(cluster.identity.get(0).oidc.get(0).issuer, 'https://', '');
  return { issuer, providerArn: `arn:${partition}:iam::${accountId}:oidc-provider/${issuer}` };
}
