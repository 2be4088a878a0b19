import { DataAwsEksCluster } from '@cdktf/provider-aws/lib/data-aws-eks-cluster';
import { HelmProvider } from '@cdktf/provider-helm/lib/provider';
import { KubernetesProvider } from '@cdktf/provider-kubernetes/lib/provider';
import { Fn } from 'cdktf';
import { Construct } from 'constructs';

/** The exec credential API version `aws eks get-token` speaks. */
const EXEC_API_VERSION = 'client.authentication.k8s.io/v1beta1';

export interface ClusterProvidersProps {
  readonly clusterName: string;
  readonly region: string;
  /**
   * Environment of the token command: the AWS config file of the credentials to sign the token
   * with, when they are not the run's default ones (a tenant in a service account).
   * @default - the run's environment
   */
  readonly env?: Record<string, string>;
  /**
   * Also configure the helm provider.
   * @default false
   */
  readonly helm?: boolean;
}

/**
 * The kubernetes (and optionally helm) provider for the platform's EKS cluster, always configured
 * from a data source: a provider configured from a cluster created in the same stack is planned
 * before the cluster exists (the providers' documentation forbids it), so the cluster is built by
 * the platform stack and only looked up here.
 *
 * Authentication runs `aws eks get-token` for every connection instead of reading one token from
 * data "aws_eks_cluster_auth": that token lives 15 minutes from plan time, which neither a long
 * apply (node groups, Helm releases waiting up to 15 minutes each) nor an approval gap between plan
 * and apply outlives. The runner therefore needs the AWS CLI v2: the operator's machine, or the
 * Terraform Cloud agents tenantctl runs in the VPC (Amazon Linux 2023 ships it).
 */
export class ClusterProviders extends Construct {
  readonly cluster: DataAwsEksCluster;
  readonly kubernetes: KubernetesProvider;
  readonly helm?: HelmProvider;

  constructor(scope: Construct, id: string, props: ClusterProvidersProps) {
    super(scope, id);
    this.cluster = new DataAwsEksCluster(this, 'cluster', { name: props.clusterName });
    const args = ['eks', 'get-token', '--cluster-name', props.clusterName, '--region', props.region, '--output', 'json'];
    const exec = { apiVersion: EXEC_API_VERSION, command: 'aws', args };
    const connection = {
      host: this.cluster.endpoint,
      clusterCaCertificate: Fn.base64decode(this.cluster.certificateAuthority.get(0).data),
    };

    // The environment goes in as an override: cdktf lower-cases the keys of maps in provider
    // blocks, and environment variable names are case-sensitive.
    this.kubernetes = new KubernetesProvider(this, 'kubernetes', { ...connection, exec: [exec] });
    if (props.env) this.kubernetes.addOverride('exec.0.env', props.env);
    if (props.helm) {
      this.helm = new HelmProvider(this, 'helm', { kubernetes: { ...connection, exec } });
      if (props.env) this.helm.addOverride('kubernetes.exec.env', props.env);
    }
  }
}
