import type { PlatformSpec } from './platform-schema';
import { partitionOf } from './regions';

/** PriorityClass of platform components that are not cluster-critical; the same on every platform. */
export const PLATFORM_PRIORITY_CLASS = 'tenantctl-platform';

/**
 * Every name tenantctl gives a cloud or cluster object, derived from the platform name and
 * environment (and tenant id). Stacks find each other's resources by these names, so they are
 * a contract: changing one replaces resources.
 */
export function platformNames(p: Pick<PlatformSpec, 'name' | 'environment'> & { readonly aws: Partial<PlatformSpec['aws']> & Pick<PlatformSpec['aws'], 'region' | 'accountId'> }) {
  const prefix = `${p.name}-${p.environment}`;
  const partition = partitionOf(p.aws.region);
  return {
    prefix,
    partition,
    vpc: `${prefix}-vpc`,
    cluster: prefix,
    clusterRole: `${prefix}-eks-cluster`,
    nodeRole: `${prefix}-eks-node`,
    kmsAlias: (purpose: 'eks' | 'rds' | 'logs' | 'ecr' | 'secrets' | 'ebs') => `alias/${prefix}/${purpose}`,
    clusterLogGroup: `/aws/eks/${prefix}/cluster`,
    flowLogGroup: `/aws/vpc/${prefix}/flow-logs`,
    flowLogRole: `${prefix}-vpc-flow-logs`,
    wafLogGroup: `aws-waf-logs-${prefix}`,
    dbInstance: `${prefix}-postgres`,
    /** The final snapshot of one instance generation, told apart by `stamp` (letters, digits). */
    dbFinalSnapshot: (stamp: string) => `${prefix}-postgres-final-${stamp}`,
    dbSubnetGroup: `${prefix}-database`,
    dbParameterGroup: `${prefix}-postgres`,
    dbName: 'saas',
    dbMasterUser: 'tenantctl_admin',
    dbLogGroup: (log: string) => `/aws/rds/instance/${prefix}-postgres/${log}`,
    dbMonitoringRole: `${prefix}-rds-monitoring`,
    proxy: `${prefix}-proxy`,
    proxyRole: `${prefix}-rds-proxy`,
    proxySecurityGroup: `${prefix}-rds-proxy`,
    dbSecurityGroup: `${prefix}-postgres`,
    alb: `${prefix}-alb`,
    albSecurityGroup: `${prefix}-alb`,
    albTargetGroup: `${prefix}-istio`,
    albLogBucket: `${prefix}-${p.aws.accountId}-alb-logs`,
    webAcl: `${prefix}-edge`,
    lbControllerRole: `${prefix}-aws-load-balancer-controller`,
    clusterAutoscalerRole: `${prefix}-cluster-autoscaler`,
    /** The Spot node group beside the On-Demand `tenants` group (eks.nodeGroups.tenants.spot). */
    tenantsSpotNodeGroup: 'tenants-spot',
    ebsCsiRole: `${prefix}-ebs-csi`,
    dbProvisionerRole: `${prefix}-db-provisioner`,
    /** Role with Kubernetes access that tenant stacks' Terraform Cloud runs assume (see TfcClusterAccess). */
    tenantDeployerRole: `${prefix}-tenant-deployer`,
    /** Terraform Cloud agents in the VPC (TfcAgents): Auto Scaling group, launch template, security group. */
    terraformAgents: `${prefix}-terraform-agents`,
    /** Their instance role and profile; outside `<prefix>-tfc-*`, the run roles only bootstrap stacks manage. */
    terraformAgentRole: `${prefix}-terraform-agent`,
    /** Their Terraform Cloud agent pool, and the Secrets Manager secret and KMS key of its token. */
    terraformAgentPool: `${prefix}-vpc-agents`,
    terraformAgentTokenSecret: `${prefix}-terraform-agent-token`,
    terraformAgentTokenKmsAlias: `alias/${prefix}/terraform-agent-token`,
    /** Under the platform prefix, so two environments of one platform can share an account. */
    ecrRepository: (repo: string) => `${prefix}/${repo}`,
    namespaces: {
      istio: 'istio-system',
      monitoring: 'monitoring',
      platform: 'tenantctl-system',
      sharedServices: 'shared-services',
      policy: 'kyverno',
      loadBalancer: 'kube-system',
    },
    /** Label selector of the Istio ingress gateway pods (chart default). */
    ingressGatewayLabels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    ingressGatewayService: 'istio-ingressgateway',
    gateway: 'istio-system/tenant-gateway',
    dbProvisionerServiceAccount: 'db-provisioner',
    priorityClass: (tier: string) => `tenant-${tier}`,
    /** PriorityClass of platform components that are not cluster-critical (above every tier). */
    platformPriorityClass: PLATFORM_PRIORITY_CLASS,
    stack: 'platform',
    /** The platform's Kubernetes layer (everything applied through the Kubernetes and Helm providers). */
    clusterStack: 'cluster',
  };
}
export type PlatformNames = ReturnType<typeof platformNames>;

/** The DNS name that covers every tenant host of `domain` (`<tenant>.<domain>`). */
export function tenantHostsWildcard(domain: string): string {
  return `*.${domain}`;
}

/** Names of one tenant's objects. */
export function tenantNames(p: Pick<PlatformSpec, 'name' | 'environment' | 'aws' | 'domain'>, id: string) {
  const platform = platformNames(p);
  const dbIdentifier = `tenant_${id.replace(/-/g, '_')}`;
  return {
    id,
    stack: `tenant-${id}`,
    namespace: `tenant-${id}`,
    serviceAccount: 'app',
    adminGroup: `tenant-${id}-admins`,
    iamRole: `${platform.prefix}-tenant-${id}`,
    nodeRole: `${platform.prefix}-tenant-${id}-node`,
    nodeGroup: `tenant-${id}`,
    dbRole: dbIdentifier,
    dbSchema: dbIdentifier,
    host: p.domain ? `${id}.${p.domain}` : undefined,
    pathPrefix: `/${id}/`,
    dashboard: `tenant-${id}-dashboard`,
    provisionJob: `db-provision-tenant-${id}`,
  };
}
export type TenantNames = ReturnType<typeof tenantNames>;

/** Service name limits that derived names must stay within (checked by the tenant loader). */
export const NAME_LIMITS = { iamRole: 64, namespace: 63, dbIdentifier: 63, nodeGroup: 63, workspace: 90 } as const;
