import { tenantIdOfStack } from '../../model/names';
import { refAddresses, resolved, resources, type Json } from '../json';
import type { Rule, RuleContext, StackDocument, Violation } from '../types';
import { accountOf, firstTenantOver, plannedTenantsOf, projectToTenants } from './pipeline';

/**
 * Account- and cluster-level quotas that tenants consume one object at a time: each tenant adds
 * its own object (a role, a node group, an access entry), so nothing shared grows, yet the count
 * under the quota does.
 */

export interface Quota {
  /** Service Quotas name, e.g. `Roles per account`. */
  readonly name: string;
  readonly service: 'IAM' | 'EKS' | 'Cognito';
  /** Service Quotas code, where AWS publishes one. */
  readonly code?: string;
  /** Where the count is kept. */
  readonly per: 'account' | 'cluster';
  /** The default quota; undefined when AWS publishes none. */
  readonly defaultValue?: number;
  /** The most an increase can grant; undefined when no hard maximum is published. */
  readonly maximum?: number;
}

/** IAM: 1,000 roles per account by default, adjustable up to 5,000. Service-linked roles count too. */
export const IAM_ROLES_PER_ACCOUNT: Quota = {
  name: 'Roles per account',
  service: 'IAM',
  code: 'L-FE177D64',
  per: 'account',
  defaultValue: 1_000,
  maximum: 5_000,
};
/** EKS: 30 managed node groups per cluster by default, adjustable. */
export const EKS_NODE_GROUPS_PER_CLUSTER: Quota = {
  name: 'Managed node groups per cluster',
  service: 'EKS',
  code: 'L-6D54EA21',
  per: 'cluster',
  defaultValue: 30,
};
/** EKS publishes no quota on access entries per cluster; they are counted so the budget is seen. */
export const EKS_ACCESS_ENTRIES_PER_CLUSTER: Quota = { name: 'Access entries per cluster', service: 'EKS', per: 'cluster' };

/** Cognito: 1,000 user pools per account and Region by default, adjustable; a dedicated-identity tenant adds one. */
export const COGNITO_USER_POOLS_PER_ACCOUNT: Quota = { name: 'User pools per account', service: 'Cognito', per: 'account', defaultValue: 1_000 };

/** Which Terraform types consume which quota. */
const CONSUMERS: readonly { readonly quota: Quota; readonly types: readonly string[] }[] = [
  { quota: IAM_ROLES_PER_ACCOUNT, types: ['aws_iam_role', 'aws_iam_service_linked_role'] },
  { quota: EKS_NODE_GROUPS_PER_CLUSTER, types: ['aws_eks_node_group'] },
  { quota: EKS_ACCESS_ENTRIES_PER_CLUSTER, types: ['aws_eks_access_entry'] },
  { quota: COGNITO_USER_POOLS_PER_ACCOUNT, types: ['aws_cognito_user_pool'] },
];

export interface QuotaUse {
  readonly quota: Quota;
  /** The account name (`platform`, a service account) or the cluster name. */
  readonly scope: string;
  /** Objects that exist once, whatever the tenant count. */
  readonly fixed: number;
  /** Objects each current tenant owns, by tenant id, with their addresses. */
  readonly perTenant: ReadonlyMap<string, readonly { stack: string; address: string }[]>;
  /** Tenants there are now: the projection's denominator, so the current tier and account mix carries over. */
  readonly tenants: number;
  readonly planned: number;
  readonly projected: number;
  /** The first tenant count over the default quota, when tenants add to it and a default exists. */
  readonly overDefaultAt?: number;
}

/** Names an object carries or points at (a role's name, an access entry's principal role). */
function namesOf(stack: StackDocument, body: Json): string[] {
  const own = [body.name, body.node_group_name, body.principal_arn].map((v) => resolved(stack, v) ?? '');
  const referenced = refAddresses(body.principal_arn).map((address) => {
    const [type, id] = address.split('.');
    return String((stack.json.resource?.[type]?.[id] as Json | undefined)?.name ?? '');
  });
  return [...own, ...referenced];
}

/** The current tenant an object belongs to: its stack's, or the one its name ends in (`-tenant-<id>`, `-tfc-tenant-<id>`). */
function ownerOf(stack: StackDocument, body: Json, tenants: ReadonlySet<string>): string | undefined {
  const own = tenantIdOfStack(stack.name);
  if (own) return own;
  for (const name of namesOf(stack, body)) {
    const id = /(?:^|[-/])tenant-([a-z0-9-]+)$/.exec(name)?.[1];
    if (id && tenants.has(id)) return id;
  }
  return undefined;
}

