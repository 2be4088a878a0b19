import { Construct } from 'constructs';
import { platformNames } from '../../../src/model/names';
import type { PlatformSpec } from '../../../src/model/platform-schema';
import type { TenantSpec } from '../../../src/model/project';
import { renderTenantSql } from '../../../src/database/sql';
import { SqlProvisioningJob } from '../database/sql-job';

export interface TenantDatabaseProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
  readonly proxyEndpoint: string;
}

/**
 * The tenant's login role and schema, created by a provisioning Job in the tenant provisioning
 * namespace as the tenant provisioner (TenantProvisioning), which may create and update tenants
 * and nothing else: never the master identity. The SQL only creates and updates, so destroying
 * the tenant's stack never drops data (`tenant remove --purge-data` does that, as the master user).
 */
export class TenantDatabase extends Construct {
  readonly job: SqlProvisioningJob;

  constructor(scope: Construct, id: string, props: TenantDatabaseProps) {
    super(scope, id);
    const names = platformNames(props.platform);
    this.job = new SqlProvisioningJob(this, 'provision', {
      name: props.tenant.names.provisionJob,
      namespace: names.namespaces.tenantProvisioning,
      serviceAccount: names.dbTenantProvisionerServiceAccount,
      sql: renderTenantSql(props.platform, props.tenant),
      proxyEndpoint: props.proxyEndpoint,
      database: names.dbName,
      dbUser: names.dbTenantProvisionerUser,
      region: props.platform.aws.region,
    });
  }
}
