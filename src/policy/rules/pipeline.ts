import { AWS_TYPE_ACTIONS, actionsOf } from '../../model/aws-actions';
import { TENANT_SERVICE_SEPARATOR, tenantAlertsTopic, tenantIdOfStack, tenantStackName } from '../../model/names';
import { at, block, identityPolicies, resolved, resources, type Json, type PolicyStatement, type ResourceRef } from '../json';
import type { Rule, RuleContext, StackDocument, Violation } from '../types';

/**
 * The pipeline's side of tenant isolation: what a tenant workspace's run role may do (the
 * bootstrap stacks hold the run roles), and what tenant stacks add to objects they share.
 */

/** IAM limit on all inline policies of one role together, in characters without whitespace. */
export const IAM_INLINE_POLICY_CHARS_PER_ROLE = 10_240;
/** Default EC2 quota of inbound (and of outbound) rules per security group. */
export const SECURITY_GROUP_RULES_PER_DIRECTION = 60;

const READ_ACTION = /^[a-z0-9-]+:(Describe|Get|List)/;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** IAM action patterns: `*` matches any run of characters, case-insensitively. */
const actionMatches = (pattern: string, action: string) => new RegExp(`^${pattern.split('*').map(escape).join('.*')}$`, 'i').test(action);

interface RunRole {
  readonly stack: StackDocument;
  readonly role: ResourceRef;
  /** `tenant-<id>`: the workspace's stack. */
  readonly stackName: string;
  readonly tenantId: string;
  /** `<name>-<environment>`, from the role's name `<prefix>-tfc-tenant-<id>`. */
  readonly prefix: string;
  /** The account of the bootstrap stack, from `bootstrap-<account>`. */
  readonly accountName: string;
  readonly statements: { policy: string; statement: PolicyStatement }[];
}

/** Run roles of tenant workspaces (`<prefix>-tfc-tenant-<id>`) in the bootstrap stacks, with their inline statements. */
function tenantRunRoles(stacks: readonly StackDocument[]): RunRole[] {
  const out: RunRole[] = [];
  for (const stack of stacks.filter((s) => s.name.startsWith('bootstrap-'))) {
    const policies = identityPolicies(stack);
    for (const role of resources(stack, 'aws_iam_role')) {
      const m = /^(.+)-tfc-tenant-([a-z0-9-]+)$/.exec(String(role.body.name ?? ''));
      if (!m) continue;
      const own = policies.filter(
        (p) => p.resource.type === 'aws_iam_role_policy' && String(p.resource.body.role ?? '').includes(`aws_iam_role.${role.id}.`),
      );
      out.push({
        stack,
        role,
        stackName: tenantStackName(m[2]),
        tenantId: m[2],
        prefix: m[1],
        accountName: stack.name.slice('bootstrap-'.length),
        statements: own.flatMap((p) => (p.statements ?? []).map((statement) => ({ policy: p.address, statement }))),
      });
    }
  }
  return out;
}

/** The tenant's admin principal, when the loaded project names one. */
function adminPrincipalOf(ctx: RuleContext, id: string): string | undefined {
  return ctx.project?.tenants.find((t) => t.id === id)?.adminPrincipalArn;
}

/**
 * Role writes that could give a role more than the tenant boundary (`<prefix>-tenant-boundary`)
 * allows: IAM authorizes each of them with the `iam:PermissionsBoundary` condition key.
 */
const BOUNDED_ROLE_WRITES = [
  'iam:CreateRole',
  'iam:PutRolePolicy',
  'iam:DeleteRolePolicy',
  'iam:AttachRolePolicy',
  'iam:DetachRolePolicy',
  'iam:PutRolePermissionsBoundary',
];

/** Why a statement may leave a role without the tenant boundary, or undefined. */
function unbounded(prefix: string, s: PolicyStatement): string | undefined {
  if (s.actions.some((a) => actionMatches(a, 'iam:DeleteRolePermissionsBoundary'))) return "may remove a role's permissions boundary";
  const bounded = BOUNDED_ROLE_WRITES.filter((b) => s.actions.some((a) => actionMatches(a, b)));
  if (!bounded.length) return undefined;
  const boundary = new RegExp(`^arn:[^:*]+:iam::\\d{12}:policy/${escape(prefix)}-tenant-boundary$`);
  const values = [...(s.conditions.StringEquals?.['iam:PermissionsBoundary'] ?? []), ...(s.conditions.ArnEquals?.['iam:PermissionsBoundary'] ?? [])];
  if (values.length && values.every((v) => boundary.test(v))) return undefined;
  return `allows ${bounded.join(', ')} without the condition iam:PermissionsBoundary = the ${prefix}-tenant-boundary policy: the pipeline could give its role anything, point the role's trust at itself and assume it`;
}

