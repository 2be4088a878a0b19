import { APP_PROJECT_DENIED_KINDS } from '../../model/gitops';
import { IN_CLUSTER_SERVER } from '../../model/names';
import { QUOTA_RESOURCES, addAmounts, amounts, formatAmount, type ResourceAmounts } from '../../model/tier-capacity';
import { at, block, blocks, manifests, namespaceOf, resources, tenantStacks, type Json, type ManifestRef, type TenantStackInfo } from '../json';
import type { Rule, RuleContext, Violation } from '../types';
import { amountOf, tenantSidecar } from './scheduling';

/**
 * The tenants' Argo CD objects: Argo CD writes the service teams' workloads with its own rights,
 * so a tenant's AppProject is what keeps them in the tenant's namespace and away from its
 * isolation, and each Application must stay in that project and fit the tenant's quota.
 */

const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const v = (t: TenantStackInfo, r: ManifestRef, message: string): Violation => ({ stack: t.stack.name, address: r.address, message });
const nameOf = (m: ManifestRef) => String(at(m.manifest.metadata, 'name') ?? '');

/** Every active tenant stack with its AppProjects and Applications. */
function perTenant(
  ctx: RuleContext,
  check: (t: TenantStackInfo, projects: readonly ManifestRef[], applications: readonly ManifestRef[]) => Violation[],
): Violation[] {
  return tenantStacks(ctx.stacks, ctx.project).flatMap((t) => check(t, manifests(t.stack, 'AppProject'), manifests(t.stack, 'Application')));
}

/** Why a destination is not the tenant's namespace on this cluster, or undefined. */
function destinationProblem(d: Json, namespace: string): string | undefined {
  if (d.name !== undefined || d.server !== IN_CLUSTER_SERVER)
    return `names cluster ${JSON.stringify(d.name ?? d.server)}, not this one (${IN_CLUSTER_SERVER})`;
  if (d.namespace !== namespace) return `names namespace ${JSON.stringify(d.namespace)}, not ${namespace}`;
  return undefined;
}

export const appProjectDestinations: Rule = {
  id: 'TC-GIT-001',
  title: "A tenant's AppProject deploys only into the tenant's namespace on this cluster",
  severity: 'error',
  rationale:
    "Argo CD applies whatever a service team's path of the application repository holds, with rights over every namespace: a project " +
    'destination of another namespace (or `*`), of another cluster, or a project that Applications of other namespaces may use lets a ' +
    'team deploy into another tenant or into the platform.',
  remediation:
    'Give the AppProject one destination, { server: https://kubernetes.default.svc, namespace: tenant-<id> }, and no sourceNamespaces ' +
    '(TenantServices writes it so).',
  check: (ctx) =>
    perTenant(ctx, (t, projects) =>
      projects.flatMap((p) => {
        const spec = block(p.manifest.spec) ?? {};
        const destinations = list(spec.destinations);
        const out = destinations.flatMap((d, i) => {
          const problem = destinationProblem(d, t.namespace);
          return problem ? [v(t, p, `AppProject ${nameOf(p)} destination ${i} ${problem}`)] : [];
        });
        if (destinations.length === 0) out.push(v(t, p, `AppProject ${nameOf(p)} names no destination`));
        if (list(spec.sourceNamespaces).length)
          out.push(v(t, p, `AppProject ${nameOf(p)} may be used by Applications of ${list(spec.sourceNamespaces).join(', ')}`));
        return out;
      }),
    ),
};

/** True when a blacklist entry covers a kind (Argo CD matches group and kind as globs; tenantctl reads `*` only). */
const covers = (entry: Json, k: { group: string; kind: string }) =>
  (entry.group === '*' || (entry.group ?? '') === k.group) && (entry.kind === '*' || entry.kind === k.kind);

