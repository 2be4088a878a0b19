import type { PlatformNames } from './names';
import type { TierSpec } from './tiers';

/**
 * The hard limits of a tenant namespace's ResourceQuota, from its tier (with the tenant's
 * overrides). Its requests are the capacity reserved for the tenant, its limits the burst ceiling.
 * One definition for the quota the tenant stack writes and the entitlement its pipeline carries.
 */
export function tenantQuotaHard(quota: TierSpec['quota']): Readonly<Record<string, string>> {
  return {
    'requests.cpu': quota.cpu,
    'limits.cpu': quota.cpuLimit,
    'requests.memory': quota.memory,
    'limits.memory': quota.memoryLimit,
    pods: String(quota.pods),
    services: String(quota.services),
    // Tenants are reached through the shared ingress gateway only: no load balancers or node ports of their own.
    'services.loadbalancers': '0',
    'services.nodeports': '0',
    persistentvolumeclaims: String(quota.persistentVolumeClaims),
    'requests.storage': quota.storage,
    secrets: String(quota.secrets),
    configmaps: String(quota.configMaps),
  };
}

/**
 * The Kubernetes groups that state what a tenant's pipeline may claim for its tenant: its tier,
 * each hard limit of its quota and its requests per second at the gateway. They ride on the
 * pipeline's access entry, which the platform's bootstrap stack writes, so a tenant workspace
 * cannot raise its own quota, rate limit or tier.
 */
export function tenantEntitlementGroups(
  names: Pick<PlatformNames, 'tenantDeployers'>,
  tier: string,
  tierSpec: Pick<TierSpec, 'quota' | 'requestsPerSecond'>,
): string[] {
  const { tierGroupPrefix, quotaGroupPrefix, rateLimitGroupPrefix } = names.tenantDeployers;
  return [
    `${tierGroupPrefix}${tier}`,
    ...Object.entries(tenantQuotaHard(tierSpec.quota)).map(([resource, value]) => `${quotaGroupPrefix}${resource}=${value}`),
    `${rateLimitGroupPrefix}${tierSpec.requestsPerSecond}`,
  ];
}