/** Why one Allow statement of tenant `id`'s run role reaches beyond the tenant, or undefined. */
function overreach(ctx: RuleContext, id: string, prefix: string, s: PolicyStatement): string | undefined {
  if (s.notActions.length) return `allows everything but ${s.notActions.join(', ')}`;
  const writes = s.actions.filter((a) => !READ_ACTION.test(a));
  if (!writes.length) return undefined;
  if (writes.some((a) => a.includes('*'))) return `allows the wildcard action(s) ${writes.filter((a) => a.includes('*')).join(', ')}`;
  const escapes = unbounded(prefix, s);
  if (escapes) return escapes;
  if (writes.includes('sts:AssumeRole')) return `may assume ${s.resources.join(', ')}: a shared role would carry every tenant's rights`;
  const condition = JSON.stringify(s.conditions);
  if (writes.every((a) => a === 'iam:PassRole')) {
    if (!s.conditions.StringEquals?.['iam:PassedToService']?.length) return `may pass ${s.resources.join(', ')} to any service`;
    // Its nodes authenticate as the role it passes: another pool's would let them claim that pool (NodeIdentityAdmission).
    const ownNodeRole = new RegExp(`:role/[^*]*-eks-node-tenant-${escape(id)}$`);
    return s.resources.every((r) => ownNodeRole.test(r))
      ? undefined
      : `may pass ${s.resources.join(', ')}: only its own node role (<prefix>-eks-node-tenant-${id})`;
  }
  // Its own objects by name: `tenant-<id>` followed by the end, a path separator or the separator
  // of its catalog services' objects (their IRSA roles), with no wildcard before it.
  const named = new RegExp(`^[^*]*tenant-${escape(id)}($|/|${escape(TENANT_SERVICE_SEPARATOR)})`);
  // Or its alerts topic, the one SNS name it writes (`tenant-<id>-alerts`, by the whole name).
  const topic = new RegExp(`^arn:[^:*]+:sns:[^:*]+:\\d{12}:${escape(tenantAlertsTopic(prefix, id))}$`);
  if (s.resources.every((r) => named.test(r) || topic.test(r))) return undefined;
  // Or by a condition: its tag on the object or on the request, or (on the Auto Scaling group EKS
  // made for its node group, which carries no tags of ours) that node group's EKS tag.
  if (new RegExp(`"aws:(Request|Resource)Tag/tenantctl:tenant":\\["${escape(id)}"\\]`).test(condition)) return undefined;
  if (new RegExp(`"aws:ResourceTag/eks:nodegroup-name":\\["tenant-${escape(id)}"\\]`).test(condition)) return undefined;
  // Or its admin principal's access entry: one exact principal, the tenant's when the project is
  // loaded (without it, any one principal that is no Terraform Cloud run role).
  const admin = adminPrincipalOf(ctx, id);
  const principals = s.conditions.StringEquals?.['eks:principalArn'] ?? [];
  const principal = principals.length === 1 ? principals[0] : admin;
  const name = principal ? escape(principal.split('/').pop() ?? '') : '[^*/]+';
  const entry = new RegExp(`:access-entry/[^*/]+/(role|user)/\\d{12}/(${name})/\\*$`);
  const cluster = /:cluster\/[^*/]+$/;
  const exact = principal === undefined || (!principal.includes('*') && (admin === undefined || principal === admin));
  const entries = s.resources.every((r) => entry.test(r) || (principals.length === 1 && cluster.test(r)));
  const runRole = s.resources.some((r) => /-tfc-/.test(entry.exec(r)?.[2] ?? '')) || principals.some((p) => /-tfc-/.test(p));
  if (exact && entries && !runRole) return undefined;
  return `allows ${writes.join(', ')} on ${s.resources.join(', ')} with no name, tag or principal of tenant ${id}`;
}

export const runRoleHoldsOnlyItsTenant: Rule = {
  id: 'TC-PIP-001',
  title: 'A tenant run role can change its own tenant and nothing else',
  severity: 'error',
  rationale:
    "A tenant workspace's credentials are as wide as its run role: a wildcard over access entries or launch templates, a write to a shared " +
    "role (the proxy's) or a role it may assume (a shared deployer) lets one tenant's pipeline change other tenants or the platform; an " +
    "inline policy write on its own role without the tenant permissions boundary makes it account admin (it may also set that role's " +
    'trust to itself).',
  remediation:
    "Build tenant run roles with tenantRunStatements (stacks/constructs/tfc/tenant-run-permissions.ts): writes name the tenant's objects, " +
    'or carry its tenantctl:tenant tag or admin principal as a condition; role creation and policy writes require iam:PermissionsBoundary ' +
    '= <prefix>-tenant-boundary; nothing is assumed.',
  check: (ctx) =>
    tenantRunRoles(ctx.stacks).flatMap((r) => {
      const id = r.tenantId;
      return r.statements
        .filter(({ statement }) => statement.effect === 'Allow')
        .flatMap(({ policy, statement }) => {
          const why = overreach(ctx, id, r.prefix, statement);
          return why
            ? [
                {
                  stack: r.stack.name,
                  address: policy,
                  message: `run role ${String(r.role.body.name)}, statement ${statement.sid ?? '(no Sid)'}: ${why}`,
                },
              ]
            : [];
        });
    }),
};

