/**
 * The bench's budget table: every per-role and per-object budget of a synthesized project at its
 * planned tenant count, with the projection `validate` uses (TC-PIP-003, TC-PIP-004).
 */
import { tenantIdOfStack } from '../../src/model/names';
import { at, refAddresses, resolved, resources } from '../../src/policy/json';
import {
  IAM_INLINE_POLICY_CHARS_PER_ROLE,
  SECURITY_GROUP_RULES_PER_DIRECTION,
  plannedTenantsOf,
  policyChars,
  projectToTenants,
  quotaLabel,
  quotaUses,
} from '../../src/policy/rules';
import type { RuleContext, StackDocument } from '../../src/policy/types';

export interface Budget {
  readonly budget: string;
  readonly value: number;
  /** Undefined when nothing caps it. */
  readonly limit?: number;
  /** What the limit is and whether an increase can lift it. */
  readonly note: string;
}

const referencing = (stack: StackDocument, types: string[], attr: string, target: string) =>
  resources(stack, ...types).filter((r) => refAddresses(r.body[attr]).includes(target));

/** Inline policy characters of every role that is no tenant's, and what tenant stacks add to it by name. */
function sharedRoleBudgets(ctx: RuleContext, planned: number, tenants: number): Budget[] {
  const tenantStacks = ctx.stacks.filter((s) => tenantIdOfStack(s.name));
  return ctx.stacks
    .filter((s) => !tenantIdOfStack(s.name))
    .flatMap((stack) =>
      resources(stack, 'aws_iam_role')
        .filter((role) => !/-tenant-[a-z0-9-]+$/.test(String(role.body.name)))
        .map((role) => {
          const own = referencing(stack, ['aws_iam_role_policy'], 'role', role.address).reduce((n, p) => n + policyChars(stack, p.body.policy), 0);
          const added = tenantStacks.flatMap((t) =>
            resources(t, 'aws_iam_role_policy')
              .filter((p) => p.body.role === role.body.name)
              .map((p) => policyChars(t, p.body.policy)),
          );
          return {
            budget: `inline policy chars, role ${String(role.body.name)}`,
            value: projectToTenants(
              own,
              added.reduce((a, b) => a + b, 0),
              tenants,
              planned,
            ),
            limit: IAM_INLINE_POLICY_CHARS_PER_ROLE,
            note: 'IAM hard limit',
          };
        }),
    );
}

/** Rules per direction of every security group that is no tenant's (inline and separate rule resources). */
function securityGroupBudgets(ctx: RuleContext): Budget[] {
  return ctx.stacks
    .filter((s) => !tenantIdOfStack(s.name))
    .flatMap((stack) =>
      resources(stack, 'aws_security_group').flatMap((sg) =>
        (['ingress', 'egress'] as const).map((direction) => {
          const inline = ([] as unknown[]).concat(sg.body[direction] ?? []).length;
          const separate = referencing(stack, [`aws_vpc_security_group_${direction}_rule`], 'security_group_id', sg.address).length;
          const legacy = referencing(stack, ['aws_security_group_rule'], 'security_group_id', sg.address).filter(
            (r) => r.body.type === direction,
          ).length;
          return {
            budget: `${direction === 'ingress' ? 'inbound' : 'outbound'} rules, SG ${String(sg.body.name)}`,
            value: inline + separate + legacy,
            limit: SECURITY_GROUP_RULES_PER_DIRECTION,
            note: 'EC2 default, adjustable',
          };
        }),
      ),
    );
}

/** The largest inline policy of one tenant's run role: it grows with the tenant's stack, not with the tenant count. */
function runRoleBudget(ctx: RuleContext): Budget[] {
  const sizes = ctx.stacks
    .filter((s) => s.name.startsWith('bootstrap-'))
    .flatMap((stack) =>
      resources(stack, 'aws_iam_role')
        .filter((role) => /-tfc-tenant-[a-z0-9-]+$/.test(String(role.body.name)))
        .map((role) => ({
          name: String(role.body.name),
          chars: referencing(stack, ['aws_iam_role_policy'], 'role', role.address).reduce((n, p) => n + policyChars(stack, p.body.policy), 0),
        })),
    );
  if (!sizes.length) return [];
  const largest = sizes.reduce((a, b) => (b.chars > a.chars ? b : a));
  return [
    {
      budget: `inline policy chars, largest run role (${largest.name})`,
      value: largest.chars,
      limit: IAM_INLINE_POLICY_CHARS_PER_ROLE,
      note: 'IAM hard limit',
    },
  ];
}

/** Objects tenant stacks put in namespaces that are not their own: separate objects, so no shared one grows. */
function sharedNamespaceBudgets(ctx: RuleContext, planned: number, tenants: number): Budget[] {
  const counts = new Map<string, number>();
  for (const stack of ctx.stacks.filter((s) => tenantIdOfStack(s.name))) {
    for (const r of resources(stack).filter((x) => x.type.startsWith('kubernetes_'))) {
      const manifest = r.type === 'kubernetes_manifest';
      const ns = resolved(stack, at(manifest ? r.body.manifest : r.body, 'metadata.namespace'));
      const key = `${ns} ${manifest ? String(at(r.body.manifest, 'kind')) : r.type}`;
      if (ns && ns !== stack.name) counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].sort().map(([what, n]) => ({
    budget: `tenant objects in shared namespace ${what}`,
    value: projectToTenants(0, n, tenants, planned),
    note: 'one object per tenant, no count limit',
  }));
}

export function budgets(ctx: RuleContext): Budget[] {
  const planned = plannedTenantsOf(ctx);
  const tenants = ctx.stacks.filter((s) => tenantIdOfStack(s.name)).length;
  const quotas = quotaUses(ctx).map((u) => ({
    budget: `${u.quota.name}, ${u.quota.per} ${u.scope}`,
    value: u.projected,
    limit: u.quota.defaultValue,
    note:
      u.quota.defaultValue === undefined
        ? 'no published quota'
        : `${quotaLabel(u.quota)} default, adjustable${u.quota.maximum ? ` to ${u.quota.maximum}` : ''}${u.overDefaultAt ? `; raise before tenant ${u.overDefaultAt}` : ''}`,
  }));
  return [
    ...quotas,
    ...runRoleBudget(ctx),
    ...sharedRoleBudgets(ctx, planned, tenants),
    ...securityGroupBudgets(ctx),
    ...sharedNamespaceBudgets(ctx, planned, tenants),
  ];
}

export function budgetTable(rows: readonly Budget[]): string {
  const width = Math.max(...rows.map((r) => r.budget.length));
  return rows
    .map(
      (r) =>
        `${r.budget.padEnd(width)} ${String(r.value).padStart(6)} / ${(r.limit === undefined ? '-' : String(r.limit)).padStart(6)}  ${r.limit === undefined || r.value <= r.limit ? 'fits' : 'OVER'}  ${r.note}`,
    )
    .join('\n');
}
