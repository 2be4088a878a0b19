import { platformNames } from './names';
import type { PlatformSpec } from './platform-schema';

/** The Terraform Cloud workspace and project a stack runs in (deterministic, see DESIGN). */
export function workspaceFor(platform: PlatformSpec, stackName: string, accountName: string) {
  const prefix = platformNames(platform).prefix;
  const projectPrefix = platform.terraformCloud?.projectPrefix ?? prefix;
  return {
    workspace: `${prefix}-${stackName}`,
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
