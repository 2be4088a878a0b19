import { platformNames } from '../../model/names';
import { NODE_ROLE_POLICIES } from '../../model/node-pools';
import { tenantServices } from '../../model/tenant-services';
import {
  at,
  block,
  blocks,
  identityPolicies,
  isEmpty,
  manifests,
  namespaceOf,
  parsePolicy,
  refAddresses,
  resolveString,
  resolved,
  resources,
  strings,
  tenantStacks,
  type Json,
  type ResourceRef,
  type TenantStackInfo,
} from '../json';
import type { Rule, RuleContext, Violation } from '../types';

/** Namespaces are the same for every platform; the name only needs a platform shape. */
const SHARED_NAMESPACES = platformNames({
  name: 'x',
  environment: 'x',
  aws: { region: 'us-east-1', accountId: '000000000000', serviceAccounts: [] },
}).namespaces;
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Runs `check` for every active tenant stack. */
function perTenant(ctx: RuleContext, check: (t: TenantStackInfo) => Violation[]): Violation[] {
  return tenantStacks(ctx.stacks, ctx.project).flatMap(check);
}

/** Resources of the types that live in the tenant's namespace. */
function inNamespace(t: TenantStackInfo, ...types: string[]): ResourceRef[] {
  return resources(t.stack, ...types).filter((r) => namespaceOf(r) === t.namespace);
}

/** Where a "something is missing" finding points: the namespace, else the stack. */
function namespaceAddress(t: TenantStackInfo): string {
  return t.namespaceResource?.address ?? t.stack.name;
}

const v = (t: TenantStackInfo, address: string, message: string, severity?: 'warning'): Violation => ({
  stack: t.stack.name,
  address,
  message,
  severity,
});

export const namespacePodSecurity: Rule = {
  id: 'TC-ISO-001',
  title: 'Tenant namespace enforces Pod Security "restricted"',
  severity: 'error',
  rationale:
    'The restricted Pod Security Standard keeps tenant pods from running privileged, as root, with host namespaces or host paths: the ways ' +
    'a container escapes to the node and to other tenants.',
  remediation: 'Label the namespace pod-security.kubernetes.io/enforce=restricted (TenantNamespace sets it).',
  check: (ctx) =>
    perTenant(ctx, (t) => {
      if (!t.namespaceResource) return [v(t, t.stack.name, `the stack creates no namespace for tenant ${t.id}`)];
      const level = block(at(t.namespaceResource.body.metadata, 'labels'))?.['pod-security.kubernetes.io/enforce'];
      return level === 'restricted'
        ? []
        : [
            v(
              t,
              t.namespaceResource.address,
              `namespace ${t.namespace} enforces Pod Security ${level === undefined ? 'nothing' : JSON.stringify(level)}, not "restricted"`,
            ),
          ];
    }),
};

export const namespaceQuota: Rule = {
  id: 'TC-ISO-002',
  title: 'Tenant namespace has a ResourceQuota',
  severity: 'error',
  rationale: 'Without a quota on CPU and memory one tenant can take the nodes it shares with other tenants (noisy neighbour, denial of service).',
  remediation: 'Create a kubernetes_resource_quota_v1 in the namespace with CPU and memory limits (TenantNamespace creates it from the tier).',
  check: (ctx) =>
    perTenant(ctx, (t) => {
      const quotas = inNamespace(t, 'kubernetes_resource_quota_v1', 'kubernetes_resource_quota');
      const hard = (q: ResourceRef) => block(at(q.body.spec, 'hard')) ?? {};
      const limits = (q: ResourceRef, what: 'cpu' | 'memory') => [what, `requests.${what}`, `limits.${what}`].some((k) => hard(q)[k] !== undefined);
      if (quotas.some((q) => limits(q, 'cpu') && limits(q, 'memory'))) return [];
      const message = quotas.length
        ? `the ResourceQuota of namespace ${t.namespace} limits neither CPU nor memory (or only one of them)`
        : `namespace ${t.namespace} has no ResourceQuota`;
      return [v(t, quotas[0]?.address ?? namespaceAddress(t), message)];
    }),
};

