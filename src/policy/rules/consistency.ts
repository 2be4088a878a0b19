import * as path from 'path';
import { ec2Capacity } from '../../model/instance-types';
import { cpuCores, memoryGiB } from '../../model/tiers';
import {
  at,
  block,
  blocks,
  identityPolicies,
  manifests,
  resolved,
  resolveString,
  resources,
  strings,
  tenantStacks,
  type TenantStackInfo,
} from '../json';
import type { Rule, StackDocument, Violation } from '../types';

/**
 * Consistency across the configuration and the stacks: what one tenant's stack cannot see on
 * its own (names shared with another tenant) and what the configuration must agree on.
 */

interface Claim {
  readonly key: string;
  readonly stack: string;
  readonly address: string;
  /** Who claims the key (default: the stack); a key claimed twice by one owner is no clash. */
  readonly owner?: string;
}

const ownerOf = (c: Claim) => c.owner ?? c.stack;

/** One violation per claim whose key another stack claims too. */
function duplicates(claims: Claim[], what: string): Violation[] {
  const byKey = new Map<string, Claim[]>();
  for (const c of claims) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c]);
  return [...byKey.values()]
    .filter((group) => new Set(group.map(ownerOf)).size > 1)
    .flatMap((group) =>
      group.map((c) => ({
        stack: c.stack,
        address: c.address,
        message: `${what} ${c.key} is also used by ${[...new Set(group.filter((o) => ownerOf(o) !== ownerOf(c)).map(ownerOf))].join(', ')}`,
      })),
    );
}

export const tierExists: Rule = {
  id: 'TC-CON-001',
  title: "Every tenant's tier exists",
  severity: 'error',
  rationale:
    'A tenant file naming an unknown tier has no quota, limits or node isolation to build from; it must be caught before anything is planned.',
  remediation: 'Set tier in tenants/<id>.json to a stock tier (starter, standard, enterprise) or one defined under tiers in platform.json.',
  check: (ctx) =>
    (ctx.config?.tenants ?? [])
      .filter((t) => !ctx.config!.tiers.includes(t.tier))
      .map((t) => ({
        stack: `tenant-${t.id}`,
        address: t.file,
        file: t.file,
        message: `tenant ${t.id} names tier ${JSON.stringify(t.tier)}, which does not exist (tiers: ${ctx.config!.tiers.join(', ')})`,
      })),
};

export const uniqueNamespaces: Rule = {
  id: 'TC-CON-002',
  title: 'No two tenants share a namespace',
  severity: 'error',
  rationale: 'Namespace isolation means nothing if two tenants (or a tenant and the platform) land in the same namespace.',
  remediation: 'Give each tenant its own namespace tenant-<id>; never reuse a platform namespace.',
  check: (ctx) =>
    duplicates(
      ctx.stacks.flatMap((stack) =>
        resources(stack, 'kubernetes_namespace_v1', 'kubernetes_namespace').map((n) => ({
          key: resolved(stack, at(n.body.metadata, 'name')) ?? n.id,
          stack: stack.name,
          address: n.address,
        })),
      ),
      'namespace',
    ),
};

const DB_USER = /:dbuser:[^/]+\/(.+)$/;

export const uniqueDatabaseRoles: Rule = {
  id: 'TC-CON-003',
  title: 'No two tenants share a database role',
  severity: 'error',
  rationale: "Row-level security and schema grants are per database role: two tenants logging in as the same role see each other's data.",
  remediation: 'Give each tenant its own database user tenant_<id> in its rds-db:connect permission.',
  check: (ctx) =>
    duplicates(
      tenantStacks(ctx.stacks, ctx.project).flatMap((t) =>
        identityPolicies(t.stack).flatMap((p) =>
          (p.statements ?? [])
            .filter((s) => s.effect === 'Allow' && s.actions.some((a) => a.toLowerCase() === 'rds-db:connect'))
            .flatMap((s) => s.resources.map((r) => DB_USER.exec(resolveString(t.stack, r))?.[1]).filter((u): u is string => !!u))
            .map((user) => ({ key: user, stack: t.stack.name, address: p.address })),
        ),
      ),
      'database role',
    ),
};

/** Routes a tenant's gateway-bound VirtualServices claim: the host, or host + path prefix on a shared host. */
function routeClaims(t: TenantStackInfo): Claim[] {
  return manifests(t.stack, 'VirtualService')
    .filter((m) => strings(at(m.manifest.spec, 'gateways')).some((g) => g !== 'mesh'))
    .flatMap((m) => {
      const hosts = strings(at(m.manifest.spec, 'hosts')).map((h) => resolveString(t.stack, h));
      const prefixes = blocks(at(m.manifest.spec, 'http')).flatMap((h) =>
        blocks(h.match)
          .map((x) => at(x.uri, 'prefix') ?? at(x.uri, 'exact'))
          .filter((p): p is string => typeof p === 'string'),
      );
      return hosts.flatMap((host) =>
        host.includes('*')
          ? (prefixes.length ? prefixes : ['/']).map((p) => ({ key: `${host}${p}`, stack: t.stack.name, address: m.address }))
          : [{ key: host, stack: t.stack.name, address: m.address }],
      );
    });
}

export const uniqueHosts: Rule = {
  id: 'TC-CON-004',
  title: 'No two tenants share a host name or path',
  severity: 'error',
  rationale: "Two tenants routed from the same host (or the same path of a shared host) get each other's traffic, sessions included.",
  remediation: 'Route each tenant from its own host <id>.<domain> (or its own path /<id>/ without a domain).',
  check: (ctx) => duplicates(tenantStacks(ctx.stacks, ctx.project).flatMap(routeClaims), 'host'),
};

