import { DataAwsDbProxy } from '@cdktf/provider-aws/lib/data-aws-db-proxy';
import type { Construct } from 'constructs';
import { renderTenantDropSql } from '../src/database/sql';
import { platformNames } from '../src/model/names';
import type { PlatformSpec } from '../src/model/platform-schema';
import type { TenantSpec } from '../src/model/project';
import { SqlProvisioningJob } from './constructs/database/sql-job';
import { TenantctlStack } from './constructs/tenantctl-stack';

export interface RemovedTenantStackProps {
  readonly platform: PlatformSpec;
  readonly tenant: TenantSpec;
}

/**
 * The stack of a removed tenant. It keeps the tenant's stack name, backend and workspace but holds
 * none of its resources, so the next apply destroys the namespace, policies, IAM role and nodes.
 * The database schema was never a Terraform resource, so it stays, unless the tenant was removed
 * with --purge-data: then the stack runs the drop SQL once in the platform namespace, as the tenant
 * purger, which may only call shared.purge_tenant(). That is the one act a tenant pipeline cannot do
 * on its own: under Terraform Cloud its run role is let in there only while the reviewed removal asks
 * for the purge (the bootstrap stack adds the purge group to its access entry), and only for this
 * tenant's purge Job, which admission pins to what tenantctl synthesizes (TenantDeployerAccess).
 */
export class RemovedTenantStack extends TenantctlStack {
  constructor(scope: Construct, props: RemovedTenantStackProps) {
    const { platform, tenant } = props;
    super(scope, tenant.names.stack, {
      platform,
      accountName: tenant.accountName,
      kind: 'tenant',
      tags: { 'tenantctl:tenant': tenant.id, 'tenantctl:status': 'removed' },
    });
    // The destroy of what the stack held needs the providers it was created with.
    const names = platformNames(platform);
    this.routeToPlatformAccount();
    this.clusterProviders();
    if (!tenant.purgeData) return;
    const proxy = new DataAwsDbProxy(this, 'proxy', { name: names.proxy });
    new SqlProvisioningJob(this, 'purge', {
      name: tenant.names.purgeJob,
      namespace: names.namespaces.platform,
      serviceAccount: names.dbTenantPurgerServiceAccount,
      sql: renderTenantDropSql(platform, tenant),
      proxyEndpoint: proxy.endpoint,
      database: names.dbName,
      dbUser: names.dbTenantPurgerUser,
      region: platform.aws.region,
    });
  }
}
