import { TENANT_ENTRY_SERVICE, platformNames, tenantNames } from './names';
import type { PlatformSpec } from './platform-schema';
import { earlierWaves, releasedTag, waveIndex } from './release-waves';
import { TENANT_PLACEHOLDER, canaryServiceName, servicePath, type ServiceIamStatement, type ServiceTierValues } from './service-catalog';
import type { TenantFile } from './tenant-schema';
import {
  QUOTA_FIELD,
  QUOTA_RESOURCES,
  addAmounts,
  amounts,
  formatAmount,
  tierQuota,
  type ResourceAmounts,
  type TierCapacityInput,
} from './tier-capacity';
import { deepMerge } from './tiers';
import { kibibytes, millicores } from './quantities';

/**
 * One catalog service as it runs for one tenant: the catalog entry with the tenant's tier values
 * and pins applied, and every name its objects get. Pure: stacks, `validate` and `tenant show`
 * all read it from here.
 */
export interface TenantService {
  readonly name: string;
  readonly image: { readonly repository: string; readonly tag: string };
  /** True when the tenant file pins the tag. */
  readonly pinned: boolean;
  /** The tenant's rollout wave (platform.json `waves`), and the waves before it that its canary waits for. */
  readonly wave?: { readonly name: string; readonly earlier: readonly string[] };
  /**
   * The canary's Service when the mesh splits the traffic (Argo Rollouts' host-level split through
   * a mesh-internal VirtualService). None for the entry service: the gateway's route names the
   * entry Service only (its rate limit counts per destination), so its canary share is its share of the pods.
   */
  readonly canaryService?: string;
  readonly port: number;
  readonly healthPath: string;
  readonly entry: boolean;
  /** Its role may connect to the tenant's database as the tenant's database user. */
  readonly database: boolean;
  /** The Kubernetes Service: the entry service's is the one the tenant's VirtualService routes to. */
  readonly service: { readonly name: string; readonly port: number };
  readonly serviceAccount: string;
  readonly roleName: string;
  /** The catalog's IAM statements with the tenant id in place of {tenant}. */
  readonly iam: readonly ServiceIamStatement[];
  readonly values: ServiceTierValues;
  readonly targetCpuUtilization: number;
  readonly application: string;
  /** Git path of the tenant's deployment of the service. */
  readonly path: string;
}

/**
 * Pods a canary adds above the autoscaler's maximum (the Rollout's maxSurge in
 * templates/charts/tenant-service): the quota must hold them too, or a rollout stalls at the top.
 * A mesh-split canary costs no more: with dynamicStableScale the stable pods shrink as the canary
 * grows and grow back as it shrinks (an abort too), both rounded up, so one pod above the total.
 */
export const ROLLOUT_SURGE = 1;

/** Kubernetes Services of one catalog service: its own, and its canary's when the mesh splits its traffic. */
export function serviceObjects(service: Pick<TenantService, 'canaryService'>): number {
  return service.canaryService ? 2 : 1;
}

/** The tenant's deployments of every catalog service (none when the catalog is empty). */
export function tenantServices(platform: PlatformSpec, tenant: Pick<TenantFile, 'id' | 'tier' | 'services' | 'wave'>): TenantService[] {
  const gitops = platform.gitops;
  if (!gitops) return [];
  const names = platformNames(platform);
  const own = tenantNames(platform, tenant.id);
  const index = waveIndex(platform.waves, tenant);
  const wave = platform.waves.length ? { name: platform.waves[index].name, earlier: earlierWaves(platform.waves, index) } : undefined;
  return platform.services.map((s) => {
    const pin = tenant.services[s.name];
    const values = deepMerge(deepMerge(s.defaults, s.tiers[tenant.tier] ?? {}), pin?.tier ?? {}) as ServiceTierValues;
    return {
      name: s.name,
      image: { repository: names.ecrImage(s.repository), tag: pin?.tag ?? releasedTag(s, platform.waves, index) },
      pinned: pin?.tag !== undefined,
      wave,
      canaryService: s.entry ? undefined : canaryServiceName(s.name),
      port: s.port,
      healthPath: s.healthPath,
      entry: s.entry,
      database: s.database,
      service: s.entry ? { name: TENANT_ENTRY_SERVICE.name, port: TENANT_ENTRY_SERVICE.port } : { name: s.name, port: s.port },
      serviceAccount: s.name,
      roleName: own.serviceRole(s.name),
      iam: s.iam.map((st) => ({ actions: st.actions, resources: st.resources.map((r) => r.split(TENANT_PLACEHOLDER).join(tenant.id)) })),
      values,
      targetCpuUtilization: s.targetCpuUtilization,
      application: own.application(s.name),
      path: servicePath(gitops, tenant.id, s.name),
    };
  });
}

