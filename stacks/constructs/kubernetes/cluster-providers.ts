import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { DataAwsEksClusterAuth } from '@cdktf/provider-aws/lib/data-aws-eks-cluster-auth';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn, type TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';

export interface ClusterProvidersProps {
  readonly clusterName: string;
  /**
   * API server endpoint of the cluster being created in the same stack (platform stack).
   * @default - looked up with data "aws_eks_cluster" by name (tenant stacks)
   */
  readonly endpoint?: string;
  /**
   * Base64 CA bundle of the cluster being created in the same stack; required with `endpoint`.
   * @default - looked up with data "aws_eks_cluster" by name (tenant stacks)
   */
  readonly certificateAuthorityData?: string;
  /**
   * Also configure the helm provider.
   * @default false
   */
  readonly helm?: boolean;
  /**
   * AWS provider that looks up the cluster and signs the token.
   * @default - the stack's default AWS provider
   */
  readonly authProvider?: TerraformProvider;
}

/**
 * The kubernetes (and optionally helm) provider for the platform's EKS cluster. Authentication is
 * a token from data "aws_eks_cluster_auth", not an exec plugin, because Terraform Cloud runners
 * have no aws CLI. The token lives 15 minutes and is read at the start of each run, which is why
 * Helm timeouts stay at 15 minutes per release.
 */
export class ClusterProviders extends Construct {
  readonly kubernetes: KubernetesProvider;
  readonly helm?: HelmProvider;

  constructor(scope: Construct, id: string, props: ClusterProvidersProps) {
    super(scope, id);
    if ((props.endpoint === undefined) !== (props.certificateAuthorityData === undefined)) {
      throw new Error('ClusterProviders: pass both endpoint and certificateAuthorityData (cluster created in this stack) or neither (looked up by clusterName)');
    }
    let endpoint = props.endpoint;
    let certificateAuthorityData = props.certificateAuthorityData;
    if (endpoint === undefined || certificateAuthorityData === undefined) {
      const cluster = new DataAwsEksCluster(this, 'cluster', { name: props.clusterName, provider: props.authProvider });
      endpoint = cluster.endpoint;
      certificateAuthorityData = cluster.certificateAuthority.get(0).data;
    }
    const auth = new DataAwsEksClusterAuth(this, 'auth', { name: props.clusterName, provider: props.authProvider });
    const connection = {
      host: endpoint,
      clusterCaCertificate: Fn.base64decode(certificateAuthorityData),
      token: auth.token,
    };

    this.kubernetes = new KubernetesProvider(this, 'kubernetes', connection);
    if (props.helm) {
      this.helm = new HelmProvider(this, 'helm', { kubernetes: connection });
    }
  }
}
