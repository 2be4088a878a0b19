import { z } from 'zod';
import { cidrContains, cidrsOverlap, defaultSubnetPlan, parseCidr, type Cidr } from './cidr';
import { EKS_VERSIONS, DEFAULT_EKS_VERSION } from './eks-versions';
import { iamPrincipalArn } from './iam-principal';
import { AWS_REGIONS } from './regions';
import { SERVICE_LINKED_ROLE_SERVICES, type ServiceLinkedRoleService } from './service-linked-roles';
import { costSchema } from './cost/config';
import { scaleDownProblem, scaleDownSchema } from './scale-down';
import { spotCapacityIssues, splitTenantCapacity } from './spot-capacity';
import { tenantNames, TENANT_ENTRY_SERVICE } from './names';
import { wavesSchema, waveProblems } from './release-waves';
import { catalogProblems, gitopsSchema, serviceSchema } from './service-catalog';
import { nodeGroupProblems, nodeGroupSize, tierCatalog, TIER_NAME } from './tiers';
import { EXACT_VERSION } from './versions';

export const CONFIG_VERSION = 1;

/** The retention periods CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;
const retentionDays = (fallback: number) =>
  z
    .number()
    .refine(
      (d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d),
      `must be a CloudWatch Logs retention: one of ${LOG_RETENTION_DAYS.join(', ')}`,
    )
    .default(fallback);

const accountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const dnsName = z
  .string()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lowercase DNS name such as saas.example.com');
/** Why `az` is not an availability zone of `region` (`us-east-1a`), or undefined. */
export function availabilityZoneProblem(az: string, region: string): string | undefined {
  return az.startsWith(region) && /^[a-z]$/.test(az.slice(region.length))
    ? undefined
    : `${az} is not an availability zone of ${region}: use ${region}a, ${region}b, ...`;
}

/** Why a VPC CIDR cannot hold the default subnet plan (/20 subnets), or undefined. */
export function defaultPlanVpcProblem(cidr: string): string | undefined {
  const vpc = parseCidr(cidr);
  if (typeof vpc === 'string') return vpc;
  return vpc.prefix > 20
    ? `${vpc.text} is too small for the default subnet plan (/20 subnets): use a /16 to /20 VPC or list publicSubnets, privateSubnets and ` +
        `databaseSubnets`
    : undefined;
}

const serviceAccountSchema = z
  .object({
    /** Short name used in stack and workspace names, e.g. `payments`. */
    name: z.string().regex(/^[a-z][a-z0-9-]{0,19}$/, 'must be a lowercase name of at most 20 characters'),
    accountId,
    purpose: z.string().min(1).max(200),
  })
  .strict();

/** Spot capacity beside the On-Demand tenants nodes (split by splitTenantCapacity). */
const tenantSpotSchema = z
  .object({
    share: z
      .number()
      .min(0, 'must be between 0 and 1')
      .lt(1, "must be below 1: part of the tenants nodes stays On-Demand, capacity AWS cannot reclaim at two minutes' notice"),
    instanceTypes: nodeGroupSize.shape.instanceTypes.min(
      2,
      'needs at least two instance types of one size: Spot is drawn from several pools, so that one pool running dry does not take all Spot nodes',
    ),
  })
  .strict();

/** A DNS host name (no scheme, port or path): it becomes URLs and the agents' TFC_ADDRESS. */
const HOSTNAME = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/**
 * tenantctl's Terraform Cloud agents. A tfc-agent runs one run at a time, so `count` is how many
 * cluster and tenant runs proceed in parallel; two keep a tenant change from queueing behind a
 * long cluster apply.
 */
const tfcAgentsSchema = z
  .object({
    instanceType: z
      .string()
      .regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as m6i.large')
      .default('m6i.large'),
    count: z.number().int().min(1).max(100).default(2),
  })
  .strict();
export type TfcAgentsSpec = z.output<typeof tfcAgentsSchema>;

