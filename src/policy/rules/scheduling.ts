import { TENANT_LABEL } from '../../model/labels';
import { platformNames, tenantIdOfStack } from '../../model/names';
import { POOL_LABEL, SYSTEM_TAINT, eksTaintEffect } from '../../model/node-pools';
import { systemPriority } from '../../model/priorities';
import {
  amounts,
  formatAmount,
  podsAdmitted,
  QUOTA_RESOURCES,
  addAmounts,
  type QuotaResource,
  type ResourceAmounts,
  type ResourceQuantities,
} from '../../model/tier-capacity';
import {
  at,
  block,
  blocks,
  manifests,
  namespaceOf,
  resolved,
  resources,
  strings,
  tenantStacks,
  type Json,
  type ManifestRef,
  type TenantStackInfo,
} from '../json';
import { firstSet, jsonAttribute, platformReleases, valueAt, type ChartWorkload, type PlatformRelease } from '../platform-charts';
import type { Rule, RuleContext, StackDocument, Violation } from '../types';

/**
 * Scheduling across tenants and the platform: who may preempt whom, which nodes each pod may use,
 * and whether a tenant's quota holds the pods its tier promises once the mesh adds its sidecar.
 */

/** Namespaces are the same for every platform; the name only needs a platform shape. */
const NAMESPACES = platformNames({
  name: 'x',
  environment: 'x',
  aws: { region: 'us-east-1', accountId: '000000000000', serviceAccounts: [] },
}).namespaces;
const PLATFORM_NAMESPACES = new Set([...Object.values(NAMESPACES), 'kube-system']);

/** Stacks that are not a tenant's: where the platform's releases and node groups live. */
const platformStacks = (ctx: RuleContext) => ctx.stacks.filter((s) => tenantIdOfStack(s.name) === undefined);

/** Kyverno Policies in the tenant's namespace. */
function tenantPolicies(t: TenantStackInfo): ManifestRef[] {
  return manifests(t.stack, 'Policy').filter((m) => String(m.manifest.apiVersion ?? '').startsWith('kyverno.io/') && namespaceOf(m) === t.namespace);
}

/** The mutate patches (patchStrategicMerge) of a tenant's Kyverno policies on Pod creation. */
function podPatches(t: TenantStackInfo): Json[] {
  return tenantPolicies(t).flatMap((p) =>
    blocks(at(p.manifest.spec, 'rules'))
      .filter((r) => blocks(at(r, 'match.any')).some((m) => strings(at(m, 'resources.kinds')).includes('Pod')))
      .map((r) => block(at(r, 'mutate.patchStrategicMerge')))
      .filter((p): p is Json => !!p),
  );
}

/** A workload as messages name it: the release, and the workload when the chart has several. */
const workloadLabel = (release: PlatformRelease, w: ChartWorkload) => {
  const name = String(release.ref.body.name ?? release.chart);
  return w.name === name ? name : `${name} ${w.name}`;
};

/** Kyverno's add-if-absent anchor `+(key)` stripped from a key. */
const unanchored = (key: string) => /^\+\((.*)\)$/.exec(key)?.[1] ?? key;
const unanchoredKeys = (obj: Json | undefined): Json => Object.fromEntries(Object.entries(obj ?? {}).map(([k, v]) => [unanchored(k), v]));

// ---------------------------------------------------------------------------------------------
// Priorities

/** PriorityClass values the stacks define, by name. */
function priorityClasses(ctx: RuleContext): Map<string, number> {
  const out = new Map<string, number>();
  for (const stack of ctx.stacks) {
    for (const pc of resources(stack, 'kubernetes_priority_class_v1', 'kubernetes_priority_class')) {
      const name = resolved(stack, at(pc.body.metadata, 'name'));
      const value = Number(pc.body.value);
      if (name && Number.isFinite(value)) out.set(name, value);
    }
  }
  return out;
}

interface TenantPriority {
  readonly value: number;
  /** Who has it, for messages: `tier enterprise (tenant-enterprise)` or `tenant acme`. */
  readonly who: string;
}

