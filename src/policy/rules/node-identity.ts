import { TENANT_LABEL } from '../../model/labels';
import { POOL_LABEL } from '../../model/node-pools';
import { resources, type Json } from '../json';
import type { Rule, RuleContext, StackDocument, Violation } from '../types';

/**
 * Node identity: the cluster tells a kubelet's pool by the IAM role it authenticates with
 * (NodeIdentityAdmission), so that only holds while no two pools' node groups share a role.
 */

interface NodeGroupRole {
  readonly stack: string;
  readonly address: string;
  readonly group: string;
  /** `pool system`, `pool tenants`, `tenant acme`, or `node group <name>` for a group of no pool. */
  readonly pool: string;
  /** The node role's name, or the unresolved expression. */
  readonly role: string;
  readonly tenant?: string;
}

/** The name of the IAM role an ARN expression names: a role or role lookup of the stack, or a literal ARN. */
function roleName(stack: StackDocument, arn: string): string {
  const ref = /^\$\{(data\.)?aws_iam_role\.([^.]+)\.arn\}$/.exec(arn);
  if (ref) {
    const body = (ref[1] ? stack.json.data : stack.json.resource)?.aws_iam_role?.[ref[2]];
    if (typeof body?.name === 'string') return body.name;
  }
  const literal = /^arn:[^:]+:iam::\d{12}:role\/(?:.*\/)?([^/]+)$/.exec(arn);
  return literal ? literal[1] : arn;
}

function nodeGroupRoles(ctx: RuleContext): NodeGroupRole[] {
  return ctx.stacks.flatMap((stack) =>
    resources(stack, 'aws_eks_node_group').map((g) => {
      const labels = (g.body.labels ?? {}) as Json;
      const group = String(g.body.node_group_name ?? g.id);
      const tenant = typeof labels[TENANT_LABEL] === 'string' ? String(labels[TENANT_LABEL]) : undefined;
      const pool = tenant
        ? `tenant ${tenant}`
        : typeof labels[POOL_LABEL] === 'string'
          ? `pool ${String(labels[POOL_LABEL])}`
          : `node group ${group}`;
      return { stack: stack.name, address: g.address, group, pool, role: roleName(stack, String(g.body.node_role_arn ?? '')), tenant };
    }),
  );
}

export const nodeRolePerPool: Rule = {
  id: 'TC-NODE-001',
  title: "Each pool's node groups, and each dedicated tenant's, have a node role of their own",
  severity: 'error',
  rationale:
    "The Node admission policy knows a kubelet's pool only by the IAM role it authenticates with: two pools sharing a role lets a dedicated tenant's nodes, whose labels, taints and user data its pipeline chooses, register as the system pool (or another tenant) and draw platform pods or that tenant's pods onto them.",
  remediation:
    "Give every pool its own node role (eks-cluster: <prefix>-eks-node for system, <prefix>-eks-node-tenants for the shared tenants pool) and every dedicated tenant <prefix>-eks-node-tenant-<id> (its bootstrap stack owns it with Terraform Cloud); never point a node group at another pool's role.",
  check: (ctx) => {
    const groups = nodeGroupRoles(ctx);
    const out: Violation[] = [];
    for (const g of groups) {
      const sharers = [...new Set(groups.filter((o) => o.role === g.role && o.pool !== g.pool).map((o) => o.pool))];
      if (sharers.length) {
        out.push({
          stack: g.stack,
          address: g.address,
          message: `node group ${g.group} (${g.pool}) uses node role ${g.role}, which node groups of ${sharers.join(', ')} use too: its nodes could register as theirs`,
        });
      } else if (g.tenant && !g.role.endsWith(`-eks-node-tenant-${g.tenant}`)) {
        out.push({
          stack: g.stack,
          address: g.address,
          message: `node group ${g.group} of tenant ${g.tenant} uses node role ${g.role}, not its own (<prefix>-eks-node-tenant-${g.tenant}): admission will refuse its nodes' tenant claims`,
        });
      }
    }
    return out;
  },
};

export const nodeIdentityRules: readonly Rule[] = [nodeRolePerPool];
