import { z } from 'zod';
import { parseCidr } from './cidr';
import { iamPrincipalArn } from './iam-principal';
import { CONFIG_VERSION } from './platform-schema';
import { imageTag, serviceName, serviceTierOverride } from './service-catalog';
import { waveName } from './release-waves';

/** Tenant ids become parts of namespaces, IAM roles, database roles and workspace names. */
export const TENANT_ID_MAX = 24;
export const tenantIdPattern = /^[a-z]([a-z0-9-]*[a-z0-9])?$/;

/** Names a tenant id may not take: they are, or would shadow, platform namespaces and stacks. */
export const RESERVED_TENANT_IDS: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'istio-system',
  'istio-ingress',
  'shared-services',
  'tenantctl-system',
  'monitoring',
  'observability',
  'platform',
  'workspaces',
  'system',
  'admin',
  'root',
  'shared',
  'public',
  'postgres',
  'rdsadmin',
  'all',
  'kube',
  'istio',
];

/** Checks a tenant id and returns what is wrong with it, or undefined when it is fine. */
export function tenantIdProblem(id: string): string | undefined {
  if (id.length === 0) return 'tenant id is empty';
  if (id.length > TENANT_ID_MAX)
    return (
      `tenant id ${JSON.stringify(id)} is ${id.length} characters long: at most ${TENANT_ID_MAX} keep every derived name (namespace, ` +
      `IAM role, database role, workspace) within its limit`
    );
  if (!tenantIdPattern.test(id))
    return `tenant id ${JSON.stringify(id)} is not a lowercase DNS label: use a-z, 0-9 and '-', starting with a letter and not ending with '-'`;
  if (id.includes('--')) return `tenant id ${JSON.stringify(id)} contains '--': use single hyphens`;
  if (RESERVED_TENANT_IDS.includes(id) || id.startsWith('kube-') || id.startsWith('istio-')) {
    return `tenant id ${JSON.stringify(id)} is reserved: choose another id`;
  }
  return undefined;
}

const tenantId = z.string().superRefine((id, ctx) => {
  const problem = tenantIdProblem(id);
  if (problem) ctx.addIssue({ code: z.ZodIssueCode.custom, message: problem });
});

/** The schema of `tenants/<id>.json`. */
export const tenantSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(CONFIG_VERSION, { errorMap: () => ({ message: `must be ${CONFIG_VERSION}` }) }),
    id: tenantId,
    tier: z.string().min(1),
    /**
     * `removed` keeps the tenant's stack but empties it, so the next apply destroys the tenant's
     * cluster and IAM objects while its database schema stays (unless `purgeData`).
     */
    status: z.enum(['active', 'removed']).default('active'),
    /** With status `removed`: the stack runs a Job that drops the tenant's schema, rows and role. */
    purgeData: z.boolean().default(false),
    displayName: z.string().min(1).max(100).optional(),
    adminEmail: z.string().email('must be an email address').optional(),
    /** Name of a service account from platform.json `aws.serviceAccounts`; default: the platform account. */
    serviceAccount: z.string().optional(),
    /** IAM principal of the tenant's team, given namespace-scoped access through an EKS access entry. */
    adminPrincipalArn: iamPrincipalArn.optional(),
    /** The rollout wave (platform.json `waves`) of this tenant; default: the wave of its tier, else the last. */
    wave: waveName.optional(),
    /** Per catalog service: an image tag this tenant stays on, and changes of its tier values. */
    services: z.record(serviceName, z.object({ tag: imageTag.optional(), tier: serviceTierOverride.optional() }).strict()).default({}),
    /** Per-tenant overrides of tier values (any tier field) and of network policy. */
    overrides: z
      .object({
        tier: z.record(z.unknown()).optional(),
        network: z
          .object({
            /** Escape hatch: turns off the default egress deny. `tenantctl validate` reports it. */
            denyEgress: z.boolean().optional(),
            /** Extra egress destinations (CIDRs) with TCP ports, e.g. a partner API. */
            allowEgress: z
              .array(
                z
                  .object({
                    cidr: z.string().refine((c) => typeof parseCidr(c, 32, 0) !== 'string', 'must be an IPv4 CIDR'),
                    ports: z.array(z.number().int().min(1).max(65535)).min(1),
                  })
                  .strict(),
              )
              .optional(),
          })
          .strict()
          .refine((network) => network.denyEgress !== false || !network.allowEgress?.length, {
            path: ['allowEgress'],
            message: 'has no effect with denyEgress false (all egress is allowed): remove allowEgress, or denyEgress to keep the default deny',
          })
          .optional(),
      })
      .strict()
      .default({}),
  })
  .strict();

export type TenantConfig = z.input<typeof tenantSchema>;
export type TenantFile = z.output<typeof tenantSchema>;
