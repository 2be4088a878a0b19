import { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import type { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import type { IrsaRole } from '../identity/irsa-role';
import { tenantBoundaryArn } from '../tfc/tenant-run-permissions';
import { policyDocument } from '../iam/documents';

export interface TenantAccountRoleProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  /** The provider of the tenant's own account. */
  readonly provider: AwsProvider;
  /** The tenant's workload (IRSA) role in the platform account, the only principal trusted. */
  readonly workloadRole: IrsaRole;
}

/** The tenant's role in its own account; deterministic, so the workload role's policy names it before it exists. */
export function tenantAccountRoleArn(platform: PlatformSpec, tenant: TenantSpec): string {
  return `arn:${platformNames(platform).partition}:iam::${tenant.accountId}:role/${tenant.names.iamRole}`;
}

/**
 * A tenant with its own AWS account gets one role there, assumable only by its workload role in
 * the platform account (role chaining: the pod's IRSA credentials, then this role). It starts
 * with no permissions: the tenant's team grants it access to what it builds in its account, and
 * the blast radius of the tenant's credentials stays that account. Under Terraform Cloud the
 * boundary (TenantBoundary) narrows that to the objects tagged with the tenant.
 */
export class TenantAccountRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: TenantAccountRoleProps) {
    super(scope, id);
    const { platform, tenant } = props;
    if (tenant.accountName === 'platform') throw new Error(`tenant ${tenant.id} lives in the platform account: it needs no account role`);
    const workloadArn = `arn:${platformNames(platform).partition}:iam::${platform.aws.accountId}:role/${tenant.names.iamRole}`;
    this.role = new IamRole(this, 'role', {
      provider: props.provider,
      name: tenant.names.iamRole,
      description: `Tenant ${tenant.id}: assumed by its workloads (role ${tenant.names.iamRole} in the platform account)`,
      maxSessionDuration: 3600,
      // Under Terraform Cloud the tenant's pipeline writes this role: the boundary keeps it to the tenant's tagged objects.
      permissionsBoundary: platform.terraformCloud ? tenantBoundaryArn(platform, tenant.accountName) : undefined,
      assumeRolePolicy: policyDocument([{ Effect: 'Allow', Principal: { AWS: workloadArn }, Action: ['sts:AssumeRole', 'sts:TagSession'] }]),
      // IAM rejects a trust policy whose principal does not exist yet.
      dependsOn: [props.workloadRole.role],
    });
  }
}
