import type { PlatformSpec } from './platform-schema';
import { partitionOf } from './regions';

/** PriorityClass of platform components that are not cluster-critical; the same on every platform. */
export const PLATFORM_PRIORITY_CLASS = 'tenantctl-platform';

/**
 * The Service a tenant deploys as its entry point: the ingress gateway routes the tenant's host
 * (or path prefix) to `gateway.tenant-<id>.svc.cluster.local:8080`.
 */
export const TENANT_ENTRY_SERVICE = { name: 'gateway', port: 8080 } as const;

/** Argo Rollouts AnalysisTemplates of every tenant namespace (the tenant stack's): the canary gates of its services, and its wave gate. */
export const CANARY_ANALYSIS_TEMPLATE = 'tenantctl-canary';
export const WAVE_GATE_TEMPLATE = 'tenantctl-wave-gate';

/** Argo CD's name for the cluster it runs in: the only destination a tenant's AppProject names. */
export const IN_CLUSTER_SERVER = 'https://kubernetes.default.svc';

/** DNS suffix of Services after `<service>.<namespace>.` (the cluster domain EKS sets). */
export const SERVICE_DNS_SUFFIX = 'svc.cluster.local';

/** Every tenant's stack is `tenant-<id>`; its id is read back from the name only through {@link tenantIdOfStack}. */
const TENANT_STACK_PREFIX = 'tenant-';

/** The stack of one tenant. */
export function tenantStackName(id: string): string {
  return `${TENANT_STACK_PREFIX}${id}`;
}

/** The tenant id of a tenant stack's name (`acme` for `tenant-acme`); undefined for every other stack. */
export function tenantIdOfStack(stackName: string): string | undefined {
  return stackName.startsWith(TENANT_STACK_PREFIX) ? stackName.slice(TENANT_STACK_PREFIX.length) : undefined;
}

/** The namespace of one tenant. */
export function tenantNamespace(id: string): string {
  return `tenant-${id}`;
}

/**
 * Between a tenant's name and a catalog service's in the objects of that service (its Application,
 * its IRSA role). Tenant ids never hold it, so no tenant's names start with another's.
 */
export const TENANT_SERVICE_SEPARATOR = '--';

/** Every tenant's database user starts with this. */
const TENANT_DB_USER_PREFIX = 'tenant_';

/** The database user and schema of one tenant: PostgreSQL identifiers have no hyphens. */
export function tenantDbIdentifier(id: string): string {
  return `${TENANT_DB_USER_PREFIX}${id.replace(/-/g, '_')}`;
}

/** The bootstrap stack of one account (`platform` or a service account): its OIDC provider and run roles. */
export function bootstrapStackName(accountName: string): string {
  return `bootstrap-${accountName}`;
}

/** Cluster DNS name of a tenant namespace's entry Service. */
export function tenantEntryHost(namespace: string): string {
  return `${TENANT_ENTRY_SERVICE.name}.${namespace}.${SERVICE_DNS_SUFFIX}`;
}

/**
 * Every name tenantctl gives a cloud or cluster object, derived from the platform name and
 * environment (and tenant id). Stacks find each other's resources by these names, so they are
 * a contract: changing one replaces resources.
 */
