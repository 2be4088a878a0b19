import { SsmParameter } from '@cdktf/provider-aws/lib/ssm-parameter';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { platformNames } from '../src/model/names';
import type { PlatformSpec } from '../src/model/platform-schema';
import { ContainerRegistry } from './constructs/registry/container-registry';
import { Database } from './constructs/database/database';
import { ISTIO_STATUS_PORT, INGRESS_GATEWAY_PORT } from './constructs/addons/istio';
import { AlbToGateway } from './constructs/edge/alb-to-gateway';
import { Edge } from './constructs/edge/edge';
import { ApplierAccess } from './constructs/eks/applier-access';
import { EksCluster } from './constructs/eks/eks-cluster';
import { PlatformKeys } from './constructs/kms/platform-keys';
import { Network } from './constructs/network/network';
import { RateLimitStore } from './constructs/ratelimit/rate-limit-store';
import { TenantctlStack } from './constructs/tenantctl-stack';
import { TfcClusterAccess } from './constructs/tfc/tfc-cluster-access';
import { TfcAgents } from './constructs/agents';
import { UserPool } from './constructs/identity/user-pool';
import { needsPooledUserPool } from '../src/model/identity';
import { resolveTiers } from '../src/model/tiers';

export interface PlatformStackProps {
  readonly platform: PlatformSpec;
}

/**
 * The shared platform's AWS layer: network, keys, EKS with its node groups, add-ons and access
 * entries, the database tier behind RDS Proxy, the edge, the registries and the rate limit store. No Kubernetes or Helm
 * provider: everything applied through the Kubernetes API is in the cluster stack, which runs
 * after this one. The cluster and tenant stacks find these resources by their deterministic names,
 * never through this state.
 */
export class PlatformStack extends TenantctlStack {
  constructor(scope: Construct, props: PlatformStackProps) {
    const { platform } = props;
    const names = platformNames(platform);
    super(scope, names.stack, { platform, accountName: 'platform', kind: 'platform' });

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
      gatewayPort: INGRESS_GATEWAY_PORT,
      gatewayHealthPort: ISTIO_STATUS_PORT,
    });
    // Id `services`: the rules keep the addresses they had inside PlatformServices.
    new AlbToGateway(this, 'services', {
      clusterSecurityGroupId: eks.clusterSecurityGroupId,
      albSecurityGroupId: edge.albSecurityGroupId,
      gatewayPort: INGRESS_GATEWAY_PORT,
      healthPort: ISTIO_STATUS_PORT,
    });
    const registry = new ContainerRegistry(this, 'registry', { platform, kmsKeyArn: keys.ecr.arn });
    new RateLimitStore(this, 'ratelimit', {
      platform,
      vpcId: network.vpcId,
      subnetIds: network.databaseSubnetIds,
      clusterSecurityGroupId: eks.clusterSecurityGroupId,
      kmsKeyArn: keys.elasticache.arn,
      secretsKmsKeyArn: keys.secrets.arn,
      logsKmsKeyArn: keys.logs.arn,
    });

    // End users of pooled-identity tiers: one pool and one client for them all, nothing per tenant.
    if (needsPooledUserPool(resolveTiers(platform.tiers))) {
      const pooled = new UserPool(this, 'pooled-identity', {
        name: names.pooledUserPool,
        clientName: names.pooledUserPoolClient,
        region: platform.aws.region,
        partition: names.partition,
        threatProtection: false,
      });
      // Tenant stacks read the pool's id here, never by the pool's name (which a tenant could also give a pool).
      new SsmParameter(this, 'pooled-user-pool-id', {
        name: names.pooledUserPoolIdParameter,
        type: 'String',
        value: pooled.pool.id,
        description: `Id of the user pool ${names.pooledUserPool}, which pooled tenants' gateways trust`,
        tags: { Name: names.pooledUserPoolIdParameter },
      });
      new TerraformOutput(this, 'pooled_user_pool_issuer', {
        value: pooled.issuer,
        description: 'Issuer of the pooled user pool: its users carry custom:tenant_id',
      });
      new TerraformOutput(this, 'pooled_user_pool_client_id', {
        value: pooled.client.id,
        description: 'App client of the pooled user pool (public, SRP)',
      });
    }

    // Whoever applies the cluster and tenant stacks needs an access entry before their first plan.
    if (platform.terraformCloud) new TfcClusterAccess(this, 'tfc-access', { platform, clusterName: eks.clusterName });
    else new ApplierAccess(this, 'applier-access', { clusterName: eks.clusterName, partition: names.partition });
    // ... and, with Terraform Cloud, a runner inside the VPC: tenantctl's agents unless a pool of your own is named.
    if (platform.terraformCloud?.agents) {
      new TfcAgents(this, 'tfc-agents', {
        platform,
        vpcId: network.vpcId,
        subnetIds: network.privateSubnetIds,
        ebsKmsKeyArn: keys.ebs.arn,
        clusterApiSecurityGroupId: eks.apiSecurityGroupId,
        egress: network.privateEgress,
      });
    }

    const output = (id: string, value: string, description: string) => new TerraformOutput(this, id, { value, description });
    output('cluster_name', eks.clusterName, 'EKS cluster name');
    output('cluster_endpoint', eks.endpoint, 'EKS API server endpoint (private)');
    output(
      'kubeconfig_command',
      `aws eks update-kubeconfig --region ${platform.aws.region} --name ${names.cluster}`,
      'Adds the cluster to your kubeconfig (run from inside the VPC or over VPN)',
    );
    output(
      'alb_dns_name',
      edge.albDnsName,
      platform.domain ? `ALB behind the Route 53 alias *.${platform.domain}` : 'Set domain in platform.json to serve tenants over HTTPS',
    );
    output('database_proxy_endpoint', database.proxyEndpoint, 'RDS Proxy endpoint (TLS and IAM authentication required)');
    new TerraformOutput(this, 'ecr_repositories', { value: registry.repositoryUrls, description: 'ECR repository URLs of the application services' });
  }
}
