import { platformNames } from '../../model/names';
import {
  RATE_LIMIT_DESCRIPTOR_KEY,
  RATE_LIMIT_DESCRIPTOR_LABEL,
  RATE_LIMIT_DOMAIN,
  RATE_LIMIT_RELEASE,
  RATE_LIMIT_UNIT,
  tenantEntryCluster,
} from '../../model/rate-limit';
import { readDescriptorFile } from '../descriptor-file';
import { at, block, isTrue, manifests, resolved, resources, strings, tenantStacks, type ResourceRef } from '../json';
import type { Rule, Violation } from '../types';

/** Names that are the same for every platform (namespaces, the gateway release); the name only needs a platform shape. */
const NAMES = platformNames({ name: 'x', environment: 'x', aws: { region: 'us-east-1', accountId: '000000000000', serviceAccounts: [] } });
const CONFIG_MAP_TYPES = ['kubernetes_config_map_v1', 'kubernetes_config_map'];

/** What is wrong with a descriptor ConfigMap for `namespace`, or undefined when it limits that tenant. */
function descriptorProblem(cm: ResourceRef, namespace: string): string | undefined {
  const files = Object.values(block(cm.body.data) ?? {}).filter((v): v is string => typeof v === 'string');
  if (files.length !== 1) return `holds ${files.length} descriptor files, not one`;
  const entries = readDescriptorFile(files[0]);
  if (!entries || entries.length !== 1) return 'is not one ratelimit descriptor';
  const [d] = entries;
  const expected = tenantEntryCluster(namespace);
  if (d.domain !== RATE_LIMIT_DOMAIN) return `declares domain ${JSON.stringify(d.domain)}, not the gateway's ${RATE_LIMIT_DOMAIN}`;
  if (d.key !== RATE_LIMIT_DESCRIPTOR_KEY || d.value !== expected)
    return `limits ${String(d.key)}=${String(d.value)}, not the tenant's ${RATE_LIMIT_DESCRIPTOR_KEY}=${expected}`;
  if (d.unit !== RATE_LIMIT_UNIT || !Number.isInteger(d.requestsPerUnit) || (d.requestsPerUnit as number) < 1)
    return `sets no whole number of requests per ${RATE_LIMIT_UNIT}`;
  return undefined;
}

/** True when a tenant stack limits each sidecar on its own (Envoy's local rate limit filter). */
function hasLocalRateLimit(stackManifests: ReturnType<typeof manifests>): boolean {
  return stackManifests.some((m) => JSON.stringify(m.manifest.spec ?? {}).includes('envoy.filters.http.local_ratelimit'));
}

export const tenantGlobalRateLimit: Rule = {
  id: 'TC-RATE-001',
  title: "Each tenant's rate limit holds per tenant at the gateway, not only per pod",
  severity: 'error',
  rationale:
    "A local rate limit gives every pod its own bucket: a tenant gets pods × its tier's rate, its own service-to-service calls spend it, " +
    'and the shared ingress gateway is unprotected. Only a descriptor of the global rate limit, counted in one place for all replicas, ' +
    "holds the tier's rate per tenant.",
  remediation:
    `Keep the tenant's descriptor ConfigMap (TenantRateLimit) in namespace ${NAMES.namespaces.rateLimit}, labelled ` +
    `${RATE_LIMIT_DESCRIPTOR_LABEL}=true, naming the tenant's entry cluster in domain ${RATE_LIMIT_DOMAIN}; keep the ${RATE_LIMIT_RELEASE} ` +
    `release beside the ingress gateway.`,
  check: (ctx) => {
    const out: Violation[] = [];
    for (const t of tenantStacks(ctx.stacks, ctx.project)) {
      const descriptors = resources(t.stack, ...CONFIG_MAP_TYPES).filter(
        (cm) =>
          resolved(t.stack, at(cm.body.metadata, 'namespace')) === NAMES.namespaces.rateLimit &&
          block(at(cm.body.metadata, 'labels'))?.[RATE_LIMIT_DESCRIPTOR_LABEL] === 'true',
      );
      const problems = descriptors.map((cm) => [cm, descriptorProblem(cm, t.namespace)] as const);
      if (problems.some(([, p]) => p === undefined)) continue;
      if (problems.length) {
        for (const [cm, problem] of problems)
          out.push({
            stack: t.stack.name,
            address: cm.address,
            message: `rate limit descriptor ${String(at(cm.body.metadata, 'name'))} of tenant ${t.id} ${problem}`,
          });
        continue;
      }
      const local = hasLocalRateLimit(manifests(t.stack, 'EnvoyFilter'));
      const address = t.namespaceResource?.address ?? t.stack.name;
      out.push({
        stack: t.stack.name,
        address,
        message: local
          ? `tenant ${t.id} is rate limited per pod only (local rate limit at each sidecar): its rate grows with its pods and nothing ` +
            `limits it at the shared gateway`
          : `tenant ${t.id} has no rate limit at the shared gateway`,
      });
    }
    for (const stack of ctx.stacks) {
      const releases = resources(stack, 'helm_release');
      const gateway = releases.find((r) => r.body.name === NAMES.ingressGatewayService);
      if (gateway && !releases.some((r) => r.body.name === RATE_LIMIT_RELEASE)) {
        out.push({
          stack: stack.name,
          address: gateway.address,
          message: `the ingress gateway is installed without the ${RATE_LIMIT_RELEASE} release: no tenant is limited at the gateway, only per pod`,
        });
      }
    }
    return out;
  },
};

export const rateLimitStore: Rule = {
  id: 'TC-RATE-002',
  title: 'ElastiCache replication groups are encrypted, authenticated and Multi-AZ',
  severity: 'error',
  rationale:
    "The rate limit's counters decide whether tenants are served: a single node takes the limit down with it, a cache without TLS and AUTH " +
    "can be read and reset by anything that reaches it in the VPC, and its data at rest belongs under the platform's key.",
  remediation:
    'Set at_rest_encryption_enabled with kms_key_id, transit_encryption_enabled with transit_encryption_mode "required", an auth_token (or ' +
    'user_group_ids), multi_az_enabled and automatic_failover_enabled with at least two cache clusters (RateLimitStore does).',
  check: (ctx) =>
    ctx.stacks.flatMap((stack) =>
      resources(stack, 'aws_elasticache_replication_group').flatMap((r) => {
        const b = r.body;
        const problems: string[] = [];
        if (!isTrue(b.at_rest_encryption_enabled) || !b.kms_key_id) problems.push('is not encrypted at rest with a KMS key');
        if (!isTrue(b.transit_encryption_enabled) || (b.transit_encryption_mode ?? 'required') !== 'required')
          problems.push('accepts connections without TLS');
        if (!b.auth_token && !strings(b.user_group_ids).length) problems.push('requires no authentication');
        // Cluster mode counts replicas per shard; otherwise every cache cluster but the primary is a replica.
        const replicas = b.num_node_groups !== undefined ? Number(b.replicas_per_node_group ?? 0) : Number(b.num_cache_clusters ?? 1) - 1;
        if (!isTrue(b.multi_az_enabled) || !isTrue(b.automatic_failover_enabled) || replicas < 1)
          problems.push('has no replica to fail over to in another AZ');
        return problems.length
          ? [{ stack: stack.name, address: r.address, message: `replication group ${String(b.replication_group_id ?? r.id)} ${problems.join('; ')}` }]
          : [];
      }),
    ),
};

export const rateLimitRules: readonly Rule[] = [tenantGlobalRateLimit, rateLimitStore];