/** The most a service's pods take from the quota: its autoscaler's maximum plus the rollout surge, each pod with its sidecar. */
export function serviceFootprint(
  service: Pick<TenantService, 'values'>,
  sidecar: TierCapacityInput['sidecar'],
): { pods: number; amounts: ResourceAmounts } {
  const r = service.values.resources;
  const pod = addAmounts(
    amounts({ requestCpu: r.requestCpu, limitCpu: r.limitCpu, requestMemory: r.requestMemory, limitMemory: r.limitMemory }),
    amounts(sidecar),
  );
  const pods = service.values.replicas.max + ROLLOUT_SURGE;
  return { pods, amounts: Object.fromEntries(QUOTA_RESOURCES.map((q) => [q, pod[q] * pods])) as unknown as ResourceAmounts };
}

export interface ServiceProblem {
  /** Field of the tenant file at fault (or of the catalog, `services.<name>`). */
  readonly field: string;
  readonly message: string;
}

/**
 * What keeps the tenant's services from running in its envelope: a pin of a service the catalog
 * lacks, limits below requests, containers above the LimitRange maxima, min above max, and
 * services that at their maximum (plus the rollout surge, each pod with its sidecar) need more
 * than the tier's quota: pods, Services, or one of its CPU and memory budgets.
 */
export function tenantServiceProblems(
  platform: PlatformSpec,
  tenant: Pick<TenantFile, 'id' | 'tier' | 'services' | 'wave'>,
  tier: TierCapacityInput & {
    readonly limitRange: { readonly maxCpu: string; readonly maxMemory: string };
    readonly quota: { readonly services: number };
  },
): ServiceProblem[] {
  const problems: ServiceProblem[] = [];
  const catalog = platform.services.map((s) => s.name);
  for (const name of Object.keys(tenant.services)) {
    if (!catalog.includes(name))
      problems.push({
        field: `services.${name}`,
        message: `is not a catalog service: use one of ${catalog.join(', ') || '(none: platform.json has no services)'}`,
      });
  }
  if (tenant.wave !== undefined && !platform.waves.some((w) => w.name === tenant.wave))
    problems.push({
      field: 'wave',
      message: platform.waves.length
        ? `is not a rollout wave: use one of ${platform.waves.map((w) => w.name).join(', ')}`
        : 'is not a rollout wave: platform.json defines no waves',
    });
  const services = tenantServices(platform, tenant);
  if (services.length === 0) return problems;
  for (const s of services) {
    const field = tenant.services[s.name]?.tier ? `services.${s.name}.tier` : `services.${s.name}`;
    const { resources: r, replicas } = s.values;
    const where = `service ${s.name} in tier ${tenant.tier}`;
    if (replicas.min > replicas.max)
      problems.push({ field, message: `${where}: replicas.min ${replicas.min} is above replicas.max ${replicas.max}` });
    if (millicores(r.limitCpu) < millicores(r.requestCpu))
      problems.push({ field, message: `${where}: limitCpu ${r.limitCpu} is below requestCpu ${r.requestCpu}` });
    if (kibibytes(r.limitMemory) < kibibytes(r.requestMemory))
      problems.push({ field, message: `${where}: limitMemory ${r.limitMemory} is below requestMemory ${r.requestMemory}` });
    if (millicores(r.limitCpu) > millicores(tier.limitRange.maxCpu))
      problems.push({
        field,
        message: `${where}: limitCpu ${r.limitCpu} is above the LimitRange's maxCpu ${tier.limitRange.maxCpu}, which would reject the pod`,
      });
    if (kibibytes(r.limitMemory) > kibibytes(tier.limitRange.maxMemory))
      problems.push({
        field,
        message:
          `${where}: limitMemory ${r.limitMemory} is above the LimitRange's maxMemory ${tier.limitRange.maxMemory}, which would ` + `reject the pod`,
      });
  }
  if (problems.length) return problems;

  const footprints = services.map((s) => serviceFootprint(s, tier.sidecar));
  const pods = footprints.reduce((n, f) => n + f.pods, 0);
  const field = 'tier';
  if (pods > tier.quota.pods) {
    problems.push({
      field,
      message: `the services need ${pods} pods at their maximum replicas plus ${ROLLOUT_SURGE} per service for their rollouts, above quota.pods ${tier.quota.pods} of tier ${tenant.tier}: lower replicas.max or raise the quota`,
    });
  }
  const objects = services.reduce((n, s) => n + serviceObjects(s), 0);
  if (objects > tier.quota.services) {
    problems.push({
      field,
      message: `${services.length} services need ${objects} Kubernetes Services (with their canaries'), above quota.services ${tier.quota.services} of tier ${tenant.tier}`,
    });
  }
  const quota = tierQuota(tier);
  const total = footprints.reduce((sum, f) => addAmounts(sum, f.amounts), {
    'requests.cpu': 0,
    'limits.cpu': 0,
    'requests.memory': 0,
    'limits.memory': 0,
  } as ResourceAmounts);
  for (const q of QUOTA_RESOURCES) {
    if (total[q] > quota[q]) {
      problems.push({
        field,
        message:
          `the services need ${formatAmount(q, total[q])} ${q} at their maximum replicas (plus the rollout surge, each pod with its ` +
          `sidecar), above ${QUOTA_FIELD[q]} ${formatAmount(q, quota[q])} of tier ${tenant.tier}: lower the services' resources or ` +
          `replicas.max, or raise the quota`,
      });
    }
  }
  return problems;
}
