import { EksAccessEntry } from '@cdktf/provider-aws/lib/eks-access-entry';
import { EksAccessPolicyAssociation } from '@cdktf/provider-aws/lib/eks-access-policy-association';
import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/config/names';
import type { PlatformSpec } from '../../../src/config/platform-schema';
import { tfcRoleArn, tfcRoleName } from '../../../src/config/workspaces';

export interface TfcClusterAccessProps {
  readonly platform: PlatformSpec;
  readonly clusterName: string;
}

/**
 * Kubernetes access for Terraform Cloud runs (the cluster has no creator-admin: every principal
 * has an access entry). The platform workspace's run role gets cluster admin directly. Tenant
 * workspaces get it through one deployer role that any tenant run role of this platform may
 * assume, so adding a tenant never changes this stack.
 */
export class TfcClusterAccess extends Construct {
  /** Access policy associations: Kubernetes resources of the platform stack depend on these. */
  readonly dependables: ITerraformDependable[] = [];

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
      ['platform-run-role', tfcRoleArn(platform, 'platform', 'platform')],
      ['tenant-deployer', deployer.arn],
    ];
    for (const [key, principalArn] of admins) {
      const entry = new EksAccessEntry(this, `${key}-entry`, { clusterName: props.clusterName, principalArn, type: 'STANDARD' });
      this.dependables.push(
        new EksAccessPolicyAssociation(this, `${key}-admin`, {
          clusterName: props.clusterName,
          principalArn: entry.principalArn,
          policyArn: `arn:${names.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
          accessScope: { type: 'cluster' },
        }),
      );
    }
  }
}
