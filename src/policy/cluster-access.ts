import type { Project } from '../model/project';
import { tfcRoleArn } from '../model/workspaces';
import { at, block, blocks, resolved, resources, strings, type Json, type ResourceRef } from './json';
import type { DependencyGraph } from './graph';
import type { StackDocument } from './types';

/**
 * How a stack reaches an EKS cluster: its kubernetes and helm provider connections, the cluster
 * they name, the IAM principal they authenticate as, and the access entries that let principals in.
 */

/** Resource types applied through the Kubernetes API (kubernetes_*, helm_*). */
export const isClusterType = (type: string) => type.startsWith('kubernetes_') || type.startsWith('helm_');

/** The stack's resources applied through the Kubernetes API. */
export function clusterResources(stack: StackDocument): readonly ResourceRef[] {
  const types = Object.keys(stack.json.resource ?? {}).filter(isClusterType);
  // resources() with no type lists every resource.
  return types.length ? resources(stack, ...types) : [];
}

export interface ClusterConnection {
  readonly stack: StackDocument;
  /** `provider.kubernetes`, `provider.helm`, with `.<alias>` for an aliased provider. */
  readonly address: string;
  /** The connection: the kubernetes provider block, or the helm provider's `kubernetes` block. */
  readonly config: Json;
}

/** The kubernetes and helm provider connections of a stack. */
export function clusterConnections(stack: StackDocument): ClusterConnection[] {
  const provider = stack.json.provider ?? {};
  const address = (name: string, p: Json) => `provider.${name}${typeof p.alias === 'string' ? `.${p.alias}` : ''}`;
  return [
    ...blocks(provider.kubernetes).map((p) => ({ stack, address: address('kubernetes', p), config: p })),
    ...blocks(provider.helm).map((p) => ({ stack, address: address('helm', p), config: block(p.kubernetes) ?? {} })),
  ];
}

/** The value after `flag` in an exec plugin's arguments (`--cluster-name x`, `--role-arn y`). */
function execArgument(conn: ClusterConnection, flag: string): string | undefined {
  const args = strings(at(conn.config, 'exec.args'));
  const i = args.indexOf(flag);
  return i >= 0 && i + 1 < args.length ? resolved(conn.stack, args[i + 1]) : undefined;
}

/** Body of the resource or data source at an address of the stack. */
function bodyAt(stack: StackDocument, address: string): Json | undefined {
  const [first, ...rest] = address.split('.');
  const [type, id] = first === 'data' ? rest : [first, rest[0]];
  const body = (first === 'data' ? stack.json.data : stack.json.resource)?.[type]?.[id];
  return body as Json | undefined;
}

const CLUSTER_LOOKUPS = /^(data\.)?aws_eks_cluster(_auth)?\./;

/** Name of the cluster a connection talks to: from the cluster its host or token refers to, else the exec plugin's `--cluster-name`. */
export function clusterNameOf(conn: ClusterConnection, graph: DependencyGraph): string | undefined {
  const source = graph.referencesIn(conn.config).find((a) => CLUSTER_LOOKUPS.test(a));
  const name = source === undefined ? undefined : resolved(conn.stack, bodyAt(conn.stack, source)?.name);
  return name ?? execArgument(conn, '--cluster-name');
}

/**
 * The role a connection's credentials are issued for, when the stack names one: the exec plugin's
 * `--role-arn`, or the `assume_role` of the AWS provider that reads its `aws_eks_cluster_auth`
 * token. Undefined means the credentials of whoever runs Terraform.
 */
export function assumedRoleOf(conn: ClusterConnection, graph: DependencyGraph): string | undefined {
  const fromExec = execArgument(conn, '--role-arn');
  if (fromExec || block(conn.config.exec)) return fromExec;
  const auth = graph.referencesIn(conn.config.token).find((a) => a.startsWith('data.aws_eks_cluster_auth.'));
  if (!auth) return undefined;
  const alias = String(bodyAt(conn.stack, auth)?.provider ?? 'aws').split('.')[1];
  const aws = blocks(conn.stack.json.provider?.aws).find((p) => p.alias === alias);
  return resolved(conn.stack, at(aws?.assume_role, 'role_arn'));
}