/** Every quota use of the synthesized stacks, per account or cluster, projected to the planned tenant count. */
export function quotaUses(ctx: RuleContext): QuotaUse[] {
  const tenantIds = new Set(ctx.stacks.map((s) => tenantIdOfStack(s.name)).filter((id): id is string => id !== undefined));
  const planned = plannedTenantsOf(ctx);
  const uses = new Map<string, { quota: Quota; scope: string; fixed: number; perTenant: Map<string, { stack: string; address: string }[]> }>();
  for (const stack of ctx.stacks) {
    for (const { quota, types } of CONSUMERS) {
      for (const r of resources(stack, ...types)) {
        const scope = quota.per === 'account' ? accountOf(stack, r.body) : (resolved(stack, r.body.cluster_name) ?? String(r.body.cluster_name));
        const key = `${quota.name}|${scope}`;
        const use = uses.get(key) ?? { quota, scope, fixed: 0, perTenant: new Map() };
        uses.set(key, use);
        const owner = ownerOf(stack, r.body, tenantIds);
        if (owner === undefined) use.fixed++;
        else use.perTenant.set(owner, [...(use.perTenant.get(owner) ?? []), { stack: stack.name, address: r.address }]);
      }
    }
  }
  return [...uses.values()].map((u) => {
    const added = [...u.perTenant.values()].reduce((sum, list) => sum + list.length, 0);
    const limit = u.quota.defaultValue;
    return {
      ...u,
      tenants: tenantIds.size,
      planned,
      projected: projectToTenants(u.fixed, added, tenantIds.size, planned),
      ...(limit === undefined ? {} : { overDefaultAt: firstTenantOver(u.fixed, added, tenantIds.size, limit) }),
    };
  });
}

/** `IAM quota Roles per account (L-FE177D64)`. */
export function quotaLabel(q: Quota): string {
  return `${q.service} quota ${q.name}${q.code ? ` (${q.code})` : ''}`;
}

export const accountQuotasHoldPlannedTenants: Rule = {
  id: 'TC-PIP-004',
  title: 'Account and cluster quotas that tenants consume hold at the planned tenant count',
  severity: 'warning',
  rationale:
    'Each tenant adds its own IAM roles to an account (its workload role and, with Terraform Cloud, its run role) and each tenant of a ' +
    "dedicated-node tier its managed node group to the cluster: the count passes IAM's 1,000 roles per account or EKS's 30 node groups " +
    "per cluster long before a platform's planned tenants, and the N-th tenant's apply fails. Projected with the current tenants' tier " +
    'and account mix.',
  remediation:
    'Request the quota increase in Service Quotas before the tenant count the finding names (adjustable quotas), or spread tenants over ' +
    'further service accounts; above a hard maximum, split tenants across accounts or clusters.',
  check: (ctx) => {
    const out: Violation[] = [];
    for (const u of quotaUses(ctx)) {
      const { defaultValue, maximum } = u.quota;
      if (defaultValue === undefined || u.projected <= defaultValue) continue;
      const first = [...u.perTenant.values()][0]?.[0];
      const where = `${u.quota.per} ${u.scope}`;
      const count =
        `${u.fixed} fixed + ${[...u.perTenant.values()].reduce((n, l) => n + l.length, 0)} from ${u.tenants} tenant(s): ` +
        `${u.projected} at ${u.planned} planned tenants`;
      const overMax = maximum !== undefined && u.projected > maximum;
      out.push({
        stack: first?.stack,
        address: first?.address ?? where,
        message: overMax
          ? `${quotaLabel(u.quota)} in ${where}: ${count}, over its maximum of ${maximum} that no increase can pass: split tenants across ` +
            `${u.quota.per}s`
          : `${quotaLabel(u.quota)} in ${where}: ${count}, over the default quota of ${defaultValue} (adjustable${maximum ? ` up to ${maximum}` : ''}): request an increase before tenant ${u.overDefaultAt}`,
        severity: overMax ? 'error' : 'warning',
      });
    }
    return out;
  },
};

export const quotaRules: readonly Rule[] = [accountQuotasHoldPlannedTenants];