export const appProjectResources: Rule = {
  id: 'TC-GIT-002',
  title: "A tenant's AppProject allows no cluster-scoped object and none of the kinds that make the tenant's isolation",
  severity: 'error',
  rationale:
    'A cluster-scoped object (a Namespace, a ClusterRole, a webhook) reaches every tenant; a ResourceQuota, LimitRange, NetworkPolicy, Role ' +
    'or RoleBinding, an Istio security or networking object, a Kyverno policy, a TargetGroupBinding or a Prometheus Operator object ' +
    'written by Argo CD would undo or get around what the tenant stack and its admission policy hold the tenant to.',
  remediation:
    'Leave clusterResourceWhitelist empty and deny every kind of APP_PROJECT_DENIED_KINDS (src/model/gitops.ts) in namespaceResourceBlacklist.',
  check: (ctx) =>
    perTenant(ctx, (t, projects) =>
      projects.flatMap((p) => {
        const spec = block(p.manifest.spec) ?? {};
        const out: Violation[] = [];
        const allowed = list(spec.clusterResourceWhitelist);
        if (allowed.length)
          out.push(v(t, p, `AppProject ${nameOf(p)} allows cluster-scoped ${allowed.map((k) => `${k.group || 'core'}/${k.kind}`).join(', ')}`));
        const blacklist = list(spec.namespaceResourceBlacklist);
        const open = APP_PROJECT_DENIED_KINDS.filter((k) => !blacklist.some((e) => covers(e, k)));
        if (open.length) out.push(v(t, p, `AppProject ${nameOf(p)} does not deny ${open.map((k) => `${k.group || 'core'}/${k.kind}`).join(', ')}`));
        return out;
      }),
    ),
};

export const applicationsInOwnProject: Rule = {
  id: 'TC-GIT-003',
  title: "A tenant's Applications use the tenant's own AppProject and namespace",
  severity: 'error',
  rationale:
    "An Application is held to its project's destinations only: one in another tenant's project (or in `default`, which allows everything) " +
    'deploys wherever that project allows.',
  remediation: "Set spec.project to the tenant's AppProject (tenant-<id>) and spec.destination to its namespace on https://kubernetes.default.svc.",
  check: (ctx) =>
    perTenant(ctx, (t, projects, applications) =>
      applications.flatMap((a) => {
        const spec = block(a.manifest.spec) ?? {};
        const out: Violation[] = [];
        if (!projects.some((p) => nameOf(p) === spec.project))
          out.push(v(t, a, `Application ${nameOf(a)} is in project ${JSON.stringify(spec.project)}, not one the tenant's stack writes`));
        const problem = destinationProblem(block(spec.destination) ?? {}, t.namespace);
        if (problem) out.push(v(t, a, `Application ${nameOf(a)} destination ${problem}`));
        return out;
      }),
    ),
};

/** Where tenant-service chart values hold a service's size (stacks/constructs/gitops serviceValues). */
const str = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');