/** The priorities tenant pods may get: tier PriorityClasses and what tenants' policies set. */
function tenantPriorities(ctx: RuleContext, classes: Map<string, number>): TenantPriority[] {
  const out: TenantPriority[] = [];
  for (const stack of platformStacks(ctx)) {
    for (const pc of resources(stack, 'kubernetes_priority_class_v1', 'kubernetes_priority_class')) {
      const tier = block(at(pc.body.metadata, 'labels'))?.['tenantctl.io/tier'];
      if (typeof tier === 'string' && Number.isFinite(Number(pc.body.value)))
        out.push({ value: Number(pc.body.value), who: `tier ${tier} (${String(at(pc.body.metadata, 'name'))})` });
    }
  }
  for (const t of tenantStacks(ctx.stacks, ctx.project)) {
    for (const patch of podPatches(t)) {
      const spec = block(patch.spec);
      const value =
        typeof spec?.priority === 'number'
          ? spec.priority
          : typeof spec?.priorityClassName === 'string'
            ? classes.get(spec.priorityClassName)
            : undefined;
      if (value !== undefined) out.push({ value, who: `tenant ${t.id}` });
    }
  }
  return out;
}

/** The priority a workload of a release runs at, and the class that gives it. */
function workloadPriority(
  release: PlatformRelease,
  w: ChartWorkload,
  classes: Map<string, number>,
): { value: number | undefined; className?: string } {
  const set = w.priorityClassName ? valueAt(release.values, w.priorityClassName) : undefined;
  const className = typeof set === 'string' && set !== '' ? set : w.defaultPriorityClass;
  if (!className) return { value: 0 };
  return { value: systemPriority(className) ?? classes.get(className), className };
}

export const platformOutranksTenants: Rule = {
  id: 'TC-SCHED-001',
  title: 'Every platform component ranks above every tenant tier',
  severity: 'error',
  rationale:
    'Tenant PriorityClasses preempt: a tenant scale-up evicts whatever runs at a lower priority where it needs room. The mesh control ' +
    'plane, the ingress gateway, Kyverno (whose Fail policy then blocks every pod creation) and the node agents must rank above every tier.',
  remediation:
    'Give the workload system-cluster-critical (cluster-wide dependencies), system-node-critical (node agents) or the tenantctl-platform ' +
    'PriorityClass, and keep tier priorities below 1000000000.',
  check: (ctx) => {
    const classes = priorityClasses(ctx);
    const tenants = tenantPriorities(ctx, classes);
    if (!tenants.length) return [];
    const top = tenants.reduce((a, b) => (b.value > a.value ? b : a));
    return platformStacks(ctx).flatMap((stack) =>
      platformReleases(stack).flatMap((release) =>
        (release.workloads ?? [])
          .filter((w) => w.priorityClassName || w.defaultPriorityClass)
          .flatMap((w): Violation[] => {
            const { value, className } = workloadPriority(release, w, classes);
            if (value === undefined) {
              return [
                {
                  stack: stack.name,
                  address: release.ref.address,
                  severity: 'warning',
                  message: `${workloadLabel(release, w)} uses PriorityClass ${className}, which no stack defines: cannot tell its priority`,
                },
              ];
            }
            return value > top.value
              ? []
              : [
                  {
                    stack: stack.name,
                    address: release.ref.address,
                    message: `${workloadLabel(release, w)} runs at priority ${value} (${className ?? 'no PriorityClass'}), not above ${top.who} at ${top.value}: tenant pods can preempt it`,
                  },
                ];
          }),
      ),
    );
  },
};

// ---------------------------------------------------------------------------------------------
// Placement

const selectsSystem = (selector: unknown) => block(selector)?.[POOL_LABEL] === SYSTEM_TAINT.value;
const toleratesSystem = (tolerations: unknown) =>
  blocks(tolerations).some(
    (t) =>
      t.key === SYSTEM_TAINT.key &&
      (t.operator === 'Exists' || t.value === SYSTEM_TAINT.value) &&
      (t.effect === undefined || t.effect === '' || t.effect === SYSTEM_TAINT.effect),
  );

/** What keeps pods with this selector and these tolerations off the system nodes, or undefined. */
function placementProblem(selector: unknown, tolerations: unknown): string | undefined {
  const problems = [
    ...(selectsSystem(selector) ? [] : [`no ${POOL_LABEL}=${SYSTEM_TAINT.value} node selector`]),
    ...(toleratesSystem(tolerations) ? [] : ['no toleration of the system taint']),
  ];
  return problems.length ? problems.join(' and ') : undefined;
}