export function platformNames(
  p: Pick<PlatformSpec, 'name' | 'environment'> & { readonly aws: Partial<PlatformSpec['aws']> & Pick<PlatformSpec['aws'], 'region' | 'accountId'> },
) {
  const prefix = `${p.name}-${p.environment}`;
  const partition = partitionOf(p.aws.region);
  return {
    prefix,
    /** Every name the platform derives under its prefix, as an IAM resource pattern. */
    prefixPattern: `${prefix}-*`,
    partition,
    vpc: `${prefix}-vpc`,
    /** Name tags of the network's objects (nothing finds them by name; people do, in the console). */
    network: {
      internetGateway: prefix,
      defaultSecurityGroup: `${prefix}-default-deny`,
      subnet: (tier: 'public' | 'private' | 'database', az: string) => `${prefix}-${tier}-${az}`,
      publicRouteTable: `${prefix}-public`,
      privateRouteTable: (az: string) => `${prefix}-private-${az}`,
      databaseRouteTable: `${prefix}-database`,
      natAddress: (az: string) => `${prefix}-nat-${az}`,
      natGateway: (az: string) => `${prefix}-${az}`,
      /** The security group of the interface endpoints. */
      endpointSecurityGroup: `${prefix}-vpc-endpoints`,
      /** A VPC endpoint, by its service key (`s3`, `ecr-api`, ...). */
      endpoint: (service: string) => `${prefix}-${service}`,
    },
    cluster: prefix,
    clusterRole: `${prefix}-eks-cluster`,
    /**
     * Node roles, one per pool and one per dedicated tenant: the role that authenticates a kubelet
     * says which pool's labels and taints its Node may carry (NodeIdentityAdmission). The system
     * role keeps the name of the one role of earlier versions, so upgrading keeps the system nodes.
     */
    systemNodeRole: `${prefix}-eks-node`,
    tenantsNodeRole: `${prefix}-eks-node-tenants`,
    /** A dedicated tenant's node role; `-tenant-` never ends `-tenants`, so it names no pool's role. */
    tenantNodeRole: (id: string) => `${prefix}-eks-node-tenant-${id}`,
    /** A dedicated tenant's managed node group; `tenant-` never starts the shared pool's `tenants`. */
    tenantNodeGroup: (id: string) => `tenant-${id}`,
    /** Security group of the cluster's private API endpoint. */
    clusterApiSecurityGroup: `${prefix}-eks-api`,
    /** Name tag of the cluster's IAM OIDC provider (IRSA). */
    clusterOidcProvider: `${prefix}-irsa`,
    /** IRSA role of the VPC CNI (aws-node): the node role has no CNI permissions. */
    vpcCniRole: `${prefix}-vpc-cni`,
    kmsAlias: (purpose: 'eks' | 'rds' | 'logs' | 'ecr' | 'secrets' | 'ebs' | 'elasticache') => `alias/${prefix}/${purpose}`,
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
    /** The database user that provisions tenants (platform SQL creates it; see templates/sql/platform.sql). */
    dbTenantProvisionerUser: 'tenantctl_provisioner',
    /** The database user of purge Jobs: may only call shared.purge_tenant() (templates/sql/platform.sql). */
    dbTenantPurgerUser: 'tenantctl_purger',
    /** Every tenant's database user starts with this (tenantNames().dbRole). */
    dbTenantUserPrefix: TENANT_DB_USER_PREFIX,
    /**
     * What `rds-db:connect` names: a database user at the RDS resource clients authenticate at
     * (the proxy's `prx-...` id through RDS Proxy, else the instance's `db-...` id).
     */
    dbUserArn: (resourceId: string, user: string) => `arn:${partition}:rds-db:${p.aws.region}:${p.aws.accountId}:dbuser:${resourceId}/${user}`,
    /** The Job (and ConfigMap) of the platform SQL; a hash of its inputs is appended. */
    dbPlatformProvisionJob: 'db-provision-platform',
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
    /** The user pool (and its one app client) of every tenant whose tier signs users in to the pooled pool. */
    pooledUserPool: `${prefix}-tenant-users`,
    pooledUserPoolClient: `${prefix}-tenant-users`,
    /**
     * The SSM parameter (String) holding the pooled pool's id, which pooled tenant stacks read: pool
     * names are not unique in Cognito and a dedicated tenant may create pools, so never look it up by name.
     */
    pooledUserPoolIdParameter: `/${prefix}/identity/pooled-user-pool-id`,
    lbControllerRole: `${prefix}-aws-load-balancer-controller`,
    clusterAutoscalerRole: `${prefix}-cluster-autoscaler`,
    /** IRSA role of Alertmanager: publishes to the platform's and every tenant's alerts topic. */
    alertmanagerRole: `${prefix}-alertmanager`,
    /** SNS topic of the platform's own alerts (Alertmanager's default route). */
    platformAlertsTopic: `${prefix}-platform-alerts`,
    /** Every tenant's alerts topic (tenantNames().alertsTopic), as an IAM resource pattern. */
    tenantAlertsTopicPattern: `${prefix}-tenant-*-alerts`,
    /** The Spot node group beside the On-Demand `tenants` group (eks.nodeGroups.tenants.spot). */
    tenantsSpotNodeGroup: 'tenants-spot',
    ebsCsiRole: `${prefix}-ebs-csi`,
    dbProvisionerRole: `${prefix}-db-provisioner`,
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
    /** An image repository's full name, as pods pull it (`<account>.dkr.ecr.<region>.<dns suffix>/<prefix>/<repo>`). */
    ecrImage: (repo: string) =>
      `${p.aws.accountId}.dkr.ecr.${p.aws.region}.${partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com'}/${prefix}/${repo}`,
    /** The Argo CD release (and the prefix of its objects). */
    argoCdRelease: 'argo-cd',
    argoRolloutsRelease: 'argo-rollouts',
    /** A tenant's workload role (tenantNames().iamRole); in a service account, its account role. */
    tenantRole: (id: string) => `${prefix}-tenant-${id}`,
    /** The role a stack's Terraform Cloud runs assume, in every account the stack touches. */
    runRole: (stackName: string) => `${prefix}-tfc-${stackName}`,
    /** The Terraform Cloud workspace of a stack. */
    workspace: (stackName: string) => `${prefix}-${stackName}`,
    /** Permissions boundary of every tenant IAM role, one per account that holds them (TenantBoundary, bootstrap stacks). */
    tenantBoundaryPolicy: `${prefix}-tenant-boundary`,
    /** IRSA role of the tenant provisioning Jobs: connects as the tenant provisioner database user only. */
    dbTenantProvisionerRole: `${prefix}-db-tenant-provisioner`,
    /** IRSA role of purge Jobs: connects as the tenant purger database user only. */
    dbTenantPurgerRole: `${prefix}-db-tenant-purger`,
    namespaces: {
      istio: 'istio-system',
      monitoring: 'monitoring',
      platform: 'tenantctl-system',
      sharedServices: 'shared-services',
      policy: 'kyverno',
      loadBalancer: 'kube-system',
      /** Where tenant stacks run their database provisioning Jobs (never the master identity's namespace). */
      tenantProvisioning: 'tenantctl-provisioning',
      rateLimit: 'ratelimit',
      /** Argo CD, and every tenant's AppProject and Applications. */
      gitops: 'argocd',
    },
    /** Label selector of the Istio ingress gateway pods (chart default). */
    ingressGatewayLabels: { app: 'istio-ingressgateway', istio: 'ingressgateway' },
    ingressGatewayService: 'istio-ingressgateway',
    gateway: 'istio-system/tenant-gateway',
    dbProvisionerServiceAccount: 'db-provisioner',
    dbTenantProvisionerServiceAccount: 'tenant-provisioner',
    dbTenantPurgerServiceAccount: 'tenant-purger',
    /**
     * Kubernetes RBAC of tenant pipelines (Terraform Cloud): every tenant run role's access entry
     * carries the deployers group and its own tenant group; see TenantDeployerAccess.
     */
    tenantDeployers: {
      group: 'tenantctl:tenant-deployers',
      tenantGroupPrefix: 'tenantctl:tenant:',
      /**
       * What a tenant may claim, carried by its pipeline's identity (the bootstrap stack writes it)
       * so the pipeline cannot choose it: its tier, each hard limit of its ResourceQuota as
       * `<prefix><resource>=<quantity>`, and its requests per second at the gateway. Admission
       * compares the tenant's objects with them.
       */
      tierGroupPrefix: 'tenantctl:tier:',
      quotaGroupPrefix: 'tenantctl:quota:',
      rateLimitGroupPrefix: 'tenantctl:rate-limit:',
      /** Carried only while a removed tenant's pipeline purges its data (`tenant remove --purge-data`). */
      purgeGroup: 'tenantctl:tenant-purgers',
      /** Namespaced rights inside the tenant's own namespace, bound there by the tenant stack. */
      namespaceRole: 'tenantctl:tenant-deployer',
      /** Cluster-wide rights: create its namespace (admission checks the name), bind the role above. */
      clusterRole: 'tenantctl:tenant-deployers',
      admissionPolicy: 'tenantctl-tenant-deployers',
    },
    /** ValidatingAdmissionPolicy of every Pod in a tenant namespace: its tier's priority and placement. */
    tenantPodAdmissionPolicy: 'tenantctl-tenant-pods',
    /** ValidatingAdmissionPolicy of what reaches past a tenant namespace, whoever writes it. */
    tenantNamespaceAdmissionPolicy: 'tenantctl-tenant-namespaces',
    /** ValidatingAdmissionPolicy of Nodes: the pool a Node claims is the one its kubelet's node role may claim. */
    nodeIdentityAdmissionPolicy: 'tenantctl-node-identity',
    /** ResourceQuota and LimitRange of every tenant namespace. */
    tenantQuota: 'tenant-quota',
    tenantLimitRange: 'tenant-limits',
    /** Service (and Deployment) of envoyproxy/ratelimit in the rate limit namespace. */
    rateLimitService: 'ratelimit',
    /** Kubernetes Secret holding the Redis AUTH token, in the rate limit namespace. */
    rateLimitRedisSecret: 'ratelimit-redis',
    /** Descriptor ConfigMap of the limit for gateway routes no tenant descriptor names. */
    rateLimitDefaultDescriptor: 'platform-default',
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

/**
 * The Kubernetes group of every cluster administrator tenantctl grants (the applier, the
 * `cluster` run role, eks.adminPrincipalArns): admission of tenant namespaces lets it through.
 */
export const PLATFORM_OPERATORS_GROUP = 'tenantctl:platform-operators';

/** A tenant's alerts topic under the platform prefix (`<name>-<environment>`): what its run role may write in SNS. */
export function tenantAlertsTopic(prefix: string, id: string): string {
  return `${prefix}-tenant-${id}-alerts`;
}

/** Names of one tenant's objects. */
export function tenantNames(p: Pick<PlatformSpec, 'name' | 'environment' | 'aws' | 'domain'>, id: string) {
  const platform = platformNames(p);
  const dbIdentifier = tenantDbIdentifier(id);
  return {
    id,
    stack: tenantStackName(id),
    namespace: tenantNamespace(id),
    serviceAccount: 'app',
    adminGroup: `tenant-${id}-admins`,
    iamRole: platform.tenantRole(id),
    nodeRole: platform.tenantNodeRole(id),
    nodeGroup: platform.tenantNodeGroup(id),
    dbRole: dbIdentifier,
    dbSchema: dbIdentifier,
    host: p.domain ? `${id}.${p.domain}` : undefined,
    pathPrefix: `/${id}/`,
    dashboard: `tenant-${id}-dashboard`,
    /** Grafana uid of the dashboard: at most 40 characters, and tenant ids have at most 24. */
    dashboardUid: `tenant-${id}`,
    /** The tenant's PrometheusRule in its namespace, and its one rule group. */
    alertRules: `tenant-${id}`,
    /** SNS topic the tenant's alerts are published to (platformNames().tenantAlertsTopicPattern). */
    alertsTopic: tenantAlertsTopic(platform.prefix, id),
    /** The AlertmanagerConfig in the tenant's namespace that routes its alerts to that topic. */
    alertDelivery: `tenant-${id}-alerts`,
    provisionJob: `db-provision-tenant-${id}`,
    purgeJob: `db-purge-tenant-${id}`,
    /** The Kubernetes group of the tenant's pipeline (its run role's access entry). */
    deployerGroup: `${platform.tenantDeployers.tenantGroupPrefix}${id}`,
    /** RoleBinding that gives the tenant's pipeline its rights inside its namespace. */
    deployerBinding: 'tenantctl-deployer',
    /** Istio objects of the tenant's namespace: its route from the gateway, traffic policy and local rate limit. */
    virtualService: `tenant-${id}`,
    destinationRule: `tenant-${id}-default`,
    localRateLimit: `tenant-${id}-ratelimit`,
    /** The tenant's rate limit descriptor ConfigMap in the rate limit namespace (named after its namespace, which admission checks). */
    rateLimitDescriptor: `tenant-${id}`,
    /** The user pool and app client of a tier with dedicated identity. */
    userPool: `${platform.prefix}-tenant-${id}`,
    userPoolClient: `tenant-${id}`,
    /** RequestAuthentication and AuthorizationPolicy that admit only the tenant's own tokens at its namespace. */
    identityPolicy: 'tenant-identity',
    /** The tenant's Argo CD AppProject, in the Argo CD namespace. */
    appProject: `tenant-${id}`,
    /** The Application of one catalog service, in the Argo CD namespace (`tenant-acme--x` is acme's, never acme-x's). */
    application: (service: string) => `tenant-${id}${TENANT_SERVICE_SEPARATOR}${service}`,
    canaryAnalysis: CANARY_ANALYSIS_TEMPLATE,
    waveGate: WAVE_GATE_TEMPLATE,
    /** IRSA role of one catalog service (the same separator keeps tenants' role names apart). */
    serviceRole: (service: string) => `${platform.tenantRole(id)}${TENANT_SERVICE_SEPARATOR}${service}`,
  };
}
export type TenantNames = ReturnType<typeof tenantNames>;

/** Service name limits that derived names must stay within (checked by the tenant loader). */
export const NAME_LIMITS = { iamRole: 64, namespace: 63, dbIdentifier: 63, nodeGroup: 63, workspace: 90 } as const;
