import { z } from 'zod';
import { IDENTITY_MODES } from './identity';
import { ec2Architecture } from './instance-types';
import { MAX_REQUESTS_PER_UNIT } from './rate-limit';
import { MAX_TIER_PRIORITY } from './priorities';
import { tierProblems } from './tier-capacity';

export { cpuCores, memoryGiB } from './quantities';

/** Kubernetes quantity such as `500m`, `2`, `8Gi`. */
export const quantity = z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/, 'must be a Kubernetes quantity such as 500m, 2, 512Mi or 8Gi');

/** A tier name: part of PriorityClass names and of rows in the shared tiers table. */
export const TIER_NAME = /^[a-z][a-z0-9-]{1,19}$/;

const nodeGroupSize = z
  .object({
    instanceTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as m6i.large')).min(1),
    minSize: z.number().int().min(0).max(100),
    desiredSize: z.number().int().min(0).max(100),
    maxSize: z.number().int().min(1).max(100),
  })
  .strict();
export type NodeGroupSize = z.infer<typeof nodeGroupSize>;
export { nodeGroupSize };

/** What a node group cannot be, for the platform's groups and the tiers' dedicated ones alike. */
export function nodeGroupProblems(g: NodeGroupSize): { path: string[]; message: string }[] {
  const problems: { path: string[]; message: string }[] = [];
  if (!(g.minSize <= g.desiredSize && g.desiredSize <= g.maxSize)) {
    problems.push({ path: [], message: `needs minSize <= desiredSize <= maxSize, got ${g.minSize} <= ${g.desiredSize} <= ${g.maxSize}` });
  }
  const arm = g.instanceTypes.filter((t) => ec2Architecture(t) === 'arm64');
  if (arm.length > 0 && arm.length < g.instanceTypes.length) {
    // A managed node group launches one AMI type.
    problems.push({
      path: ['instanceTypes'],
      message: `mixes Graviton (${arm.join(', ')}) and x86 instance types: one AMI serves one architecture, use one or the other`,
    });
  }
  return problems;
}

export const tierSchema = z
  .object({
    description: z.string(),
    quota: z
      .object({
        /** CPU the tenant's pods may request in all: what the scheduler reserves for it. */
        cpu: quantity,
        /** Ceiling on the sum of the pods' CPU limits: how far the tenant may burst above its requests. */
        cpuLimit: quantity,
        memory: quantity,
        memoryLimit: quantity,
        pods: z.number().int().positive(),
        services: z.number().int().min(0),
        persistentVolumeClaims: z.number().int().min(0),
        storage: quantity,
        secrets: z.number().int().min(0),
        configMaps: z.number().int().min(0),
      })
      .strict(),
    limitRange: z
      .object({
        defaultCpu: quantity,
        defaultMemory: quantity,
        defaultRequestCpu: quantity,
        defaultRequestMemory: quantity,
        maxCpu: quantity,
        maxMemory: quantity,
      })
      .strict(),
    /**
     * The Istio sidecar of every pod, set by the tenant's scheduling policy through Istio's
     * sidecar.istio.io/proxyCPU(Limit) and proxyMemory(Limit) annotations. It counts against the quota.
     */
    sidecar: z.object({ requestCpu: quantity, limitCpu: quantity, requestMemory: quantity, limitMemory: quantity }).strict(),
    /**
     * Requests per second the tenant gets through the ingress gateway, counted across every
     * replica (global rate limit); also each sidecar's local limit, a second line of defence.
     */
    requestsPerSecond: z.number().int().positive().max(MAX_REQUESTS_PER_UNIT),
    connectionPool: z
      .object({
        maxConnections: z.number().int().positive(),
        http1MaxPendingRequests: z.number().int().positive(),
        http2MaxRequests: z.number().int().positive(),
        maxRequestsPerConnection: z.number().int().positive(),
      })
      .strict(),
    outlierDetection: z
      .object({
        consecutive5xxErrors: z.number().int().positive(),
        interval: z.string().regex(/^\d+(ms|s|m)$/),
        baseEjectionTime: z.string().regex(/^\d+(ms|s|m)$/),
        maxEjectionPercent: z.number().int().min(1).max(100),
      })
      .strict(),
    priority: z.number().int().min(0).max(MAX_TIER_PRIORITY, `must be at most ${MAX_TIER_PRIORITY}: the platform's own pods rank above every tier`),
    database: z
      .object({
        /** Each tenant gets its own schema and login role; shared tables are filtered by row-level security. */
        isolation: z.literal('schema-per-tenant'),
        connectionLimit: z.number().int().positive(),
        statementTimeoutSeconds: z.number().int().positive(),
      })
      .strict(),
    /**
     * How the tenant's end users sign in at its host (src/model/identity.ts). A tier added in
     * `platform.json` signs them in to the pooled user pool unless it says otherwise; `none` leaves
     * authentication to the tenant's services.
     */
    identity: z.enum(IDENTITY_MODES).default('pooled'),
    nodes: z.discriminatedUnion('isolation', [
      z.object({ isolation: z.literal('shared') }).strict(),
      z.object({ isolation: z.literal('dedicated'), nodeGroup: nodeGroupSize }).strict(),
    ]),
  })
  .strict()
  .superRefine((tier, ctx) => {
    for (const p of tierProblems(tier)) ctx.addIssue({ code: z.ZodIssueCode.custom, path: p.path, message: p.message });
    if (tier.nodes.isolation === 'dedicated') {
      for (const p of nodeGroupProblems(tier.nodes.nodeGroup))
        ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['nodes', 'nodeGroup', ...p.path], message: p.message });
    }
  });