/** EKS add-ons that run Deployments, and where their configuration takes the pod's placement. */
const ADDON_PLACEMENT: Readonly<Record<string, string>> = { coredns: '', 'aws-ebs-csi-driver': 'controller' };

/** Kubernetes workload resources and where their pod spec sits. */
const WORKLOAD_POD_SPEC: Readonly<Record<string, string>> = {
  kubernetes_job_v1: 'spec.template.spec',
  kubernetes_deployment_v1: 'spec.template.spec',
  kubernetes_stateful_set_v1: 'spec.template.spec',
  kubernetes_cron_job_v1: 'spec.job_template.spec.template.spec',
};

export const platformOnSystemNodes: Rule = {
  id: 'TC-SCHED-002',
  title: 'Platform pods run on the tainted system nodes only',
  severity: 'error',
  rationale:
    'Platform components on the shared tenant nodes compete with tenant pods for CPU and memory, and a node that runs tenant code can reach ' +
    'what runs beside it; an untainted system node group takes tenant pods. The system nodes carry a taint only platform pods tolerate, ' +
    'and every platform pod selects them.',
  remediation:
    `Taint the system node group ${POOL_LABEL}=${SYSTEM_TAINT.value}:NoSchedule, and give every platform workload the node ` +
    `selector ${POOL_LABEL}=${SYSTEM_TAINT.value} and a toleration of that taint (chart values, EKS add-on configuration, pod specs).`,
  check: (ctx) => {
    const out: Violation[] = [];
    for (const stack of platformStacks(ctx)) {
      for (const ng of resources(stack, 'aws_eks_node_group')) {
        if (block(ng.body.labels)?.[POOL_LABEL] !== SYSTEM_TAINT.value) continue;
        const tainted = blocks(ng.body.taint).some(
          (t) => t.key === SYSTEM_TAINT.key && t.value === SYSTEM_TAINT.value && t.effect === eksTaintEffect(SYSTEM_TAINT.effect),
        );
        if (!tainted)
          out.push({
            stack: stack.name,
            address: ng.address,
            message:
              `node group ${String(ng.body.node_group_name ?? ng.id)} is the system pool but has no ` +
              `${POOL_LABEL}=${SYSTEM_TAINT.value}:NoSchedule taint: tenant pods can be scheduled there`,
          });
      }
      for (const addon of resources(stack, 'aws_eks_addon')) {
        const prefix = ADDON_PLACEMENT[String(addon.body.addon_name)];
        if (prefix === undefined) continue;
        const config = addon.body.configuration_values === undefined ? {} : jsonAttribute(addon.body.configuration_values);
        if (!config) {
          out.push({
            stack: stack.name,
            address: addon.address,
            severity: 'warning',
            message: `the configuration of add-on ${String(addon.body.addon_name)} cannot be read: cannot check where its pods run`,
          });
          continue;
        }
        const scope = prefix ? block(config[prefix]) : config;
        const problem = placementProblem(scope?.nodeSelector, scope?.tolerations);
        if (problem)
          out.push({
            stack: stack.name,
            address: addon.address,
            message: `add-on ${String(addon.body.addon_name)} has ${problem}${prefix ? ` in ${prefix}` : ''}: its pods run on tenant nodes`,
          });
      }
      for (const release of platformReleases(stack)) {
        if (!release.workloads) {
          out.push({
            stack: stack.name,
            address: release.ref.address,
            severity: 'warning',
            message: `chart ${release.chart} is not one tenantctl knows: cannot check where its pods run`,
          });
          continue;
        }
        if (!release.values) {
          out.push({
            stack: stack.name,
            address: release.ref.address,
            severity: 'warning',
            message: `the values of release ${String(release.ref.body.name)} cannot be read: cannot check where its pods run`,
          });
          continue;
        }
        for (const w of release.workloads.filter((w) => !w.daemonSet)) {
          const problem = placementProblem(firstSet(release.values, w.nodeSelector), firstSet(release.values, w.tolerations));
          if (problem)
            out.push({
              stack: stack.name,
              address: release.ref.address,
              message: `${workloadLabel(release, w)} has ${problem}: its pods run on tenant nodes`,
            });
        }
      }
    }
    for (const stack of ctx.stacks) {
      for (const [type, path] of Object.entries(WORKLOAD_POD_SPEC)) {
        for (const r of resources(stack, type)) {
          const namespace = resolved(stack, at(r.body.metadata, 'namespace'));
          if (!namespace || !PLATFORM_NAMESPACES.has(namespace)) continue;
          const pod = block(at(r.body, path));
          const problem = placementProblem(pod?.node_selector, pod?.toleration);
          if (problem)
            out.push({
              stack: stack.name,
              address: r.address,
              message: `${type.replace(/^kubernetes_|_v1$/g, '')} ${String(at(r.body.metadata, 'name'))} in ${namespace} has ${problem}: its pods run on tenant nodes`,
            });
        }
      }
    }
    return out;
  },
};

