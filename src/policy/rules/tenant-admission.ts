import { block, resources, type Json, type ResourceRef } from '../json';
import { TENANT_LABEL } from '../../model/labels';
import type { Rule, StackDocument, Violation } from '../types';

/**
 * What a tenant pipeline may write in Kubernetes, read from the cluster stack: the roles bound to
 * the group a ValidatingAdmissionPolicy is matched on, and the checks that policy holds.
 */

/**
 * Kinds whose effect reaches past the tenant's namespace: a namespace's labels decide its sidecar
 * injection, Pod Security level and tier, a ResourceQuota how much of the shared nodes the tenant
 * takes, and every Istio networking object can bind the shared gateway or be exported to other
 * namespaces, and an Argo CD AppProject or Application decides where Argo CD deploys and what.
 */
const REACHING: readonly { readonly group: string; readonly resources: readonly string[] | '*' }[] = [
  { group: '', resources: ['namespaces', 'resourcequotas'] },
  { group: 'networking.istio.io', resources: '*' },
  { group: 'argoproj.io', resources: '*' },
];
const WRITES = ['create', 'update', 'patch', '*'];

const list = (value: unknown): string[] => (Array.isArray(value) ? value.map(String) : []);
/** The logical id a `${type.id.attr}` reference points to, or the plain name. */
const refId = (value: unknown, type: string): string | undefined => new RegExp(`^\\$\\{${type}\\.([^.]+)\\.`).exec(String(value ?? ''))?.[1];

interface Policy {
  readonly ref: ResourceRef;
  readonly group: string;
  readonly spec: Json;
}

/** Admission policies matched on one group's membership (`'<group>' in request.userInfo.groups`). */
function groupPolicies(stack: StackDocument): Policy[] {
  return resources(stack, 'kubernetes_manifest').flatMap((ref) => {
    const manifest = ref.body.manifest as Json | undefined;
    if (manifest?.kind !== 'ValidatingAdmissionPolicy') return [];
    const spec = (manifest.spec ?? {}) as Json;
    return list((spec.matchConditions as Json[] | undefined)?.map((c) => c.expression)).flatMap((e) => {
      const m = /^'([^']+)' in request\.userInfo\.groups$/.exec(e);
      return m ? [{ ref, group: m[1], spec }] : [];
    });
  });
}

/** ClusterRoles bound to a group, and those they may `bind` by name, by logical id. */
function rolesOf(stack: StackDocument, group: string): ResourceRef[] {
  const roles = resources(stack, 'kubernetes_cluster_role_v1');
  const byRef = (value: unknown) => roles.find((r) => r.id === refId(value, 'kubernetes_cluster_role_v1') || block(r.body.metadata)?.name === value);
  const bound = resources(stack, 'kubernetes_cluster_role_binding_v1')
    .filter((b) => ([] as Json[]).concat((b.body.subject as Json[]) ?? []).some((s) => s.kind === 'Group' && s.name === group))
    .map((b) => byRef(block(b.body.role_ref)?.name))
    .filter((r): r is ResourceRef => r !== undefined);
  const bindable = bound.flatMap((r) =>
    ([] as Json[])
      .concat((r.body.rule as Json[]) ?? [])
      .filter((rule) => list(rule.verbs).includes('bind'))
      .flatMap((rule) => list(rule.resource_names).map(byRef)),
  );
  return [...new Set([...bound, ...bindable].filter((r): r is ResourceRef => r !== undefined))];
}

/** Whether the policy matches writes of a resource and one of its validations is about that resource. */
function checks(spec: Json, group: string, resource: string): boolean {
  const rules = ((spec.matchConstraints as Json | undefined)?.resourceRules as Json[] | undefined) ?? [];
  const has = (values: unknown, value: string) => list(values).includes(value) || list(values).includes('*');
  const matched = ['CREATE', 'UPDATE'].every((op) =>
    rules.some((r) => has(r.apiGroups, group) && has(r.resources, resource) && has(r.operations, op)),
  );
  const validations = ((spec.validations as Json[] | undefined) ?? []).map((v) => String(v.expression));
  return matched && validations.some((e) => e.includes(`request.resource.resource != '${resource}'`));
}

