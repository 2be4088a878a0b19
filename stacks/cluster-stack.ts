import { DataAwsDbProxy } from '@cdktf/provider-aws/lib/data-aws-db-proxy';
import { DataAwsKmsKey } from '@cdktf/provider-aws/lib/data-aws-kms-key';
import { DataAwsLbTargetGroup } from '@cdktf/provider-aws/lib/data-aws-lb-target-group';
import { TerraformOutput } from 'cdktf';
import type { Construct } from 'constructs';
import { platformNames } from '../src/model/names';
import type { PlatformSpec } from '../src/model/platform-schema';
import type { TierSpec } from '../src/model/tiers';
import { INGRESS_GATEWAY_PORT } from './constructs/addons/istio';
import { DatabaseProvisioner } from './constructs/database/database-provisioner';
import { proxyResourceId } from './constructs/database/proxy-resource-id';
import { TenantProvisioning } from './constructs/database/tenant-provisioning';
import { clusterOidc } from './constructs/identity/cluster-oidc';
import { DefaultStorageClass } from './constructs/kubernetes/default-storage-class';
import { TenantDeployerAccess } from './constructs/kubernetes/tenant-deployer-access';
import { TenantNamespaceAdmission } from './constructs/kubernetes/tenant-namespace-admission';
import { NodeIdentityAdmission } from './constructs/kubernetes/node-identity-admission';
import { TenantPodAdmission } from './constructs/kubernetes/tenant-pod-admission';
import { StsEndpointAddresses } from './constructs/network/sts-endpoint-addresses';
import { PlatformServices } from './constructs/platform-services';
import { RateLimitService } from './constructs/ratelimit/rate-limit-service';
import { TenantctlStack } from './constructs/tenantctl-stack';

export interface ClusterStackProps {
  readonly platform: PlatformSpec;
  readonly tiers: Record<string, TierSpec>;
}

/**
 * The platform's Kubernetes layer: everything applied through the Kubernetes and Helm providers
 * (storage class, namespaces, priority classes, add-ons, mesh, observability, platform SQL, the
 * gateway's rate limit service). It
 * runs after the platform stack, so the cluster, its node groups, CoreDNS, the access entries
 * that let this stack's runner in, and the database proxy's target all exist before its plan, and
 * it finds them by name like a tenant stack does. Construct ids are those these resources had in
 * the platform stack, so their addresses survive the move between states (see README).
 */
export class ClusterStack extends TenantctlStack {
  constructor(scope: Construct, props: ClusterStackProps) {
    const { platform, tiers } = props;
    const names = platformNames(platform);
    super(scope, names.clusterStack, { platform, accountName: 'platform', kind: 'cluster' });

    const { cluster } = this.clusterProviders({ helm: true });
    const oidc = clusterOidc(cluster, names.partition, platform.aws.accountId);
    // DescribeKey by alias: a key-scoped call (an alias lookup would list every alias of the account).
    const ebsKey = new DataAwsKmsKey(this, 'ebs-key', { keyId: names.kmsAlias('ebs') });
    const targetGroup = new DataAwsLbTargetGroup(this, 'gateway-target-group', { name: names.albTargetGroup });
    const proxy = new DataAwsDbProxy(this, 'db-proxy', { name: names.proxy });
    const vpcId = cluster.vpcConfig.get(0).vpcId;
    const sts = new StsEndpointAddresses(this, 'sts-endpoint', { vpcId, interfaceCount: platform.network.privateSubnets.length });

    const storage = new DefaultStorageClass(this, 'storage', { ebsKmsKeyArn: ebsKey.arn });
    const services = new PlatformServices(this, 'services', {
      platform,
      tiers,
      clusterName: names.cluster,
      oidcProviderArn: oidc.providerArn,
      oidcIssuer: oidc.issuer,
      vpcId,
      region: platform.aws.region,
      targetGroupArn: targetGroup.arn,
      gatewayPort: INGRESS_GATEWAY_PORT,
      dependsOn: [storage.storageClass],
    });
    new DatabaseProvisioner(this, 'database-provisioner', {
      platform,
      oidcProviderArn: oidc.providerArn,
      oidcIssuer: oidc.issuer,
      proxyEndpoint: proxy.endpoint,
      proxyResourceId: proxyResourceId(proxy),
      stsEndpointCidrs: sts.cidrs,
      dependsOn: services.dependables,
    });
    // Where tenant stacks provision their databases, and what their pipelines may do in the cluster.
    const tenantProvisioning = new TenantProvisioning(this, 'tenant-provisioning', {
      platform,
      oidcProviderArn: oidc.providerArn,
      oidcIssuer: oidc.issuer,
      proxyResourceId: proxyResourceId(proxy),
      stsEndpointCidrs: sts.cidrs,
      dependsOn: services.dependables,
    });
    new TenantPodAdmission(this, 'tenant-pods', { platform, tiers, dependsOn: services.dependables });
    new TenantNamespaceAdmission(this, 'tenant-namespaces', { platform, dependsOn: services.dependables });
    new NodeIdentityAdmission(this, 'node-identity', { platform, dependsOn: services.dependables });
    if (platform.terraformCloud)
      new TenantDeployerAccess(this, 'tenant-deployers', { platform, dependsOn: [...services.dependables, tenantProvisioning.namespace] });
    new RateLimitService(this, 'ratelimit', { platform, tiers, gatewayPort: INGRESS_GATEWAY_PORT, dependsOn: services.dependables });

    const ns = names.namespaces;
    new TerraformOutput(this, 'grafana_access', {
      value:
        `kubectl -n ${ns.monitoring} port-forward svc/kube-prometheus-stack-grafana 3000:80 (admin password: kubectl -n ` +
        `${ns.monitoring} get secret kube-prometheus-stack-grafana -o jsonpath='{.data.admin-password}' | base64 -d)`,
      description: 'How to reach Grafana',
    });
    new TerraformOutput(this, 'kiali_access', {
      value: `kubectl -n ${ns.istio} port-forward svc/kiali 20001:20001 (token: kubectl -n ${ns.istio} create token kiali)`,
      description: 'How to reach Kiali',
    });
  }
}
