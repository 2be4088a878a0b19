import { formatCpu, formatMemory, kibibytes, millicores } from './quantities';

/**
 * What a tier's quota admits. A pod that declares no resources gets the LimitRange defaults for
 * its app container, and the mesh adds its sidecar with the tier's sidecar resources: that default
 * pod, counted against each of the quota's four budgets, says how many pods the tier really runs.
 */

/** CPU in millicores, memory in KiB, keyed by the ResourceQuota entry they count against. */
export interface ResourceAmounts {
  readonly 'requests.cpu': number;
  readonly 'limits.cpu': number;
  readonly 'requests.memory': number;
  readonly 'limits.memory': number;
}
export type QuotaResource = keyof ResourceAmounts;
export const QUOTA_RESOURCES: readonly QuotaResource[] = ['requests.cpu', 'limits.cpu', 'requests.memory', 'limits.memory'];

/** Requests and limits as Kubernetes quantities. */
export interface ResourceQuantities {
  readonly requestCpu: string;
  readonly limitCpu: string;
  readonly requestMemory: string;
  readonly limitMemory: string;
}

export function amounts(q: ResourceQuantities): ResourceAmounts {
  return {
    'requests.cpu': millicores(q.requestCpu),
    'limits.cpu': millicores(q.limitCpu),
    'requests.memory': kibibytes(q.requestMemory),
    'limits.memory': kibibytes(q.limitMemory),
  };
}

export function addAmounts(a: ResourceAmounts, b: ResourceAmounts): ResourceAmounts {
  return {
    'requests.cpu': a['requests.cpu'] + b['requests.cpu'],
    'limits.cpu': a['limits.cpu'] + b['limits.cpu'],
    'requests.memory': a['requests.memory'] + b['requests.memory'],
    'limits.memory': a['limits.memory'] + b['limits.memory'],
  };
}

/** One amount as a quantity (`limits.cpu` 150 -> `150m`). */
export function formatAmount(resource: QuotaResource, value: number): string {
  return resource.endsWith('.cpu') ? formatCpu(value) : formatMemory(value);
}

export interface Admission {
  /** Default pods the quota admits: the smallest of its pod count and what each budget holds. */
  readonly pods: number;
  /** What limits it: a budget, or the pod count itself. */
  readonly limitedBy: QuotaResource | 'pods';
  /** Default pods each budget holds. */
  readonly perResource: Readonly<Record<QuotaResource, number>>;
}

/** How many pods of `pod` size a quota admits. */
export function podsAdmitted(quota: ResourceAmounts, quotaPods: number, pod: ResourceAmounts): Admission {
  const perResource = Object.fromEntries(QUOTA_RESOURCES.map((r) => [r, pod[r] > 0 ? Math.floor(quota[r] / pod[r]) : Infinity])) as Record<
    QuotaResource,
    number
  >;
  let limitedBy: QuotaResource | 'pods' = 'pods';
  let pods = quotaPods;
  for (const r of QUOTA_RESOURCES) {
    if (perResource[r] < pods) {
      pods = perResource[r];
      limitedBy = r;
    }
  }
  return { pods, limitedBy, perResource };
}

/** The parts of a tier that decide its capacity. */
export interface TierCapacityInput {
  readonly quota: { readonly cpu: string; readonly cpuLimit: string; readonly memory: string; readonly memoryLimit: string; readonly pods: number };
  readonly limitRange: {
    readonly defaultCpu: string;
    readonly defaultMemory: string;
    readonly defaultRequestCpu: string;
    readonly defaultRequestMemory: string;
  };
  readonly sidecar: ResourceQuantities;
}

export function tierQuota(tier: TierCapacityInput): ResourceAmounts {
  const q = tier.quota;
  return amounts({ requestCpu: q.cpu, limitCpu: q.cpuLimit, requestMemory: q.memory, limitMemory: q.memoryLimit });
}

/** The app container a pod gets when it declares no resources (the LimitRange defaults). */
export function defaultAppContainer(tier: TierCapacityInput): ResourceAmounts {
  const l = tier.limitRange;
  return amounts({ requestCpu: l.defaultRequestCpu, limitCpu: l.defaultCpu, requestMemory: l.defaultRequestMemory, limitMemory: l.defaultMemory });
}

/** A default pod: one app container with the LimitRange defaults and the tier's sidecar. */
export function defaultPod(tier: TierCapacityInput): ResourceAmounts {
  return addAmounts(defaultAppContainer(tier), amounts(tier.sidecar));
}

/** How many default pods the tier's quota admits. */
export function tierAdmission(tier: TierCapacityInput): Admission {
  return podsAdmitted(tierQuota(tier), tier.quota.pods, defaultPod(tier));
}