export const tenantsOnTheirNodes: Rule = {
  id: 'TC-SCHED-003',
  title: "Tenant pods run on their tier's nodes only",
  severity: 'error',
  rationale:
    "Without a node selector set for them, a tenant's pods land on any node they tolerate: a shared tier's on another tenant's untainted " +
    "capacity, a dedicated tier's anywhere.",
  remediation:
    `Keep the tenant's scheduling policy: it sets ${POOL_LABEL}=tenants (shared tiers) or ${TENANT_LABEL}=<id> (dedicated tiers) ` +
    `as the node selector of every Pod.`,
  check: (ctx) =>
    tenantStacks(ctx.stacks, ctx.project).flatMap((t): Violation[] => {
      const dedicated = resources(t.stack, 'aws_eks_node_group').length > 0;
      const expected = dedicated ? { [TENANT_LABEL]: t.id } : { [POOL_LABEL]: 'tenants' };
      const address = tenantPolicies(t)[0]?.address ?? t.namespaceResource?.address ?? t.stack.name;
      const selectors = podPatches(t)
        .map((p) => block(at(p, 'spec.nodeSelector')))
        .filter((s): s is Json => !!s);
      const out: Violation[] = [];
      if (!selectors.some((s) => Object.entries(expected).every(([k, v]) => s[k] === v))) {
        const [[key, value]] = Object.entries(expected);
        out.push({
          stack: t.stack.name,
          address,
          message: `no policy gives the pods of tenant ${t.id} the node selector ${key}=${value}: they can be scheduled on ${dedicated ? 'nodes other than its own' : 'any untainted node'}`,
        });
      }
      return out;
    }),
};

/** What a platform admission policy of tenant pods must check, and what is lost without it. */
const TENANT_POD_CHECKS: readonly { readonly test: (text: string) => boolean; readonly what: string }[] = [
  { test: (t) => t.includes('priorityClassName'), what: "the tier's PriorityClass (a tenant pod could take the platform's and preempt it)" },
  { test: (t) => t.includes('nodeSelector'), what: "the tier's nodes (a dedicated tenant's pods could take the shared nodes)" },
  {
    test: (t) => t.includes('tolerations') && t.includes(`'${POOL_LABEL}'`) && t.includes(`'${TENANT_LABEL}'`),
    what: `no toleration of the system nodes' or another tenant's taint (${POOL_LABEL}, ${TENANT_LABEL})`,
  },
];

/** Validation texts of the ValidatingAdmissionPolicies bound with Deny that match Pod creation in every tenant namespace. */
function tenantPodAdmission(stack: StackDocument): { address: string; texts: string[] }[] {
  const vaps = manifests(stack, 'ValidatingAdmissionPolicy');
  const denied = new Set(
    manifests(stack, 'ValidatingAdmissionPolicyBinding')
      .filter((b) => strings(at(b.manifest, 'spec.validationActions')).includes('Deny'))
      .map((b) => String(at(b.manifest, 'spec.policyName'))),
  );
  return vaps
    .filter((p) => denied.has(String(at(p.manifest, 'metadata.name'))))
    .filter((p) =>
      blocks(at(p.manifest, 'spec.matchConstraints.namespaceSelector.matchExpressions')).some(
        (e) => e.key === TENANT_LABEL && e.operator === 'Exists',
      ),
    )
    .filter((p) =>
      blocks(at(p.manifest, 'spec.matchConstraints.resourceRules')).some(
        (r) => strings(r.resources).includes('pods') && strings(r.operations).includes('CREATE'),
      ),
    )
    .map((p) => ({ address: p.address, texts: blocks(at(p.manifest, 'spec.validations')).map((v) => String(v.expression)) }));
}