export const namespaceLimitRange: Rule = {
  id: 'TC-ISO-003',
  title: 'Tenant namespace has a LimitRange',
  severity: 'error',
  rationale:
    'A LimitRange gives every container default requests and limits; without it a pod without limits may use a whole node, and a quota ' +
    'rejects pods that set none.',
  remediation: 'Create a kubernetes_limit_range_v1 with a Container limit (default and default_request) in the namespace.',
  check: (ctx) =>
    perTenant(ctx, (t) => {
      const ranges = inNamespace(t, 'kubernetes_limit_range_v1', 'kubernetes_limit_range');
      const containerDefaults = (r: ResourceRef) => blocks(at(r.body.spec, 'limit')).some((l) => l.type === 'Container' && !isEmpty(l.default));
      if (ranges.some(containerDefaults)) return [];
      return [
        v(
          t,
          ranges[0]?.address ?? namespaceAddress(t),
          ranges.length
            ? `the LimitRange of namespace ${t.namespace} sets no default container limits`
            : `namespace ${t.namespace} has no LimitRange`,
        ),
      ];
    }),
};

type PolicyDirection = 'Ingress' | 'Egress';

function policyTypes(r: ResourceRef): string[] {
  return strings(at(r.body.spec, 'policy_types'));
}

export const defaultDeny: Rule = {
  id: 'TC-ISO-004',
  title: 'Tenant namespace denies all ingress and egress by default',
  severity: 'error',
  rationale:
    'Kubernetes allows all pod traffic until a NetworkPolicy selects a pod; a default deny for both directions makes every allowed flow ' +
    'explicit, so a tenant can neither be reached from nor reach another tenant.',
  remediation:
    'Keep a NetworkPolicy with an empty pod selector, policy types Ingress and Egress and no rules; remove ' +
    'overrides.network.denyEgress=false from the tenant file.',
  check: (ctx) =>
    perTenant(ctx, (t) => {
      const policies = inNamespace(t, 'kubernetes_network_policy_v1', 'kubernetes_network_policy');
      // A deny-all policy selects every pod and allows nothing in the directions it names.
      const denies = policies.filter(
        (p) => isEmpty(at(p.body.spec, 'pod_selector')) && !blocks(at(p.body.spec, 'ingress')).length && !blocks(at(p.body.spec, 'egress')).length,
      );
      const covered = new Set(denies.flatMap(policyTypes));
      const missing = (['Ingress', 'Egress'] as PolicyDirection[]).filter((d) => !covered.has(d));
      if (!missing.length) return [];
      const what = missing.join(' and ');
      return [
        v(
          t,
          denies[0]?.address ?? namespaceAddress(t),
          denies.length
            ? `the default-deny policy of namespace ${t.namespace} does not cover ${what}: ${what.toLowerCase()} traffic is allowed by default`
            : `namespace ${t.namespace} has no default-deny NetworkPolicy (${what} allowed by default)`,
        ),
      ];
    }),
};

/** True when a NetworkPolicy port entry covers port 53. */
function coversDns(port: Json): boolean {
  const p = port.port;
  if (p === undefined) return false;
  if (typeof p === 'string' && /^dns(-tcp)?$/.test(p)) return true;
  const from = Number(p);
  const to = port.end_port === undefined ? from : Number(port.end_port);
  return from <= 53 && 53 <= to;
}

/** A peer that selects exactly the kube-dns pods in kube-system. */
function isKubeDns(peer: Json): boolean {
  const ns = block(peer.namespace_selector);
  const pods = block(peer.pod_selector);
  const nsLabels = block(ns?.match_labels) ?? {};
  const nsExpressions = blocks(ns?.match_expressions);
  const selectsKubeSystem =
    (nsLabels[NAMESPACE_NAME_LABEL] === 'kube-system' && nsExpressions.length === 0) ||
    (isEmpty(nsLabels) &&
      nsExpressions.length === 1 &&
      nsExpressions[0].key === NAMESPACE_NAME_LABEL &&
      nsExpressions[0].operator === 'In' &&
      strings(nsExpressions[0].values).join() === 'kube-system');
  return selectsKubeSystem && block(pods?.match_labels)?.['k8s-app'] === 'kube-dns' && isEmpty(peer.ip_block);
}

