import type { EksCluster } from '@cdktf/provider-aws/lib/eks-cluster';
import type { PlatformSpec } from '../../src/model/platform-schema';
import { tierCatalog } from '../../src/model/tiers';
import type { PlatformServicesProps } from '../../stacks/constructs/platform-services';

export const TARGET_GROUP_ARN = 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:targetgroup/acme-prod-istio/0123456789abcdef';

/** PlatformServices props as the platform stack passes them, with fixed ids for the cluster's neighbours. */
export function platformServicesProps(
  platform: PlatformSpec,
  cluster: EksCluster,
  overrides: Partial<PlatformServicesProps> = {},
): PlatformServicesProps {
  return {
    platform,
    tiers: tierCatalog,
    clusterName: cluster.name,
    oidcProviderArn: 'arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC',
    oidcIssuer: 'oidc.eks.eu-west-1.amazonaws.com/id/ABC',
    vpcId: 'vpc-0123',
    region: 'eu-west-1',
    targetGroupArn: TARGET_GROUP_ARN,
    gatewayPort: 8080,
    dependsOn: [cluster],
    ...overrides,
  };
}