const suppressionSchema = z
  .object({
    rule: z.string().regex(/^TC-[A-Z]+-\d{3}$/, 'must be a rule id such as TC-ISO-004'),
    /** Terraform resource address (`aws_db_instance.database_instance_...`) or stack name, `*` glob allowed. */
    resource: z.string().min(1),
    stack: z.string().min(1).optional(),
    reason: z.string().trim().min(10, 'must explain in at least 10 characters why the finding is accepted'),
  })
  .strict();
export type Suppression = z.infer<typeof suppressionSchema>;

/** The schema of `platform.json`. Defaults are resolved here, once. */
export const platformSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(CONFIG_VERSION, { errorMap: () => ({ message: `must be ${CONFIG_VERSION}` }) }),
    name: z.string().regex(/^[a-z][a-z0-9-]{1,14}[a-z0-9]$/, 'must be 3-16 lowercase letters, digits or hyphens, starting with a letter'),
    environment: z.string().regex(/^[a-z][a-z0-9]{1,9}$/, 'must be 2-10 lowercase letters or digits, e.g. prod, staging, dev'),
    aws: z
      .object({
        region: z.string().refine(
          (r) => AWS_REGIONS.includes(r),
          (r) => ({ message: `unknown AWS region ${JSON.stringify(r)}: use one of ${AWS_REGIONS.slice(0, 6).join(', ')}, ...` }),
        ),
        accountId,
        /** Further AWS accounts (one per service) that stacks may deploy into. */
        serviceAccounts: z.array(serviceAccountSchema).default([]),
        /**
         * Services whose service-linked role the platform account already has: the platform looks
         * these up instead of creating them (a second creation fails).
         */
        existingServiceLinkedRoles: z
          .array(
            z
              .string()
              .refine(
                (s): s is ServiceLinkedRoleService => (SERVICE_LINKED_ROLE_SERVICES as string[]).includes(s),
                `is not a service whose role tenantctl creates: list only ${SERVICE_LINKED_ROLE_SERVICES.join(', ')}`,
              ),
          )
          .default([]),
      })
      .strict(),
    network: z
      .object({
        vpcCidr: z.string().default('10.0.0.0/16'),
        availabilityZones: z.array(z.string()).min(2).max(3).optional(),
        publicSubnets: z.array(z.string()).optional(),
        privateSubnets: z.array(z.string()).optional(),
        databaseSubnets: z.array(z.string()).optional(),
        /** One NAT gateway per AZ (resilient) or a single one (cheaper; default outside production). */
        natGateways: z.enum(['per-az', 'single']).optional(),
        flowLogRetentionDays: retentionDays(365),
      })
      .strict()
      .default({}),
    eks: z
      .object({
        version: z
          .string()
          .refine(
            (v) => EKS_VERSIONS.includes(v),
            (v) => ({ message: `EKS version ${JSON.stringify(v)} is not supported: use one of ${EKS_VERSIONS.join(', ')}` }),
          )
          .default(DEFAULT_EKS_VERSION),
        /**
         * What EKS does when the version leaves standard support: STANDARD upgrades the control
         * plane automatically; EXTENDED keeps it there at six times the control-plane price.
         */
        supportType: z
          .enum(['STANDARD', 'EXTENDED'], {
            errorMap: () => ({
              message:
                'must be STANDARD (upgraded automatically at the end of standard support) or EXTENDED (kept on its version, at ' +
                'extended-support prices)',
            }),
          })
          .default('STANDARD'),
        /** The API server endpoint is private; a public endpoint is opened only to these CIDRs. */
        publicAccessCidrs: z.array(z.string()).default([]),
        /** IAM principals that get cluster-admin through an EKS access entry. */
        adminPrincipalArns: z.array(iamPrincipalArn).default([]),
        nodeGroups: z
          .object({
            system: nodeGroupSize.default({ instanceTypes: ['m6i.large'], minSize: 2, desiredSize: 3, maxSize: 4 }),
            /** Without `spot`, every shared tenant node is On-Demand. */
            tenants: nodeGroupSize
              .extend({ spot: tenantSpotSchema.optional(), scaleDown: scaleDownSchema.optional() })
              .default({ instanceTypes: ['m6i.xlarge'], minSize: 3, desiredSize: 3, maxSize: 12 }),
          })
          .strict()
          .default({}),
        logRetentionDays: retentionDays(365),
      })
      .strict()
      .default({}),
    /** Public DNS zone for tenant hosts (`<tenant>.<domain>`); enables the ACM certificate and HTTPS. */
    domain: dnsName.optional(),
    database: z
      .object({
        instanceClass: z
          .string()
          .regex(/^db\.[a-z0-9]+\.[a-z0-9]+$/, 'must be an RDS instance class such as db.r6g.large')
          .default('db.r6g.large'),
        engineVersion: z
          .string()
          .regex(/^\d{2}(\.\d+)?$/, 'must be a PostgreSQL version such as 17 or 17.6')
          .default('17'),
        allocatedStorageGiB: z.number().int().min(20).max(65536).default(100),
        maxAllocatedStorageGiB: z.number().int().min(20).max(65536).default(1000),
        backupRetentionDays: z.number().int().min(1).max(35).default(14),
        /** Planned tenant capacity; sizes the RDS Proxy pool. */
        plannedTenants: z.number().int().positive().default(500),
        servicesPerTenant: z.number().int().positive().default(3),
        replicasPerService: z.number().int().positive().default(2),
      })
      .strict()
      .default({}),
    edge: z
      .object({
        /** Requests per client IP per 5 minutes before WAF blocks it. */
        rateLimitPerIp: z.number().int().min(10).max(2000000000).default(2000),
        logRetentionDays: retentionDays(365),
      })
      .strict()
      .default({}),
    ecr: z
      .object({
        repositories: z
          .array(z.string().regex(/^[a-z0-9]+([._-][a-z0-9]+)*$/, 'must be a lowercase repository name'))
          .default(['api-gateway', 'project-service', 'task-service', 'user-service']),
        keepImages: z.number().int().positive().default(50),
      })
      .strict()
      .default({}),
    /** Tier overrides and additional tiers, merged over the stock catalog. */
    tiers: z
      .record(z.string().regex(TIER_NAME, 'must be 2-20 lowercase letters, digits or hyphens, starting with a letter'), z.record(z.unknown()))
      .default({}),
    terraformCloud: z
      .object({
        organization: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a Terraform Cloud organization name'),
        /** Prefix of the per-account project names. */
        projectPrefix: z
          .string()
          .regex(/^[A-Za-z0-9 _-]+$/)
          .optional(),
        hostname: z.string().regex(HOSTNAME, 'must be a host name such as app.terraform.io, without scheme or path').default('app.terraform.io'),
        terraformVersion: z.string().regex(EXACT_VERSION, 'must be an exact Terraform version such as 1.13.4').default('1.13.4'),
        /**
         * An existing agent pool, by name, for the workspaces whose runs call the cluster's
         * private API (cluster and tenants). When set, tenantctl creates no agents of its own.
         */
        agentPool: z.string().min(1).max(90).optional(),
        /** Size of the agents tenantctl runs in the VPC's private subnets when no agentPool is named. */
        agents: tfcAgentsSchema.optional(),
        /** Team whose token the pull-request workflow uses: given write access to every project tenantctl creates. */
        ciTeam: z.string().min(1).max(90).optional(),
      })
      .strict()
      .superRefine((tfc, ctx) => {
        if (tfc.agentPool && tfc.agents) {
          ctx.addIssue({
            code: z.ZodIssueCode.custom,
            path: ['agents'],
            message:
              `tenantctl creates agents only when no agentPool is named: remove terraformCloud.agents to use the pool ` +
              `${JSON.stringify(tfc.agentPool)}, or terraformCloud.agentPool to run tenantctl's agents`,
          });
        }
      })
      // Without a named pool, tenantctl runs its own agents: resolved here so stacks see one shape.
      .transform(({ agents, ...tfc }) => ({ ...tfc, agents: tfc.agentPool ? undefined : (agents ?? tfcAgentsSchema.parse({})) }))
      .optional(),
    /** Where Argo CD reads each tenant's deployment of each service; needed with `services`. */
    gitops: gitopsSchema.optional(),
    /** The SaaS's services, deployed into every tenant namespace through Argo CD; none by default. */
    services: z.array(serviceSchema).default([]),
    /** Prices and assumptions of `tenantctl cost`. */
    cost: costSchema.default({}),
    /** Ordered rollout waves across tenants for the services' releases (release-waves.ts); none by default. */
    waves: wavesSchema,
    /** Accepted findings of `tenantctl validate`; each needs a reason and is reported. */
    suppressions: z.array(suppressionSchema).default([]),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: z.ZodIssueCode.custom, path, message });
    // ElastiCache replication group ids, among the names built from it, refuse '--'.
    if (cfg.name.includes('--')) issue(['name'], 'contains consecutive hyphens: use single hyphens');
    const prefix = `${cfg.name}-${cfg.environment}`;
    if (prefix.length > 20) {
      issue(
        ['name'],
        `name and environment together ("${prefix}") exceed 20 characters: AWS limits load balancer and target group names to 32, and every ` +
          `resource name starts with them`,
      );
    }
    if (cfg.terraformCloud) {
      // Terraform Cloud project names are 3 to 40 characters: <projectPrefix>-<account>.
      const projectPrefix = cfg.terraformCloud.projectPrefix ?? prefix;
      for (const account of ['platform', ...cfg.aws.serviceAccounts.map((a) => a.name)]) {
        const project = `${projectPrefix}-${account}`;
        if (project.length > 40)
          issue(
            ['terraformCloud', 'projectPrefix'],
            `Terraform Cloud project ${project} is longer than 40 characters: set a shorter terraformCloud.projectPrefix or account name`,
          );
      }
    }
    const vpc = parseCidr(cfg.network.vpcCidr);
    if (typeof vpc === 'string') {
      issue(['network', 'vpcCidr'], vpc);
      return;
    }
    const azs = cfg.network.availabilityZones ?? [];
    azs.forEach((az, i) => {
      const problem = availabilityZoneProblem(az, cfg.aws.region);
      if (problem) issue(['network', 'availabilityZones', i], problem);
    });
    if (new Set(azs).size !== azs.length) issue(['network', 'availabilityZones'], 'availability zones must be distinct');
    const azCount = azs.length || 3;
    const n = cfg.network;
    if (!(n.publicSubnets && n.privateSubnets && n.databaseSubnets)) {
      const problem = defaultPlanVpcProblem(n.vpcCidr);
      if (problem) issue(['network', 'vpcCidr'], problem);
    }
    const seen: { field: string; cidr: Cidr }[] = [];
    for (const kind of ['publicSubnets', 'privateSubnets', 'databaseSubnets'] as const) {
      const subnets = cfg.network[kind];
      if (!subnets) continue;
      if (subnets.length !== azCount) issue(['network', kind], `needs one subnet per availability zone (${azCount}), got ${subnets.length}`);
      subnets.forEach((text, i) => {
        const field = `network.${kind}.${i}`;
        const cidr = parseCidr(text);
        if (typeof cidr === 'string') return issue(['network', kind, i], cidr);
        if (!cidrContains(vpc, cidr)) return issue(['network', kind, i], `${text} is outside the VPC ${vpc.text}`);
        const clash = seen.find((s) => cidrsOverlap(s.cidr, cidr));
        if (clash) return issue(['network', kind, i], `${text} overlaps ${clash.cidr.text} (${clash.field})`);
        seen.push({ field, cidr });
      });
    }
    cfg.eks.publicAccessCidrs.forEach((text, i) => {
      const cidr = parseCidr(text, 32, 0);
      if (typeof cidr === 'string') issue(['eks', 'publicAccessCidrs', i], cidr);
    });
    for (const group of ['system', 'tenants'] as const) {
      for (const p of nodeGroupProblems(cfg.eks.nodeGroups[group])) issue(['eks', 'nodeGroups', group, ...p.path], p.message);
    }
    for (const { path, message } of spotCapacityIssues(cfg.eks.nodeGroups.tenants)) issue(['eks', 'nodeGroups', 'tenants', ...path], message);
    const scaleDown = cfg.eks.nodeGroups.tenants.scaleDown;
    const nightProblem = scaleDown && scaleDownProblem(scaleDown, splitTenantCapacity(cfg.eks.nodeGroups.tenants).onDemand.minSize);
    if (nightProblem) issue(['eks', 'nodeGroups', 'tenants', 'scaleDown', 'minSize'], nightProblem);
    if (cfg.database.maxAllocatedStorageGiB < cfg.database.allocatedStorageGiB) {
      issue(['database', 'maxAllocatedStorageGiB'], `must be at least allocatedStorageGiB (${cfg.database.allocatedStorageGiB})`);
    }
    const once = (list: readonly string[], path: string[], fix: string) =>
      list.forEach((value, i) => {
        if (list.indexOf(value) !== i) issue([...path, i], `is listed twice: ${fix}`);
      });
    once(cfg.aws.existingServiceLinkedRoles, ['aws', 'existingServiceLinkedRoles'], 'give each service once');
    once(cfg.eks.adminPrincipalArns, ['eks', 'adminPrincipalArns'], 'give each principal once');
    once(cfg.ecr.repositories, ['ecr', 'repositories'], 'remove the duplicate');
    const tierNames = [...new Set([...Object.keys(tierCatalog), ...Object.keys(cfg.tiers)])];
    for (const p of waveProblems(cfg.waves, tierNames)) issue(p.path, p.message);
    const catalog = catalogProblems(cfg.services, {
      gitops: cfg.gitops,
      repositories: cfg.ecr.repositories,
      tiers: tierNames,
      waves: cfg.waves,
      // A tenant namespace already holds these: the tenant's service account and the entry Service.
      reserved: [tenantNames(cfg, 'x').serviceAccount, TENANT_ENTRY_SERVICE.name],
    });
    for (const p of catalog) issue(p.path, p.message);
    const names = cfg.aws.serviceAccounts.map((a) => a.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) issue(['aws', 'serviceAccounts', i, 'name'], `service account name ${n} is used twice`);
      if (n === 'platform') issue(['aws', 'serviceAccounts', i, 'name'], '"platform" is reserved for the platform account');
    });
  });

