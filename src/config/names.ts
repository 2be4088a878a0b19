import type { PlatformSpec } from './platform-schema';
import { partitionOf } from './regions';

/**
 * The Service a tenant deploys as its entry point: the ingress gateway routes the tenant's host
 * (or path prefix) to `gateway.tenant-<id>.svc.cluster.local:8080`.
 */
export const TENANT_ENTRY_SERVICE = { name: 'gateway', port: 8080 } as const;

/** Cluster DNS name of a tenant namespace's entry Service. */
export function tenantEntryHost(namespace: string): string {
  return `${TENANT_ENTRY_SERVICE.name}.${namespace}.svc.cluster.local`;
}

/**
 * Every name tenantctl gives a cloud or cluster object, derived from the platform name and
 * environment (and tenant id). Stacks find each other's resources by these names, so they are
 * a contract: changing one replaces resources.
 */
export function platformNames(p: Pick<PlatformSpec, 'name' | 'environment' | 'aws'>) {
  const prefix = `${p.name}-${p.environment}`;
  const partition = partitionOf(p.aws.region);
  return {
    prefix,
    partition,
    vpc: `${prefix}-vpc`,
    cluster: prefix,
    clusterRole: `${prefix}-eks-cluster`,
    nodeRole: `${prefix}-eks-node`,
    kmsAlias: (purpose: 'eks' | 'rds' | 'logs' | 'ecr' | 'secrets' | 'ebs' | 'elasticache') => `alias/${prefix}/${purpose}`,
    clusterLogGroup: `/aws/eks/${prefix}/cluster`,
    flowLogGroup: `/aws/vpc/${prefix}/flow-logs`,
    flowLogRole: `${prefix}-vpc-flow-logs`,
    wafLogGroup: `aws-waf-logs-${prefix}`,
    dbInstance: `${prefix}-postgres`,
    dbSubnetGroup: `${prefix}-database`,
    dbParameterGroup: `${prefix}-postgres`,
    dbName: 'saas',
    dbMasterUser: 'tenantctl_admin',
    dbLogGroup: (log: string) => `/aws/rds/instance/${prefix}-postgres/${log}`,
    dbMonitoringRole: `${prefix}-rds-monitoring`,
    proxy: `${prefix}-proxy`,
    proxyRole: `${prefix}-rds-proxy`,
    proxySecurityGroup: `${prefix}-rds-proxy`,
    /** ElastiCache replication group (and its subnet group, parameter group and security group) behind the global rate limit. */
    rateLimitRedis: `${prefix}-ratelimit`,
    rateLimitRedisAuthSecret: `${prefix}/ratelimit/redis-auth-token`,
    rateLimitRedisLogGroup: (log: 'slow-log' | 'engine-log') => `/aws/elasticache/${prefix}-ratelimit/${log}`,
    dbSecurityGroup: `${prefix}-postgres`,
    alb: `${prefix}-alb`,
    albSecurityGroup: `${prefix}-alb`,
    albTargetGroup: `${prefix}-istio`,
    albLogBucket: `${prefix}-${p.aws.accountId}-alb-logs`,
    webAcl: `${prefix}-edge`,
    lbControllerRole: `${prefix}-aws-load-balancer-controller`,
    ebsCsiRole: `${prefix}-ebs-csi`,
    dbProvisionerRole: `${prefix}-db-provisioner`,
    /** Role with Kubernetes access that tenant stacks' Terraform Cloud runs assume (see TfcClusterAccess). */
    tenantDeployerRole: `${prefix}-tenant-deployer`,
    ecrRepository: (repo: string) => `${p.name}/${repo}`,
    namespaces: {
      istio: 'istio-system',
      monitoring: 'monitoring',
      platform: 'tenantctl-system',
      sharedServices: 'shared-services',
      policy: 'kyverno',
      loadBalancer: 'kube-system',
      rateLimit: 'ratelimit',
    },
    /** Label selector of the Istio ingress gateway pods (chart default). */
    ingressGatewayLabels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    ingressGatewayService: 'istio-ingressgateway',
    gateway: 'istio-system/tenant-gateway',
    dbProvisionerServiceAccount: 'db-provisioner',
    /** Service (and Deployment) of envoyproxy/ratelimit in the rate limit namespace. */
    rateLimitService: 'ratelimit',
    /** Kubernetes Secret holding the Redis AUTH token, in the rate limit namespace. */
    rateLimitRedisSecret: 'ratelimit-redis',
    /** Descriptor ConfigMap of the limit for gateway routes no tenant descriptor names. */
    rateLimitDefaultDescriptor: 'platform-default',
    priorityClass: (tier: string) => `tenant-${tier}`,
    stack: 'platform',
    /** The platform's Kubernetes layer (everything applied through the Kubernetes and Helm providers). */
    clusterStack: 'cluster',
  };
}
export type PlatformNames = ReturnType<typeof platformNames>;

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
    /** The tenant's rate limit descriptor ConfigMap in the rate limit namespace (named after its namespace, which admission checks). */
    rateLimitDescriptor: `tenant-${id}`,
  };
}
export type TenantNames = ReturnType<typeof tenantNames>;

/** Service name limits that derived names must stay within (checked by the tenant loader). */
export const NAME_LIMITS = { iamRole: 64, namespace: 63, dbIdentifier: 63, nodeGroup: 63, workspace: 90 } as const;