export const dnsToKubeDnsOnly: Rule = {
  id: 'TC-ISO-005',
  title: 'DNS egress goes to kube-dns only',
  severity: 'error',
  rationale:
    'Port 53 open to anything else than the cluster DNS lets a tenant tunnel data out over DNS to an outside resolver, and a DNS rule that ' +
    'selects other namespaces opens port 53 of other tenants.',
  remediation: 'Allow port 53 only to pods labelled k8s-app=kube-dns in the namespace labelled kubernetes.io/metadata.name=kube-system.',
  check: (ctx) =>
    perTenant(ctx, (t) =>
      inNamespace(t, 'kubernetes_network_policy_v1', 'kubernetes_network_policy').flatMap((p) =>
        blocks(at(p.body.spec, 'egress'))
          .filter((rule) => blocks(rule.ports).some(coversDns))
          .filter((rule) => {
            const to = blocks(rule.to);
            return to.length === 0 || !to.every(isKubeDns);
          })
          .slice(0, 1)
          .map(() =>
            v(t, p.address, `NetworkPolicy ${String(at(p.body.metadata, 'name'))} allows port 53 to destinations other than kube-dns in kube-system`),
          ),
      ),
    ),
};

const OPEN_CIDRS = ['0.0.0.0/0', '::/0'];

export const noOpenPeers: Rule = {
  id: 'TC-ISO-006',
  title: 'No tenant NetworkPolicy admits all namespaces or the whole internet',
  severity: 'error',
  rationale:
    'An empty namespace selector matches every namespace (other tenants included), a rule without peers matches every source or ' +
    'destination, and 0.0.0.0/0 is every address: each one undoes the namespace isolation.',
  remediation:
    'Name namespaces by the kubernetes.io/metadata.name label, and destinations by the narrowest CIDR (overrides.network.allowEgress takes ' +
    'a CIDR per partner).',
  check: (ctx) =>
    perTenant(ctx, (t) =>
      inNamespace(t, 'kubernetes_network_policy_v1', 'kubernetes_network_policy').flatMap((p) => {
        const problems: string[] = [];
        for (const [direction, key, peersKey] of [
          ['ingress', 'ingress', 'from'],
          ['egress', 'egress', 'to'],
        ] as const) {
          for (const rule of blocks(at(p.body.spec, key))) {
            const peers = blocks(rule[peersKey]);
            if (peers.length === 0)
              problems.push(`an ${direction} rule without ${peersKey} (every ${direction === 'ingress' ? 'source' : 'destination'})`);
            for (const peer of peers) {
              if (peer.namespace_selector !== undefined && isEmpty(peer.namespace_selector))
                problems.push(`an ${direction} rule with an empty namespace_selector (every namespace)`);
              const cidr = at(peer.ip_block, 'cidr');
              if (typeof cidr === 'string' && OPEN_CIDRS.includes(cidr)) problems.push(`an ${direction} rule to ${cidr}`);
            }
          }
        }
        return problems.length
          ? [v(t, p.address, `NetworkPolicy ${String(at(p.body.metadata, 'name'))} has ${[...new Set(problems)].join('; ')}`)]
          : [];
      }),
    ),
};

export const strictMtls: Rule = {
  id: 'TC-ISO-007',
  title: 'Tenant namespace requires STRICT mTLS',
  severity: 'error',
  rationale:
    'With STRICT PeerAuthentication every call into the namespace carries a verified workload identity; PERMISSIVE accepts plaintext, which ' +
    'bypasses the identity-based AuthorizationPolicy.',
  remediation: 'Create a namespace-wide PeerAuthentication (no selector) with mtls.mode STRICT and no PERMISSIVE or DISABLE port overrides.',
  check: (ctx) =>
    perTenant(ctx, (t) => {
      const peers = manifests(t.stack, 'PeerAuthentication').filter((m) => namespaceOf(m) === t.namespace);
      const out: Violation[] = [];
      for (const m of peers) {
        const modes = [
          at(m.manifest.spec, 'mtls.mode'),
          ...Object.values(block(at(m.manifest.spec, 'portLevelMtls')) ?? {}).map((p) => at(p, 'mode')),
        ].filter((x) => x !== undefined);
        const weak = modes.filter((x) => x !== 'STRICT');
        if (weak.length)
          out.push(
            v(
              t,
              m.address,
              `PeerAuthentication ${String(at(m.manifest.metadata, 'name'))} sets mTLS mode ${weak.join(', ')} in namespace ${t.namespace}`,
            ),
          );
      }
      const namespaceWide = peers.some((m) => isEmpty(at(m.manifest.spec, 'selector')) && at(m.manifest.spec, 'mtls.mode') === 'STRICT');
      if (!namespaceWide && !out.length)
        out.push(v(t, namespaceAddress(t), `namespace ${t.namespace} has no namespace-wide STRICT PeerAuthentication`));
      return out;
    }),
};

