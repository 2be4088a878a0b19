import { DataAwsDbProxy } from '@cdktf/provider-aws/lib/data-aws-db-proxy';
import { TerraformResource, dependable } from 'cdktf';
import type { Construct } from 'constructs';
import { platformNames } from '../src/model/names';
import type { PlatformSpec } from '../src/model/platform-schema';
import type { TenantSpec } from '../src/model/project';
import { proxyResourceId } from './constructs/database/proxy-resource-id';
import { clusterOidc } from './constructs/identity/cluster-oidc';
import { StsEndpointAddresses } from './constructs/network/sts-endpoint-addresses';
import { TenantServices } from './constructs/gitops/tenant-services';
import { DedicatedNodes } from './constructs/tenant/dedicated-nodes';
import { TenantAccess } from './constructs/tenant/tenant-access';
import { TenantAlertDelivery } from './constructs/tenant/tenant-alert-delivery';
import { TenantAccountRole, tenantAccountRoleArn } from './constructs/tenant/tenant-account-role';
import { TenantDatabase } from './constructs/tenant/tenant-database';
import { TenantDeployerBinding } from './constructs/tenant/tenant-deployer-binding';
import { TenantEdgeIdentity } from './constructs/tenant/tenant-edge-identity';
import { TenantIdentity } from './constructs/tenant/tenant-identity';
import { TenantMesh } from './constructs/tenant/tenant-mesh';
import { TenantNamespace } from './constructs/tenant/tenant-namespace';
import { TenantNetworkPolicies } from './constructs/tenant/tenant-network-policies';
import { TenantObservability } from './constructs/tenant/tenant-observability';
import { TenantRateLimit } from './constructs/tenant/tenant-rate-limit';
import { TenantScheduling } from './constructs/tenant/tenant-scheduling';
import { TenantctlStack } from './constructs/tenantctl-stack';

export interface TenantStackProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
}

/**
 * One tenant: its namespace and every layer that isolates and serves it. Platform resources are
 * found by their deterministic names through data sources, never through the platform's state,
 * so the tenant's workspace plans on its own.
 */
export class TenantStack extends TenantctlStack {
  readonly tenant: TenantSpec;

  constructor(scope: Construct, props: TenantStackProps) {
    const { platform, tenant } = props;
    super(scope, tenant.names.stack, {
      platform,
      accountName: tenant.accountName,
      kind: 'tenant',
      tags: { 'tenantctl:tenant': tenant.id, 'tenantctl:tier': tenant.tier },
    });
    if (tenant.status !== 'active') {
      throw new Error(`tenant ${tenant.id} has status ${tenant.status}: build its stack with RemovedTenantStack`);
    }
    this.tenant = tenant;
    const names = platformNames(platform);
    // The cluster, the database and their IAM live in the platform account, whichever account the tenant has.
    this.routeToPlatformAccount();

    // Platform resources, by name.
    // One cluster lookup serves both the providers and the stack.
    const { cluster } = this.clusterProviders();
    const oidc = clusterOidc(cluster, names.partition, platform.aws.accountId);
    const proxy = new DataAwsDbProxy(this, 'db-proxy', { name: names.proxy });

    const sts = new StsEndpointAddresses(this, 'sts-endpoint', {
      vpcId: cluster.vpcConfig.get(0).vpcId,
      interfaceCount: platform.network.privateSubnets.length,
    });

    // Isolation: namespace, quota and limits, network, mesh, RBAC.
    const tenantNamespace = new TenantNamespace(this, 'namespace', { platform, tenant });
    const namespace = tenantNamespace.name;
    // Under Terraform Cloud the pipeline first binds its own rights in the namespace.
    const deployer = platform.terraformCloud ? new TenantDeployerBinding(this, 'deployer', { platform, tenant, namespace }) : undefined;
    new TenantNetworkPolicies(this, 'network-policies', { platform, tenant, namespace, stsEndpointCidrs: sts.cidrs });
    new TenantMesh(this, 'mesh', { platform, tenant, namespace, proxyEndpoint: proxy.endpoint });
    new TenantRateLimit(this, 'rate-limit', { platform, tenant });
    // End users sign in to the tenant's user pool; only its tokens pass from the gateway.
    if (tenant.tierSpec.identity !== 'none') new TenantEdgeIdentity(this, 'edge-identity', { platform, tenant, namespace });
    new TenantAccess(this, 'access', { platform, tenant, namespace, clusterName: cluster.name });

    // Identity and data.
    const ownAccount = tenant.accountName !== 'platform';
    const identity = new TenantIdentity(this, 'identity', {
      platform,
      tenant,
      namespace,
      oidcProviderArn: oidc.providerArn,
      oidcIssuer: oidc.issuer,
      proxyResourceId: proxyResourceId(proxy),
      accountRoleArn: ownAccount ? tenantAccountRoleArn(platform, tenant) : undefined,
    });
    if (ownAccount) new TenantAccountRole(this, 'account-role', { platform, tenant, provider: this.aws, workloadRole: identity.role });
    new TenantDatabase(this, 'database', { platform, tenant, proxyEndpoint: proxy.endpoint });

    // The catalog's services, deployed by Argo CD.
    if (platform.services.length)
      new TenantServices(this, 'services', {
        platform,
        tenant,
        oidcProviderArn: oidc.providerArn,
        oidcIssuer: oidc.issuer,
        proxyResourceId: proxyResourceId(proxy),
      });

    // Scheduling: dedicated nodes for tiers that have them, priority and placement for every pod.
    if (tenant.tierSpec.nodes.isolation === 'dedicated') {
      // The cluster runs in the private subnets: its lookup names them, with no EC2 call of its own.
      new DedicatedNodes(this, 'nodes', {
        platform,
        tenant,
        clusterName: cluster.name,
        kubernetesVersion: cluster.version,
        privateSubnetIds: cluster.vpcConfig.get(0).subnetIds,
      });
    }
    new TenantScheduling(this, 'scheduling', { platform, tenant, namespace });

    // The dashboard lives in the monitoring namespace, the alerts in the tenant's (created first).
    new TenantObservability(this, 'observability', { platform, tenant, namespace: tenant.names.namespace, dependsOn: [tenantNamespace.namespace] });
    new TenantAlertDelivery(this, 'alert-delivery', { platform, tenant, namespace: tenant.names.namespace, dependsOn: [tenantNamespace.namespace] });

    // Last, once every resource of the stack exists.
    if (deployer) orderAfterBinding(this, deployer.binding, tenantNamespace.namespace);
  }
}

/**
 * Orders every Kubernetes resource of the stack but the namespace after the pipeline's RoleBinding.
 * A walk of the finished tree rather than an aspect: the same dependencies, without cdktf's aspect
 * pass, which builds every construct's path (about 4% of such a stack's synthesis).
 */
function orderAfterBinding(stack: TenantStack, binding: TerraformResource, namespace: TerraformResource): void {
  const after = dependable(binding);
  for (const node of stack.node.findAll()) {
    if (!(node instanceof TerraformResource) || !node.terraformResourceType.startsWith('kubernetes_')) continue;
    if (node === binding || node === namespace) continue;
    const dependsOn = node.dependsOn ?? [];
    if (!dependsOn.includes(after)) node.dependsOn = [...dependsOn, after];
  }
}
