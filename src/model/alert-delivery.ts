import { platformNames } from './names';
import type { PlatformSpec } from './platform-schema';

/**
 * The AWS managed key of SNS: its key policy lets every principal of the account use it through
 * SNS, so publishers need no KMS grant, and no key policy grows with the tenants.
 */
export const AWS_MANAGED_SNS_KEY = 'alias/aws/sns';
/** The receiver of a tenant's AlertmanagerConfig (Alertmanager prefixes it with the config's namespace and name). */
export const TENANT_ALERTS_RECEIVER = 'tenant-alerts';
/** Alertmanager's default route: the platform's own alerts. */
export const PLATFORM_ALERTS_RECEIVER = 'platform-alerts';
/** The routing strategy that confines every AlertmanagerConfig to its own namespace's alerts. */
export const ALERTMANAGER_CONFIG_MATCHER_STRATEGY = 'OnNamespace';

/** The ARN of an SNS topic of the platform account and region. */
export function alertsTopicArn(platform: PlatformSpec, topic: string): string {
  const names = platformNames(platform);
  return `arn:${names.partition}:sns:${platform.aws.region}:${platform.aws.accountId}:${topic}`;
}

/** The ARN of Alertmanager's IRSA role, the one publisher of every alerts topic. */
export function alertmanagerRoleArn(platform: PlatformSpec): string {
  const names = platformNames(platform);
  return `arn:${names.partition}:iam::${platform.aws.accountId}:role/${names.alertmanagerRole}`;
}