/** The tier field that holds a quota budget, for messages that say what to raise. */
export const QUOTA_FIELD: Readonly<Record<QuotaResource, string>> = {
  'requests.cpu': 'quota.cpu',
  'limits.cpu': 'quota.cpuLimit',
  'requests.memory': 'quota.memory',
  'limits.memory': 'quota.memoryLimit',
};

export interface TierProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * What makes a tier inconsistent: limits below requests (in the quota, the LimitRange or the
 * sidecar), defaults above the LimitRange maxima (such pods would be rejected), and a quota that
 * admits fewer default pods than its pod count promises.
 */
export function tierProblems(
  tier: TierCapacityInput & { readonly limitRange: { readonly maxCpu: string; readonly maxMemory: string } },
): TierProblem[] {
  const problems: TierProblem[] = [];
  const q = tier.quota;
  const l = tier.limitRange;
  const s = tier.sidecar;
  const atLeast = (path: (string | number)[], value: string, floor: string, floorName: string, parse: (q: string) => number) => {
    if (parse(value) < parse(floor))
      problems.push({ path, message: `${value} is below ${floorName} ${floor}: a limit cannot be smaller than its request` });
  };
  atLeast(['quota', 'cpuLimit'], q.cpuLimit, q.cpu, 'quota.cpu', millicores);
  atLeast(['quota', 'memoryLimit'], q.memoryLimit, q.memory, 'quota.memory', kibibytes);
  atLeast(['limitRange', 'defaultCpu'], l.defaultCpu, l.defaultRequestCpu, 'limitRange.defaultRequestCpu', millicores);
  atLeast(['limitRange', 'defaultMemory'], l.defaultMemory, l.defaultRequestMemory, 'limitRange.defaultRequestMemory', kibibytes);
  atLeast(['sidecar', 'limitCpu'], s.limitCpu, s.requestCpu, 'sidecar.requestCpu', millicores);
  atLeast(['sidecar', 'limitMemory'], s.limitMemory, s.requestMemory, 'sidecar.requestMemory', kibibytes);
  const atMost = (path: (string | number)[], value: string, max: string, maxName: string, parse: (q: string) => number) => {
    if (parse(value) > parse(max))
      problems.push({ path, message: `${value} is above ${maxName} ${max}: the LimitRange would reject such a container` });
  };
  atMost(['limitRange', 'defaultCpu'], l.defaultCpu, l.maxCpu, 'limitRange.maxCpu', millicores);
  atMost(['limitRange', 'defaultMemory'], l.defaultMemory, l.maxMemory, 'limitRange.maxMemory', kibibytes);
  atMost(['sidecar', 'limitCpu'], s.limitCpu, l.maxCpu, 'limitRange.maxCpu', millicores);
  atMost(['sidecar', 'limitMemory'], s.limitMemory, l.maxMemory, 'limitRange.maxMemory', kibibytes);
  if (problems.length) return problems;

  const admission = tierAdmission(tier);
  if (admission.limitedBy !== 'pods') {
    const r = admission.limitedBy;
    const pod = defaultPod(tier);
    problems.push({
      path: ['quota', ...QUOTA_FIELD[r].split('.').slice(1)],
      message:
        `${QUOTA_FIELD[r]} ${formatAmount(r, tierQuota(tier)[r])} admits ${admission.pods} default pods of ${formatAmount(r, pod[r])} ${r} ` +
        `(app container ${formatAmount(r, defaultAppContainer(tier)[r])} + sidecar ${formatAmount(r, amounts(s)[r])}), ` +
        `fewer than quota.pods ${q.pods}: raise ${QUOTA_FIELD[r]} to ${formatAmount(r, pod[r] * q.pods)}, or lower quota.pods or the default sizes`,
    });
  }
  return problems;
}

/**
 * The database plan (replicas per tenant, from database.servicesPerTenant x replicasPerService)
 * sizes the proxy pool: every tier must run that many default pods, and give each of them a
 * database connection, or the pool is sized for tenants that cannot exist.
 */
export function poolPlanProblems(
  plan: { readonly servicesPerTenant: number; readonly replicasPerService: number },
  tiers: Readonly<Record<string, TierCapacityInput & { readonly database: { readonly connectionLimit: number } }>>,
): TierProblem[] {
  const pods = plan.servicesPerTenant * plan.replicasPerService;
  return Object.entries(tiers).flatMap(([name, tier]): TierProblem[] => {
    const admitted = tierAdmission(tier).pods;
    const why =
      admitted < pods
        ? `tier ${name} admits only ${admitted} default pods`
        : tier.database.connectionLimit < pods
          ? `tier ${name} allows only ${tier.database.connectionLimit} database connections`
          : undefined;
    return why
      ? [
          {
            path: ['database', 'replicasPerService'],
            message: `servicesPerTenant x replicasPerService plans ${pods} pods per tenant, but ${why}: lower the plan or raise tiers.${name}`,
          },
        ]
      : [];
  });
}