export const tenantPipelineWritesChecked: Rule = {
  id: 'TC-ADM-001',
  title: 'A tenant pipeline writes no namespace, ResourceQuota or Istio networking object that admission does not check',
  severity: 'error',
  rationale:
    "The shared ingress gateway accepts every tenant's host and Istio objects are visible to every namespace unless exported to their own: " +
    "a tenant pipeline that may write a VirtualService, DestinationRule, ServiceEntry or EnvoyFilter unchecked can take another tenant's " +
    'host or route to Grafana, one that may relabel its namespace drops its sidecars or Pod Security level or takes a higher tier, and ' +
    'one that may write its ResourceQuota freely takes the shared nodes from every other tenant.',
  remediation:
    'Check the kind in the tenant deployer ValidatingAdmissionPolicy (admissionPolicySpec in ' +
    'stacks/constructs/kubernetes/tenant-deployer-access.ts): match its CREATE and UPDATE and add a validation for it, or take the write ' +
    'out of the tenant deployer roles.',
  check: (ctx) => {
    const out: Violation[] = [];
    for (const stack of ctx.stacks) {
      for (const policy of groupPolicies(stack)) {
        for (const role of rolesOf(stack, policy.group)) {
          for (const rule of ([] as Json[]).concat((role.body.rule as Json[]) ?? [])) {
            if (!list(rule.verbs).some((v) => WRITES.includes(v))) continue;
            for (const apiGroup of list(rule.api_groups)) {
              const reaching = REACHING.find((k) => k.group === apiGroup);
              if (!reaching) continue;
              for (const resource of list(rule.resources).filter((r) => reaching.resources === '*' || reaching.resources.includes(r) || r === '*')) {
                if (checks(policy.spec, apiGroup, resource)) continue;
                out.push({
                  stack: stack.name,
                  address: role.address,
                  message: `group ${policy.group} may write ${apiGroup || 'core'}/${resource}, which the admission policy ${String(block((policy.ref.body.manifest as Json).metadata)?.name)} does not check`,
                });
              }
            }
          }
        }
      }
    }
    return out;
  },
};

/** What reaches past a tenant namespace whoever writes it, by API group: a policy must check each for every writer. */
const NAMESPACE_REACHING: readonly { readonly group: string; readonly resource: string }[] = [
  { group: '', resource: 'resourcequotas' },
  { group: '', resource: 'services' },
  { group: 'rbac.authorization.k8s.io', resource: 'rolebindings' },
  ...['virtualservices', 'destinationrules', 'serviceentries', 'envoyfilters'].map((resource) => ({ group: 'networking.istio.io', resource })),
  { group: 'kyverno.io', resource: 'policies' },
  // Argo Rollouts acts on them with its own rights: the canary's analysis, the providers it queries.
  ...['rollouts', 'analysistemplates'].map((resource) => ({ group: 'argoproj.io', resource })),
];

/** ValidatingAdmissionPolicies bound with Deny that match every namespace with the tenant label, for any requester but named groups. */
function tenantNamespacePolicies(stack: StackDocument): { address: string; spec: Json }[] {
  const manifestsOf = (kind: string) => resources(stack, 'kubernetes_manifest').filter((r) => (r.body.manifest as Json | undefined)?.kind === kind);
  const denied = new Set(
    manifestsOf('ValidatingAdmissionPolicyBinding')
      .map((r) => r.body.manifest as Json)
      .filter((m) => list((m.spec as Json | undefined)?.validationActions).includes('Deny'))
      .map((m) => String((m.spec as Json).policyName)),
  );
  return manifestsOf('ValidatingAdmissionPolicy')
    .map((r) => ({ address: r.address, manifest: r.body.manifest as Json }))
    .filter(({ manifest }) => denied.has(String(block(manifest.metadata)?.name)))
    .map(({ address, manifest }) => ({ address, spec: (manifest.spec ?? {}) as Json }))
    .filter(({ spec }) => {
      const selector = (spec.matchConstraints as Json | undefined)?.namespaceSelector as Json | undefined;
      const exprs = ((selector?.matchExpressions as Json[] | undefined) ?? []).filter((e) => e.key === TENANT_LABEL && e.operator === 'Exists');
      // A policy matched on a group's membership holds for that group only.
      const groupOnly = ((spec.matchConditions as Json[] | undefined) ?? []).some((c) =>
        /^'[^']+' in request\.userInfo\.groups$/.test(String(c.expression)),
      );
      return exprs.length > 0 && !groupOnly;
    });
}

export const tenantNamespacesChecked: Rule = {
  id: 'TC-ADM-002',
  title: 'What reaches past a tenant namespace is checked whoever writes it',
  severity: 'error',
  rationale:
    "A tenant pipeline may bind roles to service accounts of its namespace, and tenant admins and controllers write there too: checks made only for the pipeline's group are escaped by acting through any of them. The quota, the mesh objects, role bindings of the deployer role, Kyverno policies (whose API calls read with Kyverno's rights), Services (external IPs), Rollouts and AnalysisTemplates (which Argo Rollouts runs with its own rights) must be checked for every writer but the platform.",
  remediation:
    "Keep the cluster stack's TenantNamespaceAdmission (ValidatingAdmissionPolicy tenantctl-tenant-namespaces, bound with Deny) matching " +
    'every namespace with the tenant label and each of these kinds.',
  check: (ctx) => {
    const clusters = ctx.stacks.filter((s) => resources(s, 'kubernetes_priority_class_v1').length > 0);
    if (!ctx.stacks.some((s) => s.name.startsWith('tenant-'))) return [];
    return clusters.flatMap((stack): Violation[] => {
      const policies = tenantNamespacePolicies(stack);
      return NAMESPACE_REACHING.filter((k) => !policies.some((p) => checks(p.spec, k.group, k.resource))).map((k) => ({
        stack: stack.name,
        address: policies[0]?.address ?? stack.name,
        message: `no admission policy checks, for every writer in every tenant namespace, ${k.group || 'core'}/${k.resource}`,
      }));
    });
  },
};

export const tenantAdmissionRules: readonly Rule[] = [tenantPipelineWritesChecked, tenantNamespacesChecked];
