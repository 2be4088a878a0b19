import { z } from 'zod';
import { MAX_REQUESTS_PER_UNIT } from './rate-limit';

/** Kubernetes quantity such as `500m`, `2`, `8Gi`. */
export const quantity = z
  .string()
  .regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/, 'must be a Kubernetes quantity such as 500m, 2, 512Mi or 8Gi');

const nodeGroupSize = z.object({
  instanceTypes: z.array(z.string().regex(/^[a-z][a-z0-9-]*\.[a-z0-9]+$/, 'must be an EC2 instance type such as m6i.large')).min(1),
  minSize: z.number().int().min(0).max(100),
  desiredSize: z.number().int().min(0).max(100),
  maxSize: z.number().int().min(1).max(100),
});
export type NodeGroupSize = z.infer<typeof nodeGroupSize>;
export { nodeGroupSize };

export const tierSchema = z
  .object({
    description: z.string(),
    quota: z.object({
      cpu: quantity,
      memory: quantity,
      pods: z.number().int().positive(),
      services: z.number().int().min(0),
      persistentVolumeClaims: z.number().int().min(0),
      storage: quantity,
      secrets: z.number().int().min(0),
      configMaps: z.number().int().min(0),
    }),
    limitRange: z.object({
      defaultCpu: quantity,
      defaultMemory: quantity,
      defaultRequestCpu: quantity,
      defaultRequestMemory: quantity,
      maxCpu: quantity,
      maxMemory: quantity,
    }),
    /**
     * Requests per second the tenant gets through the ingress gateway, counted across every
     * replica (global rate limit); also each sidecar's local limit, a second line of defence.
     */
    requestsPerSecond: z.number().int().positive().max(MAX_REQUESTS_PER_UNIT),
    connectionPool: z.object({
      maxConnections: z.number().int().positive(),
      http1MaxPendingRequests: z.number().int().positive(),
      http2MaxRequests: z.number().int().positive(),
      maxRequestsPerConnection: z.number().int().positive(),
    }),
    outlierDetection: z.object({
      consecutive5xxErrors: z.number().int().positive(),
      interval: z.string().regex(/^\d+(ms|s|m)$/),
      baseEjectionTime: z.string().regex(/^\d+(ms|s|m)$/),
      maxEjectionPercent: z.number().int().min(1).max(100),
    }),
    priority: z.number().int().min(0).max(1000000000),
    database: z.object({
      /** Each tenant gets its own schema and login role; shared tables are filtered by row-level security. */
      isolation: z.literal('schema-per-tenant'),
      connectionLimit: z.number().int().positive(),
      statementTimeoutSeconds: z.number().int().positive(),
    }),
    nodes: z.discriminatedUnion('isolation', [
      z.object({ isolation: z.literal('shared') }),
      z.object({ isolation: z.literal('dedicated'), nodeGroup: nodeGroupSize }),
    ]),
  })
  .strict();
export type TierSpec = z.infer<typeof tierSchema>;

/**
 * The stock tiers. Quotas follow the product defaults (starter 1 CPU / 2Gi / 10 pods, standard
 * 4 / 8Gi / 25, enterprise 16 / 32Gi / 100); `platform.json` may override any field or add tiers.
 */
export const tierCatalog: Readonly<Record<string, TierSpec>> = {
  starter: {
    description: 'Shared nodes, small quota, 100 requests/s',
    quota: { cpu: '1', memory: '2Gi', pods: 10, services: 5, persistentVolumeClaims: 2, storage: '10Gi', secrets: 20, configMaps: 20 },
    limitRange: { defaultCpu: '250m', defaultMemory: '256Mi', defaultRequestCpu: '50m', defaultRequestMemory: '64Mi', maxCpu: '1', maxMemory: '1Gi' },
    requestsPerSecond: 100,
    connectionPool: { maxConnections: 50, http1MaxPendingRequests: 25, http2MaxRequests: 100, maxRequestsPerConnection: 50 },
    outlierDetection: { consecutive5xxErrors: 5, interval: '30s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    priority: 1000,
    database: { isolation: 'schema-per-tenant', connectionLimit: 10, statementTimeoutSeconds: 15 },
    nodes: { isolation: 'shared' },
  },
  standard: {
    description: 'Shared nodes, medium quota, 1000 requests/s',
    quota: { cpu: '4', memory: '8Gi', pods: 25, services: 15, persistentVolumeClaims: 5, storage: '50Gi', secrets: 50, configMaps: 50 },
    limitRange: { defaultCpu: '500m', defaultMemory: '512Mi', defaultRequestCpu: '100m', defaultRequestMemory: '128Mi', maxCpu: '2', maxMemory: '4Gi' },
    requestsPerSecond: 1000,
    connectionPool: { maxConnections: 200, http1MaxPendingRequests: 100, http2MaxRequests: 500, maxRequestsPerConnection: 100 },
    outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
    priority: 10000,
    database: { isolation: 'schema-per-tenant', connectionLimit: 40, statementTimeoutSeconds: 30 },
    nodes: { isolation: 'shared' },
  },
  enterprise: {
    description: 'Dedicated nodes, large quota, 10000 requests/s',
    quota: { cpu: '16', memory: '32Gi', pods: 100, services: 50, persistentVolumeClaims: 20, storage: '500Gi', secrets: 200, configMaps: 200 },
    limitRange: { defaultCpu: '1', defaultMemory: '1Gi', defaultRequestCpu: '250m', defaultRequestMemory: '256Mi', maxCpu: '8', maxMemory: '16Gi' },
    requestsPerSecond: 10000,
    connectionPool: { maxConnections: 1000, http1MaxPendingRequests: 500, http2MaxRequests: 2000, maxRequestsPerConnection: 100 },
    outlierDetection: { consecutive5xxErrors: 3, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 30 },
    priority: 100000,
    database: { isolation: 'schema-per-tenant', connectionLimit: 200, statementTimeoutSeconds: 60 },
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
    const merged = deepMerge(tierCatalog[name] ?? {}, override);
    result[name] = tierSchema.parse(merged);
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

/** Kubernetes CPU quantity in cores (`500m` -> 0.5). */
export function cpuCores(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

/** Kubernetes memory quantity in GiB (`512Mi` -> 0.5). */
export function memoryGiB(q: string): number {
  const units: Record<string, number> = { Ki: 1 / 1024 ** 2, Mi: 1 / 1024, Gi: 1, Ti: 1024 };
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] ? units[m[2]] : 1 / 1024 ** 3);
}