export type TierSpec = z.infer<typeof tierSchema>;

/**
 * The stock tiers. Requests follow the product defaults (starter 1 CPU / 2Gi / 10 pods, standard
 * 4 / 8Gi / 25, enterprise 16 / 32Gi / 100); limits may burst 2 to 2.5 times above them. Each
 * quota admits exactly its pod count of default pods (LimitRange defaults plus the tier's sidecar,
 * limited by the CPU-limit budget), which leaves the 3 services x 2 replicas the database pool is
 * planned for room in every tier. End users sign in to a user pool of the tenant's own in
 * enterprise and to the pooled one in standard and starter. `platform.json` may override any field
 * or add tiers.
 */
export const tierCatalog: Readonly<Record<string, TierSpec>> = {
  starter: {
    description: 'Shared nodes, small quota, 100 requests/s',
    quota: {
      cpu: '1',
      cpuLimit: '2',
      memory: '2Gi',
      memoryLimit: '4Gi',
      pods: 10,
      services: 5,
      persistentVolumeClaims: 2,
      storage: '10Gi',
      secrets: 20,
      configMaps: 20,
    },
    limitRange: { defaultCpu: '150m', defaultMemory: '256Mi', defaultRequestCpu: '50m', defaultRequestMemory: '64Mi', maxCpu: '1', maxMemory: '1Gi' },
    sidecar: { requestCpu: '25m', limitCpu: '50m', requestMemory: '64Mi', limitMemory: '128Mi' },
    requestsPerSecond: 100,
    connectionPool: { maxConnections: 50, http1MaxPendingRequests: 25, http2MaxRequests: 100, maxRequestsPerConnection: 50 },
    outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    priority: 1000,
    database: { isolation: 'schema-per-tenant', connectionLimit: 10, statementTimeoutSeconds: 15 },
    identity: 'pooled',
    nodes: { isolation: 'shared' },
  },
  standard: {
    description: 'Shared nodes, medium quota, 1000 requests/s',
    quota: {
      cpu: '4',
      cpuLimit: '10',
      memory: '8Gi',
      memoryLimit: '20Gi',
      pods: 25,
      services: 15,
      persistentVolumeClaims: 5,
      storage: '50Gi',
      secrets: 50,
      configMaps: 50,
    },
    limitRange: {
      defaultCpu: '300m',
      defaultMemory: '512Mi',
      defaultRequestCpu: '100m',
      defaultRequestMemory: '128Mi',
      maxCpu: '2',
      maxMemory: '4Gi',
    },
    sidecar: { requestCpu: '50m', limitCpu: '100m', requestMemory: '64Mi', limitMemory: '256Mi' },
    requestsPerSecond: 1000,
    connectionPool: { maxConnections: 200, http1MaxPendingRequests: 100, http2MaxRequests: 500, maxRequestsPerConnection: 100 },
    outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    priority: 10000,
    database: { isolation: 'schema-per-tenant', connectionLimit: 40, statementTimeoutSeconds: 30 },
    identity: 'pooled',
    nodes: { isolation: 'shared' },
  },
  enterprise: {
    description: 'Dedicated nodes, large quota, 10000 requests/s',
    quota: {
      cpu: '16',
      cpuLimit: '40',
      memory: '32Gi',
      memoryLimit: '80Gi',
      pods: 100,
      services: 50,
      persistentVolumeClaims: 20,
      storage: '500Gi',
      secrets: 200,
      configMaps: 200,
    },
    limitRange: {
      defaultCpu: '250m',
      defaultMemory: '512Mi',
      defaultRequestCpu: '100m',
      defaultRequestMemory: '192Mi',
      maxCpu: '8',
      maxMemory: '16Gi',
    },
    sidecar: { requestCpu: '50m', limitCpu: '150m', requestMemory: '96Mi', limitMemory: '256Mi' },
    requestsPerSecond: 10000,
    connectionPool: { maxConnections: 1000, http1MaxPendingRequests: 500, http2MaxRequests: 2000, maxRequestsPerConnection: 100 },
    outlierDetection: { consecutive5xxErrors: 3, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 30 },
    priority: 100000,
    database: { isolation: 'schema-per-tenant', connectionLimit: 200, statementTimeoutSeconds: 60 },
    // Its own pool: its users, its sign-in settings and Cognito's threat protection, apart from every other tenant.
    identity: 'dedicated',
    nodes: {
      isolation: 'dedicated',
      nodeGroup: { instanceTypes: ['m6i.2xlarge'], minSize: 2, desiredSize: 2, maxSize: 4 },
    },
  },
};

/**
 * Merges `platform.json` tier overrides over the stock catalog. An override may change any field
 * of a stock tier or define a whole new tier; the result is validated as a complete tier.
 */
export function resolveTiers(overrides: Record<string, unknown> = {}): Record<string, TierSpec> {
  const result: Record<string, TierSpec> = { ...tierCatalog };
  for (const [name, override] of Object.entries(overrides)) {
    const parsed = tierSchema.safeParse(deepMerge(tierCatalog[name] ?? {}, override));
    // Issues are reported from the catalog's root, so that they name the tier at fault.
    if (!parsed.success) throw new z.ZodError(parsed.error.issues.map((i) => ({ ...i, path: [name, ...i.path] })));
    result[name] = parsed.data;
  }
  return result;
}

/** Plain-object deep merge; arrays and scalars in `over` replace those in `base`. */
export function deepMerge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) out[key] = deepMerge(base[key], value);
  return out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
