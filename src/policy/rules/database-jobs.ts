import { platformNames, tenantIdOfStack } from '../../model/names';
import { renderTenantDropSql, renderTenantSql } from '../../database/sql';
import { at, blocks, namespaceOf, resolved, resources, type ResourceRef } from '../json';
import type { Rule, RuleContext, StackDocument, Violation } from '../types';

/** The identities are the same for every platform; the names only need a platform shape. */
const NAMES = platformNames({ name: 'x', environment: 'x', aws: { region: 'us-east-1', accountId: '000000000000', serviceAccounts: [] } });
/** The key of a SQL Job's ConfigMap (SqlProvisioningJob). */
const SQL_KEY = 'provision.sql';

/** What a tenant stack's Job may run as in each shared namespace, and the SQL tenantctl renders for it there. */
const TENANT_JOBS: Record<string, { readonly serviceAccount: string; readonly dbUser: string; readonly what: string }> = {
  [NAMES.namespaces.tenantProvisioning]: {
    serviceAccount: NAMES.dbTenantProvisionerServiceAccount,
    dbUser: NAMES.dbTenantProvisionerUser,
    what: 'provisioning',
  },
  [NAMES.namespaces.platform]: { serviceAccount: NAMES.dbTenantPurgerServiceAccount, dbUser: NAMES.dbTenantPurgerUser, what: 'purge' },
};

function envValue(stack: StackDocument, container: unknown, name: string): string | undefined {
  return resolved(stack, blocks(at(container, 'env')).find((e) => e.name === name)?.value);
}

/** The SQL of the Job's own ConfigMap (named like the Job, in its namespace). */
function sqlOf(job: ResourceRef, name: string | undefined): string | undefined {
  const config = resources(job.stack, 'kubernetes_config_map_v1', 'kubernetes_config_map').find(
    (c) => resolved(c.stack, at(c.body.metadata, 'name')) === name && namespaceOf(c) === namespaceOf(job),
  );
  const sql = config && at(config.body, 'data');
  return sql && typeof sql === 'object' ? ((sql as Record<string, unknown>)[SQL_KEY] as string | undefined) : undefined;
}

export const tenantSqlJobs: Rule = {
  id: 'TC-DBJ-001',
  title: "Tenant stacks' SQL Jobs run as the tenant provisioner or purger, with the SQL tenantctl renders",
  severity: 'error',
  rationale:
    "A tenant stack's Jobs in tenantctl-provisioning (provisioning) and tenantctl-system (purge) reach the shared database. As the master " +
    'user (db-provisioner) or with other SQL they could read or drop every tenant; admission in the cluster refuses such Jobs from tenant ' +
    'pipelines, and this rule catches them before the apply.',
  remediation:
    'Build tenant SQL Jobs with TenantDatabase and RemovedTenantStack (SqlProvisioningJob as the tenant provisioner or purger, SQL from ' +
    'renderTenantSql / renderTenantDropSql).',
  check: (ctx: RuleContext) =>
    ctx.stacks.flatMap((stack) => {
      const id = tenantIdOfStack(stack.name);
      if (!id) return [];
      const tenant = ctx.project?.tenants.find((t) => t.id === id);
      return resources(stack, 'kubernetes_job_v1', 'kubernetes_job').flatMap((job): Violation[] => {
        const expected = TENANT_JOBS[namespaceOf(job) ?? ''];
        if (!expected) return [];
        const v = (message: string): Violation => ({ stack: stack.name, address: job.address, message });
        const pod = at(job.body, 'spec.template.spec');
        const serviceAccount = resolved(stack, at(pod, 'service_account_name'));
        const users = [...blocks(at(pod, 'init_container')), ...blocks(at(pod, 'container'))]
          .map((c) => envValue(stack, c, 'DB_USER'))
          .filter((u) => u !== undefined);
        const out: Violation[] = [];
        if (serviceAccount !== expected.serviceAccount)
          out.push(v(`the ${expected.what} Job runs as service account ${serviceAccount ?? '(none)'}, not ${expected.serviceAccount}`));
        if (users.length === 0 || users.some((u) => u !== expected.dbUser))
          out.push(v(`the ${expected.what} Job logs in as ${users.join(', ') || '(no DB_USER)'}, not ${expected.dbUser}`));
        if (ctx.project) {
          const name = resolved(stack, at(job.body.metadata, 'name'));
          const sql = sqlOf(job, name);
          const allowed =
            expected.what === 'purge'
              ? [renderTenantDropSql(ctx.project.platform, { id })]
              : Object.keys(ctx.project.tiers)
                  .filter((tier) => !tenant || tier === tenant.tier)
                  .map((tier) => renderTenantSql(ctx.project!.platform, { id, tier }));
          if (sql === undefined || !allowed.includes(sql))
            out.push(v(`the ${expected.what} Job's ConfigMap ${name ?? ''} does not hold the SQL tenantctl renders for tenant ${id}`));
        }
        return out;
      });
    }),
};

export const databaseJobRules: readonly Rule[] = [tenantSqlJobs];