export const workloadsFitQuota: Rule = {
  id: 'TC-GIT-004',
  title: "A tenant's services fit its quota and LimitRange at their maximum, sidecars and rolling updates included",
  severity: 'error',
  rationale:
    "Argo CD deploys each service's pods up to its autoscaler's maximum, one more per service during a rolling update, each with its Istio " +
    'sidecar: services sized past the quota stop scaling (or stall mid-update) exactly under load, and a container above the LimitRange ' +
    'maximum is never admitted.',
  remediation:
    "Lower the services' resources or replicas.max for the tier (platform.json services, or the tenant file's services), or raise the tier's quota.",
  check: (ctx) =>
    perTenant(ctx, (t, _projects, applications) => {
      const quota = resources(t.stack, 'kubernetes_resource_quota_v1', 'kubernetes_resource_quota').find((q) => namespaceOf(q) === t.namespace);
      const hard = block(at(quota?.body.spec, 'hard'));
      const sidecar = tenantSidecar(t);
      // A missing quota or sidecar size is TC-ISO-002's or TC-SCHED-004's finding.
      if (!applications.length || !hard || !sidecar) return [];
      const range = blocks(
        at(resources(t.stack, 'kubernetes_limit_range_v1', 'kubernetes_limit_range').find((r) => namespaceOf(r) === t.namespace)?.body.spec, 'limit'),
      ).find((l) => l.type === 'Container');
      const out: Violation[] = [];
      let pods = 0;
      let total: ResourceAmounts = { 'requests.cpu': 0, 'limits.cpu': 0, 'requests.memory': 0, 'limits.memory': 0 };
      for (const a of applications) {
        const values = block(at(a.manifest.spec, 'source.helm.valuesObject')) ?? {};
        const r = block(values.resources) ?? {};
        const app = {
          requestCpu: str(at(r, 'requests.cpu')),
          limitCpu: str(at(r, 'limits.cpu')),
          requestMemory: str(at(r, 'requests.memory')),
          limitMemory: str(at(r, 'limits.memory')),
        };
        const count = Number(at(values, 'autoscaling.maxReplicas')) + Number(at(values, 'rollout.maxSurge') ?? 0);
        if (Object.values(app).some((q) => !q) || !Number.isInteger(count)) {
          out.push({
            ...v(
              t,
              a,
              `Application ${nameOf(a)} gives no resources or autoscaling.maxReplicas tenantctl can read: cannot check it against the quota`,
            ),
            severity: 'warning',
          });
          continue;
        }
        for (const [field, max] of [
          ['limitCpu', at(range?.max, 'cpu')],
          ['limitMemory', at(range?.max, 'memory')],
        ] as const) {
          const resource = field === 'limitCpu' ? 'limits.cpu' : 'limits.memory';
          if (max !== undefined && amountOf(resource, app[field]) > amountOf(resource, str(max)))
            out.push(
              v(
                t,
                a,
                `Application ${nameOf(a)}: container ${resource} ${app[field]} is above the LimitRange maximum ${str(max)}, which rejects the pod`,
              ),
            );
        }
        const pod = addAmounts(amounts(app), amounts(sidecar));
        pods += count;
        total = Object.fromEntries(QUOTA_RESOURCES.map((q) => [q, total[q] + pod[q] * count])) as unknown as ResourceAmounts;
      }
      const where = applications[0];
      if (Number.isInteger(Number(hard.pods)) && pods > Number(hard.pods))
        out.push(
          v(t, where, `the tenant's Applications run up to ${pods} pods (autoscaler maxima plus rollout surge), above the quota's ${hard.pods}`),
        );
      for (const q of QUOTA_RESOURCES) {
        if (hard[q] === undefined) continue;
        const budget = amountOf(q, str(hard[q]));
        if (total[q] > budget)
          out.push(
            v(
              t,
              where,
              `the tenant's Applications need up to ${formatAmount(q, total[q])} ${q} (autoscaler maxima plus rollout surge, each pod with ` +
                `its sidecar), above the quota's ${formatAmount(q, budget)}`,
            ),
          );
      }
      return out;
    }),
};

export const applicationsUnderPodSecurity: Rule = {
  id: 'TC-GIT-005',
  title: "A tenant's Applications deploy only into a namespace that enforces Pod Security restricted",
  severity: 'error',
  rationale:
    "Service teams own their charts: what keeps their pods from running privileged, as root or on the host is the namespace's Pod Security " +
    "level, which the API server enforces on Argo CD's writes as on any other.",
  remediation: "Deploy into the tenant's namespace, labelled pod-security.kubernetes.io/enforce=restricted (TenantNamespace).",
  check: (ctx) =>
    perTenant(ctx, (t, _projects, applications) => {
      const level = block(at(t.namespaceResource?.body.metadata, 'labels'))?.['pod-security.kubernetes.io/enforce'];
      return applications.flatMap((a) => {
        const target = at(a.manifest.spec, 'destination.namespace');
        if (target === t.namespace && level === 'restricted') return [];
        return [
          v(
            t,
            a,
            `Application ${nameOf(a)} deploys into ${JSON.stringify(target)}, ${target === t.namespace ? `which enforces Pod Security ${JSON.stringify(level ?? 'nothing')}` : 'a namespace whose Pod Security the tenant stack does not set'}, not "restricted"`,
          ),
        ];
      });
    }),
};

export const gitopsRules: readonly Rule[] = [
  appProjectDestinations,
  appProjectResources,
  applicationsInOwnProject,
  workloadsFitQuota,
  applicationsUnderPodSecurity,
];
