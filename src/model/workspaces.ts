import { bootstrapStackName, platformNames } from './names';
import type { PlatformSpec } from './platform-schema';
import type { Project, TenantSpec } from './project';

/** The kinds of stack a project synthesizes, in apply order. */
export type StackKind = 'workspaces' | 'bootstrap' | 'platform' | 'cluster' | 'tenant';

/** One stack of a project: what it is and which AWS account it deploys into. */
export interface StackInfo {
  readonly name: string;
  readonly kind: StackKind;
  /** `platform` or a service account name; the workspaces stack has none (it only talks to Terraform Cloud). */
  readonly accountName?: string;
  readonly tenant?: TenantSpec;
}

/** Audience Terraform Cloud puts in its workload identity tokens for AWS (its default). */
export const TFC_AWS_AUDIENCE = 'aws.workload.identity';

/**
 * Tag of the second dynamic-credentials configuration that stacks in a service account use for
 * the platform account (env `TFC_AWS_RUN_ROLE_ARN_PLATFORM`, Terraform Cloud's
 * "multiple configurations" feature).
 */
export const PLATFORM_CREDENTIALS_TAG = 'PLATFORM';

/**
 * Every stack of a project, in apply order: workspaces, account bootstraps, the platform's AWS
 * layer, its Kubernetes layer (`cluster`, which needs the cluster and its access entries to exist),
 * tenants.
 */
export function projectStacks(project: Project): StackInfo[] {
  const stacks: StackInfo[] = [];
  if (project.platform.terraformCloud) {
    // With tenantctl's own agents, the workspaces stack also writes their token into the platform account.
    stacks.push({ name: 'workspaces', kind: 'workspaces', ...(project.platform.terraformCloud.agents ? { accountName: 'platform' } : {}) });
    for (const accountName of accountNames(project.platform)) stacks.push({ name: bootstrapStackName(accountName), kind: 'bootstrap', accountName });
  }
  stacks.push({ name: 'platform', kind: 'platform', accountName: 'platform' });
  stacks.push({ name: 'cluster', kind: 'cluster', accountName: 'platform' });
  for (const tenant of project.tenants) stacks.push({ name: tenant.names.stack, kind: 'tenant', accountName: tenant.accountName, tenant });
  return stacks;
}

/**
 * The stacks whose output depends on one tenant, so the ones a tenant command re-synthesizes:
 * the tenant's own stack and, under Terraform Cloud, the workspaces stack (its workspace) and the
 * bootstrap stack of every account its runs need credentials in (they hold its run roles).
 */
export function tenantStackNames(platform: PlatformSpec, tenant: Pick<TenantSpec, 'names' | 'accountName'>): string[] {
  const own: StackInfo = { name: tenant.names.stack, kind: 'tenant', accountName: tenant.accountName };
  if (!platform.terraformCloud) return [own.name];
  return [own.name, 'workspaces', ...credentialAccounts(own).map(bootstrapStackName)];
}

/** `platform` and every service account, in declaration order. */
export function accountNames(platform: PlatformSpec): string[] {
  return ['platform', ...platform.aws.serviceAccounts.map((a) => a.name)];
}

/** The Terraform Cloud workspace and project a stack runs in (deterministic, see DESIGN). */
export function workspaceFor(platform: PlatformSpec, stackName: string, accountName: string) {
  const prefix = platformNames(platform).prefix;
  const projectPrefix = platform.terraformCloud?.projectPrefix ?? prefix;
  return {
    workspace: platformNames(platform).workspace(stackName),
    project: `${projectPrefix}-${accountName}`,
  };
}

/** The AWS account id behind an account name (`platform` or a service account). */
export function accountIdOf(platform: PlatformSpec, accountName: string): string {
  if (accountName === 'platform') return platform.aws.accountId;
  const account = platform.aws.serviceAccounts.find((a) => a.name === accountName);
  if (!account) throw new Error(`unknown service account ${accountName}`);
  return account.accountId;
}

/** Name of the IAM role a stack's Terraform Cloud runs assume (in every account the stack touches). */
export function tfcRoleName(platform: PlatformSpec, stackName: string): string {
  return platformNames(platform).runRole(stackName);
}

export function tfcRoleArn(platform: PlatformSpec, stackName: string, accountName: string): string {
  return `arn:${platformNames(platform).partition}:iam::${accountIdOf(platform, accountName)}:role/${tfcRoleName(platform, stackName)}`;
}

/**
 * The accounts a stack's runs need credentials in: its own and, for a tenant in a service
 * account, the platform account too (the cluster and the database live there).
 */
export function credentialAccounts(stack: StackInfo): string[] {
  if (!stack.accountName) return [];
  return stack.kind === 'tenant' && stack.accountName !== 'platform' ? [stack.accountName, 'platform'] : [stack.accountName];
}
