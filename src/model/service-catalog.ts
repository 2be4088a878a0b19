import { z } from 'zod';
import { waveName, type WaveSpec } from './release-waves';
import { quantity } from './tiers';

/**
 * The SaaS's own services (platform.json `services`) and where their per-tenant deployments
 * live in git (`gitops`). Argo CD deploys every catalog service into every tenant namespace,
 * sized by the tenant's tier; a tenant file may pin a service's image tag or change its tier
 * values (tenant-schema.ts `services`).
 */

/** Stands for the tenant id in IAM resources and the git path template. */
export const TENANT_PLACEHOLDER = '{tenant}';
/** Stands for the service name in the git path template. */
export const SERVICE_PLACEHOLDER = '{service}';

/** Service names become Kubernetes names and part of IAM role names (`...-tenant-<id>--<service>`). */
export const SERVICE_NAME_MAX = 16;
export const serviceName = z
  .string()
  .regex(
    new RegExp(`^[a-z]([a-z0-9-]{0,${SERVICE_NAME_MAX - 2}}[a-z0-9])?$`),
    `must be a lowercase DNS label of at most ${SERVICE_NAME_MAX} characters`,
  )
  .refine((n) => !n.includes('--'), "must use single hyphens: '--' separates tenant and service in derived names");

/**
 * An OCI tag (immutable in tenantctl's repositories) that is also a Kubernetes label value: pods
 * and Applications carry it as their `version`, which Istio's metrics and the wave gate read.
 */
export const imageTag = z
  .string()
  .regex(
    /^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$/,
    'must be an image tag such as 1.4.2 (letters, digits, _ . -, at most 63, starting and ending with a letter or digit: it is also a label value)',
  );

const resources = z.object({ requestCpu: quantity, limitCpu: quantity, requestMemory: quantity, limitMemory: quantity }).strict();
const replicas = z.object({ min: z.number().int().min(1).max(100), max: z.number().int().min(1).max(100) }).strict();

/** What a service gets in one tier: container resources and the autoscaler's bounds. */
export const serviceTierSchema = z.object({ resources, replicas }).strict();
export type ServiceTierValues = z.infer<typeof serviceTierSchema>;

/** A change of some tier values (per tier in the catalog, per service in a tenant file). */
export const serviceTierOverride = z.object({ resources: resources.partial().optional(), replicas: replicas.partial().optional() }).strict();
export type ServiceTierOverride = z.infer<typeof serviceTierOverride>;

const iamStatementSchema = z
  .object({
    /** Exact IAM actions. */
    actions: z.array(z.string().regex(/^[a-z0-9-]+:[A-Za-z0-9]+$/, 'must be an exact IAM action such as s3:GetObject, without wildcards')).min(1),
    /** ARNs naming the tenant with {tenant}: a service's rights reach only its tenant's objects. */
    resources: z
      .array(
        z
          .string()
          .regex(/^arn:aws[a-z-]*:[a-z0-9-]+:/, 'must be an ARN')
          .refine(
            (arn) => arn.includes(TENANT_PLACEHOLDER),
            `must contain ${TENANT_PLACEHOLDER}: a service may act only on its own tenant's objects, e.g. ` +
              `arn:aws:s3:::uploads/${TENANT_PLACEHOLDER}/*`,
          ),
      )
      .min(1),
  })
  .strict();
export type ServiceIamStatement = z.infer<typeof iamStatementSchema>;

/** Ports Istio's sidecar reserves for itself. */
const ISTIO_RESERVED_PORTS = { from: 15000, to: 15099 } as const;

export const serviceSchema = z
  .object({
    name: serviceName,
    /** A repository of platform.json `ecr.repositories` (the platform creates it). */
    repository: z.string().min(1),
    /** The image tag every tenant runs unless its file pins another (or `release` has reached its wave). */
    tag: imageTag,
    /** A new tag on its way through the rollout waves: the tenants of every wave up to `through` run it. */
    release: z.object({ tag: imageTag, through: waveName }).strict().optional(),
    port: z
      .number()
      .int()
      .min(1024, 'must be an unprivileged port (1024-65535): pods run as non-root under Pod Security restricted')
      .max(65535)
      .refine(
        (p) => p < ISTIO_RESERVED_PORTS.from || p > ISTIO_RESERVED_PORTS.to,
        `must be outside ${ISTIO_RESERVED_PORTS.from}-${ISTIO_RESERVED_PORTS.to}, which Istio's sidecar reserves`,
      ),
    /** HTTP path of the readiness and liveness probes. */
    healthPath: z.string().regex(/^\/[A-Za-z0-9._~/-]*$/, 'must be an absolute URL path such as /healthz'),
    /** The service the tenant's host routes to: its Service is the one the VirtualService names. */
    entry: z.boolean().default(false),
    /** CPU utilization (of requests) the autoscaler keeps the service at. */
    targetCpuUtilization: z.number().int().min(10).max(100).default(70),
    /** Values of every tier without an entry in `tiers`. */
    defaults: serviceTierSchema,
    /** Per tier, changes of `defaults`. */
    tiers: z.record(z.string(), serviceTierOverride).default({}),
    /** The service connects to its tenant's database, as the tenant's database user through RDS Proxy. */
    database: z.boolean().default(false),
    /** What the service's own IAM role may do (IRSA), scoped to its tenant. */
    iam: z.array(iamStatementSchema).default([]),
  })
  .strict();