export type PlatformConfig = z.input<typeof platformSchema>;
type ParsedPlatform = z.output<typeof platformSchema>;

/** platform.json with every default resolved: what stacks are built from. */
export interface PlatformSpec extends Omit<ParsedPlatform, 'network'> {
  readonly network: ParsedPlatform['network'] & {
    readonly availabilityZones: string[];
    readonly publicSubnets: string[];
    readonly privateSubnets: string[];
    readonly databaseSubnets: string[];
    readonly natGateways: 'per-az' | 'single';
  };
}

/** True for environments that get production defaults (NAT per AZ, ...). */
export function isProduction(environment: string): boolean {
  return ['prod', 'production', 'prd', 'live'].includes(environment);
}

/** Fills the derived defaults (AZs from the region, the subnet plan from the VPC CIDR). */
export function resolvePlatform(parsed: ParsedPlatform): PlatformSpec {
  const azs = parsed.network.availabilityZones ?? ['a', 'b', 'c'].map((s) => `${parsed.aws.region}${s}`);
  const plan = defaultSubnetPlan(parsed.network.vpcCidr, azs.length);
  return {
    ...parsed,
    network: {
      ...parsed.network,
      availabilityZones: azs,
      publicSubnets: parsed.network.publicSubnets ?? plan.public,
      privateSubnets: parsed.network.privateSubnets ?? plan.private,
      databaseSubnets: parsed.network.databaseSubnets ?? plan.database,
      natGateways: parsed.network.natGateways ?? (isProduction(parsed.environment) ? 'per-az' : 'single'),
    },
  };
}