export const denyOtherTenants: Rule = {
  id: 'TC-ISO-008',
  title: "An AuthorizationPolicy denies every namespace but the tenant's own and the platform's",
  severity: 'error',
  rationale:
    "NetworkPolicies stop packets, the mesh stops identities: a namespace-wide DENY for sources outside the tenant's namespace, the ingress " +
    "gateway's and shared services' keeps other tenants out even through an allowed network path.",
  remediation:
    'Keep the DENY AuthorizationPolicy without selector whose only rule is from.source.notNamespaces = [tenant namespace, istio-system, ' +
    'shared-services].',
  check: (ctx) =>
    perTenant(ctx, (t) => {
      const allowed = [t.namespace, SHARED_NAMESPACES.istio, SHARED_NAMESPACES.sharedServices];
      const denies = manifests(t.stack, 'AuthorizationPolicy').filter(
        (m) => namespaceOf(m) === t.namespace && at(m.manifest.spec, 'action') === 'DENY',
      );
      const out: Violation[] = [];
      let good = false;
      for (const m of denies) {
        const spec = block(m.manifest.spec) ?? {};
        if (!isEmpty(spec.selector)) continue;
        for (const rule of blocks(spec.rules)) {
          if (rule.to !== undefined || rule.when !== undefined) continue;
          for (const from of blocks(rule.from)) {
            const source = block(from.source) ?? {};
            const notNamespaces = strings(source.notNamespaces).map((n) => resolveString(t.stack, n));
            if (!notNamespaces.length || Object.keys(source).length !== 1) continue;
            const extra = notNamespaces.filter((n) => !allowed.includes(n));
            if (extra.length)
              out.push(
                v(
                  t,
                  m.address,
                  `AuthorizationPolicy ${String(at(m.manifest.metadata, 'name'))} lets namespace(s) ${extra.join(', ')} call into ${t.namespace}`,
                ),
              );
            else good = true;
          }
        }
      }
      if (!good && !out.length)
        out.push(
          v(
            t,
            namespaceAddress(t),
            `namespace ${t.namespace} has no namespace-wide DENY AuthorizationPolicy for sources outside ${allowed.join(', ')}`,
          ),
        );
      return out;
    }),
};

const SERVICE_ACCOUNT_SUBJECT = /^system:serviceaccount:([^:]+):([^:]+)$/;

