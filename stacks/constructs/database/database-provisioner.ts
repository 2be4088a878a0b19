import { ServiceAccountV1 } from '@cdktf/provider-kubernetes/lib/service-account-v1';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import { renderPlatformSql } from '../../../src/database/sql';
import { IrsaRole } from '../identity/irsa-role';
import { provisioningNetworkPolicies } from './provisioning-network';
import { SqlProvisioningJob } from './sql-job';

export interface DatabaseProvisionerProps {
  readonly platform: PlatformSpec;
  readonly oidcProviderArn: string;
  readonly oidcIssuer: string;
  readonly proxyEndpoint: string;
  /** `prx-...`: IAM authentication through a proxy names the proxy, not the instance, in `rds-db:connect`. */
  readonly proxyResourceId: string;
  /** `<ip>/32` of each network interface of the STS endpoint (StsEndpointAddresses). */
  readonly stsEndpointCidrs: string[];
  /**
   * What must exist before anything is created in the cluster (the namespace, the add-ons).
   * @default - nothing
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * The platform side of database provisioning, in the platform namespace (`tenantctl-system`):
 * the `db-provisioner` service account whose IRSA role may connect only as the master user at the
 * proxy, a network policy that lets its Pods reach nothing but DNS, the database subnets and the
 * STS endpoint, and the Job that applies the platform SQL. Tenant stacks provision
 * with the tenant provisioner instead (TenantProvisioning); a purge (`tenant remove
 * --purge-data`) runs here as the `tenant-purger` service account, the tenant purger database user.
 */
export class DatabaseProvisioner extends Construct {
  readonly serviceAccountName: string;
  readonly roleArn: string;
  readonly job: SqlProvisioningJob;

  constructor(scope: Construct, id: string, props: DatabaseProvisionerProps) {
    super(scope, id);
    const { platform } = props;
    const names = platformNames(platform);
    const namespace = names.namespaces.platform;
    const { region } = platform.aws;

    const role = new IrsaRole(this, 'role', {
      roleName: names.dbProvisionerRole,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      namespace,
      serviceAccount: names.dbProvisionerServiceAccount,
      statements: [
        {
          Sid: 'ConnectAsMasterUserThroughProxy',
          Effect: 'Allow',
          Action: ['rds-db:connect'],
          Resource: [names.dbUserArn(props.proxyResourceId, names.dbMasterUser)],
        },
      ],
    });
    this.roleArn = role.arn;

    const serviceAccount = new ServiceAccountV1(this, 'service-account', {
      dependsOn: props.dependsOn,
      metadata: {
        name: names.dbProvisionerServiceAccount,
        namespace,
        annotations: { 'eks.amazonaws.com/role-arn': role.arn },
        labels: { 'app.kubernetes.io/managed-by': 'tenantctl' },
      },
      // Only the provisioning Pods use it, and they opt in to the token (IRSA needs it).
      automountServiceAccountToken: false,
    });
    this.serviceAccountName = names.dbProvisionerServiceAccount;

    // Purge Jobs of removed tenants run here, but never as the master user: as the tenant purger,
    // which may only call shared.purge_tenant() (a tenant pipeline creates them while purging).
    const purgerRole = new IrsaRole(this, 'purger-role', {
      roleName: names.dbTenantPurgerRole,
      oidcProviderArn: props.oidcProviderArn,
      oidcIssuer: props.oidcIssuer,
      namespace,
      serviceAccount: names.dbTenantPurgerServiceAccount,
      statements: [
        {
          Sid: 'ConnectAsTenantPurgerThroughProxy',
          Effect: 'Allow',
          Action: ['rds-db:connect'],
          Resource: [names.dbUserArn(props.proxyResourceId, names.dbTenantPurgerUser)],
        },
      ],
    });
    new ServiceAccountV1(this, 'purger-service-account', {
      dependsOn: [...(props.dependsOn ?? []), ...purgerRole.permissions],
      metadata: {
        name: names.dbTenantPurgerServiceAccount,
        namespace,
        annotations: { 'eks.amazonaws.com/role-arn': purgerRole.arn },
        labels: { 'app.kubernetes.io/managed-by': 'tenantctl' },
      },
      automountServiceAccountToken: false,
    });

    const networkPolicies = provisioningNetworkPolicies(this, {
      platform,
      namespace,
      stsEndpointCidrs: props.stsEndpointCidrs,
      dependsOn: props.dependsOn,
    });

    this.job = new SqlProvisioningJob(this, 'platform-sql', {
      name: names.dbPlatformProvisionJob,
      namespace,
      serviceAccount: names.dbProvisionerServiceAccount,
      sql: renderPlatformSql(platform),
      proxyEndpoint: props.proxyEndpoint,
      database: names.dbName,
      dbUser: names.dbMasterUser,
      region,
      // IRSA credentials are useless until the role's policy is attached: an early start would burn the Job's retries.
      dependsOn: [serviceAccount, ...networkPolicies, ...role.permissions],
    });
  }
}