export const tenantPodsHeldByPlatform: Rule = {
  id: 'TC-SCHED-005',
  title: "The platform's admission holds every tenant pod to its tier's priority and nodes",
  severity: 'error',
  rationale:
    "A tenant's own scheduling policy lives in its namespace, where its pipeline and admins write: it sets the tier's priority and nodes " +
    'for the tenant but cannot protect anyone else. Only a policy the platform owns, in the API server, keeps a tenant pod from taking ' +
    "the platform's PriorityClass, another tier's nodes or a toleration of the system nodes.",
  remediation:
    "Keep the cluster stack's TenantPodAdmission (ValidatingAdmissionPolicy tenantctl-tenant-pods, bound with Deny): it matches Pods in " +
    'every namespace with the tenant label and checks their PriorityClass, node selector and tolerations.',
  check: (ctx) => {
    if (tenantStacks(ctx.stacks, ctx.project).length === 0) return [];
    // The cluster's Kubernetes layer: the stack that defines the tier PriorityClasses.
    const clusters = platformStacks(ctx).filter((s) => resources(s, 'kubernetes_priority_class_v1', 'kubernetes_priority_class').length > 0);
    return clusters.flatMap((stack): Violation[] => {
      const policies = tenantPodAdmission(stack);
      const missing = TENANT_POD_CHECKS.filter((c) => !policies.some((p) => p.texts.some(c.test)));
      return missing.map((c) => ({
        stack: stack.name,
        address: policies[0]?.address ?? stack.name,
        message: `no admission policy bound with Deny checks, for every pod of every tenant namespace, ${c.what}`,
      }));
    });
  },
};

// ---------------------------------------------------------------------------------------------
// Quota arithmetic

/** The sidecar a tenant's policies give its pods (Istio's resource annotations). */
const SIDECAR_ANNOTATIONS: Readonly<Record<keyof ResourceQuantities, string>> = {
  requestCpu: 'sidecar.istio.io/proxyCPU',
  limitCpu: 'sidecar.istio.io/proxyCPULimit',
  requestMemory: 'sidecar.istio.io/proxyMemory',
  limitMemory: 'sidecar.istio.io/proxyMemoryLimit',
};

/** Exported for the GitOps workload rule (TC-GIT-004). */
export function tenantSidecar(t: TenantStackInfo): ResourceQuantities | undefined {
  for (const patch of podPatches(t)) {
    const annotations = unanchoredKeys(block(at(patch, 'metadata.annotations')));
    const q = Object.fromEntries(Object.entries(SIDECAR_ANNOTATIONS).map(([field, key]) => [field, annotations[key]]));
    if (Object.values(q).every((v) => typeof v === 'string')) return q as unknown as ResourceQuantities;
  }
  return undefined;
}

/** The mesh's default sidecar (istiod's global.proxy.resources), when a stack installs istiod. */
function meshSidecar(ctx: RuleContext): { sidecar?: ResourceQuantities; istiod?: PlatformRelease } {
  for (const stack of platformStacks(ctx)) {
    const istiod = platformReleases(stack).find((r) => r.chart === 'istiod');
    if (!istiod) continue;
    const r = valueAt(istiod.values, 'global.proxy.resources');
    const q = {
      requestCpu: valueAt(r as Json, 'requests.cpu'),
      limitCpu: valueAt(r as Json, 'limits.cpu'),
      requestMemory: valueAt(r as Json, 'requests.memory'),
      limitMemory: valueAt(r as Json, 'limits.memory'),
    };
    return { istiod, sidecar: Object.values(q).every((v) => typeof v === 'string') ? (q as ResourceQuantities) : undefined };
  }
  return {};
}