export const irsaTrust: Rule = {
  id: 'TC-ISO-009',
  title: "Tenant IAM roles trust exactly the tenant's service account",
  severity: 'error',
  rationale:
    'An IRSA trust policy without an exact `sub` (StringLike, wildcards, another namespace) lets pods of other namespaces, other tenants ' +
    "included, assume the tenant's role.",
  remediation:
    "Trust the cluster's OIDC provider with StringEquals on <issuer>:sub = system:serviceaccount:<tenant namespace>:<service account> " +
    '(IrsaRole does).',
  check: (ctx) =>
    perTenant(ctx, (t) => {
      const accounts = [
        ...inNamespace(t, 'kubernetes_service_account_v1', 'kubernetes_service_account').map((s) => resolved(t.stack, at(s.body.metadata, 'name'))),
        ...deployedServiceAccounts(t),
      ];
      return resources(t.stack, 'aws_iam_role').flatMap((role) => {
        const statements = parsePolicy(t.stack, role.body.assume_role_policy);
        if (!statements)
          return [
            v(t, role.address, `the trust policy of role ${String(role.body.name ?? role.id)} cannot be read, so it cannot be checked`, 'warning'),
          ];
        const problems: string[] = [];
        for (const s of statements.filter((x) => x.effect === 'Allow')) {
          const principal = s.principal;
          if (principal === '*' || (principal.AWS ?? []).includes('*')) {
            problems.push('trusts every AWS principal');
            continue;
          }
          if (!s.actions.includes('sts:AssumeRoleWithWebIdentity') && !principal.Federated) continue;
          for (const [op, entries] of Object.entries(s.conditions)) {
            if (op !== 'StringEquals' && Object.keys(entries).some((k) => k.endsWith(':sub')))
              problems.push(`matches the service account with ${op}, not StringEquals`);
          }
          const subs = Object.entries(s.conditions.StringEquals ?? {})
            .filter(([k]) => k.endsWith(':sub'))
            .flatMap(([, values]) => values);
          if (!subs.length) problems.push('has no StringEquals condition on <issuer>:sub: every service account of the cluster may assume it');
          for (const sub of subs.map((x) => resolveString(t.stack, x))) {
            const m = SERVICE_ACCOUNT_SUBJECT.exec(sub);
            if (!m) problems.push(`trusts subject ${sub}, not system:serviceaccount:${t.namespace}:<name>`);
            else if (m[1] !== t.namespace) problems.push(`trusts namespace ${m[1]}, not the tenant's ${t.namespace}`);
            else if (/[*?]/.test(m[2])) problems.push(`trusts service account pattern ${m[2]}`);
            else if (accounts.length && !accounts.includes(m[2]))
              problems.push(`trusts service account ${m[2]}, which the stack does not create (it creates ${accounts.join(', ')})`);
          }
        }
        return problems.length ? [v(t, role.address, `role ${String(role.body.name ?? role.id)} ${[...new Set(problems)].join('; ')}`)] : [];
      });
    }),
};

const DB_USER_ARN = /^arn:[a-z-]+:rds-db:[^:]*:[^:]*:dbuser:([^/]+)\/(.+)$/;
const CHAIN_ACTIONS = ['sts:AssumeRole', 'sts:TagSession'];

/**
 * ARN tails (`:iam::<account>:role/<name>`) of the roles a tenant stack creates in the tenant's own account: with an `aws.platform`
 * provider, the default provider is the tenant's account, pinned by allowed_account_ids.
 */
function ownAccountRoleArns(t: TenantStackInfo): string[] {
  const providers = ([] as Json[]).concat((t.stack.json.provider?.aws as Json[] | Json | undefined) ?? []);
  const own = providers.find((p) => !p.alias);
  const account = (own?.allowed_account_ids as string[] | undefined)?.[0];
  if (!account || !providers.some((p) => p.alias === 'platform')) return [];
  return resources(t.stack, 'aws_iam_role')
    .filter((r) => r.body.provider === undefined || r.body.provider === 'aws')
    .map((r) => `:iam::${account}:role/${String(r.body.name)}`);
}

/** Service accounts the tenant's Applications deploy into its namespace (the tenant-service chart's), by name. */
function deployedServiceAccounts(t: TenantStackInfo): string[] {
  return manifests(t.stack, 'Application')
    .filter((a) => at(a.manifest.spec, 'destination.namespace') === t.namespace)
    .map((a) => at(a.manifest.spec, 'source.helm.valuesObject.serviceAccount.name'))
    .filter((name): name is string => typeof name === 'string');
}

/** The service catalog's IAM statements for one tenant ({tenant} replaced), when the project loaded. */
function catalogGrants(ctx: RuleContext, tenantId: string): { actions: readonly string[]; resources: readonly string[] }[] {
  const tenant = ctx.project?.tenants.find((x) => x.id === tenantId);
  return ctx.project && tenant ? tenantServices(ctx.project.platform, tenant).flatMap((s) => s.iam) : [];
}

