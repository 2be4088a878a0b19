import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { platformNames } from '../src/config/names';
import type { PlatformSpec } from '../src/config/platform-schema';
import type { TierSpec } from '../src/config/tiers';
import { ContainerRegistry } from './constructs/registry/container-registry';
import { Database } from './constructs/database/database';
import { DatabaseProvisioner } from './constructs/database/database-provisioner';
import { Edge } from './constructs/edge/edge';
import { EksCluster } from './constructs/eks/eks-cluster';
import { PlatformKeys } from './constructs/kms/platform-keys';
import { ClusterProviders } from './constructs/kubernetes/cluster-providers';
import { DefaultStorageClass } from './constructs/kubernetes/default-storage-class';
import { Network } from './constructs/network/network';
import { PlatformServices } from './constructs/platform-services';
import { TenantctlStack } from './constructs/tenantctl-stack';
import { TfcClusterAccess } from './constructs/tfc/tfc-cluster-access';

export interface PlatformStackProps {
  readonly platform: PlatformSpec;
  readonly tiers: Record<string, TierSpec>;
}

/** Istio ingress gateway pod ports the ALB targets. */
const GATEWAY_PORT = 8080;
const GATEWAY_HEALTH_PORT = 15021;

/**
 * The shared platform: network, keys, EKS, the cluster's platform services (mesh, load balancer
 * controller, observability), the database tier behind RDS Proxy, the edge and the registries.
 * Tenant stacks find these resources by their deterministic names, never through this state.
 */
export class PlatformStack extends TenantctlStack {
  constructor(scope: Construct, props: PlatformStackProps) {
    super(scope, 'platform', { platform: props.platform, accountName: 'platform', kind: 'platform' });
    const { platform, tiers } = props;
    const names = platformNames(platform);

    const keys = new PlatformKeys(this, 'keys', { platform });
    const network = new Network(this, 'network', { platform, flowLogsKmsKeyArn: keys.logs.arn });
    const eks = new EksCluster(this, 'eks', {
      platform,
      vpcId: network.vpcId,
      privateSubnetIds: network.privateSubnetIds,
      secretsKmsKeyArn: keys.eks.arn,
      logsKmsKeyArn: keys.logs.arn,
      ebsKmsKeyArn: keys.ebs.arn,
    });
    const database = new Database(this, 'database', {
      platform,
      vpcId: network.vpcId,
      databaseSubnetIds: network.databaseSubnetIds,
      clientCidrs: network.privateSubnetCidrs,
      rdsKmsKeyArn: keys.rds.arn,
      secretsKmsKeyArn: keys.secrets.arn,
      logsKmsKeyArn: keys.logs.arn,
    });
    const edge = new Edge(this, 'edge', {
      platform,
      vpcId: network.vpcId,
      vpcCidr: network.vpcCidr,
      publicSubnetIds: network.publicSubnetIds,
      logsKmsKeyArn: keys.logs.arn,
      gatewayPort: GATEWAY_PORT,
      gatewayHealthPort: GATEWAY_HEALTH_PORT,
    });
    const registry = new ContainerRegistry(this, 'registry', { platform, kmsKeyArn: keys.ecr.arn });

    // With Terraform Cloud, its runs are principals too: the Kubernetes resources below need their access first.
    const runAccess = platform.terraformCloud ? new TfcClusterAccess(this, 'tfc-access', { platform, clusterName: eks.clusterName }).dependables : [];
    new ClusterProviders(this, 'cluster', {
      clusterName: eks.clusterName,
      endpoint: eks.endpoint,
      certificateAuthorityData: eks.certificateAuthorityData,
      helm: true,
    });
    const storage = new DefaultStorageClass(this, 'storage', { ebsKmsKeyArn: keys.ebs.arn, dependsOn: [eks.cluster, ...runAccess] });
    const services = new PlatformServices(this, 'services', {
      platform,
      tiers,
      clusterName: eks.clusterName,
      oidcProviderArn: eks.oidcProviderArn,
      oidcIssuer: eks.oidcIssuer,
      vpcId: network.vpcId,
      region: platform.aws.region,
      targetGroupArn: edge.targetGroupArn,
      albSecurityGroupId: edge.albSecurityGroupId,
      gatewayPort: GATEWAY_PORT,
      dependsOn: [eks.cluster, storage.storageClass, ...runAccess],
    });
    new DatabaseProvisioner(this, 'database-provisioner', {
      platform,
      oidcProviderArn: eks.oidcProviderArn,
      oidcIssuer: eks.oidcIssuer,
      proxyEndpoint: database.proxyEndpoint,
      proxyResourceId: database.proxyResourceId,
      dependsOn: services.dependables,
    });

    const output = (id: string, value: string, description: string) => new TerraformOutput(this, id, { value, description });
    output('cluster_name', eks.clusterName, 'EKS cluster name');
    output('cluster_endpoint', eks.endpoint, 'EKS API server endpoint (private)');
    output('kubeconfig_command', `aws eks update-kubeconfig --region ${platform.aws.region} --name ${names.cluster}`, 'Adds the cluster to your kubeconfig (run from inside the VPC or over VPN)');
    output('alb_dns_name', edge.albDnsName, platform.domain ? `Point *.${platform.domain} (ALIAS) at this name` : 'Set domain in platform.json to serve tenants over HTTPS');
    output('database_proxy_endpoint', database.proxyEndpoint, 'RDS Proxy endpoint (TLS and IAM authentication required)');
    new TerraformOutput(this, 'ecr_repositories', { value: registry.repositoryUrls, description: 'ECR repository URLs of the application services' });
    output('grafana_access', `kubectl -n ${names.namespaces.monitoring} port-forward svc/kube-prometheus-stack-grafana 3000:80 (admin password: kubectl -n ${names.namespaces.monitoring} get secret kube-prometheus-stack-grafana -o jsonpath='{.data.admin-password}' | base64 -d)`, 'How to reach Grafana');
    output('kiali_access', `kubectl -n ${names.namespaces.istio} port-forward svc/kiali 20001:20001 (token: kubectl -n ${names.namespaces.istio} create token kiali)`, 'How to reach Kiali');
  }
}
