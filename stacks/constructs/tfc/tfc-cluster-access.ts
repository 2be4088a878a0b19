import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { Construct } from 'constructs';
import { clusterAdminAccess } from '../eks/cluster-admin-access';
import { platformNames } from '../../../src/config/names';
import type { PlatformSpec } from '../../../src/config/platform-schema';
import { tfcRoleArn, tfcRoleName } from '../../../src/config/workspaces';

export interface TfcClusterAccessProps {
  readonly platform: PlatformSpec;
  readonly clusterName: string;
}

/**
 * Kubernetes access for Terraform Cloud runs (the cluster has no creator-admin: every principal
 * has an access entry). The cluster workspace's run role gets cluster admin directly; the platform
 * workspace applies no Kubernetes resource and gets none. Tenant workspaces get it through one
 * deployer role that any tenant run role of this platform may assume, so adding a tenant never
 * changes this stack. Created in the platform stack, so it exists before the cluster and tenant
 * stacks' first plan.
 */
export class TfcClusterAccess extends Construct {

  constructor(scope: Construct, id: string, props: TfcClusterAccessProps) {
    super(scope, id);
    const { platform } = props;
    const names = platformNames(platform);
    const account = platform.aws.accountId;
    const deployer = new IamRole(this, 'tenant-deployer', {
      name: names.tenantDeployerRole,
      description: 'Kubernetes access for the Terraform Cloud runs of tenant workspaces (assumed from their run roles)',
      maxSessionDuration: 3600,
      assumeRolePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          {
            Effect: 'Allow',
            Principal: { AWS: `arn:${names.partition}:iam::${account}:root` },
            Action: 'sts:AssumeRole',
            Condition: { ArnLike: { 'aws:PrincipalArn': `arn:${names.partition}:iam::${account}:role/${tfcRoleName(platform, 'tenant-')}*` } },
          },
        ],
      }),
    });
    const admins: [string, string][] = [
      ['cluster-run-role', tfcRoleArn(platform, names.clusterStack, 'platform')],
      ['tenant-deployer', deployer.arn],
    ];
    for (const [key, principalArn] of admins) clusterAdminAccess(this, key, { clusterName: props.clusterName, principalArn, partition: names.partition });
  }
}
