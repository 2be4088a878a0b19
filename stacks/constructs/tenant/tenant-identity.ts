import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { IrsaRole } from '../identity/irsa-role';
import { TENANT_DB_USER_TAG, tenantBoundaryArn } from '../tfc/tenant-run-permissions';

export interface TenantIdentityProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  /** The tenant's namespace, where its workloads run under the tenant service account. */
  readonly namespace: string;
  readonly oidcProviderArn: string;
  readonly oidcIssuer: string;
  /** `prx-...` of the RDS Proxy: clients authenticate at the proxy, so their `rds-db:connect` names it. */
  readonly proxyResourceId: string;
  /**
   * ARN of the tenant's role in its own AWS account (a tenant in a service account): the
   * workload role may assume it, and the service account names it for the SDK's role chaining.
   * @default - the tenant lives in the platform account
   */
  readonly accountRoleArn?: string;
}

/**
 * The tenant's workload identity: a Kubernetes service account bound through IRSA to an IAM role
 * that may do one thing, log in to the database as the tenant's own DB user through RDS Proxy.
 * The proxy then logs in to the instance as that user with its own role, whose grant covers every
 * tenant user by pattern (DatabaseProxy): no tenant writes to the shared proxy role. Under
 * Terraform Cloud the role carries the tenant boundary (TenantBoundary), keyed on its tags.
 */
export class TenantIdentity extends Construct {
  readonly serviceAccountName: string;
  readonly roleArn: string;
  readonly role: IrsaRole;

  constructor(scope: Construct, id: string, props: TenantIdentityProps) {
    super(scope, id);
    const { platform, tenant } = props;
    const names = platformNames(platform);
    const dbUser = names.dbUserArn(props.proxyResourceId, tenant.names.dbRole);

    const role = new IrsaRole(this, 'role', {
      roleName: tenant.names.iamRole,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      // The namespace's name, not a reference to it: the IAM role needs no Kubernetes object, so
      // the AWS side of the tenant never waits on (or fails with) the cluster API.
      namespace: tenant.names.namespace,
      serviceAccount: tenant.names.serviceAccount,
      // Under Terraform Cloud the tenant's pipeline writes this role: the boundary caps what it can give it.
      permissionsBoundary: platform.terraformCloud ? tenantBoundaryArn(platform, 'platform') : undefined,
      tags: { [TENANT_DB_USER_TAG]: tenant.names.dbRole },
      statements: [
        { Sid: 'ConnectAsTenantDbUserThroughProxy', Effect: 'Allow', Action: ['rds-db:connect'], Resource: [dbUser] },
        ...(props.accountRoleArn
          ? [
              {
                Sid: 'ChainIntoTenantAccount',
                Effect: 'Allow' as const,
                Action: ['sts:AssumeRole', 'sts:TagSession'],
                Resource: [props.accountRoleArn],
              },
            ]
          : []),
      ],
    });
    this.role = role;
    this.roleArn = role.arn;

    new ServiceAccountV1(this, 'service-account', {
      metadata: {
        name: tenant.names.serviceAccount,
        namespace: props.namespace,
        annotations: {
          'eks.amazonaws.com/role-arn': role.arn,
          ...(props.accountRoleArn ? { 'tenantctl.io/account-role-arn': props.accountRoleArn } : {}),
        },
        labels: { 'app.kubernetes.io/managed-by': 'tenantctl', 'tenantctl.io/tenant': tenant.id },
      },
      // Workloads need AWS credentials (the IRSA webhook projects its own token), not the Kubernetes API.
      automountServiceAccountToken: false,
    });
    this.serviceAccountName = tenant.names.serviceAccount;
  }
}