/** Whether the stack keeps its state in Terraform Cloud (its runs apply it), not in a local file. */
export function runsInTerraformCloud(stack: StackDocument): boolean {
  const tf = stack.json.terraform ?? {};
  return block(tf.cloud) !== undefined || block(block(tf.backend)?.remote) !== undefined;
}

/** The role Terraform Cloud runs of a stack use in the platform account, where the cluster lives. */
export function runRoleArn(project: Project, stack: StackDocument): string {
  return tfcRoleArn(project.platform, stack.name, 'platform');
}

/** An IAM principal as an access entry names it: whoever runs Terraform, or a role or user. */
export type Principal =
  | { readonly kind: 'caller' }
  | { readonly kind: 'iam'; readonly type: string; readonly name: string; readonly account?: string; readonly literal: boolean };

const IAM_ARN = /^arn:[^:]+:iam::([^:]*):(role|user)\/(?:.*\/)?([^/]+)$/;
/** The caller's own identity, as an access entry can name it: the role behind the session, or the caller's ARN. */
const CALLER = /^\$\{data\.(aws_iam_session_context\.[\w-]+\.issuer_arn|aws_caller_identity\.[\w-]+\.arn)\}$/;

/** Reads an ARN of an IAM principal (a literal, a reference to an aws_iam_role / user, or the caller's identity). */
export function principalOf(stack: StackDocument, graph: DependencyGraph, value: unknown): Principal | undefined {
  if (typeof value === 'string' && CALLER.test(value.trim())) return { kind: 'caller' };
  const refs = graph.referencesIn(value);
  const iamRef = refs.find((a) => /^(data\.)?aws_iam_(role|user)\./.test(a));
  if (iamRef) {
    const name = resolved(stack, bodyAt(stack, iamRef)?.name);
    return name === undefined ? undefined : { kind: 'iam', type: /aws_iam_role\./.test(iamRef) ? 'role' : 'user', name, literal: false };
  }
  const m = IAM_ARN.exec(resolved(stack, value) ?? '');
  return m ? { kind: 'iam', type: m[2], name: m[3], account: /^\d{12}$/.test(m[1]) ? m[1] : undefined, literal: refs.length === 0 } : undefined;
}

/** Whether two principals are the same IAM identity (an account left unknown matches any). */
export function samePrincipal(a: Principal, b: Principal): boolean {
  if (a.kind === 'caller' || b.kind === 'caller') return a.kind === b.kind;
  return a.type === b.type && a.name === b.name && (a.account === undefined || b.account === undefined || a.account === b.account);
}

export interface AccessEntry {
  readonly resource: ResourceRef;
  readonly cluster?: string;
  readonly principal?: Principal;
  /** Its access policy associations in the same stack. */
  readonly associations: readonly ResourceRef[];
}

/** Access entries of a stack with the policy associations that give them permissions. */
export function accessEntries(stack: StackDocument, graph: DependencyGraph): AccessEntry[] {
  const associations = resources(stack, 'aws_eks_access_policy_association');
  return resources(stack, 'aws_eks_access_entry').map((entry) => {
    const principal = principalOf(stack, graph, entry.body.principal_arn);
    const own = associations.filter((a) => {
      if (graph.referencesIn(a.body.principal_arn).includes(entry.address)) return true;
      const other = principalOf(stack, graph, a.body.principal_arn);
      return principal !== undefined && other !== undefined && samePrincipal(principal, other);
    });
    return { resource: entry, cluster: resolved(stack, entry.body.cluster_name), principal, associations: own };
  });
}

/** Whether an entry lets its principal do anything: an access policy, or Kubernetes groups for RBAC. */
export function entryGrants(entry: AccessEntry): boolean {
  return entry.associations.length > 0 || strings(entry.resource.body.kubernetes_groups).length > 0;
}