export type ServiceSpec = z.output<typeof serviceSchema>;

export const gitopsSchema = z
  .object({
    /** The application repository service teams own (Argo CD needs read access: a repository Secret in its namespace). */
    repoUrl: z
      .string()
      .regex(
        /^(https:\/\/|ssh:\/\/|git@)[^\s]+$/,
        'must be a git URL such as https://github.com/example/saas-deploy.git or git@github.com:example/saas-deploy.git',
      ),
    targetRevision: z.string().min(1).default('main'),
    /** Path of one service's deployment for one tenant, a Helm chart (templates/charts/tenant-service). */
    pathTemplate: z
      .string()
      .regex(/^[A-Za-z0-9._{}/-]+$/, 'must be a relative path of letters, digits, . _ - / and the placeholders')
      .refine(
        (p) => p.includes(TENANT_PLACEHOLDER) && p.includes(SERVICE_PLACEHOLDER),
        `must contain ${TENANT_PLACEHOLDER} and ${SERVICE_PLACEHOLDER}: each tenant's deployment of each service has its own path`,
      )
      .refine((p) => !p.startsWith('/') && !p.split('/').includes('..'), 'must stay inside the repository (relative, no ..)')
      .default(`tenants/${TENANT_PLACEHOLDER}/${SERVICE_PLACEHOLDER}`),
    /** Single sign-on for Argo CD's UI and CLI; off by default (Argo CD keeps its local admin). */
    sso: z
      .object({
        /** The URL people reach Argo CD at (through a port-forward or a private ingress): OIDC redirects there. */
        url: z.string().regex(/^https:\/\/[^\s/]+(\/[^\s]*)?$/, 'must be an https URL'),
        oidc: z
          .object({
            name: z.string().min(1).max(50),
            issuer: z.string().regex(/^https:\/\/[^\s]+$/, 'must be an https issuer URL'),
            clientId: z.string().min(1),
          })
          .strict(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type GitopsSpec = z.output<typeof gitopsSchema>;

/** Suffix of the Service a service's canary pods get (Argo Rollouts' canaryService). */
export const CANARY_SUFFIX = '-canary';

/** The Service of a service's canary pods; the service's own Service is its stable one. */
export function canaryServiceName(service: string): string {
  return `${service}${CANARY_SUFFIX}`;
}

/** The path of one tenant's deployment of one service. */
export function servicePath(gitops: GitopsSpec, tenantId: string, service: string): string {
  return gitops.pathTemplate.split(TENANT_PLACEHOLDER).join(tenantId).split(SERVICE_PLACEHOLDER).join(service);
}

export interface CatalogProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/** What makes the catalog inconsistent with the rest of platform.json. */
export function catalogProblems(
  services: readonly ServiceSpec[],
  ctx: {
    readonly gitops?: GitopsSpec;
    readonly repositories: readonly string[];
    readonly tiers: readonly string[];
    readonly reserved: readonly string[];
    readonly waves: readonly WaveSpec[];
  },
): CatalogProblem[] {
  const problems: CatalogProblem[] = [];
  if (services.length === 0) return problems;
  if (!ctx.gitops)
    problems.push({ path: ['services'], message: 'services are deployed through Argo CD: set gitops.repoUrl to the application repository' });
  const names = services.map((s) => s.name);
  services.forEach((s, i) => {
    if (names.indexOf(s.name) !== i) problems.push({ path: ['services', i, 'name'], message: `service ${s.name} is listed twice` });
    if (ctx.reserved.includes(s.name))
      problems.push({
        path: ['services', i, 'name'],
        message: `${s.name} is reserved in tenant namespaces (${ctx.reserved.join(', ')}): choose another name`,
      });
    if (!ctx.repositories.includes(s.repository)) {
      problems.push({
        path: ['services', i, 'repository'],
        message: `${s.repository} is not in ecr.repositories (${ctx.repositories.join(', ')}): add it there so the platform creates it`,
      });
    }
    const clash = names.indexOf(canaryServiceName(s.name));
    if (clash >= 0)
      problems.push({ path: ['services', clash, 'name'], message: `${names[clash]} is the name of ${s.name}'s canary Service: choose another name` });
    if (s.release) {
      if (!ctx.waves.some((w) => w.name === s.release!.through))
        problems.push({
          path: ['services', i, 'release', 'through'],
          message: ctx.waves.length
            ? `unknown wave: use one of ${ctx.waves.map((w) => w.name).join(', ')}`
            : 'a release goes through the rollout waves: define platform.json waves first',
        });
      if (s.release.tag === s.tag)
        problems.push({
          path: ['services', i, 'release', 'tag'],
          message: `is the service's tag already: set tag ${s.tag} as the release's only while it rolls out`,
        });
    }
    for (const tier of Object.keys(s.tiers)) {
      if (!ctx.tiers.includes(tier))
        problems.push({ path: ['services', i, 'tiers', tier], message: `unknown tier: use one of ${ctx.tiers.join(', ')}` });
    }
  });
  const entries = services.filter((s) => s.entry).length;
  if (entries !== 1)
    problems.push({ path: ['services'], message: `exactly one service needs "entry": true (the one the tenant's host routes to), got ${entries}` });
  return problems;
}