export const tenantPermissions: Rule = {
  id: 'TC-ISO-010',
  title: "Tenant IAM permissions name only the tenant's own database user",
  severity: 'error',
  rationale:
    'A tenant workload needs one permission, rds-db:connect as its own database user (and its catalog services what platform.json grants ' +
    "them on the tenant's own objects); any other action or another tenant's user (or a wildcard) crosses the tenant boundary in AWS.",
  remediation:
    'Allow only rds-db:connect on arn:...:dbuser:<proxy or instance resource id>/tenant_<id>; attach no managed policies in a tenant stack.',
  check: (ctx) =>
    perTenant(ctx, (t) => {
      const out: Violation[] = [];
      for (const policy of identityPolicies(t.stack)) {
        if (!policy.statements) {
          out.push(v(t, policy.address, 'the policy cannot be read, so it cannot be checked', 'warning'));
          continue;
        }
        const problems: string[] = [];
        const chainTargets = ownAccountRoleArns(t);
        const catalog = catalogGrants(ctx, t.id);
        for (const s of policy.statements.filter((x) => x.effect === 'Allow')) {
          const resolvedResources = s.resources.map((r) => resolveString(t.stack, r));
          // What the service catalog grants a service, on this tenant's objects.
          if (
            s.actions.length &&
            catalog.some((g) => s.actions.every((a) => g.actions.includes(a)) && resolvedResources.every((r) => g.resources.includes(r)))
          )
            continue;
          // A tenant in its own AWS account may chain into its role there, and nowhere else.
          if (
            s.actions.length &&
            s.actions.every((a) => CHAIN_ACTIONS.includes(a)) &&
            resolvedResources.every((r) => chainTargets.includes(/^arn:[a-z-]+(:iam::.*)$/.exec(r)?.[1] ?? ''))
          )
            continue;
          const actions = s.actions.filter((a) => a.toLowerCase() !== 'rds-db:connect');
          if (actions.length) problems.push(`allows ${actions.join(', ')}`);
          if (s.notActions.length) problems.push(`allows everything but ${s.notActions.join(', ')}`);
          for (const resource of s.resources.map((r) => resolveString(t.stack, r))) {
            const m = DB_USER_ARN.exec(resource);
            if (!m) problems.push(`names resource ${resource}, not a database user`);
            else if (resource.includes('*')) problems.push(`names the wildcard ${resource}`);
            else if (m[2] !== t.dbUser) problems.push(`names database user ${m[2]}, not the tenant's ${t.dbUser}`);
          }
        }
        if (problems.length) out.push(v(t, policy.address, `policy ${[...new Set(problems)].join('; ')}`));
      }
      const ownPolicies = new Set(resources(t.stack, 'aws_iam_policy').map((p) => p.address));
      // Without Terraform Cloud a dedicated tenant's stack creates its own node role (DedicatedNodes): the node policies only, on it.
      const nodeRoles = new Set(
        resources(t.stack, 'aws_iam_role')
          .filter((r) => String(r.body.name ?? '').endsWith(`-eks-node-tenant-${t.id}`))
          .map((r) => r.address),
      );
      const nodePolicy = (arn: unknown) =>
        NODE_ROLE_POLICIES.some((p) => typeof arn === 'string' && /^arn:[a-z-]+:iam::aws:policy\/(.+)$/.exec(arn)?.[1] === p);
      for (const a of resources(t.stack, 'aws_iam_role_policy_attachment', 'aws_iam_policy_attachment')) {
        if (refAddresses(a.body.role).some((addr) => nodeRoles.has(addr)) && nodePolicy(a.body.policy_arn)) continue;
        if (!refAddresses(a.body.policy_arn).some((addr) => ownPolicies.has(addr)))
          out.push(v(t, a.address, `attaches ${String(a.body.policy_arn ?? 'policies')}, a policy the tenant stack does not define`));
      }
      return out;
    }),
};

export const tenantIsolationRules: readonly Rule[] = [
  namespacePodSecurity,
  namespaceQuota,
  namespaceLimitRange,
  defaultDeny,
  dnsToKubeDnsOnly,
  noOpenPeers,
  strictMtls,
  denyOtherTenants,
  irsaTrust,
  tenantPermissions,
];