/** The account a resource deploys into: its own, unless routed to the `aws.platform` alias. */
export function accountOf(stack: StackDocument, body: Json): string {
  const providers = ([] as Json[]).concat((stack.json.provider?.aws as Json[] | Json | undefined) ?? []);
  const own = providers.find((p) => !p.alias);
  const tags = block(at(own, 'default_tags'))?.tags as Json | undefined;
  const accountName = String(tags?.['tenantctl:account'] ?? 'platform');
  return body.provider === 'aws.platform' ? 'platform' : accountName;
}

export const runRoleCoversStack: Rule = {
  id: 'TC-PIP-002',
  title: 'A tenant run role may read and manage every AWS object of its stack',
  severity: 'error',
  rationale:
    'Terraform Cloud plans a tenant stack with its run role: a data source or resource whose API calls the role lacks fails every plan of ' +
    'that tenant (as a lookup of the IAM OIDC provider by URL once did), and a type missing from the action table ships unreviewed.',
  remediation:
    "Add the type's create, read, update and delete actions to AWS_TYPE_ACTIONS (src/model/aws-actions.ts) and the type to " +
    'tenantStackTypes, with its resource scope, then synthesize the bootstrap stacks again.',
  check: (ctx) => {
    const roles = tenantRunRoles(ctx.stacks);
    if (!roles.length) return [];
    const out: Violation[] = [];
    for (const stack of ctx.stacks.filter((s) => tenantIdOfStack(s.name))) {
      const entries: { address: string; type: string; body: Json }[] = [
        ...resources(stack).map((r) => ({ address: r.address, type: r.type, body: r.body })),
        ...Object.entries(stack.json.data ?? {}).flatMap(([type, all]) =>
          Object.entries(all).map(([id, body]) => ({ address: `data.${type}.${id}`, type: `data.${type}`, body: body as Json })),
        ),
      ].filter((e) => e.type.replace(/^data\./, '').startsWith('aws_'));
      for (const e of entries) {
        const account = accountOf(stack, e.body);
        const role = roles.find((r) => r.stackName === stack.name && r.accountName === account);
        if (!role) {
          out.push({
            stack: stack.name,
            address: e.address,
            message: `no run role of workspace ${stack.name} exists in account ${account} (bootstrap-${account})`,
          });
          continue;
        }
        if (!AWS_TYPE_ACTIONS[e.type]) {
          out.push({
            stack: stack.name,
            address: e.address,
            message: `${e.type} has no entry in the IAM action table, so no run role grants what it calls`,
          });
          continue;
        }
        const allowed = role.statements.filter(({ statement }) => statement.effect === 'Allow').flatMap(({ statement }) => statement.actions);
        const missing = actionsOf(e.type).filter((a) => !allowed.some((pattern) => actionMatches(pattern, a)));
        if (missing.length)
          out.push({
            stack: stack.name,
            address: e.address,
            message: `run role ${String(role.role.body.name)} lacks ${missing.join(', ')}, which ${e.type} needs`,
          });
        if (e.type === 'aws_iam_role') {
          // The run role creates the role only under the boundary its CreateRole grant names.
          const required = role.statements
            .filter(({ statement }) => statement.effect === 'Allow' && statement.actions.some((a) => actionMatches(a, 'iam:CreateRole')))
            .flatMap(({ statement }) => statement.conditions.StringEquals?.['iam:PermissionsBoundary'] ?? []);
          const boundary = e.body.permissions_boundary;
          if (required.length && !required.includes(String(boundary))) {
            out.push({
              stack: stack.name,
              address: e.address,
              message: `its permissions_boundary is ${boundary === undefined ? 'unset' : String(boundary)}: run role ${String(role.role.body.name)} may create it only with ${required.join(', ')}`,
            });
          }
        }
      }
    }
    return out;
  },
};