export const quotaAdmitsTier: Rule = {
  id: 'TC-SCHED-004',
  title: "A tenant's quota admits the pods it promises, sidecar included",
  severity: 'error',
  rationale:
    'Every pod of a tenant runs an Istio sidecar whose requests and limits count against the namespace quota. A quota sized for the app ' +
    'containers alone admits a fraction of its pod count (a 500m sidecar limit on 250m pods once let a 10-pod starter run 1).',
  remediation:
    "Size the tier's quota (cpu, cpuLimit, memory, memoryLimit) for quota.pods pods of the LimitRange defaults plus the tier's sidecar, or " +
    'shrink the defaults or the sidecar.',
  check: (ctx) => {
    const mesh = meshSidecar(ctx);
    const out: Violation[] = [];
    const tenants = tenantStacks(ctx.stacks, ctx.project);
    const annotated = tenants.filter((t) => tenantSidecar(t));
    if (mesh.istiod && annotated.length && valueAt(mesh.istiod.values, 'sidecarInjectorWebhook.reinvocationPolicy') !== 'IfNeeded') {
      out.push({
        stack: mesh.istiod.ref.stack.name,
        address: mesh.istiod.ref.address,
        message:
          "istiod's injector is not re-invoked after later webhooks (sidecarInjectorWebhook.reinvocationPolicy is not IfNeeded): the " +
          'sidecar sizes tenant policies set by annotation may be ignored',
      });
    }
    for (const t of tenants) {
      const quota = resources(t.stack, 'kubernetes_resource_quota_v1', 'kubernetes_resource_quota').find((q) => namespaceOf(q) === t.namespace);
      const range = resources(t.stack, 'kubernetes_limit_range_v1', 'kubernetes_limit_range').find((r) => namespaceOf(r) === t.namespace);
      const container = blocks(at(range?.body.spec, 'limit')).find((l) => l.type === 'Container');
      const hard = block(at(quota?.body.spec, 'hard'));
      const pods = Number(hard?.pods);
      // Missing quota or LimitRange are TC-ISO-002/003 findings.
      if (!quota || !hard || !container || !Number.isInteger(pods)) continue;
      const sidecar = tenantSidecar(t) ?? mesh.sidecar;
      if (!sidecar) {
        out.push({
          stack: t.stack.name,
          address: quota.address,
          severity: 'warning',
          message: `the size of tenant ${t.id}'s sidecars is set nowhere tenantctl can read: cannot check that its quota admits ${pods} pods`,
        });
        continue;
      }
      const str = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '0');
      const app = amounts({
        requestCpu: str(at(container.default_request, 'cpu')),
        limitCpu: str(at(container.default, 'cpu')),
        requestMemory: str(at(container.default_request, 'memory')),
        limitMemory: str(at(container.default, 'memory')),
      });
      const pod = addAmounts(app, amounts(sidecar));
      const budget = Object.fromEntries(
        QUOTA_RESOURCES.map((r) => [r, hard[r] === undefined ? Infinity : amountOf(r, str(hard[r]))]),
      ) as unknown as ResourceAmounts;
      if ([...Object.values(pod), ...Object.values(budget)].some((v) => Number.isNaN(v))) {
        out.push({
          stack: t.stack.name,
          address: quota.address,
          severity: 'warning',
          message:
            `the quota, LimitRange or sidecar of tenant ${t.id} holds a quantity tenantctl cannot read: cannot check that its quota ` +
            `admits ${pods} pods`,
        });
        continue;
      }
      const admission = podsAdmitted(budget, pods, pod);
      if (admission.limitedBy === 'pods') continue;
      const r: QuotaResource = admission.limitedBy;
      out.push({
        stack: t.stack.name,
        address: quota.address,
        message:
          `the quota of tenant ${t.id} admits ${admission.pods} of its ${pods} pods: ${r} ${formatAmount(r, budget[r])} holds ` +
          `${admission.pods} default pods of ${formatAmount(r, pod[r])} (app container ${formatAmount(r, app[r])} + sidecar ` +
          `${formatAmount(r, amounts(sidecar)[r])})`,
      });
    }
    return out;
  },
};

/** One quota value in the unit of its resource. */
export function amountOf(r: QuotaResource, q: string): number {
  const both = amounts({ requestCpu: q, limitCpu: q, requestMemory: q, limitMemory: q });
  return both[r];
}

export const schedulingRules: readonly Rule[] = [
  platformOutranksTenants,
  platformOnSystemNodes,
  tenantsOnTheirNodes,
  tenantPodsHeldByPlatform,
  quotaAdmitsTier,
];