/** The Terraform workspace (or local state file) a stack's backend names. */
function workspaceOf(stack: StackDocument): Claim | undefined {
  const tf = stack.json.terraform ?? {};
  const cloud = block(tf.cloud);
  const name = at(cloud?.workspaces, 'name');
  if (cloud && typeof name === 'string') return { key: `${String(cloud.organization ?? '')}/${name}`, stack: stack.name, address: 'terraform.cloud' };
  const backend = block(tf.backend) ?? {};
  const remote = block(backend.remote);
  const remoteName = at(remote?.workspaces, 'name');
  if (remote && typeof remoteName === 'string')
    return { key: `${String(remote.organization ?? '')}/${remoteName}`, stack: stack.name, address: 'terraform.backend.remote' };
  const local = at(backend.local, 'path');
  // Local state paths are relative to the stack's directory (cdktf.out/stacks/<name>).
  if (typeof local === 'string')
    return { key: path.posix.normalize(path.posix.join('stacks', stack.name, local)), stack: stack.name, address: 'terraform.backend.local' };
  return undefined;
}

export const uniqueWorkspaces: Rule = {
  id: 'TC-CON-005',
  title: 'No two stacks share a workspace or state',
  severity: 'error',
  rationale:
    "Two stacks planning in one workspace (or one state file) overwrite each other's state: an apply of one tenant would destroy " +
    "another's resources.",
  remediation: 'Keep the workspace names tenantctl derives (<prefix>-<stack>), one per stack.',
  check: (ctx) => {
    const backends = ctx.stacks.map(workspaceOf).filter((c): c is Claim => !!c);
    const declared = ctx.stacks.flatMap((stack) =>
      resources(stack, 'tfe_workspace').map((w) => ({
        key: `${String(w.body.organization ?? '')}/${String(resolved(stack, w.body.name) ?? w.id)}`,
        stack: stack.name,
        address: w.address,
        owner: w.address,
      })),
    );
    return [...duplicates(backends, 'workspace'), ...duplicates(declared, 'workspace')];
  },
};

/** CPU and memory a namespace quota guarantees: the requests (what the scheduler must place). */
function quotaOf(t: TenantStackInfo): { cpu: number; memory: number } | undefined {
  const quota = resources(t.stack, 'kubernetes_resource_quota_v1', 'kubernetes_resource_quota')[0];
  const hard = block(at(quota?.body.spec, 'hard'));
  if (!hard) return undefined;
  const pick = (what: string) => hard[`requests.${what}`] ?? hard[what] ?? hard[`limits.${what}`];
  const cpu = pick('cpu');
  const memory = pick('memory');
  return typeof cpu === 'string' && typeof memory === 'string' ? { cpu: cpuCores(cpu), memory: memoryGiB(memory) } : undefined;
}

export const quotaFitsNodes: Rule = {
  id: 'TC-CON-006',
  title: 'Quotas of dedicated-node tenants fit their node group',
  severity: 'error',
  rationale:
    'A tenant on dedicated nodes can only run what its node group holds: a quota larger than the group at its maximum size promises ' +
    'capacity that pods will wait for forever.',
  remediation: "Raise the tier's nodes.nodeGroup maxSize or instance type, or lower its quota.cpu / quota.memory.",
  check: (ctx) =>
    tenantStacks(ctx.stacks, ctx.project).flatMap((t) => {
      const quota = quotaOf(t);
      if (!quota) return [];
      return resources(t.stack, 'aws_eks_node_group').flatMap((ng): Violation[] => {
        const types = strings(ng.body.instance_types);
        const maxSize = Number(at(ng.body.scaling_config, 'max_size'));
        const capacities = types.map((type) => ({ type, cap: ec2Capacity(type) }));
        const unknown = capacities.filter((c) => !c.cap).map((c) => c.type);
        if (!types.length || unknown.length || !Number.isFinite(maxSize)) {
          const why = !types.length
            ? 'names no instance type'
            : unknown.length
              ? `uses instance type(s) ${unknown.join(', ')} of unknown size`
              : 'has no max_size';
          return [
            {
              stack: t.stack.name,
              address: ng.address,
              severity: 'warning',
              message: `node group ${String(ng.body.node_group_name ?? ng.id)} ${why}: cannot check that the quota fits`,
            },
          ];
        }
        // Mixed instance types: the group may scale out with the smallest.
        const vcpu = Math.min(...capacities.map((c) => c.cap!.vcpu)) * maxSize;
        const memory = Math.min(...capacities.map((c) => c.cap!.memoryGiB)) * maxSize;
        const short = [
          ...(quota.cpu > vcpu ? [`${quota.cpu} CPU > ${vcpu} vCPU`] : []),
          ...(quota.memory > memory ? [`${quota.memory} GiB > ${memory} GiB memory`] : []),
        ];
        return short.length
          ? [
              {
                stack: t.stack.name,
                address: ng.address,
                message: `the quota of tenant ${t.id} does not fit node group ${String(ng.body.node_group_name ?? ng.id)} at max_size ${maxSize}: ${short.join(', ')}`,
              },
            ]
          : [];
      });
    }),
};

export const consistencyRules: readonly Rule[] = [tierExists, uniqueNamespaces, uniqueDatabaseRoles, uniqueHosts, uniqueWorkspaces, quotaFitsNodes];