/** Characters IAM counts in a policy: whitespace outside strings is not counted. */
export function policyChars(stack: StackDocument, policy: unknown): number {
  return (resolved(stack, policy) ?? '').replace(/\s+/g, '').length;
}

/** The tenant count to project to: platform.json's plannedTenants, and never fewer than the tenants there are. */
export function plannedTenantsOf(ctx: RuleContext): number {
  const tenants = ctx.stacks.filter((s) => tenantIdOfStack(s.name)).length;
  return Math.max(ctx.project?.platform.database.plannedTenants ?? tenants, tenants);
}

/**
 * An amount at `planned` tenants: `fixed` (what exists once, whatever the tenant count) plus the
 * average that `tenants` tenants add together (`perTenantTotal`), times `planned`.
 */
export function projectToTenants(fixed: number, perTenantTotal: number, tenants: number, planned: number): number {
  return fixed + (tenants ? Math.ceil((perTenantTotal / tenants) * planned) : 0);
}

/** The first tenant count whose projection passes `limit`, or undefined when tenants add nothing. */
export function firstTenantOver(fixed: number, perTenantTotal: number, tenants: number, limit: number): number | undefined {
  if (!tenants || perTenantTotal <= 0) return undefined;
  let n = Math.max(1, Math.floor(((limit - fixed) * tenants) / perTenantTotal));
  while (projectToTenants(fixed, perTenantTotal, tenants, n) <= limit) n++;
  while (n > 1 && projectToTenants(fixed, perTenantTotal, tenants, n - 1) > limit) n--;
  return n;
}

interface Growth {
  readonly limit: number;
  readonly unit: string;
  readonly uses: { stack: string; address: string; amount: number }[];
}

export const sharedObjectsDoNotGrow: Rule = {
  id: 'TC-PIP-003',
  title: 'No shared object grows per tenant beyond its limit at the planned tenant count',
  severity: 'error',
  rationale:
    'Each tenant stack that adds to one shared object (an inline policy on a platform role, a rule on a platform security group) makes the ' +
    'next apply of the N-th tenant fail at a service limit (10,240 characters of inline policy per role, 60 rules per security group ' +
    'direction) long after review, on a platform sized for many more tenants.',
  remediation:
    'Grant every tenant at once from the platform stack by pattern (DatabaseProxy grants rds-db:connect on tenant_*), or give each tenant ' +
    'its own object; tenant stacks write only objects they create.',
  check: (ctx) => {
    const tenants = ctx.stacks.filter((s) => tenantIdOfStack(s.name));
    const planned = plannedTenantsOf(ctx);
    const shared = new Map<string, Growth>();
    const add = (key: string, limit: number, unit: string, use: Growth['uses'][number]) => {
      const g = shared.get(key) ?? { limit, unit, uses: [] };
      g.uses.push(use);
      shared.set(key, g);
    };
    for (const stack of tenants) {
      // A role given by name, not by reference to a role of this stack, belongs to someone else.
      for (const r of resources(stack, 'aws_iam_role_policy')) {
        const role = r.body.role;
        if (typeof role === 'string' && !role.includes('${'))
          add(`inline policies of role ${role}`, IAM_INLINE_POLICY_CHARS_PER_ROLE, 'characters', {
            stack: stack.name,
            address: r.address,
            amount: policyChars(stack, r.body.policy),
          });
      }
      for (const r of resources(stack, 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule', 'aws_security_group_rule')) {
        const group = r.body.security_group_id;
        const direction = r.type.includes('egress') || r.body.type === 'egress' ? 'outbound' : 'inbound';
        if (typeof group === 'string' && !group.includes('${aws_security_group.'))
          add(`${direction} rules of security group ${group}`, SECURITY_GROUP_RULES_PER_DIRECTION, 'rules', {
            stack: stack.name,
            address: r.address,
            amount: 1,
          });
      }
    }
    const out: Violation[] = [];
    for (const [what, g] of shared) {
      const stacks = new Set(g.uses.map((u) => u.stack));
      const total = g.uses.reduce((sum, u) => sum + u.amount, 0);
      const projected = projectToTenants(0, total, stacks.size, planned);
      for (const u of g.uses) {
        out.push({
          stack: u.stack,
          address: u.address,
          message: `tenant stacks add to the ${what} (${total} ${g.unit} from ${stacks.size} tenant(s)): ${projected} ${g.unit} at ${planned} planned tenants, ${projected > g.limit ? 'over' : 'against'} the limit of ${g.limit}`,
          ...(projected > g.limit ? {} : { severity: 'warning' as const }),
        });
      }
    }
    return out;
  },
};

export const pipelineRules: readonly Rule[] = [runRoleHoldsOnlyItsTenant, runRoleCoversStack, sharedObjectsDoNotGrow];
